"""The demo's units, accounts and invented people (ID numbers and mobiles with valid check
digits), their authenticators, and the login help ``xinfang demo`` prints."""

from __future__ import annotations

import datetime
import random
import unicodedata
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from xinfang.access.policy import PROFILE_ROLES
from xinfang.accounts.models import AgentProfile, Role, Unit, UnitKind, User
from xinfang.core.identity import IdKind
from xinfang.core.validators import id_check_digit

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


# ── Generated details ────────────────────────────────────────────────────────────────────


# People who show a document other than the mainland ID card: name → (kind, number).
DOCUMENTS = {
    "丁某发": (IdKind.HK_MACAO_PERMIT, "H60927351"),  # a Hong Kong resident back in 华坪镇
}


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    mobile: str
    address: str
    work_unit: str
    id_kind: str = IdKind.RESIDENT

    def as_form(self) -> dict:
        return {
            "name": self.name,
            "id_kind": self.id_kind,
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
    id_kind, id_number = DOCUMENTS.get(name, (IdKind.RESIDENT, _id_number(rng, sex)))
    return Person(name, id_number, _mobile(rng), address, work_unit, id_kind)


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


def build_units() -> dict[str, Unit]:
    units = {}
    for order, (key, name, kind, code, address, phone) in enumerate(UNITS, start=1):
        units[key] = Unit.objects.create(
            name=name, kind=kind, code=code, office_address=address, office_phone=phone, sort_order=order * 10
        )
    return units


def build_users(units: dict[str, Unit]) -> dict[str, User]:
    hashed = make_password(DEMO_PASSWORD)  # hashed once: Argon2 for twenty accounts would be slow
    users = {}
    for username, full_name, role, unit_key, title, published in ACCOUNTS:
        unit = units[unit_key] if unit_key else None
        user = User(username=username, full_name=full_name, role=role, unit=unit, password=hashed)
        user.save()
        if role in PROFILE_ROLES:
            assert unit is not None  # every agent of the demo belongs to a unit
            AgentProfile.objects.create(
                user=user,
                title=title,
                mobile=agent_mobile(username),
                office_phone=unit.office_phone,
                published=published,
            )
        users[username] = user
    return users


# 钟宝镇's agent 黄某某 was appointed this many days ago and is still unpublished: the unit is late
# with its report to the bureau (seed 通知 二、2: 5 workdays; accounts.agent_reports), which the
# dashboard shows. The inspection of 钟宝镇 (control_room.INSPECTIONS) found the same.
LATE_AGENT = ("zhongbao", 20)


def build_agent_reports(users: dict[str, User], today: datetime.date) -> int:
    """The 5-workday report of each agent appointed lately, as the account actions would start it."""
    from xinfang.accounts import agent_reports
    from xinfang.accounts.models import AgentReportReason

    username, days_ago = LATE_AGENT
    agent_reports.start(
        users[username],
        reason=AgentReportReason.APPOINTED,
        on=today - datetime.timedelta(days=days_ago),
        by=users["xinfangju"],
    )
    return 1


def first_agent(unit_key: str) -> str:
    return next(a[0] for a in ACCOUNTS if a[3] == unit_key and a[2] == Role.AGENT)


# ── Second factor (accounts) ─────────────────────────────────────────────────────────────
# Bureau staff, the system administrator and the auditor log in with a dynamic code too. The
# demo sets up their authenticators with the real actions and prints each secret beside the
# account, for a tester to add to any authenticator app by hand.


def enrol_second_factors(users: dict[str, User]) -> None:
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
            "还有联名信访（城关镇，张某兰等2人）、集体访（牛头店镇，16人推选代表）、由单位负责人移交给另一名代理员的事项"
            "（城关镇，孙某兵），以及持港澳居民来往内地通行证的信访人（华坪镇，丁某发）。",
            "",
        ]
    )
