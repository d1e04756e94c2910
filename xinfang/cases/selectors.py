"""Reading cases. What a user may see is the capability table's answer (``xinfang.access``):
every view fetches a case, a file or an export through ``scoped`` and ``get_or_refuse`` with the
capability it serves, and ``cases_for`` / ``get_case_for`` are those two for cases.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from xinfang.access import rules
from xinfang.accounts.models import Unit
from xinfang.cases import hooks, workflow
from xinfang.cases.models import (
    COLLECTIVE_FROM,
    Case,
    CaseEvent,
    CaseFile,
    CaseStatus,
    CoPetitioner,
    FileKind,
    FollowUp,
    name_keys,
    query_code_keys,
)
from xinfang.cases.steps import STEPS, Step
from xinfang.core import crypto
from xinfang.core.identity import IdKind
from xinfang.core.masking import mask_address, mask_id_number, mask_phone

# The cases a user works on, where a caller asks for "the cases I may change" (``write``).
WORK_CODE = "case_follow_up"


def case_queryset() -> QuerySet[Case]:
    return Case.objects.select_related("unit", "petitioner", "category", "agent", "incident_town", "platform")


def cases_for(user, *, write: bool = False, code: str = "") -> QuerySet[Case]:
    """The cases ``user`` may see for ``code`` (default: reading them; ``write``: working on them)."""
    return rules.scoped(case_queryset(), user, code or (WORK_CODE if write else "view_cases"))


def get_case_for(request, pk, *, code: str = "view_cases", with_related: Iterable[str] = ()) -> Case:
    """The case, if the user may ``code`` it; else a refusal (a 404 page and an audit row).
    ``with_related``: further relations read in the same query (the case page's cards)."""
    queryset = case_queryset()
    if with_related:
        queryset = queryset.select_related(*with_related)
    return rules.get_or_refuse(queryset, request.user, code, pk, request=request)


# A case's history as its page reads it, with who took each step (``case.events.all()``).
CASE_EVENTS = Prefetch("events", queryset=CaseEvent.objects.select_related("by"))


def get_case_file_for(request, case_pk, file_pk) -> CaseFile:
    case = get_case_for(request, case_pk)
    return rules.get_or_refuse(
        case.files.select_related("file", "case"),
        request.user,
        "view_cases",
        file_pk,
        unit_field="case__unit",
        request=request,
    )


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
    # The units whose cases ``cases_for`` gives the user (None: every unit).
    units = rules.visible_unit_ids(user, "view_cases")
    rows = Case.objects.filter(petitioner__id_number_hash__in=id_hashes)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    # What the list shows (unit, date, status, and the number and title where the user may
    # open the case): none of the earlier cases' encrypted values is read.
    rows = (
        rows.select_related("unit")
        .only("received_on", "status", "number", "title", "unit__name")
        .order_by("-received_on", "-pk")
    )
    return [
        PriorCase(
            unit_name=row.unit.name,
            received_on=row.received_on,
            status_label=row.get_status_display(),
            case=row if units is None or row.unit_id in units else None,
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
    kind: str = ""  # "joint": several petitioners (联名); "collective": five or more people (集体访)


def ledger(user, flt: LedgerFilter, *, code: str = "view_cases") -> QuerySet[Case]:
    """The ledger (台账) of the units ``user`` may ``code``, newest first."""
    cases = cases_for(user, code=code).order_by("-received_on", "-pk")
    if flt.month:
        year, month = (int(part) for part in flt.month.split("-"))
        cases = cases.filter(received_on__year=year, received_on__month=month)
    if flt.status:
        cases = cases.filter(status=flt.status)
    if flt.category:
        cases = cases.filter(category_id=flt.category)
    if flt.unit:
        cases = cases.filter(unit_id=flt.unit)
    if flt.kind == "collective":
        cases = cases.filter(people_count__gte=COLLECTIVE_FROM)
    elif flt.kind == "joint":
        cases = cases.filter(people_count__gt=1, people_count__lt=COLLECTIVE_FROM)
    q = flt.q.strip()
    if q:
        # Names are encrypted: a petitioner is found by the whole name, through its keyed hash,
        # the first petitioner's or another's of a 联名 case.
        keys = name_keys(q)
        others = CoPetitioner.objects.filter(case=OuterRef("pk"), petitioner__name_hash__in=keys)
        cases = cases.filter(
            Q(petitioner__name_hash__in=keys)
            | Exists(others)
            | Q(title__icontains=q)
            | Q(number__icontains=q)
        )
    return cases


# What a page of the ledger shows (``cases/list.html``): the petitioner's name, ID number and
# phone are decrypted for it, but not the complaint, the address or the platform's account.
# What a page of the ledger shows of a case, read through ``values()``: no model objects, and of
# the encrypted columns only the petitioner's name, ID number and phones (decrypted as read).
LEDGER_PAGE_VALUES = (
    "pk",
    "number",
    "received_on",
    "status",
    "title",
    "people_count",
    "late_steps",
    "source",
    "unit__name",
    "category__name",
    "agent__full_name",
    "petitioner__name",
    "petitioner__id_number",
    "petitioner__mobile",
    "petitioner__landline",
)


def ledger_page_rows(cases: QuerySet[Case]) -> QuerySet:
    """``cases`` (a page of ``ledger``) as the values a page of the ledger shows."""
    return cases.select_related(None).values(*LEDGER_PAGE_VALUES)


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
# Where a status that leaves the main line sits on it, and what it is called there. A referral
# is the scope decision (范围判断) itself.
OFF_LINE: dict[str, tuple[str, str]] = {
    CaseStatus.REFERRED: (CaseStatus.IN_SCOPE, "已引导"),
    CaseStatus.NOT_ACCEPTED: (CaseStatus.RECEIVED, "不予受理"),
    CaseStatus.NOT_ACCEPTED_AGAIN: (CaseStatus.RECEIVED, "不再受理"),
}
OPTIONAL_FROM = CaseStatus.REVIEW_REQUESTED  # review steps are shown only once reached


def progress(case: Case, events: list[CaseEvent] | None = None) -> list[tuple[str, str]]:
    """The steps of the case's life with 'done', 'current' or '' for the progress bar. A case
    that left the main line (引导, 不予受理, 不再受理, 撤回) shows its own short path, up to where it
    left and its ending; the others the line to 送达答复, and 复查, 复核 once reached. ``events``:
    the case's events in their order, where already read."""
    order: list[str] = [status for _, status in PROGRESS]
    status, ending = case.status, ""
    if status in OFF_LINE:
        status, ending = OFF_LINE[status]
    elif status == CaseStatus.WITHDRAWN:
        if events is None:
            withdrawn = case.events.filter(to_status=status).values_list("from_status", flat=True).first()
        else:
            withdrawn = next((e.from_status for e in events if e.to_status == status), None)
        status, ending = (withdrawn or CaseStatus.INTAKE), "已撤回委托"
    here = order.index(status)
    shown = here if ending else max(here, order.index(OPTIONAL_FROM) - 1)
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


PERSON_FIELDS = frozenset({"id_number", "mobile", "landline", "address"})


def revealable(case: Case, field: str) -> str | None:
    """The value of ``field``; ``id_number-2`` is that of the co-petitioner at position 2."""
    name, _, position = field.partition("-")
    if position:
        if name not in PERSON_FIELDS or not (position.isascii() and position.isdigit()) or len(position) > 4:
            return None
        row = case.co_petitioners.filter(position=int(position)).select_related("petitioner").first()
        return None if row is None else getattr(row.petitioner, name)
    getter = REVEALABLE.get(field)
    return getter(case) if getter else None


@dataclass(frozen=True)
class Person:
    """A petitioner of the case as its page lists them: ``suffix`` names their values for a
    reveal (``revealable``), ``position`` their row for removal ("" for the first)."""

    petitioner: Any
    suffix: str = ""
    position: int | None = None


def people(case: Case) -> list[Person]:
    rows = case.co_petitioners.select_related("petitioner")
    return [Person(case.petitioner), *(Person(r.petitioner, f"-{r.position}", r.position) for r in rows)]


# What the case page shows of a related case: never an encrypted column.
RELATED_CASE_COLUMNS = ("number", "title", "status", "people_count", "received_on", "unit__name")


def related(user, case: Case) -> list[Case]:
    """The cases tied to this one that the user may see (a link across units shows to each unit
    its own side only)."""
    visible = rules.scoped(Case.objects.select_related("unit"), user, "view_cases")
    return list(visible.filter(related_cases=case).only(*RELATED_CASE_COLUMNS).order_by("received_on", "pk"))


def petitioner_names(case: Case) -> str:
    """张三, 张三、李四, or 张三、李四等12人 for a count larger than the list."""
    names = [p.petitioner.name for p in people(case)]
    text = "、".join(names)
    return f"{text}等{case.people_count}人" if case.people_count > len(names) else text


def agent_line(case: Case) -> str:
    """The line that opens the complaint (seed 附件 三(三)3): the agent shows who they are."""
    profile = getattr(case.agent, "profile", None)
    phone = profile.contact_phone if profile else ""
    return (
        f"【{case.unit.name}网上投诉代理员{case.agent.full_name}，{phone}】，代{petitioner_names(case)}反映："
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
        PlatformField(
            "身份证号码" if p.id_kind == IdKind.RESIDENT else p.id_kind_label,
            "",
            reveal="id_number",
            masked=mask_id_number(p.id_number),
        ),
        PlatformField(
            "手机号码" if p.mobile else "固定电话",
            "",
            reveal="mobile" if p.mobile else "landline",
            masked=mask_phone(p.phone_on_record),
        ),
    ]


def co_petitioner_fields(case: Case) -> list[list[PlatformField]]:
    """The other petitioners of a 联名 case (or representatives of a 集体访), for the platform's
    fields or the letter: each one's name, document, phone and address."""
    rows = []
    for person in people(case)[1:]:
        p, s = person.petitioner, person.suffix
        rows.append(
            [
                PlatformField("姓名", p.name),
                PlatformField(
                    p.id_kind_label, "", reveal=f"id_number{s}", masked=mask_id_number(p.id_number)
                ),
                PlatformField(
                    "联系电话",
                    "",
                    reveal=f"mobile{s}" if p.mobile else f"landline{s}",
                    masked=mask_phone(p.phone_on_record),
                ),
                PlatformField("家庭住址", "", reveal=f"address{s}", masked=mask_address(p.address)),
            ]
        )
    return rows


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
        PlatformField(
            "电话号码",
            "",
            reveal="mobile" if case.petitioner.mobile else "landline",
            masked=mask_phone(case.petitioner.phone_on_record),
        ),
    ]


@dataclass(frozen=True)
class LateStep:
    """A request recorded after its window (``Case.late_steps``), as the case page and the ledger
    show it."""

    label: str
    window_end: datetime.date
    reason: str


def late_steps(case: Case) -> list[LateStep]:
    return late_steps_of(case.late_steps)


def late_steps_of(stored: list[dict] | None) -> list[LateStep]:
    """``Case.late_steps`` as stored (a list of dicts) read into ``LateStep``."""
    return [
        LateStep(
            label=STEPS[row["step"]].event if row.get("step") in STEPS else row.get("step", ""),
            window_end=datetime.date.fromisoformat(row["window_end"]),
            reason=row.get("reason", ""),
        )
        for row in stored or []
    ]


# --- The case page's buttons ----------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    step: Step
    url: str
    css: str
    links: tuple[tuple[str, str], ...] = ()


def steps_for(case: Case, user, events: list[CaseEvent] | None = None) -> dict[str, Step]:
    """The steps ``user`` may take on ``case`` now: allowed by its status and by the table, and
    not already taken where a step is taken once (asked of ``events`` where already read)."""
    steps = {
        step.name: step
        for step in workflow.available(case.status)
        if step.url_name and rules.can(user, step.capability, case.unit_id)
    }
    once = [name for name, step in steps.items() if step.once]
    if once and events is not None:
        for name in {e.action for e in events} & set(once):
            steps.pop(name, None)
    elif once:
        for name in case.events.filter(action__in=once).values_list("action", flat=True).distinct():
            steps.pop(name, None)
    return steps


def case_buttons(case: Case, steps: dict[str, Step]) -> list[Button]:
    """The buttons of the 下一步 card, in the registry's order; the first step that leads on is
    the main one, a step that ends the case is red."""
    shown = [s for s in steps.values() if s.shows_in(case.status)]
    primary = next((s.name for s in shown if (s.target or s.leads) and not s.danger), "")
    buttons = []
    for step in shown:
        css = "btn btn-primary" if step.name == primary else "btn btn-danger" if step.danger else "btn"
        links = tuple((label, _url(url_name, case)) for label, url_name in step.links)
        buttons.append(Button(step=step, url=step.url(case), css=css, links=links))
    return buttons


def _url(url_name: str, case: Case) -> str:
    return reverse(url_name, args=[case.pk])


# --- Worklists -------------------------------------------------------------------------------


@dataclass
class Worklist:
    today: datetime.date
    soon_until: datetime.date
    overdue: list
    due_soon: list
    follow_ups: list = field(default_factory=list)
    # Accepted cases no 办理期限 runs for (建议意见类、检举控告类: no 60-day clock, 第三十四条),
    # each with its last follow-up (``last_on``) and the next one planned (``next_on``).
    unclocked: list = field(default_factory=list)
    # How many each list holds (``worklist(..., shown=)`` lists the first few), how many of
    # them are not listed, and each unit's counts (the bureau's board).
    counts: dict[str, int] = field(default_factory=dict)
    hidden: dict[str, int] = field(default_factory=dict)
    unit_counts: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.follow_ups or self.unclocked)


# What a worklist row shows of its case: never an encrypted column, so nothing is decrypted.
WORKLIST_CASE_COLUMNS = ("number", "title", "unit__name", "unit__sort_order", "agent__full_name")


WORKLIST_SHOWN = 20  # rows a worklist section lists before “全部显示”


def worklist(user, *, today: datetime.date | None = None, shown: int | None = None) -> Worklist:
    """What needs doing, most urgent first: clocks passed, clocks due within 3 workdays (asked of
    the clocks, ``hooks.running_clocks``), follow-ups due. Overdue is derived from the stored due
    dates and today. ``shown``: list the first ``shown`` of each section (all are counted)."""
    today = today or timezone.localdate()
    clocks = hooks.running_clocks(user, today, shown=shown)
    newer = FollowUp.objects.filter(case=OuterRef("case"), created_at__gt=OuterRef("created_at"))
    # Scoped through the join, not ``case__in=visible``: the planner may then start from the
    # follow-ups planned by today (the next_on index) instead of every open case of the unit.
    follow_ups = list(
        rules.scoped(FollowUp.objects.filter(next_on__lte=today), user, "view_cases", unit_field="case__unit")
        .exclude(case__status__in=workflow.FINAL)
        .exclude(Exists(newer))
        .select_related("case", "case__unit", "case__agent")
        .only("on", "means", "contact", "next_on", *(f"case__{name}" for name in WORKLIST_CASE_COLUMNS))
        .order_by("next_on", "case__number")
    )
    unclocked = _with_follow_up_dates(clocks.unclocked)
    units = {
        "overdue": clocks.overdue_units,
        "due_soon": clocks.due_soon_units,
        "follow_ups": [f.case.unit_id for f in follow_ups],
        "unclocked": [c.unit_id for c in unclocked],
    }
    unit_counts: dict[int, dict[str, int]] = {}
    for key, ids in units.items():
        for unit_id in ids:
            entry = unit_counts.setdefault(unit_id, dict.fromkeys(units, 0))
            entry[key] += 1
    listed = {
        "overdue": clocks.overdue,
        "due_soon": clocks.due_soon,
        "follow_ups": follow_ups[:shown] if shown is not None else follow_ups,
        "unclocked": unclocked[:shown] if shown is not None else unclocked,
    }
    counts = {key: len(ids) for key, ids in units.items()}
    return Worklist(
        today=today,
        soon_until=clocks.soon_until,
        **listed,
        counts=counts,
        hidden={key: counts[key] - len(rows) for key, rows in listed.items()},
        unit_counts=unit_counts,
    )


def _with_follow_up_dates(case_ids: list[int]) -> list[Case]:
    """The cases, each with the day of its latest follow-up and the next one it planned, the
    cases whose next follow-up is soonest (or not planned) first."""
    if not case_ids:
        return []
    latest = FollowUp.objects.filter(case=OuterRef("pk")).order_by("-created_at", "-id")
    cases = (
        Case.objects.filter(pk__in=case_ids)
        .select_related("unit", "agent")
        .only("petition_type", "accepted_on", *WORKLIST_CASE_COLUMNS)
        .annotate(last_on=Subquery(latest.values("on")[:1]), next_on=Subquery(latest.values("next_on")[:1]))
    )
    far = datetime.date.max
    # ``next_on`` is the annotation above.
    return sorted(
        cases,
        key=lambda c: (c.next_on is not None, c.next_on or far, c.accepted_on or far, c.pk),  # type: ignore[attr-defined]
    )


def board_by_unit(work: Worklist) -> list[dict]:
    """The bureau's board: every active unit with its worklist counts, most overdue first."""
    none = {"overdue": 0, "due_soon": 0, "follow_ups": 0}
    # An inactive unit is on the board while it still has something to do.
    units = Unit.objects.filter(Q(active=True) | Q(pk__in=list(work.unit_counts)))
    board = [
        {"unit": unit, **{key: work.unit_counts.get(unit.pk, none).get(key, 0) for key in none}}
        for unit in units
    ]
    return sorted(board, key=lambda e: (-e["overdue"], -e["due_soon"], e["unit"].sort_order))
