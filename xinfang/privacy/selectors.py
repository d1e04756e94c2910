"""What the retention rules make due, and everything held about one document number.

A case is **final** (终结) on its ``closed_on`` (引导, 撤回委托, 不予受理, 不再受理, 复核终结), or,
when the reply or the 复查意见 was delivered and the petitioner asked for nothing more, on the last
day of the 复查 or 复核 request window that ran out unused (《信访工作条例》第三十五条、第三十六条; the
platform password is wiped on the same reading, ``notify.selectors.passwords_to_wipe``). Each kind
of personal data (``DataKind``) is kept the rule's years after that day and is **due** the day
after the anniversary. Whether something is still to erase is read from the data itself (an
empty column, a file still linked, a version whose hash is not yet replaced): there is no
progress record to trust, and a run stopped half-way is finished by the next.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from xinfang.cases.history import event_notes
from xinfang.cases.models import FINAL_STATUSES, Case, CaseEvent, CaseFile, CoPetitioner, FollowUp, Petitioner
from xinfang.cases.models import CaseStatus as S
from xinfang.core import crypto
from xinfang.deadlines.models import CaseDeadline
from xinfang.oversight.models import RiskReport
from xinfang.privacy.models import (
    COVERS,
    DEFAULT_YEARS,
    ERASED_HASH_PREFIX,
    DataKind,
    DataRequest,
    RetentionRule,
    RetentionRun,
)
from xinfang.ratings.models import FeedbackForm, Rating

# The request windows whose running out ends a delivered case (复查 30 日, 复核 30 日).
WINDOWS = ("review_request", "re_review_request")
ENDED_BY_WINDOW = (S.DELIVERED, S.REVIEWED)
KINDS = tuple(DataKind.values)
SHOWN = 200  # due cases listed on the page; the counts cover all


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def _present(column: str) -> GreaterThan:
    """An encrypted column that still holds something (its token's length; nothing decrypted)."""
    return GreaterThan(Length(column), 0)


# --- The rules -------------------------------------------------------------------------------------


def rule_years() -> dict[str, int]:
    """Each kind's years: the rule bureau staff set, else ``DEFAULT_YEARS``. One query."""
    years = dict.fromkeys(KINDS, DEFAULT_YEARS)
    years.update(RetentionRule.objects.values_list("kind", "years"))
    return years


@dataclass(frozen=True)
class RuleRow:
    kind: str
    label: str
    covers: str
    years: int
    rule: RetentionRule | None


def rule_rows() -> list[RuleRow]:
    found = {r.kind: r for r in RetentionRule.objects.select_related("set_by")}
    return [
        RuleRow(
            kind,
            DataKind(kind).label,
            COVERS[DataKind(kind)],
            found[kind].years if kind in found else DEFAULT_YEARS,
            found.get(kind),
        )
        for kind in KINDS
    ]


# --- When a case is final --------------------------------------------------------------------------


def _final(closed_by: Q, window_until: datetime.date) -> Q:
    window = CaseDeadline.objects.filter(
        case=OuterRef("pk"), clock__code__in=WINDOWS, stopped_on__isnull=True, due_on__lt=window_until
    )
    return Q(closed_by, status__in=FINAL_STATUSES) | Q(Exists(window), status__in=ENDED_BY_WINDOW)


def ended_before(day: datetime.date) -> Q:
    """Cases final before ``day``: closed before it, or whose request window ran out before it."""
    return _final(Q(closed_on__lt=day), day)


def ended(today: datetime.date) -> Q:
    """Cases final today: closed (on or before today), or whose window's last day has passed."""
    return _final(Q(closed_on__isnull=False), today)


def final_days(cases: list[Case], today: datetime.date) -> dict[int, datetime.date | None]:
    """The day each case became final (None: not final). One query for the windows."""
    windows: dict[int, datetime.date] = {}
    waiting = [c.pk for c in cases if c.status in ENDED_BY_WINDOW]
    if waiting:
        for case_id, due_on in CaseDeadline.objects.filter(
            case_id__in=waiting, clock__code__in=WINDOWS, stopped_on__isnull=True
        ).values_list("case_id", "due_on"):
            windows[case_id] = max(due_on, windows.get(case_id, due_on))
    return {case.pk: _final_day(case, windows.get(case.pk), today) for case in cases}


def _final_day(case: Case, window: datetime.date | None, today: datetime.date) -> datetime.date | None:
    """``window``: the last day of the case's running request window, if one runs."""
    if case.status in FINAL_STATUSES:
        return case.closed_on
    if case.status in ENDED_BY_WINDOW and window is not None and window < today:
        return window
    return None


# --- What is due -----------------------------------------------------------------------------------


def with_something(kind: str, cases: QuerySet[Case]) -> QuerySet[Case]:
    """Of ``cases``, those that still hold data of ``kind`` at the case's own level (a
    petitioner's versions are asked about apart: ``erasable_versions``)."""
    if kind == DataKind.CONTENT:
        return cases.filter(_present("content"))
    if kind == DataKind.FILES:
        return cases.filter(
            Q(Exists(CaseFile.objects.filter(case=OuterRef("pk"))))
            | Q(Exists(FeedbackForm.objects.filter(case=OuterRef("pk"), signed_scan__isnull=False)))
        )
    named_report = RiskReport.objects.filter(case=OuterRef("pk")).filter(_present("petitioner_name"))
    return cases.filter(
        Q(_present("platform_username"))
        | Q(_present("platform_password"))
        | Q(_present("query_code"))
        | ~Q(query_code_hash="")
        | Q(Exists(named_report))
    )


def live_versions() -> QuerySet[Petitioner]:
    return Petitioner.objects.exclude(id_number_hash__startswith=ERASED_HASH_PREFIX)


def _pointed_at_by(cases: QuerySet[Case]) -> Q:
    """Versions that one of ``cases`` names, as its petitioner or as a 联名 petitioner."""
    return Q(Exists(cases.filter(petitioner=OuterRef("pk")))) | Q(
        Exists(CoPetitioner.objects.filter(case__in=cases.values("pk"), petitioner=OuterRef("pk")))
    )


def erasable_versions(ended_cases: QuerySet[Case]) -> QuerySet[Petitioner]:
    """Versions not yet erased that some case of ``ended_cases`` names and no other case does: a
    version several cases share is erased only when none of them still needs it."""
    kept = Case.objects.exclude(pk__in=ended_cases.values("pk"))
    return live_versions().filter(_pointed_at_by(ended_cases)).exclude(_pointed_at_by(kept))


def waiting_versions(ended_cases: QuerySet[Case]) -> QuerySet[Petitioner]:
    """Versions an ended case names that another case, still kept, names too."""
    kept = Case.objects.exclude(pk__in=ended_cases.values("pk"))
    return live_versions().filter(_pointed_at_by(ended_cases)).filter(_pointed_at_by(kept))


def versions_of(case_ids) -> dict[int, set[int]]:
    """Each case's versions (its petitioner's and its 联名 petitioners'). Two queries."""
    found: dict[int, set[int]] = defaultdict(set)
    for case_id, version in Case.objects.filter(pk__in=case_ids).values_list("pk", "petitioner_id"):
        found[case_id].add(version)
    for case_id, version in CoPetitioner.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "petitioner_id"
    ):
        found[case_id].add(version)
    return found


def cases_naming(version_ids) -> dict[int, set[int]]:
    """For each version, the cases that name it. Two queries."""
    found: dict[int, set[int]] = defaultdict(set)
    for case_id, version in Case.objects.filter(petitioner_id__in=version_ids).values_list(
        "pk", "petitioner_id"
    ):
        found[version].add(case_id)
    for case_id, version in CoPetitioner.objects.filter(petitioner_id__in=version_ids).values_list(
        "case_id", "petitioner_id"
    ):
        found[version].add(case_id)
    return found


@dataclass
class DueCase:
    pk: int
    number: str
    unit_name: str
    final_day: datetime.date | None
    kinds: list[str]
    versions: list[int] = field(default_factory=list)  # the versions erased with it

    @property
    def kind_labels(self) -> str:
        return "、".join(DataKind(k).label for k in KINDS if k in self.kinds)


@dataclass
class Due:
    """What the rules make due on ``today``: cases (with the kinds due and the versions to erase
    with them), versions still needed by a kept case, risk reports of no case."""

    today: datetime.date
    years: dict[str, int]
    cases: list[DueCase]
    waiting: int
    reports: dict[int, list[str]]  # report id → kinds

    def cutoff(self, kind: str) -> datetime.date:
        return add_years(self.today, -self.years[kind])

    def count(self, kind: str) -> int:
        return sum(1 for c in self.cases if kind in c.kinds)

    @property
    def versions(self) -> int:
        return len({v for c in self.cases for v in c.versions})

    @property
    def empty(self) -> bool:
        return not self.cases and not self.reports

    @property
    def digest(self) -> str:
        """What the page's confirmation is about: a changed list asks to confirm again."""
        text = repr(
            (
                [(c.pk, sorted(c.kinds), sorted(c.versions)) for c in self.cases],
                sorted((k, sorted(v)) for k, v in self.reports.items()),
            )
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def ended_for(kind: str, today: datetime.date, years: dict[str, int]) -> QuerySet[Case]:
    return Case.objects.filter(ended_before(add_years(today, -years[kind])))


def due(today: datetime.date | None = None) -> Due:
    """Everything the rules make due on ``today``. A few queries per kind, whatever the count."""
    today = today or timezone.localdate()
    years = rule_years()
    kinds: dict[int, set[str]] = defaultdict(set)
    for kind in KINDS:
        for pk in with_something(kind, ended_for(kind, today, years)).values_list("pk", flat=True):
            kinds[pk].add(kind)
    particulars = ended_for(DataKind.PARTICULARS, today, years)
    versions = set(erasable_versions(particulars).values_list("pk", flat=True))
    naming = cases_naming(versions)
    for version in versions:
        for case_id in naming[version]:
            kinds[case_id].add(DataKind.PARTICULARS)
    of_case = versions_of(list(kinds))
    rows = list(Case.objects.filter(pk__in=list(kinds)).select_related("unit").order_by("pk"))
    days = final_days(rows, today)
    cases: list[DueCase] = []
    assigned: set[int] = set()
    for case in rows:
        mine = sorted((of_case[case.pk] & versions) - assigned)
        assigned.update(mine)
        cases.append(
            DueCase(case.pk, case.number, case.unit.name, days[case.pk], sorted(kinds[case.pk]), mine)
        )
    return Due(
        today=today,
        years=years,
        cases=cases,
        waiting=waiting_versions(particulars).count(),
        reports=reports_due(today, years),
    )


def reports_due(today: datetime.date, years: dict[str, int]) -> dict[int, list[str]]:
    """Risk reports of no case, disposed of the rule's years ago, still holding a name
    (信访人信息) or their text (诉求内容). Reports of a case go with the case."""
    found: dict[int, list[str]] = defaultdict(list)
    for kind, columns in (
        (DataKind.PARTICULARS, ("petitioner_name",)),
        (DataKind.CONTENT, ("description", "disposal")),
    ):
        before = timezone.make_aware(
            datetime.datetime.combine(add_years(today, -years[kind]), datetime.time.min)
        )
        holding = Q()
        for column in columns:
            holding |= Q(_present(column))
        for pk in RiskReport.objects.filter(holding, case__isnull=True, disposed_at__lt=before).values_list(
            "pk", flat=True
        ):
            found[pk].append(kind)
    return dict(found)


def recent_runs(limit: int = 20) -> QuerySet[RetentionRun]:
    return RetentionRun.objects.select_related("by")[:limit]


def recent_requests(limit: int = 30) -> QuerySet[DataRequest]:
    return DataRequest.objects.select_related("handled_by")[:limit]


# --- Everything held about one document number ------------------------------------------------------


@dataclass
class PersonCase:
    case: Case
    main: bool  # the case's petitioner (else a 联名 petitioner)
    final_day: datetime.date | None
    files: int = 0  # the case's files and the 反馈表's signed scan

    @property
    def role(self) -> str:
        return "信访人" if self.main else "联名信访人"

    @property
    def erasable(self) -> bool:
        return self.final_day is not None

    @property
    def answer(self) -> str:
        """What a request to delete does to this case, in the page's words."""
        if not self.erasable:
            return "办理中，不能删除：信访人可先撤回委托（撤回后事项终结），再申请删除。"
        if self.main:
            return "可删除：信访人信息、诉求内容、扫描件和附件。"
        return "可删除本人的信息；诉求内容和文件也是其他联名信访人的，按保存期限处理。"


@dataclass
class Holdings:
    versions: list[Petitioner]
    cases: list[PersonCase]
    files: dict[int, list[CaseFile]]
    events: dict[int, list[CaseEvent]]
    follow_ups: dict[int, list[FollowUp]]
    ratings: dict[int, Rating]
    feedback: dict[int, FeedbackForm]
    reports: list[RiskReport]  # of the person's cases
    named_reports: list[RiskReport]  # of no case, naming someone of the same name

    @property
    def found(self) -> bool:
        return bool(self.versions)

    def counts(self) -> dict[str, int]:
        return {
            "versions": len(self.versions),
            "cases": len(self.cases),
            "final": sum(1 for c in self.cases if c.erasable),
            "files": sum(len(v) for v in self.files.values()),
            "reports": len(self.reports),
        }

    def notes(self, event: CaseEvent) -> str:
        return "；".join(event_notes(event))


def find_versions(id_number: str) -> QuerySet[Petitioner]:
    """Every version registered under the document number, in every unit, under any key of the
    ring (a rotation may be half done): ``id_number`` as the document's check normalised it."""
    return (
        Petitioner.objects.filter(id_number_hash__in=crypto.lookup_hashes("id_number", id_number))
        .select_related("unit")
        .order_by("unit__sort_order", "unit_id", "version")
    )


def holdings(id_number: str, today: datetime.date | None = None) -> Holdings:
    """All that is held about the person with this document number: the versions of their
    particulars, their cases (as petitioner or 联名), and what each case keeps."""
    today = today or timezone.localdate()
    versions = list(find_versions(id_number))
    ids = [v.pk for v in versions]
    rows = list(
        Case.objects.filter(Q(petitioner_id__in=ids) | Q(co_petitioners__petitioner_id__in=ids))
        .distinct()
        .select_related("unit", "category", "agent", "platform", "petitioner")
        .order_by("received_on", "pk")
    )
    days = final_days(rows, today)
    cases = [PersonCase(c, c.petitioner_id in ids, days[c.pk]) for c in rows]
    case_ids = [c.pk for c in rows]
    by_case: dict[str, dict[int, list]] = {
        "files": defaultdict(list),
        "events": defaultdict(list),
        "follow": defaultdict(list),
    }
    for f in CaseFile.objects.filter(case_id__in=case_ids).select_related("file"):
        by_case["files"][f.case_id].append(f)
    for e in CaseEvent.objects.filter(case_id__in=case_ids).select_related("by"):
        by_case["events"][e.case_id].append(e)
    for u in FollowUp.objects.filter(case_id__in=case_ids).order_by("on", "pk"):
        by_case["follow"][u.case_id].append(u)
    feedback = {
        f.case_id: f for f in FeedbackForm.objects.filter(case_id__in=case_ids).select_related("signed_scan")
    }
    for row in cases:
        row.files = len(by_case["files"].get(row.case.pk, [])) + bool(
            row.case.pk in feedback and feedback[row.case.pk].signed_scan_id
        )
    names = [h for v in versions if v.name_hash for h in crypto.lookup_hashes("name", _name_key(v))]
    return Holdings(
        versions=versions,
        cases=cases,
        files=dict(by_case["files"]),
        events=dict(by_case["events"]),
        follow_ups=dict(by_case["follow"]),
        ratings={r.case_id: r for r in Rating.objects.filter(case_id__in=case_ids)},
        feedback={
            f.case_id: f
            for f in FeedbackForm.objects.filter(case_id__in=case_ids).select_related("signed_scan")
        },
        reports=list(RiskReport.objects.filter(case_id__in=case_ids).select_related("unit")),
        named_reports=list(
            RiskReport.objects.filter(case__isnull=True, petitioner_name_hash__in=names).select_related(
                "unit"
            )
        )
        if names
        else [],
    )


def _name_key(version: Petitioner) -> str:
    return Petitioner._meta.get_field("name_hash").normalize(version.name)


# --- The case page's card --------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseCard:
    final_day: datetime.date | None
    kept_until: list[tuple[str, datetime.date | None]]  # (kind label, last day kept)
    erased: list[tuple[datetime.date, str]]  # (day, what)


def case_card(case: Case, user) -> CaseCard:
    """How long the case's personal data is kept, and what has been erased: from the clocks and
    the history the case page reads (``case.deadlines``, ``case.events``), and one query."""
    today = timezone.localdate()
    windows = [d.due_on for d in case.deadlines.all() if d.clock.code in WINDOWS and d.stopped_on is None]
    final_day = _final_day(case, max(windows, default=None), today)
    years = rule_years()
    kept = [(DataKind(k).label, add_years(final_day, years[k]) if final_day else None) for k in KINDS]
    erasures = sorted((e for e in case.events.all() if e.action == "erased"), key=lambda e: (e.at, e.pk))
    erased = [
        (
            timezone.localdate(e.at),
            "、".join(DataKind(k).label for k in KINDS if k in (e.data or {}).get("kinds", [])),
        )
        for e in erasures
    ]
    return CaseCard(final_day, kept, erased)
