"""One row of an old 台账, checked: the case it will be (``cases.actions_past.PastCase``), the
problems that stop it (each with its sheet, row and column), and what the dry run should say.

The status is the 状态 column's, or, where the ledger has none, that of the latest step it
dates. The days of the steps on the way there come from their columns (``columns.STEP_DATES``);
a day given for a step the status does not reach, or days out of order, are problems.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from xinfang.cases.actions_past import PastCase, check, local_midnight, path, path_to
from xinfang.cases.models import (
    FINAL_STATUSES,
    CaseStatus,
    ForwardMode,
    HandlingOpinion,
    PetitionType,
    ReferralChannel,
    RespondentKind,
)
from xinfang.cases.steps import STEPS, TransitionError
from xinfang.core.masking import mask_id_number
from xinfang.core.validators import validate_platform_password
from xinfang.imports import values
from xinfang.imports.columns import BY_CODE, STEP_DATES
from xinfang.imports.workbook import Header

STATUS_WORDS = {
    "登记": CaseStatus.INTAKE,
    "引导": CaseStatus.REFERRED,
    "已委托": CaseStatus.AUTHORIZED,
    "提交": CaseStatus.SUBMITTED,
    "已提交": CaseStatus.SUBMITTED,
    "已网上提交": CaseStatus.SUBMITTED,
    "转送": CaseStatus.FORWARDED,
    "交办": CaseStatus.FORWARDED,
    "已转送": CaseStatus.FORWARDED,
    "已交办": CaseStatus.FORWARDED,
    "已收到": CaseStatus.RECEIVED,
    "受理": CaseStatus.ACCEPTED,
    "办理中": CaseStatus.ACCEPTED,
    "办结": CaseStatus.CONCLUDED,
    "送达": CaseStatus.DELIVERED,
    "已送达": CaseStatus.DELIVERED,
    "已答复": CaseStatus.DELIVERED,
    "申请复查": CaseStatus.REVIEW_REQUESTED,
    "复查": CaseStatus.REVIEW_REQUESTED,
    "已复查": CaseStatus.REVIEWED,
    "申请复核": CaseStatus.RE_REVIEW_REQUESTED,
    "复核": CaseStatus.RE_REVIEW_REQUESTED,
    "已复核": CaseStatus.RE_REVIEWED,
    "终结": CaseStatus.RE_REVIEWED,
    "撤回": CaseStatus.WITHDRAWN,
    "已撤回": CaseStatus.WITHDRAWN,
}
TYPE_WORDS = {
    "建议": PetitionType.SUGGESTION,
    "建议意见": PetitionType.SUGGESTION,
    "意见建议": PetitionType.SUGGESTION,
    "检举": PetitionType.ACCUSATION,
    "控告": PetitionType.ACCUSATION,
    "检举控告": PetitionType.ACCUSATION,
    "申诉": PetitionType.CLAIM,
    "求决": PetitionType.CLAIM,
    "申诉求决": PetitionType.CLAIM,
}
RESPONDENT_WORDS = {"行政机关": RespondentKind.ADMINISTRATIVE, "村委会": RespondentKind.VILLAGE_COMMITTEE}
CHANNEL_WORDS = {
    "复查复核": ReferralChannel.REVIEW,
    "信访复查复核": ReferralChannel.REVIEW,
    "其他": ReferralChannel.OTHER,
}
UNRECORDED = "（原台账未记载）"


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str  # the column's letter, "" for the sheet or file
    header: str
    message: str

    def __str__(self) -> str:
        where = f"工作表“{self.sheet}”" if self.sheet else ""
        if self.row:
            where += f"第{self.row}行"
        if self.header:
            where += f"“{self.header}”列（{self.column}列）"
        return f"{where}：{self.message}" if where else self.message


@dataclass
class Context:
    """What checking a row needs to know, read once for the file."""

    unit: Any
    today: datetime.date
    agent: Any  # the agent of cases whose 代理员 is not given or not found
    agents: dict[str, Any]  # full name → the unit's agent
    categories: dict[str, Any]  # name → 内容分类
    platforms: dict[str, Any]  # name → 投诉平台
    towns: dict[str, Any]  # name → the town (事发地)
    retention_days: int  # a final case's platform password is kept this long


@dataclass
class Row:
    sheet: str
    number: int
    cells: dict[str, tuple[Header, Any]]  # column code → (its header, the cell's value)
    entry: PastCase | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skip: str = ""  # why it is not brought in
    shown: dict[str, str] = field(default_factory=dict)  # what the dry run shows of it

    def value(self, code: str) -> Any:
        cell = self.cells.get(code)
        return None if cell is None else cell[1]

    def given(self, code: str) -> bool:
        return values.text(self.value(code)) != ""

    def problem(self, code: str, message: str) -> None:
        header = self.cells[code][0] if code in self.cells else None
        self.problems.append(
            Problem(
                self.sheet,
                self.number,
                header.letter if header else "",
                header.text if header else BY_CODE[code].label,
                message,
            )
        )

    def read(self, code: str, reader, *args, **kwargs) -> Any:
        """The column's value read by ``reader``; None, with the problem noted, where it fails."""
        try:
            return reader(self.value(code), *args, **kwargs)
        except ValueError as exc:
            self.problem(code, str(exc))
            return None


def check_row(row: Row, ctx: Context) -> Row:
    """Fill in ``row.entry`` (or its problems), its notes and what the dry run shows."""
    if row.given("unit") and values.text(row.value("unit")) != ctx.unit.name:
        row.skip = f"属于“{values.text(row.value('unit'))}”，不是本次导入的{ctx.unit.name}"
        return row
    for code in ("name", "id_number", "received_on", "title"):
        if not row.given(code):
            row.problem(code, f"“{BY_CODE[code].label}”不能为空。")
    person = _person(row)
    complaint = _complaint(row, ctx)
    received = row.read("received_on", values.day, ctx.today) if row.given("received_on") else None
    status, dates = _status_and_dates(row, ctx, received)
    more = _more(row, ctx, status, dates, received)
    agent = _agent(row, ctx)
    row.shown = {
        "name": person.get("name") or values.text(row.value("name")),
        "id_number": mask_id_number(person.get("id_number") or ""),
        "received_on": f"{received:%Y-%m-%d}" if received else values.text(row.value("received_on")),
        "title": complaint.get("title") or values.text(row.value("title")),
        "status": CaseStatus(status).label if status else "",
        "agent": getattr(agent, "full_name", ""),
    }
    if row.problems or received is None or not status:
        return row
    row.entry = PastCase(
        petitioner=person,
        complaint=complaint,
        received_on=received,
        status=status,
        agent=agent,
        dates=dates,
        fields=more,
        origin={"sheet": row.sheet, "row": row.number, "number": values.text(row.value("number"))[:40]},
    )
    try:
        check(row.entry)
    except TransitionError as exc:
        row.problem(STEP_DATES.get(exc.field or "", "received_on"), exc.message)
        row.entry = None
    return row


def _person(row: Row) -> dict[str, Any]:
    kind = row.read("id_kind", values.id_kind) or "resident"
    person: dict[str, Any] = {"id_kind": kind}
    if row.given("name"):
        person["name"] = row.read("name", values.person_name)
    if row.given("id_number"):
        person["id_number"] = row.read("id_number", values.document_number, kind)
    mobile, landline = row.read("mobile", values.phones) or ("", "")
    person["mobile"] = mobile
    person["landline"] = row.read("landline", values.landline) or landline
    if not mobile and not person["landline"]:
        row.notes.append("未填联系电话")
    person["address"] = row.read("address", values.checked_text, limit=200) or ""
    person["work_unit"] = row.read("work_unit", values.checked_text, limit=100) or ""
    return person


def _complaint(row: Row, ctx: Context) -> dict[str, Any]:
    title = row.read("title", values.checked_text, limit=100) or ""
    kind = row.read(
        "petition_type", values.choice, PetitionType.choices, what="信访类型", synonyms=TYPE_WORDS
    )
    if not kind and not row.given("petition_type"):
        kind = PetitionType.CLAIM
        if "petition_type" in row.cells:  # a sheet without the column says so once (``selectors``)
            row.notes.append("未填信访类型，按申诉求决类导入")
    category = ctx.categories.get(values.text(row.value("category")) or "其他")
    if category is None:
        row.problem(
            "category",
            f"内容分类“{values.text(row.value('category'))}”不认识，应为：{'、'.join(ctx.categories)}。",
        )
    town, place = _incident(row, ctx)
    respondent = row.read(
        "respondent_kind",
        values.choice,
        RespondentKind.choices,
        what="投诉对象类别",
        synonyms=RESPONDENT_WORDS,
    )
    return {
        "respondent_kind": respondent or RespondentKind.ADMINISTRATIVE,
        "respondent_name": row.read("respondent_name", values.checked_text, limit=100) or UNRECORDED,
        "petition_type": kind or PetitionType.CLAIM,
        "category": category,
        "incident_town": town,
        "incident_place": place,
        "allow_public": bool(row.read("allow_public", values.yes_no)),
        "court_accepted": False,
        "reconsideration_done": False,
        "arbitration_accepted": False,
        "has_review_opinion": False,
        "title": title,
        "content": row.read("content", values.checked_text, limit=5000, multiline=True) or title,
        "people_count": row.read("people_count", values.whole_number) or 1,
    }


def _incident(row: Row, ctx: Context) -> tuple[Any, str]:
    place = row.read("incident", values.checked_text, limit=120) or ""
    for name, town in sorted(ctx.towns.items(), key=lambda item: -len(item[0])):
        if place.startswith(name):
            return town, place[len(name) :][:100]
    return None, place[:100]


def _status_and_dates(row: Row, ctx: Context, received: datetime.date | None) -> tuple[str, dict]:
    """The status, and the days of the steps on the way to it (see the module's docstring)."""
    days: dict[str, datetime.date] = {}
    for code in set(STEP_DATES.values()):
        if row.given(code):
            on = row.read(code, values.day, ctx.today)
            if on is not None:
                days[code] = on
    status = row.read("status", values.choice, CaseStatus.choices, what="状态", synonyms=STATUS_WORDS)
    if not status and not row.given("status"):
        status = _latest_status(row, days)
    if not status:
        return "", {}
    dated = [step for step, code in STEP_DATES.items() if code in days and step not in ("refer", "re_review")]
    steps = {s.name for s in path(status, dated)}
    dates = {step: days[code] for step, code in STEP_DATES.items() if step in steps and code in days}
    for code in sorted(days.keys() - {STEP_DATES[step] for step in dates}):
        row.problem(
            code, f"状态为“{CaseStatus(status).label}”，不应填写“{BY_CODE[code].label}”；请核对状态或日期。"
        )
    return status, dates


def _latest_status(row: Row, days: dict[str, datetime.date]) -> str:
    """Without a 状态 column: the status of the latest step the ledger dates."""
    if "closed_on" in days:
        row.problem("closed_on", "填写了终结日期，请在“状态”列写明是引导、撤回委托还是复核终结。")
        return ""
    targets = [STEPS[step].target for step, code in STEP_DATES.items() if code in days]
    reached = [status for status in targets if status and status not in FINAL_STATUSES]
    if not reached:
        row.problems.append(
            Problem(
                row.sheet,
                row.number,
                "",
                "",
                "无法判断办理状态：请填写“状态”列，或填写网上提交时间、受理日期、办结日期等。",
            )
        )
        return ""
    return max(reached, key=lambda status: len(path_to(status)))


def _more(row: Row, ctx: Context, status: str, dates: dict, received: datetime.date | None) -> dict[str, Any]:
    """The case's other columns: the platform and its account, the handling body and answers."""
    more: dict[str, Any] = {}
    if row.given("submitted_at"):
        more["submitted_at"] = row.read("submitted_at", values.instant, ctx.today)
    elif status and received and "submit" in {s.name for s in path(status, dates)}:
        more["submitted_at"] = local_midnight(received)
        if "submitted_at" in row.cells:
            row.notes.append("未填网上提交时间：代理件数按接待日期所在月份统计")
    if row.given("platform"):
        more["platform"] = ctx.platforms.get(values.text(row.value("platform")))
        if more["platform"] is None:
            row.problem(
                "platform",
                f"投诉平台“{values.text(row.value('platform'))}”不认识，应为：{'、'.join(ctx.platforms)}。",
            )
    more["platform_username"] = row.read("platform_username", values.checked_text, limit=60) or ""
    more["query_code"] = row.read("query_code", values.query_code) or ""
    more["platform_password"] = _password(row, ctx, status, dates)
    more["handling_body"] = row.read("handling_body", values.checked_text, limit=100) or ""
    for code, options, what, words in (
        ("forward_mode", ForwardMode.choices, "转送或交办", None),
        ("handling_opinion", HandlingOpinion.choices, "处理意见", None),
        ("referral_channel", ReferralChannel.choices, "引导途径", CHANNEL_WORDS),
    ):
        more[code] = row.read(code, values.choice, options, what=what, synonyms=words) or ""
    if status == CaseStatus.REFERRED and not more["referral_channel"]:
        more["referral_channel"] = ReferralChannel.OTHER
    return more


def _password(row: Row, ctx: Context, status: str, dates: dict) -> str:
    password = values.text(row.value("platform_password"))
    if not password:
        return ""
    try:
        validate_platform_password(password)
    except ValidationError as exc:  # its message names the position only, never the characters
        row.problem("platform_password", exc.messages[0])
        return ""
    closed = (
        [on for step, on in dates.items() if STEPS[step].target == status] if status in FINAL_STATUSES else []
    )
    if closed and (ctx.today - closed[0]).days >= ctx.retention_days:
        row.notes.append(f"已终结超过{ctx.retention_days}日，按规定不导入平台密码")
        return ""
    return password


def _agent(row: Row, ctx: Context):
    name = values.text(row.value("agent"))
    if name and name in ctx.agents:
        return ctx.agents[name]
    if name and ctx.agent is not None:
        row.notes.append(f"代理员“{name}”在本单位没有账户，按{ctx.agent.full_name}登记")
    return ctx.agent
