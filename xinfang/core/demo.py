"""Demo data for a first look at the platform: ``xinfang demo`` (run by ``make run``).

Every person here is invented: the petitioners' names are 某-style, their ID numbers and
mobiles are made up (with valid check digits so the forms accept them). The only real
names are the two agents the county notice itself names for the 县信访接待中心
(涂元明、卢艺, seed 一). Cases are built with the real actions (open, scope, refer,
authorize, attach, submit, then 转送、收到、受理、延期、办结、送达、复查、复核、撤回 and
跟踪督办), so they carry the same events, encryption, numbering and statutory clocks as
cases typed in by hand; only the dates are chosen, spread over the last six months.

There is a case in every status. A few are placed by their running clock rather than by
age: some have passed it (转送 not done in 15 days, 受理告知 not given in 15 days, 办结 not
done in 60 days) and some fall due within three workdays; several live cases have a
follow-up planned for today, so the worklist is not empty.

The control room has something to show too: a few units with a monthly target of 2, channel
tallies of the last three months for every unit (the county's online share around half), risk
reports (an urgent one not yet acknowledged, so bureau staff see the red banner; one dealt
with; a 信访动态), and inspections (one rectification due within days, one rectified, one
with nothing found).

The data is the same on every run (``random.Random(SEED)``), relative to today's date and
the official calendar. ``build()`` creates it once; ``state()`` tells whether it is there already.
"""

from __future__ import annotations

import datetime
import random
import struct
import unicodedata
import uuid
import zlib
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import AgentProfile, Role, Unit, UnitKind, User
from xinfang.cases import actions, steps
from xinfang.cases.models import (
    AuthorizationMode,
    CaseStatus,
    FileKind,
    FollowUpMeans,
    ForwardMode,
    ReviewOutcome,
)
from xinfang.cases.models import HandlingOpinion as HO
from xinfang.cases.models import PetitionType as PT
from xinfang.cases.models import ReferralChannel as RC
from xinfang.cases.models import RespondentKind as RK
from xinfang.core import files
from xinfang.core.validators import id_check_digit
from xinfang.deadlines import calendar as official
from xinfang.deadlines.actions import CLOCKS as CLOCK_SEEDS
from xinfang.deadlines.actions import compute_due
from xinfang.deadlines.compute import Calendar, add_workdays
from xinfang.deadlines.models import CaseDeadline, Clock, ClockKind
from xinfang.deadlines.selectors import DUE_SOON_WORKDAYS
from xinfang.oversight.models import Finding, ReportKind, Urgency
from xinfang.reference.models import ContentCategory, SubmissionPlatform

SEED = 610927
# One password for every demo account, printed at the end. Demo only: never a real deployment.
DEMO_PASSWORD = "Zhenping-2026"  # noqa: S105
LOGIN_URL = "http://127.0.0.1:8000/"
# The account whose presence means the demo data is there.
MARKER_USERNAME = "chengguan"

# ── Units ────────────────────────────────────────────────────────────────────────────────
# key, name, kind, code (GB/T 2260 for towns), office address, office phone
UNITS = [
    (
        "bureau",
        "县信访局",
        UnitKind.BUREAU,
        "",
        "镇坪县城关镇县政府办公楼一楼 县信访接待中心",
        "0915-8822560",
    ),
    ("chengguan", "城关镇", UnitKind.TOWN, "610927100", "城关镇人民政府一楼便民服务大厅", "0915-8821315"),
    ("zengjia", "曾家镇", UnitKind.TOWN, "610927101", "曾家镇人民政府综治中心", "0915-8861102"),
    ("niutoudian", "牛头店镇", UnitKind.TOWN, "610927102", "牛头店镇人民政府便民服务中心", "0915-8851203"),
    ("zhongbao", "钟宝镇", UnitKind.TOWN, "610927103", "钟宝镇人民政府综治中心", "0915-8871106"),
    ("shangzhu", "上竹镇", UnitKind.TOWN, "610927105", "上竹镇人民政府便民服务中心", "0915-8881208"),
    ("huaping", "华坪镇", UnitKind.TOWN, "610927106", "华坪镇人民政府综治中心", "0915-8891105"),
    ("shuping", "曙坪镇", UnitKind.TOWN, "610927108", "曙坪镇人民政府便民服务中心", "0915-8841107"),
    (
        "renshe",
        "县人力资源和社会保障局",
        UnitKind.DEPARTMENT,
        "",
        "县人社局办公楼一楼服务窗口",
        "0915-8822731",
    ),
    ("ziran", "县自然资源局", UnitKind.DEPARTMENT, "", "县自然资源局办公楼一楼", "0915-8823416"),
    ("zhujian", "县住房和城乡建设局", UnitKind.DEPARTMENT, "", "县住建局办公楼二楼", "0915-8821562"),
    ("jiaoti", "县教育体育和科技局", UnitKind.DEPARTMENT, "", "县教体科技局办公楼一楼", "0915-8822318"),
    ("weijian", "县卫生健康局", UnitKind.DEPARTMENT, "", "县卫健局办公楼一楼", "0915-8821240"),
    ("nongye", "县农业农村局", UnitKind.DEPARTMENT, "", "县农业农村局办公楼一楼", "0915-8822645"),
]

# ── Accounts ─────────────────────────────────────────────────────────────────────────────
# username, full name, role, unit key, 职务 (agents), published (agents)
ACCOUNTS = [
    ("jiedai", "涂元明", Role.AGENT, "bureau", "县信访接待中心代理员", True),
    ("xinfangju", "卢艺", Role.BUREAU, "bureau", "", False),
    ("chengguan", "王某某", Role.AGENT, "chengguan", "综治办干事", True),
    ("chengguan2", "刘某某", Role.AGENT, "chengguan", "党政办科员", True),
    ("chengguan_head", "陈某某", Role.UNIT_HEAD, "chengguan", "", False),
    ("zengjia", "赵某某", Role.AGENT, "zengjia", "综治办副主任", True),
    ("niutoudian", "杨某某", Role.AGENT, "niutoudian", "信访专干", True),
    ("zhongbao", "黄某某", Role.AGENT, "zhongbao", "党政办科员", False),  # new; not yet published
    ("shangzhu", "周某某", Role.AGENT, "shangzhu", "综治办干事", True),
    ("huaping", "吴某某", Role.AGENT, "huaping", "信访专干", True),
    ("shuping", "郑某某", Role.AGENT, "shuping", "综治办主任", True),
    ("renshe", "孙某某", Role.AGENT, "renshe", "办公室副主任", True),
    ("ziran", "马某某", Role.AGENT, "ziran", "法规股股长", True),
    ("zhujian", "胡某某", Role.AGENT, "zhujian", "办公室科员", True),
    ("jiaoti", "郭某某", Role.AGENT, "jiaoti", "办公室主任", True),
    ("weijian", "何某某", Role.AGENT, "weijian", "医政股科员", True),
    ("nongye", "罗某某", Role.AGENT, "nongye", "办公室副主任", True),
    ("leader", "高某某", Role.LEADER, None, "", False),
    ("sysadmin", "谢某某", Role.SYSADMIN, None, "", False),
    ("auditor", "韩某某", Role.AUDITOR, None, "", False),
]

# The accounts shown in the login help, in this order.
HELP_USERNAMES = [
    "chengguan",
    "chengguan2",
    "zengjia",
    "jiedai",
    "renshe",
    "chengguan_head",
    "xinfangju",
    "leader",
    "sysadmin",
    "auditor",
]

# ── Petitioners ──────────────────────────────────────────────────────────────────────────
# Name → (town they live in, village or community, sex, work unit). ID numbers, mobiles and
# house numbers are drawn from a generator seeded with the name, so they never change.
PERSONS = {
    "李某华": ("城关镇", "文彩村三组", "M", "无"),
    "张某兰": ("城关镇", "新华社区", "F", "县城某超市"),
    "刘某芬": ("城关镇", "金岸社区", "F", "无"),
    "陈某明": ("城关镇", "文彩村", "M", "个体经营"),
    "周某平": ("城关镇", "新华社区", "M", "退休"),
    "张某军": ("曾家镇", "曾家坝村二组", "M", "务工"),
    "黄某林": ("曾家镇", "花坪村一组", "M", "无"),
    "罗某英": ("曾家镇", "曾家坝村", "F", "无"),
    "冯某贵": ("牛头店镇", "龙河村", "M", "无"),
    "蒋某梅": ("牛头店镇", "大坪村三组", "F", "无"),
    "邓某才": ("牛头店镇", "牛头店村", "M", "务工"),
    "曹某福": ("牛头店镇", "龙河村", "M", "无"),
    "彭某琴": ("钟宝镇", "钟宝村五组", "F", "无"),
    "曾某海": ("钟宝镇", "和平村", "M", "务工"),
    "萧某云": ("钟宝镇", "东坝村", "F", "无"),
    "田某成": ("钟宝镇", "钟宝村", "M", "无"),
    "董某国": ("上竹镇", "长岭村", "M", "无"),
    "袁某莲": ("上竹镇", "上竹村", "F", "无"),
    "潘某生": ("上竹镇", "龙湾村", "M", "无"),
    "陈某芳": ("华坪镇", "华坪村", "F", "华坪镇某茶厂"),
    "蔡某德": ("华坪镇", "桃园村", "M", "无"),
    "余某荣": ("曙坪镇", "兴隆村", "M", "无"),
    "程某霞": ("曙坪镇", "马鞍村", "F", "无"),
    "魏某山": ("曙坪镇", "曙坪村", "M", "个体经营"),
    "丁某发": ("华坪镇", "三合村", "M", "务工"),
    "姚某波": ("城关镇", "新华社区", "M", "县某供水企业"),
    "崔某花": ("钟宝镇", "和平村", "F", "无"),
    "鲁某全": ("曙坪镇", "兴隆村", "M", "无"),
    "毛某林": ("城关镇", "小河村", "M", "无"),
    "石某勇": ("曙坪镇", "兴隆村", "M", "务工"),
    "万某秀": ("牛头店镇", "大坪村", "F", "无"),
    "覃某英": ("牛头店镇", "龙河村", "F", "无"),
    "钱某珍": ("城关镇", "金岸社区", "F", "无"),
    "熊某丽": ("城关镇", "文彩村", "F", "个体经营"),
    "严某江": ("上竹镇", "长岭村", "M", "无"),
    "孙某兵": ("城关镇", "小河村", "M", "务工"),
    "汪某霞": ("城关镇", "金岸社区", "F", "县城某药店"),
    "雷某春": ("曾家镇", "花坪村二组", "M", "无"),
    "贺某明": ("牛头店镇", "龙河村", "M", "无"),
    "邱某华": ("钟宝镇", "东坝村", "F", "无"),
    "苏某兰": ("曙坪镇", "马鞍村", "F", "无"),
    "康某伟": ("城关镇", "新华社区", "M", "县城某建筑公司"),
    "谭某红": ("城关镇", "新华社区", "F", "退休"),
    "符某英": ("钟宝镇", "钟宝村", "F", "无"),
}

MOBILE_PREFIXES = (
    "133",
    "135",
    "138",
    "139",
    "150",
    "151",
    "153",
    "157",
    "159",
    "177",
    "180",
    "182",
    "187",
    "189",
    "199",
)

# The bodies one level up that hear 复查 and 复核 (《信访工作条例》第35、36条), unless a case names others.
REVIEWER = "镇坪县人民政府"
RE_REVIEWER = "安康市人民政府"


@dataclass(frozen=True)
class Spec:
    """One demo case: where, who, how far it went, and what it is about."""

    unit: str
    person: str
    status: str  # a CaseStatus value
    # Days before today of the step that gave the case its status (the reception for 登记中、
    # 待委托、已引导; the signature for 已委托; the submission, 转送, 受理, 办结 … after that).
    # The earlier steps are placed before it at realistic intervals. Ignored when ``due_in`` is set.
    days_ago: int
    category: str
    kind: str
    respondent: str
    ptype: str
    title: str
    content: str
    place: str = ""
    town: str = ""  # incident town; defaults to the unit when it is a town, else the person's town
    flags: tuple[
        str, ...
    ] = ()  # court_accepted, arbitration_accepted, reconsideration_done, has_review_opinion
    channel: str = ""  # referral channel for status "referred"
    note: str = ""
    platform: str = "陕西省网上信访大厅"
    confirmed: bool = False  # the agent filled in the authorization and the petitioner confirmed
    attachments: int = 0  # photos added to the complaint
    agent: str = ""  # username; defaults to the unit's first agent
    allow_public: bool = False
    # After submission (《信访工作条例》第22-36条).
    body: str = ""  # 有权处理机关, from 转送交办 on
    assign: bool = False  # 交办 rather than 转送
    # Place the case by its running statutory clock instead of ``days_ago``: the clock falls due
    # this many days from today (negative: overdue by that many days; 0-3: due within 3 workdays).
    due_in: int | None = None
    extension: int = 0  # 延期 days approved by the body's head (≤ 30, once)
    opinion: str = ""  # 处理意见 at 办结 (HandlingOpinion); 支持 by default
    outcome: str = ""  # 复查、复核 outcome (ReviewOutcome); 维持 by default
    reason: str = ""  # why 不予受理、不再受理, 撤回委托 or 延期
    withdrawn_from: str = ""  # for "withdrawn": the status the case had when the petitioner withdrew
    follow: str = ""  # the last 跟踪督办: "today" (next one due today), "later", "missed" (next one passed)


CASES = [
    # 城关镇
    Spec(
        "chengguan",
        "李某华",
        "delivered",
        12,
        "城乡建设",
        RK.ADMINISTRATIVE,
        "城关镇人民政府",
        PT.CLAIM,
        "通组道路硬化后排水沟被堵，雨天积水进屋",
        "我家住文彩村三组。组内道路硬化施工时，施工方把路边原有排水沟填平，一直未恢复。"
        "近几次下雨，路面雨水直接流进我家院坝和堂屋，墙脚已经发潮。多次向村上反映，答复说要等镇上安排。"
        "请求镇政府督促施工方恢复排水沟，并对受损情况进行核实。",
        place="文彩村三组",
        attachments=2,
        body="城关镇人民政府",
        assign=True,
    ),
    Spec(
        "chengguan",
        "张某兰",
        "accepted",
        26,
        "房产物业",
        RK.VILLAGE_COMMITTEE,
        "新华社区居民委员会",
        PT.CLAIM,
        "小区电梯长期故障，社区协调维修无进展",
        "我所住小区3号楼电梯停运已有两个多月，楼内有多位行动不便的老人。业主曾向社区反映，社区表示会协调物业和维保单位，"
        "但至今没有维修。请求社区尽快组织协调，明确维修责任和时限。",
        place="新华社区",
        agent="chengguan2",
        allow_public=True,
        body="城关镇人民政府",
        follow="today",
    ),
    Spec(
        "chengguan",
        "刘某芬",
        "referred",
        38,
        "自然资源",
        RK.VILLAGE_COMMITTEE,
        "金岸社区居民委员会",
        PT.CLAIM,
        "宅基地边界纠纷，对社区调解结果不服",
        "我与邻居因宅基地边界发生纠纷，社区组织调解后我不同意调解结果。邻居已向县人民法院起诉，法院已经立案受理。",
        place="金岸社区",
        flags=("court_accepted",),
        channel=RC.LITIGATION,
        agent="chengguan2",
        note="法院已立案受理，已向信访人说明应在诉讼中主张权利，并告知可申请法律援助。",
    ),
    Spec(
        "chengguan",
        "李某华",
        "authorized",
        8,
        "交通运输",
        RK.ADMINISTRATIVE,
        "城关镇人民政府",
        PT.CLAIM,
        "文彩村公路边坡塌方，半个月未清理",
        "文彩村三组通往县城的公路边坡塌方，泥石堆在路面占了一半车道，已经半个月没人清理，晚上行车很危险。"
        "请求尽快清理塌方并设置警示标志。",
        place="文彩村三组",
    ),
    Spec(
        "chengguan",
        "陈某明",
        "in_scope",
        4,
        "生态环境",
        RK.ADMINISTRATIVE,
        "县城市管理执法部门",
        PT.ACCUSATION,
        "县城某餐馆油烟直排，反映后未见处理",
        "我家楼下餐馆的排烟管道直接朝向居民楼，油烟和噪声很大，夏天不能开窗。已向有关部门电话反映两次，未见处理。"
        "请求依法检查并督促整改。",
        place="文彩村",
        agent="chengguan2",
    ),
    Spec(
        "chengguan",
        "周某平",
        "intake",
        0,
        "民政与应急",
        RK.VILLAGE_COMMITTEE,
        "新华社区居民委员会",
        PT.CLAIM,
        "申请城乡低保后未获答复",
        "我老伴常年患病，家庭收入很低。三个月前向社区递交了低保申请材料，至今没有入户调查，也没有答复。"
        "请求社区按规定办理并告知结果。",
        place="新华社区",
    ),
    Spec(
        "chengguan",
        "孙某兵",
        "submitted",
        0,
        "房产物业",
        RK.ADMINISTRATIVE,
        "城关镇人民政府",
        PT.CLAIM,
        "易地搬迁安置房入住两年仍未办理不动产权证",
        "我家是小河村易地扶贫搬迁户，搬进安置小区已经两年，不动产权证一直没有办下来，孩子上学、办理贷款都受影响。"
        "多次到镇上询问，答复是手续还在走。请求说明未办证的原因和办理时限。",
        place="小河村安置小区",
        due_in=-12,
        follow="missed",
    ),
    Spec(
        "chengguan",
        "汪某霞",
        "submitted",
        0,
        "城乡建设",
        RK.ADMINISTRATIVE,
        "县城市管理执法部门",
        PT.CLAIM,
        "小区门口人行道窨井盖缺失一个多月",
        "金岸社区小区门口人行道上的窨井盖缺失一个多月，只用几块砖头围着，晚上已经有老人踩空摔伤。"
        "请求尽快补装井盖并排查周边类似隐患。",
        place="金岸社区",
        agent="chengguan2",
        attachments=1,
        due_in=1,
    ),
    # 曾家镇
    Spec(
        "zengjia",
        "张某军",
        "reviewed",
        20,
        "农村农业",
        RK.VILLAGE_COMMITTEE,
        "曾家坝村村民委员会",
        PT.CLAIM,
        "退耕还林补助未足额发放",
        "我家退耕还林地块面积在合同上是4.2亩，但这两年补助都只按3亩发放。向村上询问，村干部说面积核减了，"
        "但一直拿不出核减的依据。请求核实面积并补发差额。",
        place="曾家坝村二组",
        body="曾家镇人民政府",
        opinion=HO.EXPLAIN,
    ),
    Spec(
        "zengjia",
        "黄某林",
        "intake",
        1,
        "自然资源",
        RK.VILLAGE_COMMITTEE,
        "花坪村村民委员会",
        PT.CLAIM,
        "承包地被占用修建产业路，未给补偿",
        "村上修建产业路占用了我家承包地约0.6亩，施工前没有和我签协议，至今没有任何补偿。请求村委会说明情况并依法补偿。",
        place="花坪村一组",
    ),
    Spec(
        "zengjia",
        "罗某英",
        "referred",
        21,
        "其他",
        RK.NONE,
        "同村村民",
        PT.CLAIM,
        "同村村民借款三年不还",
        "三年前同村村民向我借款2万元，写有借条，多次催要一直不还。",
        place="曾家坝村",
        channel=RC.OTHER,
        note="属于平等主体之间的借贷纠纷，已告知可申请人民调解或向法院起诉。",
    ),
    Spec(
        "zengjia",
        "罗某英",
        "in_scope",
        3,
        "卫生健康",
        RK.PUBLIC_SERVICE,
        "曾家镇中心卫生院",
        PT.ACCUSATION,
        "镇卫生院门诊收费项目不明",
        "我在镇卫生院看门诊，收费单上有两项检查我并没有做，向收费窗口询问，工作人员态度生硬，没有给出解释。"
        "请求核查收费情况并退还多收的费用。",
        place="集镇",
    ),
    Spec(
        "zengjia",
        "雷某春",
        "not_accepted",
        20,
        "农村农业",
        RK.VILLAGE_COMMITTEE,
        "花坪村村民委员会",
        PT.CLAIM,
        "村委会经手的土地流转租金三年未付",
        "村委会出面把我家3亩承包地流转给外地老板种植魔芋，合同约定每年付租金，已经三年没有给过。"
        "找村上，村上说老板跑了，让我们自己去找。请求村委会履行合同、支付租金。",
        place="花坪村二组",
        body="曾家镇人民政府",
        reason="经核实，信访人反映的是土地经营权流转合同履行纠纷，依法应当通过农村土地承包仲裁或者诉讼途径解决，"
        "依据《信访工作条例》第三十一条不予受理；已书面告知信访人可向县农村土地承包仲裁委员会申请仲裁。",
    ),
    # 牛头店镇
    Spec(
        "niutoudian",
        "冯某贵",
        "accepted",
        0,
        "生态环境",
        RK.ADMINISTRATIVE,
        "牛头店镇人民政府",
        PT.ACCUSATION,
        "龙河村河道有人私自采砂，举报后未制止",
        "龙河村河段近来有人夜间用挖机私自采砂，河床被挖得坑坑洼洼，河堤也有垮塌危险。"
        "村民向镇上反映后，采砂停了几天又继续。请求依法查处并修复河堤。",
        place="龙河村",
        attachments=1,
        body="县水利局",
        assign=True,
        due_in=-9,
        follow="today",
    ),
    Spec(
        "niutoudian",
        "蒋某梅",
        "concluded",
        3,
        "农村农业",
        RK.VILLAGE_COMMITTEE,
        "大坪村村民委员会",
        PT.CLAIM,
        "产业奖补资金公示后迟迟未发放",
        "我家去年发展中药材种植，村上已经公示了产业奖补名单，但半年多过去了资金还没有发放。请求说明原因并尽快兑现。",
        place="大坪村三组",
        body="牛头店镇人民政府",
    ),
    Spec(
        "niutoudian",
        "邓某才",
        "authorized",
        1,
        "民政与应急",
        RK.AUTHORIZED_ORG,
        "县残疾人联合会",
        PT.CLAIM,
        "残疾等级评定结果有异议",
        "我右腿因工伤截肢，今年换发残疾证时评定等级被降低，残疾人两项补贴也随之减少。请求重新评定或说明依据。",
        place="牛头店村",
        confirmed=True,
    ),
    Spec(
        "niutoudian",
        "曹某福",
        "intake",
        0,
        "经济管理",
        RK.VILLAGE_COMMITTEE,
        "龙河村村民委员会",
        PT.SUGGESTION,
        "村集体经济收益分配情况不公开",
        "龙河村集体经济合作社去年有收益，但分配方案和账目一直没有向村民公开。建议按规定公开账目和分配方案。",
        place="龙河村",
    ),
    Spec(
        "niutoudian",
        "贺某明",
        "received",
        5,
        "农村农业",
        RK.PUBLIC_SERVICE,
        "牛头店镇集镇供水站",
        PT.CLAIM,
        "安全饮水工程管道破损，组里停水半个月",
        "龙河村四组安全饮水工程的主管道被山洪冲断，组里十几户已经停水半个月，只能到河沟挑水。供水站说要等上面安排资金。"
        "请求尽快抢修管道、恢复供水。",
        place="龙河村四组",
        body="县水利局",
        follow="later",
    ),
    # 钟宝镇
    Spec(
        "zhongbao",
        "彭某琴",
        "forwarded",
        2,
        "城乡建设",
        RK.PUBLIC_SERVICE,
        "钟宝镇供电所",
        PT.CLAIM,
        "组内电压不稳，经常停电",
        "钟宝村五组电压一直偏低，晚上灯光昏暗，冰箱和水泵经常不能启动，每月还会停电几次。请求供电部门检修线路、改造变压器。",
        place="钟宝村五组",
        body="县发展和改革局",
        follow="later",
    ),
    Spec(
        "zhongbao",
        "曾某海",
        "not_accepted_again",
        11,
        "劳动和社会保障",
        RK.ADMINISTRATIVE,
        "钟宝镇人民政府",
        PT.CLAIM,
        "城乡居民养老保险缴费年限记录有误",
        "我从2012年起每年都缴纳城乡居民养老保险，但查询记录少了两年。当年的缴费收据我还保存着。请求核实并更正缴费记录。",
        place="和平村",
        body="县人力资源和社会保障局",
        reason="经查，信访人此前已就同一缴费记录问题提出信访，县社会保险经办机构已作出处理意见，并经复查、复核；"
        "本次未提出新的事实和理由，依据《信访工作条例》第三十六条不再受理。",
    ),
    Spec(
        "zhongbao",
        "萧某云",
        "referred",
        35,
        "自然资源",
        RK.ADMINISTRATIVE,
        "县自然资源局",
        PT.CLAIM,
        "对建房罚款决定不服",
        "我在自家承包地边上建了一间杂物房，被县自然资源局处以罚款，我认为处罚过重，已经向县政府申请了行政复议。",
        place="东坝村",
        flags=("reconsideration_done",),
        channel=RC.RECONSIDERATION,
        note="已申请行政复议，告知信访人等待复议决定，对复议决定不服的可依法提起行政诉讼。",
    ),
    Spec(
        "zhongbao",
        "田某成",
        "in_scope",
        2,
        "教育",
        RK.PUBLIC_SERVICE,
        "钟宝镇中心小学",
        PT.SUGGESTION,
        "建议改善学校营养午餐质量",
        "孙子反映学校营养午餐分量不足、菜品单一。建议学校公开午餐食谱和经费使用情况，并请家长代表参与监督。",
        place="集镇",
    ),
    Spec(
        "zhongbao",
        "邱某华",
        "review_requested",
        8,
        "民政与应急",
        RK.ADMINISTRATIVE,
        "钟宝镇人民政府",
        PT.CLAIM,
        "低保被取消，未告知取消理由",
        "我家享受农村低保多年，今年动态调整时被取消，镇上和村上都没有告诉我取消的理由。我丈夫瘫痪在床，家里没有劳动力。"
        "请求说明取消依据并重新核查家庭情况。",
        place="东坝村",
        body="钟宝镇人民政府",
        opinion=HO.REJECT,
        follow="today",
    ),
    # 上竹镇
    Spec(
        "shangzhu",
        "董某国",
        "concluded",
        9,
        "文体旅游",
        RK.VILLAGE_COMMITTEE,
        "长岭村村民委员会",
        PT.SUGGESTION,
        "村文化广场堆放杂物，群众无法使用",
        "长岭村文化广场建成后一直被堆放建材和杂物，健身器材也有损坏，群众没有地方活动。建议清理广场并维修器材。",
        place="长岭村",
        allow_public=True,
        body="上竹镇人民政府",
    ),
    Spec(
        "shangzhu",
        "袁某莲",
        "authorized",
        6,
        "农村农业",
        RK.ADMINISTRATIVE,
        "上竹镇人民政府",
        PT.CLAIM,
        "生猪养殖补助申报材料交了半年没有结果",
        "去年我按通知申报了生猪养殖补助，材料交到镇上半年多了，一直没有审核结果，也没人告知是否符合条件。请求告知办理结果。",
        place="上竹村",
        confirmed=True,
    ),
    Spec(
        "shangzhu",
        "潘某生",
        "intake",
        2,
        "交通运输",
        RK.PUBLIC_SERVICE,
        "县城至上竹镇客运班线经营者",
        PT.SUGGESTION,
        "班车经常不按时刻发车",
        "县城至上竹镇的班车经常比公布时刻晚发车半小时以上，有时直接取消，乘客没有得到任何通知。建议规范运营并公布投诉电话。",
        place="龙湾村",
    ),
    Spec(
        "shangzhu",
        "董某国",
        "withdrawn",
        6,
        "交通运输",
        RK.VILLAGE_COMMITTEE,
        "长岭村村民委员会",
        PT.CLAIM,
        "通组公路水毁两个月未修复",
        "长岭村三组通组公路夏天被洪水冲毁一段，两个月了没有修复，三轮车和摩托车都过不去，农产品运不出去。"
        "请求村委会尽快组织修复。",
        place="长岭村三组",
        withdrawn_from="in_scope",
        reason="村委会已组织修复通组公路，信访人表示问题已经解决，申请撤回委托，不再网上投诉。",
    ),
    # 华坪镇
    Spec(
        "huaping",
        "陈某芳",
        "re_reviewed",
        60,
        "卫生健康",
        RK.PUBLIC_SERVICE,
        "华坪镇卫生院",
        PT.CLAIM,
        "住院费用医保报销比例有疑问",
        "我母亲在镇卫生院住院一周，出院结算时报销比例明显低于政策规定，卫生院解释不清楚。请求核实报销计算并退还差额。",
        place="华坪村",
        body="县医疗保障局",
        opinion=HO.EXPLAIN,
    ),
    Spec(
        "huaping",
        "蔡某德",
        "referred",
        16,
        "城乡建设",
        RK.ADMINISTRATIVE,
        "华坪镇人民政府",
        PT.CLAIM,
        "农村危房改造补助标准有异议",
        "我对危房改造补助标准不服，此前已经信访，镇上答复后又经县上复查，已有复查意见书，我仍然不服。",
        place="桃园村",
        flags=("has_review_opinion",),
        channel=RC.REVIEW,
        note="已有复查意见书，已引导信访人自收到之日起三十日内向上一级机关申请复核。",
    ),
    Spec(
        "huaping",
        "丁某发",
        "in_scope",
        5,
        "劳动和社会保障",
        RK.ADMINISTRATIVE,
        "华坪镇人民政府",
        PT.CLAIM,
        "公益性岗位工资迟发两个月",
        "我在镇上安排的公益性岗位做护林员，最近两个月的工资一直没有发放。请求按时发放并说明原因。",
        place="三合村",
    ),
    # 曙坪镇
    Spec(
        "shuping",
        "余某荣",
        "review_requested",
        0,
        "农村农业",
        RK.APPOINTED,
        "兴隆村茶叶专业合作社（镇政府派驻的帮扶负责人）",
        PT.CLAIM,
        "合作社承诺的茶苗款未兑现",
        "前年镇政府派驻的合作社帮扶负责人组织我们种植茶苗，承诺成活后每亩补助茶苗款，至今没有兑现。请求核实并兑现承诺。",
        place="兴隆村",
        body="曙坪镇人民政府",
        opinion=HO.REJECT,
        due_in=2,
        follow="later",
    ),
    Spec(
        "shuping",
        "程某霞",
        "intake",
        1,
        "生态环境",
        RK.ADMINISTRATIVE,
        "曙坪镇人民政府",
        PT.ACCUSATION,
        "养殖场粪污直排河沟",
        "马鞍村上游一家养猪场把粪污直接排进河沟，下游水质发黑发臭，村民不敢用水浇地。请求依法查处。",
        place="马鞍村",
    ),
    Spec(
        "shuping",
        "魏某山",
        "authorized",
        3,
        "市场监督",
        RK.ADMINISTRATIVE,
        "县市场监督管理局",
        PT.ACCUSATION,
        "集镇商户销售过期食品，举报后未见处理",
        "我在曙坪集镇一家商店买到过期的饮料和饼干，已拨打电话举报，一个多月没有任何回复。请求依法查处并告知结果。",
        place="集镇",
    ),
    Spec(
        "shuping",
        "鲁某全",
        "delivered",
        65,
        "党务政务",
        RK.ADMINISTRATIVE,
        "曙坪镇人民政府",
        PT.SUGGESTION,
        "建议便民服务中心午间安排值班",
        "镇便民服务中心中午不办公，山里群众赶到集镇往往已是中午，只能等到下午或改天再来。建议午间安排窗口值班。",
        place="集镇",
        platform="县领导信访信箱",
        allow_public=True,
        body="曙坪镇人民政府",
    ),
    Spec(
        "shuping",
        "苏某兰",
        "re_review_requested",
        14,
        "城乡建设",
        RK.ADMINISTRATIVE,
        "曙坪镇人民政府",
        PT.CLAIM,
        "危房改造补助被扣减一半",
        "我家去年列入农村危房改造，房子按要求改造完成并通过验收，补助款却只发了一半，镇上说是资金不够。"
        "请求按标准足额发放补助。",
        place="马鞍村",
        body="曙坪镇人民政府",
        opinion=HO.EXPLAIN,
        follow="later",
    ),
    # 县人力资源和社会保障局
    Spec(
        "renshe",
        "张某军",
        "received",
        0,
        "劳动和社会保障",
        RK.ADMINISTRATIVE,
        "县人力资源和社会保障局劳动保障监察部门",
        PT.ACCUSATION,
        "举报县城某工地拖欠农民工工资，监察部门处理慢",
        "我在县城一处建设工地务工，包工头拖欠我和十几名工友四个月工资。我们已向劳动保障监察部门举报，一个多月没有进展。"
        "请求依法督促支付工资。",
        town="城关镇",
        place="县城某建设工地",
        body="县人力资源和社会保障局",
        assign=True,
        due_in=-6,
        follow="today",
    ),
    Spec(
        "renshe",
        "姚某波",
        "referred",
        29,
        "劳动和社会保障",
        RK.PUBLIC_SERVICE,
        "县某供水企业",
        PT.CLAIM,
        "被解除劳动合同的经济补偿争议",
        "我被单位解除劳动合同，对经济补偿金额有争议，已经向县劳动人事争议仲裁委员会申请仲裁，仲裁委已受理。",
        town="城关镇",
        flags=("arbitration_accepted",),
        channel=RC.ARBITRATION,
        note="仲裁委员会已受理，已告知信访人在仲裁程序中主张权利。",
    ),
    Spec(
        "renshe",
        "严某江",
        "authorized",
        2,
        "组织人事",
        RK.ADMINISTRATIVE,
        "县人力资源和社会保障局",
        PT.CLAIM,
        "事业单位招聘体检结论有异议",
        "我参加县事业单位公开招聘，体检结论为不合格，但我在省级医院复查结果正常。请求按规定安排复检。",
        town="上竹镇",
        place="长岭村",
    ),
    Spec(
        "renshe",
        "康某伟",
        "forwarded",
        1,
        "劳动和社会保障",
        RK.ADMINISTRATIVE,
        "县人力资源和社会保障局",
        PT.CLAIM,
        "工伤认定申请超过六十日未作决定",
        "我在县城一处工地干活时从脚手架上摔下，腰椎骨折。单位不申请工伤认定，我自己提交了申请和材料，"
        "已经过了六十天还没有认定结论。请求依法作出工伤认定决定。",
        town="城关镇",
        place="县城某建设工地",
        body="县人力资源和社会保障局",
        assign=True,
    ),
    # 县自然资源局
    Spec(
        "ziran",
        "崔某花",
        "accepted",
        0,
        "自然资源",
        RK.ADMINISTRATIVE,
        "县不动产登记机构",
        PT.CLAIM,
        "不动产登记办理超过承诺时限",
        "我在县政务服务中心申请办理房屋不动产登记，材料齐全，已超过承诺办结时间一个月仍未办好，也没有告知原因。请求尽快办理。",
        town="城关镇",
        place="县政务服务中心",
        body="县自然资源局",
        due_in=1,
        extension=30,
        reason="该宗房屋涉及历史遗留的宅基地权属问题，需调取原始档案并会同城关镇现场核实，情况复杂，无法在六十日内办结。",
        follow="later",
    ),
    Spec(
        "ziran",
        "萧某云",
        "in_scope",
        1,
        "自然资源",
        RK.ADMINISTRATIVE,
        "县自然资源局",
        PT.CLAIM,
        "林权证四至界限与实际不符",
        "我家林权证上标注的四至界限与实际山林位置不符，与邻组发生争议。请求派员现场核实并更正登记。",
        place="东坝村",
    ),
    # 县住房和城乡建设局
    Spec(
        "zhujian",
        "毛某林",
        "authorized",
        5,
        "城乡建设",
        RK.ADMINISTRATIVE,
        "县住房和城乡建设局",
        PT.CLAIM,
        "老旧小区改造夜间施工噪声扰民",
        "小区改造工程经常施工到夜里十一点以后，噪声很大，老人孩子无法休息。请求督促施工单位遵守作业时间。",
        town="城关镇",
        place="小河村安置小区",
        confirmed=True,
    ),
    Spec(
        "zhujian",
        "毛某林",
        "delivered",
        4,
        "房产物业",
        RK.ADMINISTRATIVE,
        "县住房和城乡建设局",
        PT.CLAIM,
        "安置小区屋面漏水，维修责任推来推去",
        "我家在小河村安置小区顶楼，入住第二年屋面就开始漏水，卧室墙面发霉。找施工单位说过了质保期，找住建部门说让找施工单位。"
        "请求明确维修责任并尽快维修。",
        town="城关镇",
        place="小河村安置小区",
        body="县住房和城乡建设局",
        extension=30,
        reason="屋面漏水原因需委托第三方检测机构检测，以确定施工单位的质量保修责任，检测周期较长。",
    ),
    Spec(
        "zhujian",
        "谭某红",
        "withdrawn",
        15,
        "房产物业",
        RK.PUBLIC_SERVICE,
        "新华社区某物业服务企业",
        PT.CLAIM,
        "小区维修资金使用情况不公开",
        "我们小区去年用住宅专项维修资金更换了消防管道，物业一直不公布费用明细，业主要求查看也不给看。"
        "请求主管部门督促物业公开维修资金使用情况。",
        town="城关镇",
        place="新华社区",
        body="县住房和城乡建设局",
        withdrawn_from="accepted",
        reason="物业服务企业已在小区公示维修资金使用明细，信访人查看后表示满意，申请撤回委托。",
    ),
    # 县教育体育和科技局
    Spec(
        "jiaoti",
        "陈某芳",
        "accepted",
        18,
        "教育",
        RK.ADMINISTRATIVE,
        "县教育体育和科技局",
        PT.CLAIM,
        "孩子转学回县内就读，申请一个月未获安排",
        "我们一家在外省务工多年，今年回华坪镇上班，孩子要转回县内读书。按规定提交了转学申请，开学一个月了还没有安排学校。"
        "请求尽快安排入学。",
        town="华坪镇",
        place="集镇",
        body="县教育体育和科技局",
        follow="later",
    ),
    Spec(
        "jiaoti",
        "石某勇",
        "delivered",
        30,
        "教育",
        RK.ADMINISTRATIVE,
        "县教育体育和科技局",
        PT.SUGGESTION,
        "建议调整曙坪片区校车接送线路",
        "曙坪片区校车线路没有覆盖兴隆村上片，村里的孩子每天要步行一个多小时到接送点。建议调整线路或增设接送点。",
        town="曙坪镇",
        place="兴隆村",
        platform="县领导信访信箱",
        body="县教育体育和科技局",
    ),
    # 县卫生健康局
    Spec(
        "weijian",
        "覃某英",
        "authorized",
        1,
        "卫生健康",
        RK.ADMINISTRATIVE,
        "县卫生健康局",
        PT.CLAIM,
        "家庭医生签约后未提供随访服务",
        "我父亲患高血压多年，给他签约了家庭医生，但一年来没有一次随访，也没有健康指导。请求督促落实签约服务。",
        town="牛头店镇",
        place="龙河村",
        confirmed=True,
    ),
    Spec(
        "weijian",
        "符某英",
        "submitted",
        2,
        "卫生健康",
        RK.PUBLIC_SERVICE,
        "钟宝村卫生室",
        PT.ACCUSATION,
        "村卫生室常用药品价格高于镇卫生院",
        "钟宝村卫生室卖的降压药、感冒药比镇卫生院贵不少，也不给开收费票据。请求核查村卫生室药品价格和收费行为。",
        town="钟宝镇",
        place="钟宝村",
    ),
    # 县农业农村局
    Spec(
        "nongye",
        "万某秀",
        "accepted",
        45,
        "农村农业",
        RK.ADMINISTRATIVE,
        "县农业农村局",
        PT.CLAIM,
        "农机购置补贴申请未发放",
        "我购买了一台微耕机并按程序申请了农机购置补贴，已核验通过，半年多了补贴还没有发放。请求尽快兑付。",
        town="牛头店镇",
        place="大坪村",
        body="县农业农村局",
        follow="later",
    ),
    # 县信访局（县信访接待中心）
    Spec(
        "bureau",
        "钱某珍",
        "submitted",
        0,
        "党务政务",
        RK.ADMINISTRATIVE,
        "城关镇便民服务中心",
        PT.SUGGESTION,
        "反映便民服务窗口工作人员态度生硬",
        "我到便民服务中心办理业务，窗口工作人员态度生硬，让我来回跑了三趟。建议加强窗口作风建设，实行一次性告知。",
        town="城关镇",
        place="便民服务中心",
        due_in=-25,
        follow="today",
    ),
    Spec(
        "bureau",
        "熊某丽",
        "in_scope",
        0,
        "城乡建设",
        RK.ADMINISTRATIVE,
        "县住房和城乡建设局",
        PT.SUGGESTION,
        "建议县城主干道增设无障碍设施",
        "县城部分主干道人行道没有盲道和坡道，轮椅和婴儿车通行困难。建议在道路改造中增设无障碍设施。",
        town="城关镇",
        place="县城",
    ),
]

STATUSES = tuple(CaseStatus.values)


def status_labels() -> list[tuple[str, str]]:
    return [(value, CaseStatus(value).label) for value in STATUSES]


# ── Generated details ────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    mobile: str
    address: str
    work_unit: str

    def as_form(self) -> dict:
        return {
            "name": self.name,
            "id_number": self.id_number,
            "mobile": self.mobile,
            "landline": "",
            "address": self.address,
            "work_unit": self.work_unit,
        }


def _id_number(rng: random.Random, sex: str) -> str:
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 48))
    serial = rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)  # 17th digit: odd male, even female
    first17 = f"610927{born:%Y%m%d}{serial:03d}"
    return first17 + id_check_digit(first17)


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(0, 10**8):08d}"


def person(name: str) -> Person:
    town, village, sex, work_unit = PERSONS[name]
    rng = random.Random(f"{SEED}:{name}")
    address = f"镇坪县{town}{village}{rng.randint(1, 8)}组{rng.randint(1, 60)}号"
    if village.endswith("组"):
        address = f"镇坪县{town}{village}{rng.randint(1, 60)}号"
    elif village.endswith("社区"):
        address = f"镇坪县{town}{village}{rng.randint(1, 12)}号楼{rng.randint(1, 6)}单元"
    return Person(name, _id_number(rng, sex), _mobile(rng), address, work_unit)


def agent_mobile(username: str) -> str:
    return _mobile(random.Random(f"{SEED}:agent:{username}"))


@dataclass(frozen=True)
class Account:
    """A platform account on the provincial site: one per person, reused for their later cases."""

    username: str
    password: str


def platform_account(name: str) -> Account:
    rng = random.Random(f"{SEED}:platform:{name}")
    letters = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
    digits = "23456789"
    password = "".join(rng.choice(letters) for _ in range(6)) + "".join(rng.choice(digits) for _ in range(4))
    return Account(username=f"zp{rng.randrange(10**7, 10**8)}", password=password)


def query_code(rng: random.Random) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(12))


# ── Scans: small but real PDF and PNG files ──────────────────────────────────────────────


def pdf(lines: list[str]) -> bytes:
    """A one-page A4 PDF with ASCII text lines (Helvetica)."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 16 Tf", "72 770 Td"]
    for i, line in enumerate(lines):
        ops.append(f"({escape(line)}) Tj" if i == 0 else f"0 -26 Td ({escape(line)}) Tj")
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def png(rng: random.Random, width: int = 320, height: int = 220) -> bytes:
    """A grey 'scanned page': a frame and a few lines of 'text' bars."""
    bars = {y: rng.randint(width // 3, width - 40) for y in range(40, height - 30, 18)}
    frame = bytes([60]) * width
    blank = bytes([60]) * 6 + bytes([245]) * (width - 12) + bytes([60]) * 6
    rows = []
    for y in range(height):
        if y < 6 or y >= height - 6:
            row = frame
        else:
            ends = [end for y0, end in bars.items() if y0 <= y < y0 + 7]
            row = blank
            if ends:
                end = max(ends)
                row = blank[:24] + bytes([60]) * (end - 24) + blank[end:]
        rows.append(b"\x00" + row)  # filter type: none
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


# ── Building ─────────────────────────────────────────────────────────────────────────────


@dataclass
class Summary:
    units: int = 0
    users: int = 0
    cases: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    ratings: int = 0
    publicity: int = 0
    targets: int = 0
    tallies: int = 0
    reports: int = 0
    inspections: int = 0


def state() -> str:
    """``demo`` when the demo data is there, ``other`` when the database holds other units
    or accounts (never mixed with demo data), ``empty`` otherwise."""
    if User.objects.filter(username=MARKER_USERNAME, unit__name="城关镇").exists():
        return "demo"
    if Unit.objects.exists() or User.objects.exists():
        return "other"
    return "empty"


def _local(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


# ── Planning the dates ───────────────────────────────────────────────────────────────────
# Every case is placed relative to today: the step that gave it its status is ``days_ago``
# days back (or, with ``due_in``, where its running clock falls due as asked), and the earlier
# steps are laid out backwards at realistic intervals, each on a workday of the official
# calendar. So the dates stay valid and in order whatever today is.

HANDLING_PATH = (
    "authorize",
    "submit",
    "forward",
    "receive",
    "accept",
    "conclude",
    "deliver",
    "request_review",
    "review",
    "request_re_review",
    "re_review",
)
# The status → the step that reaches it, along HANDLING_PATH (the step registry says which).
REACHED_BY = {steps.STEPS[name].target: name for name in HANDLING_PATH}
REFUSALS = {"not_accepted": "not_accept", "not_accepted_again": "not_accept_again"}

# Days from the step before (drawn at random within the range; the extension is drawn from the
# acceptance, the conclusion after an extension from the extension).
GAPS = {
    "authorize": (0, 2),  # signed at the desk or within two days
    "submit": (0, 2),
    "forward": (1, 5),  # 转送交办 (第22条: within 15 days)
    "receive": (1, 3),
    "accept": (2, 10),  # 受理告知 (第23条: within 15 days of receipt)
    "not_accept": (5, 13),
    "not_accept_again": (3, 12),
    "extend": (50, 56),  # approved shortly before the 60 days run out
    "conclude": (30, 55),  # 办结 (第34条: within 60 days of acceptance)
    "conclude_extended": (11, 25),
    "deliver": (1, 5),
    "request_review": (5, 25),  # within the 30 days of 第35条
    "review": (12, 28),
    "request_re_review": (5, 20),  # within the 30 days of 第36条
    "re_review": (12, 28),
    "withdraw": (3, 20),
}

# For a case placed by ``due_in``: the step that starts the clock that is running, and the clock.
TIMED = {
    "submitted": ("submit", "forward"),
    "received": ("receive", "accept_notice"),
    "accepted": ("accept", "conclude"),
    "review_requested": ("request_review", "review_opinion"),
    "re_review_requested": ("request_re_review", "re_review_opinion"),
}
FOLLOW_MODES = ("today", "later", "missed")


def steps_for(status: str, *, withdrawn_from: str = "", extension: int = 0) -> tuple[str, ...]:
    """The dated steps after registration that bring a case to ``status``, in order."""
    if status == CaseStatus.WITHDRAWN:
        return (*steps_for(withdrawn_from, extension=extension), "withdraw")
    if status in REFUSALS:
        return (*steps_for(CaseStatus.RECEIVED), REFUSALS[status])
    if status not in REACHED_BY:
        return ()  # intake, in_scope, referred: reception only
    steps = HANDLING_PATH[: HANDLING_PATH.index(REACHED_BY[status]) + 1]
    if extension and "accept" in steps:
        at = steps.index("accept") + 1
        steps = (*steps[:at], "extend", *steps[at:])
    return steps


@dataclass
class Plan:
    """The dates of one case: each step's day (``open`` the reception), and the follow-ups."""

    dates: dict[str, datetime.date]
    steps: tuple[str, ...]
    extension: int = 0  # 延期 days granted
    told_on: datetime.date | None = None  # extension told to the petitioner
    # (day, next follow-up planned, stage) in date order; stage "progress" or "last"
    follow_ups: list[tuple[datetime.date, datetime.date | None, str]] = field(default_factory=list)

    @property
    def received_on(self) -> datetime.date:
        return self.dates["open"]

    @property
    def last_on(self) -> datetime.date:
        return self.dates[self.steps[-1]] if self.steps else self.dates["open"]


@dataclass(frozen=True)
class Clocks:
    """What planning needs of the statutory clocks: the calendar and each clock's length."""

    calendar: Calendar
    lengths: dict[str, tuple[int, str]]  # code → (length, day count)

    @classmethod
    def load(cls) -> Clocks:
        lengths = {seed.code: (seed.length, seed.day_count) for seed in CLOCK_SEEDS}
        lengths |= {c.code: (c.length, c.day_count) for c in Clock.objects.filter(active=True)}
        return cls(calendar=official.load(), lengths=lengths)

    def due(self, code: str, start: datetime.date, extension: int = 0) -> datetime.date:
        length, day_count = self.lengths[code]
        return compute_due(
            started_on=start,
            length=length,
            day_count=day_count,
            extension_days=extension,
            calendar=self.calendar,
        ).due_on

    def soon_until(self, today: datetime.date) -> datetime.date:
        return add_workdays(today, DUE_SOON_WORKDAYS, self.calendar)

    def workday_on_or_before(self, day: datetime.date) -> datetime.date:
        for _ in range(20):
            if self.calendar.is_workday(day):
                return day
            day -= datetime.timedelta(days=1)
        return day

    def workday_on_or_after(self, day: datetime.date) -> datetime.date:
        for _ in range(20):
            if self.calendar.is_workday(day):
                return day
            day += datetime.timedelta(days=1)
        return day


def clock_start(spec: Spec, *, today: datetime.date, clocks: Clocks) -> tuple[datetime.date, int]:
    """The day the running clock started, such that it falls due as ``spec.due_in`` asks:
    passed (negative), or today or within the next 3 workdays (0 to 3), preferably on a workday;
    and the extension granted. An extension runs from the original due date, which a holiday may
    have moved: where the asked days cannot land in the window, a few days fewer are granted."""
    code = TIMED[spec.status][1]
    length = clocks.lengths[code][0]
    target = today + datetime.timedelta(days=spec.due_in)
    soon_until = clocks.soon_until(today)

    def fits(start: datetime.date, extension: int) -> bool:
        due = clocks.due(code, start, extension)
        return due <= target if spec.due_in < 0 else today <= due <= soon_until

    extensions = [spec.extension - n for n in range(0, 15 if spec.extension else 1) if spec.extension - n > 0]
    tries = [(workday, extension) for workday in (True, False) for extension in extensions or [0]]
    for workday, extension in tries:
        first = target - datetime.timedelta(days=length + extension)
        for start in (first - datetime.timedelta(days=n) for n in range(0, 25)):
            if (clocks.calendar.is_workday(start) or not workday) and fits(start, extension):
                return start, extension
    return target - datetime.timedelta(days=length + spec.extension), spec.extension


def plan_case(spec: Spec, index: int, *, today: datetime.date, clocks: Clocks) -> Plan:
    rng = random.Random(f"{SEED}:plan:{index}")
    steps = steps_for(spec.status, withdrawn_from=spec.withdrawn_from, extension=spec.extension)
    chain = ("open", *steps)
    gaps = {}
    for step in steps:
        key = "conclude_extended" if step == "conclude" and "extend" in steps else step
        gaps[step] = rng.randint(*GAPS[key])
    dates: dict[str, datetime.date] = {}
    extension = spec.extension
    if spec.due_in is None:
        anchor = chain[-1]
        day = today - datetime.timedelta(days=spec.days_ago)
        dates[anchor] = clocks.workday_on_or_before(day) if spec.days_ago else today
    else:
        anchor = TIMED[spec.status][0]
        dates[anchor], extension = clock_start(spec, today=today, clocks=clocks)
    at = chain.index(anchor)
    # Backwards from the anchor, each step its gap after the one before (the extension counts
    # from the acceptance, the conclusion after an extension from the extension); a rest day
    # moves to the next workday, so no interval grows beyond its gap and every clock is met ...
    for k in range(at, 0, -1):
        later = dates[chain[k]]
        day = clocks.workday_on_or_after(later - datetime.timedelta(days=gaps[chain[k]]))
        dates[chain[k - 1]] = min(day, later)
    # ... and forwards after it (only the extension of a case placed by its clock).
    for k in range(at + 1, len(chain)):
        day = dates[chain[k - 1]] + datetime.timedelta(days=gaps[chain[k]])
        dates[chain[k]] = min(clocks.workday_on_or_after(day), today)
    plan = Plan(dates=dates, steps=steps, extension=extension)
    if "extend" in steps:
        plan.told_on = min(
            clocks.workday_on_or_after(dates["extend"] + datetime.timedelta(days=rng.randint(1, 2))), today
        )
    _plan_follow_ups(plan, spec, rng, today=today, clocks=clocks)
    return plan


def _plan_follow_ups(plan: Plan, spec: Spec, rng: random.Random, *, today, clocks: Clocks) -> None:
    """The agent's 跟踪督办: one while the handling body works on an accepted case for weeks, and
    the latest one of a live case, whose next follow-up is due today, later, or has passed."""
    last_on = plan.last_on
    day = datetime.timedelta(days=1)
    final = None
    mode = spec.follow
    if mode == "today" and last_on >= today:
        mode = "later"
    if mode == "missed" and (today - last_on).days < 4:
        mode = "later"
    if mode == "today":
        on = max(last_on, clocks.workday_on_or_before(today - datetime.timedelta(days=rng.randint(3, 9))))
        final = (on, today) if on < today else (today, today + 7 * day)
    elif mode == "later":
        on = max(last_on, clocks.workday_on_or_before(today - datetime.timedelta(days=rng.randint(0, 6))))
        final = (on, clocks.workday_on_or_after(today + datetime.timedelta(days=rng.randint(3, 10))))
    elif mode == "missed":
        on = max(last_on, clocks.workday_on_or_before(today - datetime.timedelta(days=rng.randint(12, 18))))
        wait = min(7, (today - on).days - 1)
        final = (on, on + datetime.timedelta(days=max(1, wait)))
    if "accept" in plan.steps:
        start = plan.dates["accept"]
        after = plan.steps[plan.steps.index("accept") + 1 :]
        end = plan.dates[after[0]] if after else (final[0] if final else today)
        if (end - start).days >= 20:
            middle = clocks.workday_on_or_before(start + datetime.timedelta(days=(end - start).days // 2))
            plan.follow_ups.append((max(middle, start + day), None, "progress"))
    if final is not None:
        plan.follow_ups.append((*final, "last"))


def _build_units() -> dict[str, Unit]:
    units = {}
    for order, (key, name, kind, code, address, phone) in enumerate(UNITS, start=1):
        units[key] = Unit.objects.create(
            name=name, kind=kind, code=code, office_address=address, office_phone=phone, sort_order=order * 10
        )
    return units


def _build_users(units: dict[str, Unit]) -> dict[str, User]:
    hashed = make_password(DEMO_PASSWORD)  # hashed once: Argon2 for twenty accounts would be slow
    users = {}
    for username, full_name, role, unit_key, title, published in ACCOUNTS:
        unit = units[unit_key] if unit_key else None
        user = User(username=username, full_name=full_name, role=role, unit=unit, password=hashed)
        user.save()
        if role == Role.AGENT:
            AgentProfile.objects.create(
                user=user,
                title=title,
                mobile=agent_mobile(username),
                office_phone=unit.office_phone,
                published=published,
            )
        users[username] = user
    return users


def _first_agent(unit_key: str) -> str:
    return next(a[0] for a in ACCOUNTS if a[3] == unit_key and a[2] == Role.AGENT)


def _document(case, title: str, name: str, day: datetime.date) -> files.Checked:
    """A scanned paper of the handling (reply, review opinion, …): a one-page demo PDF."""
    return files.Checked(
        content=pdf(
            [
                "DEMO SCAN - not a real document",
                title,
                f"Case {case.unit.code or case.unit_id}-{case.year}-{case.seq:04d}",
                f"Dated {day.isoformat()}",
            ]
        ),
        content_type=files.PDF,
        name=name,
    )


def _follow_up_text(spec: Spec, case, stage: str, overdue: bool) -> tuple[str, str, str]:
    """(means, contact, what was said) of a follow-up, for the case's status and clock."""
    body = spec.body
    status = case.status

    def pick(choices: list[tuple[str, str, str]]) -> tuple[str, str, str]:
        return random.Random(f"{SEED}:follow:{spec.title}").choice(choices)

    if status == CaseStatus.SUBMITTED:
        if overdue:
            return (
                FollowUpMeans.PHONE,
                "县信访局网上信访办理人员",
                "事项网上提交已超过十五日，平台仍显示“待转送”。已电话向县信访局反映，请其尽快转送交办，"
                "并向本单位负责人报告。",
            )
        return (
            FollowUpMeans.PLATFORM,
            "陕西省网上信访大厅",
            "登录平台查询，事项显示“待转送”。电话联系县信访局，对方表示正在审核，近日转送交办。",
        )
    if status == CaseStatus.FORWARDED:
        return (
            FollowUpMeans.PHONE,
            f"{body}办公室",
            f"电话联系{body}办公室，对方表示已在平台看到转送的事项，正在登记，收到后交承办股室办理。",
        )
    if status == CaseStatus.RECEIVED:
        if overdue:
            return (
                FollowUpMeans.PHONE,
                f"{body}承办人",
                f"{body}收到事项已超过十五日，仍未告知信访人是否受理。已电话督促，对方表示本周内书面告知，"
                "已将情况报告县信访局。",
            )
        return (
            FollowUpMeans.PHONE,
            f"{body}承办人",
            f"电话联系{body}承办人，对方已收到事项，正在审查是否属于本机关职责；已提醒应自收到之日起十五日内"
            "告知信访人是否受理。",
        )
    if status == CaseStatus.ACCEPTED:
        if stage == "progress":
            return pick(
                [
                    (
                        FollowUpMeans.PHONE,
                        f"{body}承办人",
                        f"电话询问办理进度，{body}承办人称已派员现场调查核实，正在研究处理意见；已提醒在受理之日起"
                        "六十日内办结。",
                    ),
                    (
                        FollowUpMeans.PLATFORM,
                        "陕西省网上信访大厅",
                        f"登录平台查询，事项显示“办理中”。电话联系{body}，对方表示已约谈相关人员、调取资料，"
                        "正在形成处理意见。",
                    ),
                    (
                        FollowUpMeans.VISIT,
                        f"{body}承办股室",
                        f"到{body}了解办理情况，承办股室已会同村（社区）现场查看，正在核实有关数据；已将进展告知信访人。",
                    ),
                ]
            )
        if overdue:
            return (
                FollowUpMeans.VISIT,
                f"{body}分管负责人",
                f"办结期限已过，{body}仍未出具处理意见。已到{body}当面督促，对方称涉及多个部门，正在协调；"
                "已报告县信访局督办。",
            )
        if case.events.filter(action="extend").exists():
            return (
                FollowUpMeans.PHONE,
                f"{body}承办人",
                f"{body}已批准延期，延期理由已告知信访人。电话了解核实进展，已提醒在延长的期限内办结并书面答复。",
            )
        return (
            FollowUpMeans.PHONE,
            f"{body}承办人",
            f"电话联系{body}承办人，对方表示处理意见已初步形成，正在履行审批程序，预计近期书面答复；"
            "已将进展告知信访人。",
        )
    if status == CaseStatus.REVIEW_REQUESTED:
        return (
            FollowUpMeans.PHONE,
            f"{REVIEWER}复查承办人员",
            "电话联系复查机关，复查请求已收到，正在调阅原办理材料；已提醒应自收到复查请求之日起三十日内"
            "提出复查意见。",
        )
    if status == CaseStatus.RE_REVIEW_REQUESTED:
        return (
            FollowUpMeans.LETTER,
            f"{RE_REVIEWER}复核承办人员",
            "已函询复核机关，复核请求已收到，拟组织听证；已告知信访人听证所需时间不计算在复核期限内。",
        )
    return (
        FollowUpMeans.PHONE,
        f"{body}承办人",
        f"电话联系{body}，了解答复意见书送达安排，对方表示近日送达信访人。",
    )


def _record_follow_up(
    case, spec: Spec, *, by, on: datetime.date, next_on: datetime.date | None, stage: str
) -> None:
    overdue = CaseDeadline.objects.filter(
        case=case, stopped_on__isnull=True, clock__kind=ClockKind.DEADLINE, due_on__lt=on
    ).exists()
    means, contact, content = _follow_up_text(spec, case, stage, overdue)
    actions.record_follow_up(
        case, by=by, on=on, means=means, contact=contact, content=content, next_on=next_on
    )


def _build_case(
    spec: Spec,
    plan: Plan,
    *,
    index: int,
    units,
    users,
    categories,
    platforms,
    registered: set[str],
    today,
    now,
):
    rng = random.Random(f"{SEED}:case:{index}")
    agent = users[spec.agent or _first_agent(spec.unit)]
    who = person(spec.person)
    unit = units[spec.unit]
    units_by_name = {u.name: u for u in units.values()}
    town_name = spec.town or (unit.name if unit.kind == UnitKind.TOWN else PERSONS[spec.person][0])
    flags = set(spec.flags)
    complaint = {
        "respondent_kind": spec.kind,
        "respondent_name": spec.respondent,
        "petition_type": spec.ptype,
        "category": categories[spec.category],
        "incident_town": units_by_name[town_name],
        "incident_place": spec.place,
        "allow_public": spec.allow_public,
        "court_accepted": "court_accepted" in flags,
        "reconsideration_done": "reconsideration_done" in flags,
        "arbitration_accepted": "arbitration_accepted" in flags,
        "has_review_opinion": "has_review_opinion" in flags,
        "title": spec.title,
        "content": spec.content,
    }
    case, _ = actions.open_case(
        by=agent,
        token=uuid.uuid4(),
        petitioner=who.as_form(),
        complaint=complaint,
        received_on=plan.received_on,
    )
    if spec.attachments:
        photos = [
            files.Checked(content=png(rng), content_type=files.PNG, name=f"现场照片{n}.png")
            for n in range(1, spec.attachments + 1)
        ]
        actions.attach_files(case, by=agent, uploads=photos, kind=FileKind.ATTACHMENT)
    if spec.status == CaseStatus.INTAKE:
        return case
    if spec.status == CaseStatus.REFERRED:
        return actions.refer_case(case, by=agent, channel=spec.channel, note=spec.note)
    case = actions.accept_scope(
        case, by=agent, note=spec.note or "投诉对象属于五类代理对象，未经诉讼、仲裁、行政复议，属于代理范围。"
    )
    dates = plan.dates
    progress = [(on, next_on) for on, next_on, stage in plan.follow_ups if stage == "progress"]
    for step in plan.steps:
        on = dates[step]
        if step == "authorize":
            scan = files.Checked(
                content=pdf(
                    [
                        "DEMO SCAN - not a real document",
                        "Wangshang tousu daili shouquan weituoshu (authorization)",
                        f"Case {case.unit.code or case.unit_id}-{case.year}-{case.seq:04d}",
                        f"Signed on {on.isoformat()}",
                    ]
                ),
                content_type=files.PDF,
                name="授权委托书（已签字）.pdf",
            )
            mode = AuthorizationMode.CONFIRMED if spec.confirmed else AuthorizationMode.SIGNED
            case = actions.record_authorization(case, by=agent, mode=mode, on=on, scan=scan)
        elif step == "submit":
            # At office hours; on today only up to now.
            submitted_at = _local(on, rng.randint(9, 16), rng.randint(0, 59))
            if submitted_at > now:
                submitted_at = max(now - datetime.timedelta(minutes=1), _local(today, 0, 0))
            account = platform_account(spec.person)
            first_time = spec.person not in registered
            registered.add(spec.person)
            registration = None
            if first_time and spec.platform == "陕西省网上信访大厅":
                registration = files.Checked(
                    content=png(rng), content_type=files.PNG, name="平台注册成功页面.png"
                )
            case = actions.record_submission(
                case,
                by=agent,
                platform=platforms[spec.platform],
                username=account.username,
                password=account.password,
                query_code=query_code(rng),
                on=submitted_at,
                registration_scan=registration,
            )
        elif step == "forward":
            mode = ForwardMode.ASSIGN if spec.assign else ForwardMode.FORWARD
            case = actions.take_step(case, "forward", by=agent, on=on, mode=mode, handling_body=spec.body)
        elif step == "receive":
            case = actions.take_step(case, "receive", by=agent, on=on)
        elif step == "accept":
            case = actions.take_step(case, "accept", by=agent, on=on)
            for day, next_on in progress:
                _record_follow_up(case, spec, by=agent, on=day, next_on=next_on, stage="progress")
        elif step in REFUSALS.values():
            case = actions.take_step(case, step, by=agent, on=on, reason=spec.reason)
        elif step == "extend":
            case = actions.take_step(
                case,
                "extend",
                by=agent,
                on=on,
                days=plan.extension,
                approver=f"{spec.body}主要负责人",
                reason=spec.reason,
                told_on=plan.told_on,
            )
        elif step == "conclude":
            reply = _document(case, "Xinfang shixiang chuli yijianshu (reply)", "信访事项处理意见书.pdf", on)
            case = actions.take_step(
                case, "conclude", by=agent, on=on, opinion=spec.opinion or HO.SUPPORT, document=reply
            )
        elif step == "deliver":
            case = actions.take_step(case, "deliver", by=agent, on=on)
        elif step == "request_review":
            case = actions.take_step(case, "request_review", by=agent, on=on, reviewing_body=REVIEWER)
        elif step == "review":
            opinion = _document(
                case, "Xinfang shixiang fucha yijianshu (review)", "信访事项复查意见书.pdf", on
            )
            case = actions.take_step(
                case,
                "review",
                by=agent,
                on=on,
                outcome=spec.outcome or ReviewOutcome.UPHOLD,
                document=opinion,
            )
        elif step == "request_re_review":
            case = actions.take_step(case, "request_re_review", by=agent, on=on, reviewing_body=RE_REVIEWER)
        elif step == "re_review":
            opinion = _document(
                case, "Xinfang shixiang fuhe yijianshu (re-review)", "信访事项复核意见书.pdf", on
            )
            case = actions.take_step(
                case,
                "re_review",
                by=agent,
                on=on,
                outcome=spec.outcome or ReviewOutcome.UPHOLD,
                document=opinion,
            )
        elif step == "withdraw":
            paper = _document(case, "Chehui weituo shenqing (withdrawal)", "撤回委托申请.pdf", on)
            case = actions.take_step(case, "withdraw", by=agent, on=on, reason=spec.reason, document=paper)
        else:  # pragma: no cover - every step of steps_for is handled above
            raise ValueError(step)
    for day, next_on, stage in plan.follow_ups:
        if stage == "last":
            _record_follow_up(case, spec, by=agent, on=day, next_on=next_on, stage=stage)
    return case


class MissingReferenceData(Exception):
    """The content categories or platforms the migrations seed are not there."""


def plans(today: datetime.date, clocks: Clocks | None = None) -> list[Plan]:
    """The dates of every case in CASES (same order), as of ``today``."""
    clocks = clocks or Clocks.load()
    return [plan_case(spec, index, today=today, clocks=clocks) for index, spec in enumerate(CASES)]


@transaction.atomic
def build() -> Summary:
    """Create the demo units, accounts and cases. The caller checks ``state()`` first."""
    now = timezone.now()
    today = timezone.localdate(now)
    categories = {c.name: c for c in ContentCategory.objects.all()}
    platforms = {p.name: p for p in SubmissionPlatform.objects.all()}
    missing = sorted(
        {s.category for s in CASES} - set(categories) | {s.platform for s in CASES} - set(platforms)
    )
    if missing:
        raise MissingReferenceData("缺少内容分类或投诉平台：" + "、".join(missing))
    planned = plans(today)
    units = _build_units()
    users = _build_users(units)
    _enrol_second_factors(users)
    registered: set[str] = set()
    summary = Summary(units=len(units), users=len(users))
    # Oldest first, so case numbers follow the reception dates.
    order = sorted(range(len(CASES)), key=lambda i: (planned[i].received_on, i))
    for index in order:
        case = _build_case(
            CASES[index],
            planned[index],
            index=index,
            units=units,
            users=users,
            categories=categories,
            platforms=platforms,
            registered=registered,
            today=today,
            now=now,
        )
        summary.cases += 1
        summary.by_status[case.status] = summary.by_status.get(case.status, 0) + 1
    summary.ratings = _build_ratings(today)
    summary.publicity = _build_publicity(units, users, today)
    summary.targets = _build_targets(units, users, today)
    summary.tallies = _build_tallies(units, users, today)
    summary.reports = _build_reports(units, users, today)
    summary.inspections = _build_inspections(units, users, today)
    return summary


# Ratings of delivered replies, in order of delivery: one entered from the platform, one on the
# petitioner's spoken word, one 不满意 (which alerts the bureau); the rest stay unrated, so the
# public lookup page offers its rating form.
RATINGS = [
    ("platform", "satisfied", "satisfied", "", ""),
    ("agent", "satisfied", "basically", "phone", "电话回访时信访人表示问题基本解决。"),
    ("agent", "basically", "unsatisfied", "in_person", "信访人认为补偿标准偏低，已告知可在期限内申请复查。"),
    ("platform", "satisfied", "basically", "", ""),
]


def _build_ratings(today: datetime.date) -> int:
    from xinfang.cases.models import Case
    from xinfang.ratings import actions as ratings

    delivered = list(
        Case.objects.filter(delivered_on__isnull=False)
        .exclude(status=CaseStatus.WITHDRAWN)
        .select_related("agent")
        .order_by("delivered_on", "pk")
    )
    made = 0
    for case, (channel, office, body, means, comment) in zip(delivered, RATINGS, strict=False):
        rated_on = min(today, case.delivered_on + datetime.timedelta(days=3))
        ratings.record_rating(
            case,
            channel=channel,
            office_satisfaction=office,
            body_satisfaction=body,
            comment=comment,
            by=case.agent,
            instruction_means=means,
            instructed_at=_local(rated_on, 10, 30) if channel == "agent" else None,
            rated_on=rated_on,
        )
        made += 1
    return made


PUBLICITY = [
    ("chengguan", 40, "城关镇便民服务大厅", "card", 35, "发放代理员联系卡"),
    ("chengguan", 12, "文彩村村委会", "demo", 18, "现场演示网上投诉流程"),
    ("zengjia", 25, "曾家镇集镇", "flyer", 60, "赶集日发放宣传页"),
    ("renshe", 8, "县人社局服务窗口", "flyer", 22, "向来访群众发放宣传页"),
    ("bureau", 5, "县信访接待中心", "demo", 9, "接待来访群众时演示网上投诉"),
]


def _build_publicity(units: dict[str, Unit], users: dict[str, User], today: datetime.date) -> int:
    from xinfang.public.actions import record_publicity

    for unit_key, days_ago, place, kind, people, note in PUBLICITY:
        record_publicity(
            by=users[_first_agent(unit_key)],
            unit=units[unit_key],
            on=today - datetime.timedelta(days=days_ago),
            place=place,
            kind=kind,
            people=people,
            note=note,
        )
    return len(PUBLICITY)


# ── Control room: targets, channel tallies, risk reports, inspections ────────────────────
# Set by the bureau user; the figures of the months before keep the default target of 1.
BUREAU_USERNAME = "xinfangju"
TARGETS = [("chengguan", 2), ("renshe", 2), ("zengjia", 2)]
TARGETS_MONTHS_AGO = 3

# Channel tallies (渠道台账) for the current month and the two before, for every unit. The
# online share of the county (proxied + 网上自投 ÷ all) is nudged into this band: around half,
# as the seed's 2017 target of 50% would have it.
TALLY_MONTHS = 3
ONLINE_SHARE = (0.45, 0.55)
# Units that receive more petitions than a small town: the bureau's reception centre above all.
TALLY_WEIGHT = {"bureau": 3, "chengguan": 2}


def _tally_counts(unit_key: str, month: datetime.date) -> dict[str, int]:
    from xinfang.figures.models import Channel

    rng = random.Random(f"{SEED}:tally:{month:%Y-%m}:{unit_key}")
    weight = TALLY_WEIGHT.get(unit_key, 1)
    return {
        Channel.ONLINE_SELF: rng.randint(1, 3) * weight,
        Channel.LETTER: rng.randint(0, 2) * weight,
        Channel.VISIT: rng.randint(1, 3) * weight,
        Channel.PHONE: rng.randint(0, 2),
        Channel.OTHER: rng.randint(0, 1),
    }


def _proxied_in(month: datetime.date) -> int:
    from xinfang.cases.models import Case
    from xinfang.figures.periods import add_months, local_midnight

    return Case.objects.filter(
        submitted_at__gte=local_midnight(month), submitted_at__lt=local_midnight(add_months(month, 1))
    ).count()


def _build_targets(units: dict[str, Unit], users: dict[str, User], today: datetime.date) -> int:
    from xinfang.figures.actions import set_target
    from xinfang.figures.periods import add_months, first_of_month

    since = add_months(first_of_month(today), -TARGETS_MONTHS_AGO)
    for unit_key, monthly in TARGETS:
        set_target(
            unit=units[unit_key], monthly_target=monthly, effective_from=since, by=users[BUREAU_USERNAME]
        )
    return len(TARGETS)


def _build_tallies(units: dict[str, Unit], users: dict[str, User], today: datetime.date) -> int:
    """Small, plausible counts per unit and channel; then, one unit at a time in a fixed order,
    one more 来访 (share too high) or 网上自投 (too low) until the county share is in the band."""
    from xinfang.figures.actions import save_tallies
    from xinfang.figures.models import ONLINE_CHANNELS, Channel
    from xinfang.figures.periods import add_months, first_of_month

    keys = [key for key, *_ in UNITS]
    low, high = ONLINE_SHARE
    saved = 0
    for back in range(TALLY_MONTHS - 1, -1, -1):
        month = add_months(first_of_month(today), -back)
        counts = {key: _tally_counts(key, month) for key in keys}
        proxied = _proxied_in(month)
        for turn in range(10_000):
            online = proxied + sum(c[ch] for c in counts.values() for ch in ONLINE_CHANNELS)
            total = sum(sum(c.values()) for c in counts.values()) + proxied
            share = online / total
            if low <= share <= high:
                break
            key = keys[turn % len(keys)]
            counts[key][Channel.VISIT if share > high else Channel.ONLINE_SELF] += 1
        result = save_tallies(
            month=month,
            by=users[BUREAU_USERNAME],
            source="demo",
            counts={(units[key].pk, ch): n for key, row in counts.items() for ch, n in row.items()},
        )
        saved += result["saved"]
    return saved


# unit, kind, urgency, happened (days ago), petitioner, the title of a case of the unit (or ""),
# what the agent reports, and the bureau's disposal ("" leaves the report as it came in).
REPORTS = [
    (
        "zengjia",
        ReportKind.ESCALATION,
        Urgency.URGENT,
        6,
        "雷某春",
        "村委会经手的土地流转租金三年未付",
        "信访人雷某春收到不予受理告知书后，多次到镇综治中心表示不申请仲裁，准备近日到市里、省里上访，"
        "要求村委会先行垫付三年租金。代理员已解释仲裁途径和时限，信访人情绪仍较激动。",
        "县信访局会同曾家镇、县农业农村局约见信访人，由县农村土地承包仲裁委员会现场讲解仲裁程序并协助"
        "准备申请材料，信访人表示同意先申请仲裁；曾家镇落实专人跟踪。",
    ),
    (
        "chengguan",
        ReportKind.TREND,
        Urgency.NORMAL,
        2,
        "",
        "",
        "近一个月城关镇新华社区、金岸社区居民反映老旧小区电梯维修、物业服务问题的来访有所增多（共5人次），"
        "多涉及维修资金使用和物业企业更换，存在联名反映的可能，建议县住建局提前介入。",
        "",
    ),
    (
        "niutoudian",
        ReportKind.EXTREME,
        Urgency.URGENT,
        0,
        "冯某贵",
        "龙河村河道有人私自采砂，举报后未制止",
        "信访人冯某贵今日上午到镇便民服务中心，称河道采砂问题举报多次无人制止，扬言如本周内再不处理，"
        "将到采砂现场阻拦挖机，“出了事自己负责”。代理员已稳定其情绪并报告镇主要负责人，请县信访局协调县水利局尽快处置。",
        "",
    ),
]


def _build_reports(units: dict[str, Unit], users: dict[str, User], today: datetime.date) -> int:
    from xinfang.cases.models import Case
    from xinfang.oversight import actions as oversight

    bureau = users[BUREAU_USERNAME]
    for unit_key, kind, urgency, days_ago, name, title, description, disposal in REPORTS:
        case = Case.objects.filter(unit=units[unit_key], title=title).first() if title else None
        report = oversight.file_report(
            by=users[_first_agent(unit_key)],
            kind=kind,
            urgency=urgency,
            happened_on=today - datetime.timedelta(days=days_ago),
            description=description,
            case=case,
            petitioner_name=name,
        )
        if disposal:
            report = oversight.acknowledge_report(report, by=bureau)
            oversight.record_disposal(report, by=bureau, disposal=disposal)
    return len(REPORTS)


# unit, inspected (days ago), findings, note, what must be put right, rectify by (days from the
# inspection), rectified (days ago; None: not yet). The first is due within a few days.
INSPECTIONS = [
    (
        "shuping",
        45,
        [Finding.IRREGULAR],
        "两件代理事项的授权委托书未扫描留存，台账未登记查询码。",
        "补齐授权委托书扫描件和查询码，一周内完成台账自查。",
        15,
        33,
    ),
    ("huaping", 20, [], "", "", None, None),
    (
        "zhongbao",
        9,
        [Finding.IRREGULAR],
        "新任代理员未经培训即开展代理，联系方式未公示；一件代理事项未记录跟踪督办情况。",
        "组织代理员参加县信访局业务培训，公示代理员联系方式，补记跟踪督办记录。",
        12,
        None,
    ),
]
INSPECTORS = "卢艺、涂元明"


def _build_inspections(units: dict[str, Unit], users: dict[str, User], today: datetime.date) -> int:
    from xinfang.oversight import actions as oversight

    bureau = users[BUREAU_USERNAME]
    for unit_key, days_ago, findings, note, rectification, within, rectified_ago in INSPECTIONS:
        inspected_on = today - datetime.timedelta(days=days_ago)
        inspection = oversight.record_inspection(
            by=bureau,
            unit=units[unit_key],
            inspected_on=inspected_on,
            inspectors=INSPECTORS,
            findings=findings,
            findings_note=note,
            no_problems=not findings,
            rectification=rectification,
            rectify_by=inspected_on + datetime.timedelta(days=within) if within else None,
        )
        if rectified_ago is not None:
            oversight.record_rectification(
                inspection,
                by=bureau,
                rectified_on=today - datetime.timedelta(days=rectified_ago),
                note="已补齐授权委托书扫描件和查询码，县信访局复核无误。",
            )
    return len(INSPECTIONS)


# ── Second factor (accounts) ─────────────────────────────────────────────────────────────
# Bureau staff, the system administrator and the auditor log in with a dynamic code too. The
# demo sets up their authenticators with the real actions and prints each secret beside the
# account, for a tester to add to any authenticator app by hand.


def _enrol_second_factors(users: dict[str, User]) -> None:
    import pyotp

    from xinfang.accounts import second_factor

    for user in users.values():
        if user.must_use_second_factor():
            device = second_factor.start_enrolment(user, by=user)
            # The code of the step before: the one the app shows now stays good for a first login.
            code = pyotp.TOTP(device.secret).at(timezone.now().timestamp(), counter_offset=-1)
            second_factor.confirm_enrolment(user, by=user, code=code)


def second_factor_help() -> list[str]:
    from xinfang.accounts.models import SecondFactor
    from xinfang.accounts.second_factor import grouped

    users = [u for u in User.objects.filter(username__in=HELP_USERNAMES) if u.must_use_second_factor()]
    devices = SecondFactor.objects.filter(user__in=users, confirmed_at__isnull=False)
    secrets = dict(devices.values_list("user_id", "secret"))
    lines = [
        "以下账户登录时除密码外还要输入动态口令。请在手机的身份验证器应用（如腾讯身份验证器、"
        "Microsoft Authenticator、FreeOTP）中选择“手动输入密钥”，按账户添加下面的密钥（基于时间，6位）：",
    ]
    for user in sorted(users, key=lambda u: HELP_USERNAMES.index(u.username)):
        secret = secrets.get(user.pk)
        shown = f"密钥 {grouped(secret)}" if secret else "（尚未绑定：首次登录时按页面提示绑定）"
        lines.append(f"  {_pad(user.username, 10)}  {_pad(user.full_name, 6)}  {shown}")
    lines.append(
        "没有手机时，可以在本机算出当前口令："
        ".venv/bin/python -c \"import pyotp; print(pyotp.TOTP('密钥'.replace(' ', '')).now())\"。"
    )
    return lines


# ── Login help ───────────────────────────────────────────────────────────────────────────


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def login_help(address: str = LOGIN_URL) -> str:
    rows = [("用户名", "角色", "单位", "姓名")]
    users = {u.username: u for u in User.objects.filter(username__in=HELP_USERNAMES).select_related("unit")}
    for username in HELP_USERNAMES:
        user = users.get(username)
        if user is not None:
            rows.append(
                (username, user.get_role_display(), user.unit.name if user.unit else "—", user.full_name)
            )
    widths = [max(_width(row[i]) for row in rows) for i in range(4)]
    table = ["  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    table.insert(1, "  " + "  ".join("-" * w for w in widths))
    others = "、".join(a[0] for a in ACCOUNTS if a[0] not in HELP_USERNAMES)
    return "\n".join(
        [
            "",
            "【演示数据】以下单位、人员和事项均为虚构，仅供试用，不得用于实际工作；"
            "信访人姓名、身份证号、手机号码均为编造。",
            "",
            f"登录地址：{address}",
            f"演示账户的统一密码：{DEMO_PASSWORD}",
            "",
            *table,
            "",
            f"其他镇、部门的代理员账户：{others}（密码相同）。",
            "",
            *second_factor_help(),
            "",
            "提示：代理员只能看到本单位的事项。同一信访人（身份证号相同）此前的事项会在事项页面列出，"
            "例如城关镇的李某华，曾家镇的张某军（在县人力资源和社会保障局另有一件）。",
            "演示事项覆盖从登记、转送、受理、办结到复查、复核的各个环节；其中几件已超过法定期限、"
            "几件即将到期，几件今日应跟踪督办，见代理员的“工作台”和县信访局的“督办看板”。",
            "",
        ]
    )
