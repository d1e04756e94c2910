"""Reading cases. ``cases_for`` and ``get_case_for`` are the one place that decides what a
user may see: every view fetches a case, a file or an export through them.

- 代理员 (agent): the cases of their own unit, read and write.
- 单位负责人 (unit head): the cases of their own unit, read only.
- 县信访局 (bureau): every unit's cases, read only.
- 领导, 系统管理员, 审计员: no case contents (figures and logs come elsewhere).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from xinfang.accounts.models import Role
from xinfang.audit.actions import refuse
from xinfang.cases import workflow
from xinfang.cases.models import (
    Case,
    CaseFile,
    CaseStatus,
    FileKind,
    FollowUp,
    name_keys,
    query_code_keys,
)
from xinfang.core import crypto
from xinfang.core.masking import mask_id_number, mask_phone


def cases_for(user, *, write: bool = False) -> QuerySet[Case]:
    cases = Case.objects.select_related(
        "unit", "petitioner", "category", "agent", "incident_town", "platform"
    )
    if not user.is_authenticated or not user.is_active:
        return cases.none()
    if user.role == Role.AGENT and user.unit_id:
        return cases.filter(unit_id=user.unit_id)
    if write:
        return cases.none()
    if user.role == Role.UNIT_HEAD and user.unit_id:
        return cases.filter(unit_id=user.unit_id)
    if user.role == Role.BUREAU:
        return cases
    return cases.none()


def get_case_for(request, pk: int, *, write: bool = False) -> Case:
    try:
        return cases_for(request.user, write=write).get(pk=pk)
    except (Case.DoesNotExist, ValueError):
        raise refuse(request, target_type="cases.Case", target_id=pk) from None


def get_case_file_for(request, case_pk: int, file_pk: int) -> CaseFile:
    case = get_case_for(request, case_pk)
    try:
        return case.files.select_related("file").get(pk=file_pk)
    except CaseFile.DoesNotExist:
        raise refuse(request, target_type="cases.CaseFile", target_id=file_pk) from None


@dataclass(frozen=True)
class PriorCase:
    unit_name: str
    received_on: datetime.date
    status_label: str
    case: Case | None  # set only where the user may open it


def petitioner_history(user, id_number: str, *, exclude_pk: int | None = None) -> list[PriorCase]:
    """Earlier cases of the same person anywhere in the county (repeat petitions matter).

    Other units' cases show only unit, date and status, never their contents.
    """
    id_hashes = crypto.lookup_hashes("id_number", id_number)  # every key of the ring
    if not id_hashes:
        return []
    visible = set(
        cases_for(user).filter(petitioner__id_number_hash__in=id_hashes).values_list("pk", flat=True)
    )
    rows = (
        Case.objects.filter(petitioner__id_number_hash__in=id_hashes)
        .exclude(pk=exclude_pk)
        .select_related("unit")
        .order_by("-received_on", "-pk")
    )
    return [
        PriorCase(
            unit_name=row.unit.name,
            received_on=row.received_on,
            status_label=row.get_status_display(),
            case=row if row.pk in visible else None,
        )
        for row in rows
    ]


@dataclass
class LedgerFilter:
    month: str = ""  # YYYY-MM, by 接待日期
    status: str = ""
    category: int | None = None
    unit: int | None = None
    q: str = ""


def ledger(user, flt: LedgerFilter) -> QuerySet[Case]:
    """The unit's ledger (台账), newest first; bureau staff see every unit."""
    cases = cases_for(user).order_by("-received_on", "-pk")
    if flt.month:
        year, month = (int(part) for part in flt.month.split("-"))
        cases = cases.filter(received_on__year=year, received_on__month=month)
    if flt.status:
        cases = cases.filter(status=flt.status)
    if flt.category:
        cases = cases.filter(category_id=flt.category)
    if flt.unit:
        cases = cases.filter(unit_id=flt.unit)
    q = flt.q.strip()
    if q:
        # Names are encrypted: a petitioner is found by the whole name, through its keyed hash.
        cases = cases.filter(
            Q(petitioner__name_hash__in=name_keys(q)) | Q(title__icontains=q) | Q(number__icontains=q)
        )
    return cases


def find_by_query_code(user, code: str) -> Case | None:
    return cases_for(user).filter(query_code_hash__in=query_code_keys(code)).first()


def status_counts(cases: QuerySet[Case]) -> dict[str, int]:
    return dict(cases.order_by().values_list("status").annotate(n=Count("pk")))


def files_by_kind(case: Case) -> dict[str, list[CaseFile]]:
    grouped: dict[str, list[CaseFile]] = {kind: [] for kind in FileKind.values}
    for case_file in case.files.select_related("file"):
        grouped[case_file.kind].append(case_file)
    return grouped


PROGRESS = (
    ("登记", CaseStatus.INTAKE),
    ("范围判断", CaseStatus.IN_SCOPE),
    ("授权委托", CaseStatus.AUTHORIZED),
    ("网上提交", CaseStatus.SUBMITTED),
    ("转送交办", CaseStatus.FORWARDED),
    ("机关收到", CaseStatus.RECEIVED),
    ("受理", CaseStatus.ACCEPTED),
    ("办结", CaseStatus.CONCLUDED),
    ("送达答复", CaseStatus.DELIVERED),
    ("申请复查", CaseStatus.REVIEW_REQUESTED),
    ("复查意见", CaseStatus.REVIEWED),
    ("申请复核", CaseStatus.RE_REVIEW_REQUESTED),
    ("复核意见", CaseStatus.RE_REVIEWED),
)
# Where a status that leaves the main line sits on it, and what it is called there.
OFF_LINE = {
    CaseStatus.REFERRED: (CaseStatus.INTAKE, "已引导"),
    CaseStatus.NOT_ACCEPTED: (CaseStatus.RECEIVED, "不予受理"),
    CaseStatus.NOT_ACCEPTED_AGAIN: (CaseStatus.RECEIVED, "不再受理"),
}
OPTIONAL_FROM = CaseStatus.REVIEW_REQUESTED  # review steps are shown only once reached


def progress(case: Case) -> list[tuple[str, str]]:
    """The steps of the case's life with 'done', 'current' or '' for the progress bar."""
    order = [status for _, status in PROGRESS]
    status, ending = case.status, ""
    if status in OFF_LINE:
        status, ending = OFF_LINE[status]
    elif status == CaseStatus.WITHDRAWN:
        withdrawn = case.events.filter(action="withdraw").values_list("from_status", flat=True).first()
        status, ending = (withdrawn or CaseStatus.INTAKE), "已撤回委托"
    here = order.index(status)
    shown = max(here, order.index(OPTIONAL_FROM) - 1)
    steps = [
        (label, "done" if i < here or (ending and i == here) else "current" if i == here else "")
        for i, (label, _) in enumerate(PROGRESS[: shown + 1])
    ]
    if ending:
        steps.append((ending, "current"))
    return steps


# Values that may be shown whole on an explicit, logged request; the key is the field's name.
REVEALABLE = {
    "id_number": lambda c: c.petitioner.id_number,
    "mobile": lambda c: c.petitioner.mobile,
    "landline": lambda c: c.petitioner.landline,
    "address": lambda c: c.petitioner.address,
    "platform_username": lambda c: c.platform_username,
    "platform_password": lambda c: c.platform_password,
    "query_code": lambda c: c.query_code,
}


def revealable(case: Case, field: str) -> str | None:
    getter = REVEALABLE.get(field)
    return getter(case) if getter else None


def agent_line(case: Case) -> str:
    """The line that opens the complaint (seed 附件 三(三)3): the agent shows who they are."""
    profile = getattr(case.agent, "profile", None)
    phone = profile.contact_phone if profile else ""
    return (
        f"【{case.unit.name}网上投诉代理员{case.agent.full_name}，{phone}】，代{case.petitioner.name}反映："
    )


def platform_content(case: Case) -> str:
    line = agent_line(case)
    content = case.content.strip()
    if content.startswith("【"):
        return content
    return line + content


@dataclass(frozen=True)
class PlatformField:
    label: str
    value: str
    reveal: str = ""  # field name when the value is personal and shown only on request
    masked: str = ""


def registration_fields(case: Case) -> list[PlatformField]:
    """What registering the petitioner on the platform asks for (附件 三(三)2)."""
    p = case.petitioner
    return [
        PlatformField("姓名", p.name),
        PlatformField("身份证号码", "", reveal="id_number", masked=mask_id_number(p.id_number)),
        PlatformField("手机号码", "", reveal="mobile", masked=mask_phone(p.mobile)),
    ]


def platform_fields(case: Case) -> list[PlatformField]:
    """The letter, in the order of the platform's form (附件 三(三)3)."""
    yes_no = {True: "是", False: "否"}
    return [
        PlatformField("信访类型", case.get_petition_type_display()),
        PlatformField("是否允许公开", yes_no[case.allow_public]),
        PlatformField("法院是否已受理", yes_no[case.court_accepted]),
        PlatformField("是否已经行政复议", yes_no[case.reconsideration_done]),
        PlatformField("仲裁机构是否已受理", yes_no[case.arbitration_accepted]),
        PlatformField("是否已有复查复核意见书", yes_no[case.has_review_opinion]),
        PlatformField("事发地", case.incident_display),
        PlatformField("内容分类", case.category.name),
        PlatformField("诉求标题", case.title),
        PlatformField("诉求内容", platform_content(case)),
        PlatformField("电话号码", "", reveal="mobile", masked=mask_phone(case.petitioner.mobile)),
    ]


# --- Worklists -------------------------------------------------------------------------------

SOON_WORKDAYS = 3


@dataclass
class Worklist:
    today: datetime.date
    soon_until: datetime.date
    overdue: list
    due_soon: list
    follow_ups: list

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.follow_ups)


def worklist(user, *, today: datetime.date | None = None) -> Worklist:
    """What needs doing, most urgent first: clocks passed, clocks due within 3 workdays,
    follow-ups due. Overdue is derived from the stored due dates and today."""
    from xinfang.deadlines import calendar as official
    from xinfang.deadlines.compute import add_workdays
    from xinfang.deadlines.models import CaseDeadline, ClockKind

    today = today or timezone.localdate()
    soon_until = add_workdays(today, SOON_WORKDAYS, official.load())
    visible = cases_for(user).exclude(status__in=workflow.FINAL).values("pk")
    running = (
        CaseDeadline.objects.filter(case__in=visible, stopped_on__isnull=True, clock__kind=ClockKind.DEADLINE)
        .select_related("clock", "case", "case__unit", "case__agent")
        .order_by("due_on", "case__number")
    )
    overdue = list(running.filter(due_on__lt=today))
    due_soon = list(running.filter(due_on__gte=today, due_on__lte=soon_until))
    newer = FollowUp.objects.filter(case=OuterRef("case"), created_at__gt=OuterRef("created_at"))
    follow_ups = list(
        FollowUp.objects.filter(case__in=visible, next_on__lte=today)
        .exclude(Exists(newer))
        .select_related("case", "case__unit", "case__agent")
        .order_by("next_on", "case__number")
    )
    return Worklist(
        today=today, soon_until=soon_until, overdue=overdue, due_soon=due_soon, follow_ups=follow_ups
    )


def board_by_unit(work: Worklist) -> list[dict]:
    """The bureau's board: every active unit with its worklist counts, most overdue first."""
    from xinfang.accounts.models import Unit

    units = {
        unit.pk: {"unit": unit, "overdue": 0, "due_soon": 0, "follow_ups": 0}
        for unit in Unit.objects.filter(active=True)
    }
    for key, rows in (
        ("overdue", work.overdue),
        ("due_soon", work.due_soon),
        ("follow_ups", work.follow_ups),
    ):
        for row in rows:
            unit = row.case.unit
            entry = units.setdefault(unit.pk, {"unit": unit, "overdue": 0, "due_soon": 0, "follow_ups": 0})
            entry[key] += 1
    return sorted(units.values(), key=lambda e: (-e["overdue"], -e["due_soon"], e["unit"].sort_order))
