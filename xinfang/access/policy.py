"""The capability table: which role may do what, and how far (本单位 or 全县).

This is data. Each row is one capability a view, a template or an action asks about by its code;
``rules`` reads the table and nothing else decides. Bureau staff and the auditor read it on the
page 谁能做什么 (``/access/``), so a county can check it against its own rules.

The legal steps of a case are rows too: ``xinfang.cases.steps`` declares one capability per step
(``declare``), so a step added there appears here, on the page and in the permission test.

Separation of duties (等保 三权分立): the system administrator keeps the system (second factors),
the auditor reads and verifies the audit log, bureau staff do the work; none has the others'
capabilities, and bureau staff cannot manage the other two's accounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from xinfang.access.models import Reach, Role

A, H, B, L, S, AU = Role.AGENT, Role.UNIT_HEAD, Role.BUREAU, Role.LEADER, Role.SYSADMIN, Role.AUDITOR
MU, MC = Role.API_UNIT, Role.API_COUNTY  # machine accounts: read-only, through the API only
UNIT, COUNTY = Reach.UNIT, Reach.COUNTY


@dataclass(frozen=True)
class Capability:
    code: str
    area: str  # the group it is shown in
    label: str  # what it lets one do, in the words of the office
    grants: Mapping[str, str] = field(default_factory=dict)  # role → reach

    def reach_of(self, role: str) -> str | None:
        return self.grants.get(role)


CAPABILITIES: dict[str, Capability] = {}


def declare(
    code: str, *, area: str, label: str, grants: Mapping[Role, Reach] | Mapping[str, str]
) -> Capability:
    """Add a row. A code is declared once: a second declaration is a mistake, not an override."""
    if code in CAPABILITIES:
        raise ValueError(f"capability {code!r} declared twice")
    unknown = set(grants) - set(Role.values)
    if unknown or not set(grants.values()) <= set(Reach.values):
        raise ValueError(f"capability {code!r}: unknown role or reach in {dict(grants)!r}")
    capability = Capability(code=code, area=area, label=label, grants={r: g for r, g in grants.items()})
    CAPABILITIES[code] = capability
    return capability


def capability(code: str) -> Capability:
    try:
        return CAPABILITIES[code]
    except KeyError:
        raise LookupError(f"no capability {code!r} in the table (xinfang.access.policy)") from None


# --- Facts about roles ---------------------------------------------------------------------------

# Roles tied to one unit: an account of these roles needs a unit, and its grants reach that unit.
UNIT_ROLES = frozenset({A, H, MU})
# Accounts of other systems (``xinfang.api``): created by bureau staff with a read-only token,
# without a password that could log in; never told anything (``rules.holders`` leaves them out).
MACHINE_ROLES = frozenset({MU, MC})
# Accounts that bureau staff create and keep. The system administrator's and the auditor's are
# kept apart (三权分立): bureau staff can neither create nor reset them.
BUREAU_MANAGED_ROLES = (A, H, B, L)
# 等保 level 3: those who administer or oversee always log in with a dynamic code; agents and unit
# heads where their unit requires it.
SECOND_FACTOR_ROLES = frozenset({B, S, AU})
# Roles whose accounts carry a public profile: 姓名、职务、照片、联系方式 (seed 二 2).
PROFILE_ROLES = frozenset({A})
# Roles whose accounts belong to the bureau's own unit (a unit of kind 县信访局).
BUREAU_UNIT_ROLES = frozenset({B})
# Where each role starts after logging in (a URL name).
START_PAGES = {
    A: "cases:work",
    H: "cases:work",
    B: "cases:work",
    L: "figures:dashboard",
    AU: "audit:log",
    S: "accounts:home",
}
# The roles that appear on the page, in this order.
ROLES = (A, H, B, L, S, AU, MU, MC)

# --- The table -----------------------------------------------------------------------------------

CASES = "代理事项"
STEPS_AREA = "办理环节"  # the rows the step registry declares (xinfang.cases.steps)
for _code, _label, _grants in (
    (
        "view_cases",
        "查看代理事项、台账、工作台和事项文件",
        {A: UNIT, H: UNIT, B: COUNTY, MU: UNIT, MC: COUNTY},
    ),
    ("export_ledger", "导出台账（身份证号、电话隐去中间位）、打印月度台账", {A: UNIT, H: UNIT, B: COUNTY}),
    ("export_ledger_full", "导出完整台账（须填写理由，记入审计日志）", {B: COUNTY}),
    (
        "export_case_file",
        "导出事项案卷（归档、督察用；身份证号、电话、住址隐去部分，记入审计日志）",
        {A: UNIT, H: UNIT, B: COUNTY},
    ),
    ("export_case_file_full", "导出完整事项案卷（须填写理由，记入审计日志）", {B: COUNTY}),
    ("reveal_personal", "查看完整的身份证号、电话、住址和平台账户（记入审计日志）", {A: UNIT}),
    ("petitioner_history", "登记时按身份证号查看信访人以往事项", {A: UNIT}),
    ("print_authorization", "打印授权委托书", {A: UNIT}),
    (
        "import_ledger",
        "导入启用平台前的 Excel 台账（代理员导入本单位的，县信访局可为各单位导入）",
        {A: UNIT, B: COUNTY},
    ),
):
    declare(_code, area=CASES, label=_label, grants=_grants)

RATINGS = "反馈与评价"
for _code, _label, _grants in (
    ("record_rating", "代信访人登记满意度评价", {A: UNIT}),
    ("record_feedback", "填写《网上投诉代理情况反馈表》", {A: UNIT}),
    ("view_feedback", "查看、打印反馈表", {A: UNIT, H: UNIT, B: COUNTY}),
):
    declare(_code, area=RATINGS, label=_label, grants=_grants)

OVERSIGHT = "风险报告与督察"
for _code, _label, _grants in (
    ("view_reports", "查看风险和信访动态报告", {A: UNIT, H: UNIT, B: COUNTY, MU: UNIT, MC: COUNTY}),
    ("file_report", "报告越级上访、过激行为等风险和信访动态", {A: UNIT}),
    ("handle_reports", "签收风险报告、登记处置情况", {B: COUNTY}),
    ("view_inspections", "查看督察情况", {A: UNIT, H: UNIT, B: COUNTY}),
    ("record_inspections", "登记督察情况和整改", {B: COUNTY}),
):
    declare(_code, area=OVERSIGHT, label=_label, grants=_grants)

FIGURES = "统计与通报"
for _code, _label, _grants in (
    (
        "view_figures",
        "查看统计看板（代理件数、网上投诉占比、参评率、满意率等）",
        {H: UNIT, B: COUNTY, L: COUNTY, MU: UNIT, MC: COUNTY},
    ),
    ("manage_targets", "设定各单位目标和全县目标，录入各渠道信访量", {B: COUNTY}),
    ("view_bulletins", "查看通报", {B: COUNTY, L: COUNTY}),
    ("publish_bulletins", "生成、发布、更正和撤回通报", {B: COUNTY}),
):
    declare(_code, area=FIGURES, label=_label, grants=_grants)

CLOCKS = "期限与日历"
for _code, _label, _grants in (
    ("use_calculator", "计算法定期限、查看节假日日历", {A: UNIT, H: UNIT, B: COUNTY, MU: UNIT, MC: COUNTY}),
    ("manage_calendar", "维护节假日日历和法定期限规则", {B: COUNTY}),
):
    declare(_code, area=CLOCKS, label=_label, grants=_grants)

PUBLIC = "宣传与公开"
declare("publicity", area=PUBLIC, label="打印联系卡、宣传页，登记宣传情况", grants={A: UNIT, B: COUNTY})

SYSTEM = "单位、账户与系统"
for _code, _label, _grants in (
    ("manage_units", "维护单位信息", {B: COUNTY}),
    ("manage_accounts", "管理代理员、单位负责人、信访局工作人员和领导的账户", {B: COUNTY}),
    ("view_outbox", "查看提醒发送记录", {B: COUNTY}),
    ("reset_second_factor", "重置他人的动态口令", {S: COUNTY}),
    ("view_access_table", "查看本权限表（谁能做什么）", {B: COUNTY, S: COUNTY, AU: COUNTY}),
):
    declare(_code, area=SYSTEM, label=_label, grants=_grants)

PRIVACY = "个人信息保护"
for _code, _label, _grants in (
    (
        "manage_retention",
        "设定个人信息保存期限，查看到期清单，执行到期匿名化（记入审计日志）",
        {B: COUNTY},
    ),
    (
        "handle_data_requests",
        "受理信访人查阅、复制、删除本人个人信息的申请：按证件号码查找、导出、删除（记入审计日志）",
        {B: COUNTY},
    ),
):
    declare(_code, area=PRIVACY, label=_label, grants=_grants)

AUDIT = "审计"
for _code, _label, _grants in (
    ("read_audit", "查看审计日志", {AU: COUNTY}),
    ("export_audit", "导出审计日志（Excel，导出本身记入审计日志）", {AU: COUNTY}),
    ("verify_audit", "核验审计日志、记录锚点", {AU: COUNTY}),
):
    declare(_code, area=AUDIT, label=_label, grants=_grants)

API = "数据接口"
for _code, _label, _grants in (
    (
        "use_api",
        "在本人页面创建、撤销个人接口令牌，以本人的权限通过接口查询和办理",
        {A: UNIT, H: UNIT, B: COUNTY, L: COUNTY, MU: UNIT, MC: COUNTY},
    ),
    ("manage_api_accounts", "为对接系统创建本单位或全县的只读接口账户和令牌，撤销令牌", {B: COUNTY}),
):
    declare(_code, area=API, label=_label, grants=_grants)

# The order of the areas on the page 谁能做什么.
AREAS = (CASES, STEPS_AREA, RATINGS, OVERSIGHT, FIGURES, CLOCKS, PUBLIC, SYSTEM, PRIVACY, API, AUDIT)
