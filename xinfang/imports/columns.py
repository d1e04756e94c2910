"""The columns an old 台账 may have: what each means here, the headers it goes by, what it takes.

One table, read by the header matching (``workbook``), the row checks (``rows``), the mapping
form, the template workbook and its 填写说明 sheet. A header is matched after ``header_key``:
full-width forms folded, spaces, line breaks, asterisks, colons and anything in brackets
dropped (「身份证号（18位）*」 is 「身份证号」).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    code: str
    label: str  # the template's header, and the column's name in messages
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: str = ""  # what it takes, for the 填写说明 sheet and the mapping page
    example: str = ""  # the template's example row

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


DATE_HELP = "日期，如 2025-03-04、2025.3.4、2025年3月4日、3/4/2025，或 Excel 日期格式"

COLUMNS: tuple[Column, ...] = (
    Column(
        "number",
        "原编号",
        ("编号", "台账编号", "事项编号", "案件编号"),
        help="原台账的编号，导入后记在办理记录里",
    ),
    Column(
        "unit",
        "单位",
        ("代理单位", "所属单位", "单位名称"),
        help="全县汇总的台账才需要；与导入的单位不同的行不导入",
    ),
    Column(
        "received_on",
        "接待日期",
        ("登记日期", "来访日期", "接访日期", "接待时间", "登记时间", "日期"),
        required=True,
        help=DATE_HELP,
        example="2025-03-04",
    ),
    Column(
        "agent",
        "代理员",
        ("代理人", "经办人", "代理员姓名"),
        help="本单位代理员账户的姓名；不填的按导入人或本单位代理员",
    ),
    Column(
        "name",
        "信访人",
        ("信访人姓名", "姓名", "投诉人", "反映人", "当事人", "来访人"),
        required=True,
        help="与身份证一致",
        example="李某某",
    ),
    Column("id_kind", "证件类型", help="不填为居民身份证；也可填港澳台居民居住证、护照等"),
    Column(
        "id_number",
        "身份证号",
        ("身份证号码", "身份证", "证件号码", "公民身份号码", "证件号"),
        required=True,
        help="18位，可带空格，x 大小写均可；请把此列设为文本格式",
        example="610927196805170016",
    ),
    Column(
        "mobile",
        "手机号码",
        ("手机", "联系电话", "电话", "联系方式", "电话号码", "手机号"),
        help="11位手机号，可带“-”、空格或 +86；填的是固定电话的，按固定电话导入",
        example="139-1234-5678",
    ),
    Column("landline", "固定电话", ("座机", "固话"), help="带区号，如 0915-8822560"),
    Column(
        "address", "家庭住址", ("住址", "地址", "家庭地址", "现住址", "联系地址"), example="城关镇文彩村三组"
    ),
    Column("work_unit", "工作单位"),
    Column("people_count", "信访人数", ("人数",), help="不填为1；五人以上为集体访"),
    Column(
        "petition_type",
        "信访类型",
        ("类型", "诉求类型", "事项类型"),
        help="建议意见类、检举控告类、申诉求决类（可简写为建议、检举、申诉求决）；不填按申诉求决类",
        example="申诉求决类",
    ),
    Column(
        "category",
        "内容分类",
        ("问题分类", "分类", "问题类别", "类别", "内容类别"),
        help="如 城乡建设、劳动和社会保障；不填为“其他”",
        example="城乡建设",
    ),
    Column("respondent_kind", "投诉对象类别", ("对象类别",), help="如 行政机关及其工作人员；不填按行政机关"),
    Column(
        "respondent_name",
        "投诉对象",
        ("投诉对象名称", "被投诉单位", "被投诉对象", "被反映单位"),
        example="某镇人民政府",
    ),
    Column(
        "incident",
        "事发地",
        ("事发地点", "发生地", "问题发生地", "事发地（镇）"),
        help="镇名在前，如 城关镇文彩村",
        example="城关镇文彩村",
    ),
    Column(
        "title",
        "诉求标题",
        ("标题", "事项标题", "反映问题", "主要问题", "诉求事项", "信访事项", "事由"),
        required=True,
        help="100字以内",
        example="道路硬化后排水沟堵塞",
    ),
    Column(
        "content",
        "诉求内容",
        ("内容", "主要诉求", "反映内容", "诉求", "具体内容", "简要内容"),
        help="不填用诉求标题",
    ),
    Column("allow_public", "是否允许公开", ("允许公开", "是否公开"), help="是 或 否；不填为否"),
    Column(
        "status",
        "状态",
        ("办理状态", "办理情况", "目前状态", "进展情况", "当前状态"),
        help="如 已办结、已送达答复、已受理、不予受理、已引导、已撤回委托；不填按所填日期最晚的环节",
        example="已送达答复",
    ),
    Column("referral_channel", "引导途径", help="诉讼、仲裁、行政复议、信访复查复核、其他途径"),
    Column("authorized_on", "委托日期", ("授权委托日期", "签订委托日期"), help=DATE_HELP),
    Column(
        "platform",
        "投诉平台",
        ("提交平台", "平台"),
        help="如 陕西省网上信访大厅",
        example="陕西省网上信访大厅",
    ),
    Column("platform_username", "平台用户名", ("用户名", "平台账号", "账号")),
    Column("platform_password", "平台密码", ("密码",), help="终结超过保存期限的事项不导入密码"),
    Column(
        "query_code",
        "查询码",
        ("查询编码", "信访件查询码"),
        help="同一单位同一查询码只导入一次",
        example="SX2025030400123",
    ),
    Column(
        "submitted_at",
        "网上提交时间",
        ("提交时间", "提交日期", "网上提交日期", "投诉日期"),
        help=DATE_HELP + "，可带时分；代理件数按此统计",
        example="2025-03-05",
    ),
    Column(
        "handling_body",
        "有权处理机关",
        ("处理机关", "承办单位", "责任单位", "交办单位", "办理单位"),
        example="县住房和城乡建设局",
    ),
    Column("forward_mode", "转送或交办", ("转送交办方式",), help="转送 或 交办"),
    Column("forwarded_on", "转送交办日期", ("转送日期", "交办日期"), help=DATE_HELP, example="2025-03-10"),
    Column(
        "body_received_on",
        "收到日期",
        ("有权处理机关收到日期", "签收日期"),
        help=DATE_HELP,
        example="2025-03-11",
    ),
    Column("accepted_on", "受理日期", ("受理告知日期", "受理时间"), help=DATE_HELP, example="2025-03-14"),
    Column("concluded_on", "办结日期", ("办结时间",), help=DATE_HELP, example="2025-04-20"),
    Column("handling_opinion", "处理意见", help="支持、解释说明、不予支持", example="支持"),
    Column(
        "delivered_on",
        "送达日期",
        ("答复送达日期", "答复日期", "送达时间"),
        help=DATE_HELP + "；不予受理、不再受理的为告知书送达日期",
        example="2025-04-25",
    ),
    Column("review_requested_on", "申请复查日期", help=DATE_HELP),
    Column("reviewed_on", "复查意见日期", help=DATE_HELP),
    Column("re_review_requested_on", "申请复核日期", help=DATE_HELP),
    Column(
        "closed_on",
        "终结日期",
        ("撤回日期", "复核意见日期", "结案日期"),
        help=DATE_HELP + "：引导、撤回、复核终结的日期",
    ),
)
BY_CODE = {column.code: column for column in COLUMNS}
REQUIRED = tuple(c.code for c in COLUMNS if c.required)

# The day of each step (``xinfang.cases.steps``) and the column that gives it; 登记 is 接待日期.
STEP_DATES = {
    "authorize": "authorized_on",
    "submit": "submitted_at",
    "forward": "forwarded_on",
    "receive": "body_received_on",
    "accept": "accepted_on",
    "not_accept": "delivered_on",
    "not_accept_again": "delivered_on",
    "conclude": "concluded_on",
    "deliver": "delivered_on",
    "request_review": "review_requested_on",
    "review": "reviewed_on",
    "request_re_review": "re_review_requested_on",
    "re_review": "closed_on",
    "withdraw": "closed_on",
    "refer": "closed_on",
}

_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")
_DROPPED = re.compile(r"[\s*＊:：、/·.]+")


def header_key(text: object) -> str:
    """A header as it is matched and saved: see the module's docstring."""
    folded = unicodedata.normalize("NFKC", str(text or ""))
    return _DROPPED.sub("", _BRACKETS.sub("", folded))


ALIASES: dict[str, str] = {header_key(name): column.code for column in COLUMNS for name in column.names}


def guess(header: str) -> str:
    """The column a header means, or "" when it is none of them."""
    return ALIASES.get(header_key(header), "")


def choices() -> list[tuple[str, str]]:
    """The mapping form's choices: each column, and leaving the column out."""
    return [
        ("", "（不导入此列）"),
        *((c.code, c.label + ("（必填）" if c.required else "")) for c in COLUMNS),
    ]
