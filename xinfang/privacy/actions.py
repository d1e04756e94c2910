"""The doors: the retention rules, the retention run, and the answers to a petitioner's request.

Each checks its actor against the capability table before anything else (``manage_retention``,
``handle_data_requests``: bureau staff), so that a refusal changes nothing and is logged, and
writes one audit row: the rule's change (``POLICY``), the run with its counts (``WIPE``), a look-up
(``REVEAL``), a copy (``EXPORT``) or a deletion (``WIPE``) with the reason given. The command line
(``by`` None) is the server's operator: trusted, logged as such.

A request to delete (《个人信息保护法》第四十七条) is granted for every case of the person that is
final, whatever the retention period: the period is the bureau's own rule, not one a law or an
administrative regulation sets (第四十七条第二款), and once a case is final the purpose of the
proxy is achieved (第四十七条第一款第一项). A case still being handled is refused (the data is
needed to carry out the petitioner's own 委托, 第十三条第一款第二项); the petitioner may withdraw
the proxy first. The page says the same (``templates/privacy/person.html``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from xinfang.access import rules
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.cases.models import Case, Petitioner
from xinfang.core.errors import DomainError
from xinfang.privacy import compact as compacting
from xinfang.privacy import erase, exports, selectors
from xinfang.privacy.models import (
    MAX_YEARS,
    MIN_YEARS,
    DataKind,
    DataRequest,
    RequestKind,
    RetentionRule,
    RetentionRun,
)

MANAGE = "manage_retention"
REQUESTS = "handle_data_requests"
COMMAND_LINE = "(command line)"
MAX_REASON = 500


class PrivacyError(DomainError):
    """A rule, run or request the rules refuse; ``field`` names the form field."""


# --- The rules -------------------------------------------------------------------------------------


def set_retention(*, kind: str, years: int, basis: str = "", by, request=None) -> RetentionRule:
    """From now on, ``kind`` is kept ``years`` years after a case is final. The next run applies it
    to every case, those already final included (a shorter period makes more due at once: the
    page lists them before anything is erased)."""
    rules.check(by, MANAGE, request=request)
    if kind not in DataKind.values:
        raise PrivacyError("没有这个信息类别。", "kind")
    if years is None or not MIN_YEARS <= years <= MAX_YEARS:
        raise PrivacyError(f"保存年限应为{MIN_YEARS}至{MAX_YEARS}之间的整数。", "years")
    basis = (basis or "").strip()[:200]
    with transaction.atomic():
        old = selectors.rule_years()[kind]
        rule, _ = RetentionRule.objects.update_or_create(
            kind=kind, defaults={"years": years, "basis": basis, "set_by": by}
        )
        record(
            AuditAction.POLICY,
            by=by,
            request=request,
            target=rule,
            kind="retention",
            data_kind=kind,
            years=years,
            old_years=old,
            basis=basis,
        )
    return rule


# --- The run ---------------------------------------------------------------------------------------


@dataclass
class RunResult:
    run: RetentionRun
    tally: erase.Tally
    compaction: compacting.Compaction | None


def _eligible(due: selectors.Due):
    def eligible(kind: str) -> QuerySet[Case]:
        return selectors.ended_for(kind, due.today, due.years)

    return eligible


def run_retention(
    *,
    by=None,
    today: datetime.date | None = None,
    compact: bool = True,
    confirmed: str | None = None,
    request=None,
) -> RunResult:
    """Erase what the rules make due (``selectors.due``), case by case, then the risk reports of
    no case; then rewrite the database files (``compact``); then one run row and one audit row
    with the counts. ``confirmed``: the digest of the list the page showed; if the list changed
    since, nothing is erased and the page shows it again."""
    if by is not None:
        rules.check(by, MANAGE, request=request)
    due = selectors.due(today)
    if confirmed is not None and confirmed != due.digest:
        raise PrivacyError("到期清单在您确认之后有了变化，请核对新的清单后再确认。", "confirm")
    tally = erase.Tally()
    eligible = _eligible(due)
    particulars = eligible(DataKind.PARTICULARS)
    for row in due.cases:
        tally.add(
            erase.erase_case(
                row.pk,
                row.kinds,
                row.versions,
                eligible=eligible,
                erasable=lambda: selectors.erasable_versions(particulars),
                by=by,
                basis="retention",
            )
        )
    for pk, kinds in due.reports.items():
        with transaction.atomic():
            tally.reports += erase.erase_report(pk, kinds)
    compaction = compacting.compact() if compact and tally.any else None
    detail: dict[str, Any] = {
        "years": due.years,
        "compacted": bool(compaction and compaction.done),
        **tally.as_dict(),
    }
    with transaction.atomic():
        run = RetentionRun.objects.create(
            by=by,
            years=due.years,
            counts=tally.as_dict(),
            compaction=compaction.message if compaction else "",
        )
        record(
            AuditAction.WIPE,
            by=by,
            request=request,
            actor_name="" if by else COMMAND_LINE,
            target=run,
            kind="retention",
            **detail,
        )
    return RunResult(run, tally, compaction)


def compact_now(*, by=None, request=None) -> compacting.Compaction:
    """Rewrite the database files again (after a run whose compaction could not finish)."""
    if by is not None:
        rules.check(by, MANAGE, request=request)
    result = compacting.compact()
    record(
        AuditAction.WIPE,
        by=by,
        request=request,
        actor_name="" if by else COMMAND_LINE,
        target_type="retention",
        target_id="compact",
        kind="compact",
        compacted=result.done,
    )
    return result


# --- A petitioner's request --------------------------------------------------------------------------


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise PrivacyError("请写明申请事由和身份核验情况（记入审计日志）。", "reason")
    return reason[:MAX_REASON]


def _received(received_on: datetime.date | None) -> datetime.date:
    today = timezone.localdate()
    if received_on is None:
        return today
    if received_on > today:
        raise PrivacyError("申请日期不能晚于今天。", "received_on")
    return received_on


def _handled(
    kind: str, *, by, reason: str, received_on, found: selectors.Holdings, counts: dict, request
) -> DataRequest:
    """The request's row and its audit row, in the caller's transaction."""
    handled = DataRequest.objects.create(
        kind=kind,
        received_on=received_on,
        reason=reason,
        handled_by=by,
        counts=counts,
        cases=[c.case.number for c in found.cases],
    )
    action = {RequestKind.VIEW: AuditAction.REVEAL, RequestKind.COPY: AuditAction.EXPORT}.get(
        RequestKind(kind), AuditAction.WIPE
    )
    record(action, by=by, request=request, target=handled, kind="data_request", reason=reason, **counts)
    return handled


def look_up_person(
    *, by, id_number: str, reason: str, received_on: datetime.date | None = None, request=None
) -> selectors.Holdings:
    """Everything held about the holder of ``id_number`` (checked and normalised by its
    document's rule), shown whole to bureau staff: a 查阅 handled, with its reason logged."""
    rules.check(by, REQUESTS, request=request)
    reason, received_on = _reason(reason), _received(received_on)
    found = selectors.holdings(id_number)
    with transaction.atomic():
        _handled(
            RequestKind.VIEW,
            by=by,
            reason=reason,
            received_on=received_on,
            found=found,
            counts=found.counts(),
            request=request,
        )
    return found


def export_person(
    *, by, id_number: str, reason: str, received_on: datetime.date | None = None, request=None
) -> bytes:
    """The copy (复制, 第四十五条) as a .zip: a workbook of everything held and the files."""
    rules.check(by, REQUESTS, request=request)
    reason, received_on = _reason(reason), _received(received_on)
    found = selectors.holdings(id_number)
    if not found.found:
        raise PrivacyError("没有以该证件号码登记的信息，无可导出。", "id_number")
    content = exports.person_zip(found)
    with transaction.atomic():
        _handled(
            RequestKind.COPY,
            by=by,
            reason=reason,
            received_on=received_on,
            found=found,
            counts=found.counts(),
            request=request,
        )
    return content


@dataclass
class Erased:
    tally: erase.Tally
    refused: int  # cases still being handled, left whole
    compaction: compacting.Compaction | None


def erase_person(
    *, by, id_number: str, reason: str, received_on: datetime.date | None = None, request=None
) -> Erased:
    """Delete (第四十七条) what the law allows: see the module's docstring. The person's final
    cases lose their content, files and own particulars; each version of the person's
    particulars goes when every case naming it is final; a 联名 case of someone else keeps its
    content, losing only this person's version."""
    rules.check(by, REQUESTS, request=request)
    reason, received_on = _reason(reason), _received(received_on)
    today = timezone.localdate()
    found = selectors.holdings(id_number, today)
    if not found.found:
        raise PrivacyError("没有以该证件号码登记的信息，无可删除。", "id_number")
    mine = Petitioner.objects.filter(pk__in=[v.pk for v in found.versions])
    ended = Case.objects.filter(selectors.ended(today))

    def eligible(kind: str) -> QuerySet[Case]:
        return ended

    def erasable() -> QuerySet[Petitioner]:
        return selectors.erasable_versions(ended).filter(pk__in=mine.values("pk"))

    tally = erase.Tally()
    of_case = selectors.versions_of([c.case.pk for c in found.cases])
    mine_ids = {v.pk for v in found.versions}
    for row in found.cases:
        if not row.erasable:
            continue
        kinds = list(DataKind.values) if row.main else [DataKind.PARTICULARS]
        tally.add(
            erase.erase_case(
                row.case.pk,
                kinds,
                sorted(of_case[row.case.pk] & mine_ids),
                eligible=eligible,
                erasable=erasable,
                by=by,
                basis="request",
                own=row.main,
            )
        )
    refused = sum(1 for c in found.cases if not c.erasable)
    with transaction.atomic():
        _handled(
            RequestKind.DELETE,
            by=by,
            reason=reason,
            received_on=received_on,
            found=found,
            counts={**tally.as_dict(), "refused_open": refused},
            request=request,
        )
    return Erased(tally, refused, compacting.compact() if tally.any else None)
