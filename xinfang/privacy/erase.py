"""What erasing writes: a case's content, files and own particulars, a petitioner's version, a
risk report. Called by ``actions`` only, which have checked the actor.

Erasing is anonymising in place: every row stays, so every count stays (cases per month, unit,
category and town, statuses and dates, deadlines, ratings and their satisfaction, risk reports
per unit and kind), while the personal values go: encrypted columns are emptied (their tokens
with them), keyed hashes are removed, free text is replaced by ``ERASED_TEXT``, files are
overwritten and deleted. Case events are append-only; erasing is the one exception the law
makes (《个人信息保护法》第四十七条): the free-text reasons in their data are replaced, everything
else in them (dates, codes, field names) stays. The encrypted values leave the database file
only when it is rewritten: ``compact``.

Each case is one short transaction: its row locked, the rule checked again (a late 复查 request
may have reopened it meanwhile), its kinds erased, one ``erased`` event in its history. Files
are destroyed after the commit; a crash in between leaves files with no row, which
``xinfang remind`` sweeps away within the hour (``core.files.sweep_orphans``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from xinfang.cases.history import record_event
from xinfang.cases.models import Case, CaseEvent, CaseFile, FollowUp, Petitioner, query_code_keys
from xinfang.core import files
from xinfang.core.models import StoredFile
from xinfang.oversight.models import RiskReport
from xinfang.privacy.models import ERASED_HASH_PREFIX, ERASED_NAME, ERASED_TEXT, DataKind
from xinfang.privacy.selectors import with_something
from xinfang.public.models import LookupAttempt
from xinfang.ratings.models import FeedbackForm, Rating

# Keys of a case event's data that hold text someone typed (a refusal's or extension's reason,
# a late request's reason, a link's note); the rest are dates, codes and names of fields.
FREE_TEXT_KEYS = ("reason", "late_reason", "note")
# Keys that hold a destroyed file's SHA-256 (the list of an attachment step holds several).
FILE_KEYS = ("document", "scan", "registration_scan")
KINDS = tuple(DataKind.values)
REASONS = {"retention": "保存期限届满", "request": "信访人申请删除"}


@dataclass
class Tally:
    """What was erased, for the run's audit row and the page."""

    cases: int = 0  # cases with anything erased
    content: int = 0  # cases whose content was erased
    files_cases: int = 0  # cases whose files were destroyed
    files: int = 0  # stored files destroyed
    particulars: int = 0  # cases whose platform account, query code or report names were erased
    petitioners: int = 0  # versions of petitioners' particulars erased
    reports: int = 0  # risk reports erased (of a case, or of none)
    lookups: int = 0  # public look-up tries keyed by an erased query code, deleted
    texts: int = 0  # case events whose free text was replaced

    def add(self, other: Tally) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @property
    def any(self) -> bool:
        return any(asdict(self).values())


def _scrub_events(case_id: int, keys: Iterable[str], *, files_too: bool = False) -> int:
    """Replace the free text (and, for files, the list of checksums) in a case's events."""
    changed = 0
    for event in CaseEvent.objects.filter(case_id=case_id).exclude(action="erased").only("pk", "data"):
        data = dict(event.data or {})
        for key in keys:
            if data.get(key):
                data[key] = ERASED_TEXT
        if files_too:
            for key in FILE_KEYS:
                if data.get(key):
                    data[key] = ""
            if isinstance(data.get("files"), list):
                data["files"] = len(data["files"])
        if data != (event.data or {}):
            # The one change a case event may undergo: see the module's docstring.
            CaseEvent.objects.filter(pk=event.pk).update(data=data)
            changed += 1
    return changed


def erase_content(case: Case, tally: Tally) -> None:
    """诉求内容 and the text written while handling it."""
    late = [{**step, "reason": ERASED_TEXT} for step in case.late_steps or []]
    Case.objects.filter(pk=case.pk).update(
        content="",
        title=ERASED_TEXT,
        respondent_name=ERASED_TEXT,
        incident_place="",
        scope_note="",
        late_steps=late,
        updated_at=timezone.now(),
    )
    FollowUp.objects.filter(case_id=case.pk).update(contact=ERASED_TEXT, content=ERASED_TEXT)
    Rating.objects.filter(case_id=case.pk).update(comment="")
    FeedbackForm.objects.filter(case_id=case.pk).update(
        office_comment="", body_comment="", documents=ERASED_TEXT
    )
    tally.reports += RiskReport.objects.filter(case_id=case.pk).update(description="", disposal="")
    tally.texts += _scrub_events(case.pk, FREE_TEXT_KEYS)
    tally.content += 1


def erase_files(case: Case, tally: Tally) -> list[str]:
    """The case's files and the 反馈表's signed scan: rows deleted now, files after the commit."""
    links = CaseFile.objects.filter(case_id=case.pk)
    scans = FeedbackForm.objects.filter(case_id=case.pk, signed_scan__isnull=False)
    stored = [*links.values_list("file_id", flat=True), *scans.values_list("signed_scan_id", flat=True)]
    scans.update(signed_scan=None)
    links.delete()
    names = list(StoredFile.objects.filter(pk__in=stored).values_list("storage_name", flat=True))
    StoredFile.objects.filter(pk__in=stored).delete()
    tally.texts += _scrub_events(case.pk, (), files_too=True)
    tally.files += len(names)
    tally.files_cases += 1
    return names


def erase_case_particulars(case: Case, tally: Tally) -> None:
    """The platform account, password and 查询码 (with the public look-up tries keyed by it), and
    the petitioner's name on the case's risk reports."""
    if case.query_code:
        tally.lookups += LookupAttempt.objects.filter(
            code_hash__in=query_code_keys(case.query_code)
        ).delete()[0]
    Case.objects.filter(pk=case.pk).update(
        platform_username="",
        platform_password="",
        query_code="",
        query_code_hash="",
        updated_at=timezone.now(),
    )
    tally.reports += RiskReport.objects.filter(case_id=case.pk).update(
        petitioner_name="", petitioner_name_hash=""
    )
    tally.particulars += 1


def erase_version(pk: int) -> bool:
    """One version of a petitioner's particulars; False if it was erased already."""
    return bool(
        Petitioner.objects.filter(pk=pk)
        .exclude(id_number_hash__startswith=ERASED_HASH_PREFIX)
        .update(
            name=ERASED_NAME,
            name_hash="",
            id_number="",
            id_number_hash=f"{ERASED_HASH_PREFIX}{pk}",
            mobile="",
            mobile_hash="",
            landline="",
            address="",
            work_unit="",
            updated_at=timezone.now(),
        )
    )


def erase_report(pk: int, kinds: Iterable[str]) -> int:
    """A risk report of no case: the name (信访人信息) or the text (诉求内容)."""
    values: dict[str, str] = {}
    if DataKind.PARTICULARS in kinds:
        values.update(petitioner_name="", petitioner_name_hash="")
    if DataKind.CONTENT in kinds:
        values.update(description="", disposal="")
    return RiskReport.objects.filter(pk=pk).update(**values) if values else 0


Eligible = Callable[[str], QuerySet[Case]]  # kind → the cases on which it may be erased now
Versions = Callable[[], QuerySet[Petitioner]]  # the versions that may be erased now


def erase_case(
    pk: int,
    kinds: Iterable[str],
    versions: Iterable[int],
    *,
    eligible: Eligible,
    erasable: Versions,
    by,
    basis: str,
    own: bool = True,
) -> Tally:
    """One case in one transaction (see the module's docstring). ``eligible`` and ``erasable``
    are asked again under the lock; what no longer qualifies is left. ``own`` False: only the
    given versions (a 联名 petitioner's request leaves the case's own account and query code, which
    are the first petitioner's). ``by`` None: the command line, and the event is the case's
    agent's, marked automatic (as for the password wipe)."""
    tally, doomed = Tally(), []
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).get(pk=pk)
        this = Case.objects.filter(pk=pk)
        allowed = [k for k in KINDS if k in kinds and eligible(k).filter(pk=pk).exists()]
        # Only what is still there is erased and named in the event (a request may come after
        # a run that erased part of it).
        done = [k for k in allowed if k != DataKind.PARTICULARS and with_something(k, this).exists()]
        if DataKind.CONTENT in done:
            erase_content(case, tally)
        if DataKind.FILES in done:
            doomed = erase_files(case, tally)
        if DataKind.PARTICULARS in allowed:
            own_data = own and with_something(DataKind.PARTICULARS, this).exists()
            if own_data:
                erase_case_particulars(case, tally)
            ids = set(erasable().filter(pk__in=list(versions)).values_list("pk", flat=True))
            erased = sum(erase_version(v) for v in sorted(ids))
            tally.petitioners += erased
            if own_data or erased:
                done.append(DataKind.PARTICULARS)
        if done:
            tally.cases += 1
            done = [k for k in KINDS if k in done]
            what = "、".join(DataKind(k).label for k in done)
            data: dict[str, Any] = {
                "kinds": done,
                "basis": basis,
                "reason": f"{REASONS[basis]}，已删除{what}",
            }
            if by is None:
                data["automatic"] = True
            record_event(case, by=by or case.agent_id, action="erased", on=timezone.localdate(), **data)
        if doomed:
            transaction.on_commit(lambda: [files.destroy(name) for name in doomed])
    return tally
