"""Every change to a case is one function here.

Each runs in one transaction: lock the case row, check the step against the transition
table (``workflow``), save with ``update_fields``, and write a ``CaseEvent``. Events carry
dates, choices and field names, never personal values.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from xinfang.cases import scope, workflow
from xinfang.cases.models import (
    Case,
    CaseEvent,
    CaseFile,
    CaseNumberCounter,
    CaseStatus,
    FileKind,
    FollowUp,
    Petitioner,
)
from xinfang.core import crypto, files

PETITIONER_FIELDS = ("name", "id_number", "mobile", "landline", "address", "work_unit")
COMPLAINT_FIELDS = (
    "respondent_kind",
    "respondent_name",
    "petition_type",
    "category",
    "incident_town",
    "incident_place",
    "allow_public",
    "court_accepted",
    "reconsideration_done",
    "arbitration_accepted",
    "has_review_opinion",
    "title",
    "content",
)


def _event(
    case: Case,
    *,
    by,
    action: str,
    from_status: str = "",
    to_status: str = "",
    on: datetime.date | None = None,
    **data: Any,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, by=by, action=action, on=on, from_status=from_status, to_status=to_status, data=data
    )


def _locked(case: Case) -> Case:
    # Lock the case row only: locking its unit too would queue every new case of the unit.
    return Case.objects.select_for_update(of=("self",)).select_related("unit", "petitioner").get(pk=case.pk)


def _move(
    case: Case,
    step_name: str,
    *,
    by,
    fields: Iterable[str] = (),
    on: datetime.date | None = None,
    **data: Any,
) -> Case:
    """Check the step, set the new status and the given fields, save, and record the event."""
    step = workflow.check(case.status, step_name)
    old = case.status
    fields = set(fields)
    if step.target is not None:
        case.status = step.target
    if case.status in workflow.FINAL and old not in workflow.FINAL:
        case.closed_on = on or timezone.localdate()
        fields.add("closed_on")
    case.save(update_fields={"status", "updated_at", *fields})
    _event(case, by=by, action=step_name, from_status=old, to_status=case.status, on=on, **data)
    if on is not None:
        from xinfang.deadlines.actions import on_case_step

        on_case_step(case, action=step_name, on=on, by=by, extension_days=int(data.get("days", 0) or 0))
    return case


def allocate_number(unit, year: int) -> int:
    """Next number for the unit and year, with neither gaps nor duplicates.

    Runs inside the caller's transaction: the counter row stays locked (PostgreSQL row
    lock; SQLite's write lock taken at BEGIN IMMEDIATE) until the case is committed, and
    a rolled-back case gives its number back.
    """
    CaseNumberCounter.objects.bulk_create(
        [CaseNumberCounter(unit=unit, year=year, last=0)], ignore_conflicts=True
    )
    CaseNumberCounter.objects.filter(unit=unit, year=year).update(last=F("last") + 1)
    return CaseNumberCounter.objects.get(unit=unit, year=year).last


class IntakeError(workflow.TransitionError):
    """A new-case form the rules refuse; ``message`` is for the agent, who keeps what was typed.
    ``foreign_case`` is the id of another agent's case whose token the form carried (for the
    audit log; never shown)."""

    def __init__(self, message: str, foreign_case: int | None = None):
        super().__init__(message)
        self.message = message
        self.foreign_case = foreign_case


FOREIGN_FORM = "这张登记表的表单编号已被其他登记使用，无法保存。已为您换上新的表单编号，您填写的内容都保留着，请核对后再次提交。"
BUSY = "同一信访人正由其他代理员同时登记，请稍候再提交一次；您填写的内容都保留着。"
# Tries at inserting a new person before giving up; each failure means another agent's insert
# of the same person committed meanwhile, so the next look finds it: two tries suffice.
PETITIONER_TRIES = 3


def _fill(petitioner: Petitioner, data: dict[str, Any]) -> Petitioner:
    for field in PETITIONER_FIELDS:
        setattr(petitioner, field, data.get(field, ""))
    petitioner.save()
    return petitioner


def _find_petitioner(unit, id_hashes: list[str]) -> Petitioner | None:
    # Every key of the ring: during a key rotation the record may still carry the old key's hash.
    return Petitioner.objects.select_for_update().filter(unit=unit, id_number_hash__in=id_hashes).first()


def _save_petitioner(unit, data: dict[str, Any], existing: Petitioner | None = None) -> Petitioner:
    """The unit's record of this person: found by ID number, updated with what was typed now.

    Two agents may register the same new person at the same moment. On PostgreSQL the second
    insert waits for the first transaction and then violates ``petitioner_unique_per_unit``;
    the insert runs in a savepoint, so that violation rolls back the insert alone, and the next
    look finds (and locks) the record the other agent has just committed. SQLite's writers run
    one at a time (BEGIN IMMEDIATE) and find it at the first look.
    """
    if existing is not None:
        return _fill(existing, data)
    id_hashes = crypto.lookup_hashes("id_number", data["id_number"])
    for _ in range(PETITIONER_TRIES):
        found = _find_petitioner(unit, id_hashes)
        if found is not None:
            return _fill(found, data)
        try:
            with transaction.atomic():
                return _fill(Petitioner(unit=unit), data)
        except IntegrityError:
            continue
    raise IntakeError(BUSY)


def _earlier_post(token: uuid.UUID, by) -> Case | None:
    """The case an earlier post of the same form created, if any. A token of another agent's
    case (a crafted or mixed-up form) is refused: it must neither open nor reveal that case."""
    case = Case.objects.filter(intake_token=token).first()
    if case is not None and (case.unit_id != by.unit_id or case.agent_id != by.pk):
        raise IntakeError(FOREIGN_FORM, foreign_case=case.pk)
    return case


def open_case(
    *,
    by,
    token: uuid.UUID,
    petitioner: dict[str, Any],
    complaint: dict[str, Any],
    received_on: datetime.date | None = None,
) -> tuple[Case, bool]:
    """Register a new case for the agent's unit. Returns (case, created).

    The form's token makes a repeated post (double click, reload) return the case the
    first post created instead of a second one; a token of another agent's case raises
    ``IntakeError``. Every other post is registered, on SQLite and PostgreSQL alike (the same
    new person registered by several agents at once included; ``_save_petitioner``).
    """
    unit = by.unit
    try:
        with transaction.atomic():
            existing = _earlier_post(token, by)
            if existing is not None:
                return existing, False
            today = timezone.localdate()
            person = _save_petitioner(unit, petitioner)
            seq = allocate_number(unit, today.year)
            case = Case(
                unit=unit,
                year=today.year,
                seq=seq,
                number=f"{unit.name}-{today.year}-{seq:04d}",
                intake_token=token,
                agent=by,
                received_on=received_on or today,
                petitioner=person,
                **{field: complaint[field] for field in COMPLAINT_FIELDS},
            )
            case.save()
            _event(case, by=by, action="open", to_status=case.status, on=case.received_on)
            return case, True
    except IntegrityError:
        # The same form posted twice at once: the other post's case holds the token now.
        existing = _earlier_post(token, by)
        if existing is None:
            raise
        return existing, False


def update_case(case: Case, *, by, petitioner: dict[str, Any], complaint: dict[str, Any]) -> Case:
    """Correct what was registered. A change to an answer that bears on scope sends the
    case back to the scope decision (an earlier decision no longer holds)."""
    with transaction.atomic():
        case = _locked(case)
        workflow.check(case.status, "edit")
        person = case.petitioner
        changed_person = [f for f in PETITIONER_FIELDS if getattr(person, f) != petitioner.get(f, "")]
        changed = [f for f in COMPLAINT_FIELDS if getattr(case, f) != complaint[f]]
        if "id_number" in changed_person:
            # Another person's ID: the case now belongs to that person's record.
            case.petitioner = _save_petitioner(case.unit, petitioner)
            changed.append("petitioner")
        elif changed_person:
            _save_petitioner(case.unit, petitioner, existing=person)
        for field in changed:
            if field in complaint:
                setattr(case, field, complaint[field])
        scope_changed = [f for f in changed if f in scope.SCOPE_FIELDS]
        if changed:
            case.save(update_fields={*changed, "updated_at"})
        if changed or changed_person:
            _event(case, by=by, action="edit", petitioner_fields=changed_person, case_fields=changed)
        if scope_changed and case.status != CaseStatus.INTAKE:
            case.scope_decided_at = None
            case.authorization_mode = ""
            case.authorized_on = None
            _move(
                case,
                "reopen_scope",
                by=by,
                fields=("scope_decided_at", "authorization_mode", "authorized_on"),
                reason_fields=scope_changed,
            )
        return case


def accept_scope(case: Case, *, by, note: str = "") -> Case:
    """The agent finds the complaint within the scope of proxying (seed 附件 三(一))."""
    with transaction.atomic():
        case = _locked(case)
        assessment = scope.assess_case(case)
        if not assessment.in_scope:
            raise workflow.TransitionError(
                "不能作为代理事项：" + "、".join(assessment.reasons) + "。应引导信访人通过法定途径解决。"
            )
        case.scope_note = note
        case.referral_channel = ""
        case.scope_decided_at = timezone.now()
        return _move(
            case, "accept_scope", by=by, fields=("scope_note", "referral_channel", "scope_decided_at")
        )


def refer_case(case: Case, *, by, channel: str, note: str = "") -> Case:
    """Close the case as 引导: the matter goes to court, arbitration, reconsideration or the
    petition review procedure. Final: it is never submitted."""
    with transaction.atomic():
        case = _locked(case)
        case.referral_channel = channel
        case.scope_note = note
        case.scope_decided_at = timezone.now()
        return _move(
            case,
            "refer",
            by=by,
            fields=("referral_channel", "scope_note", "scope_decided_at"),
            channel=channel,
            on=timezone.localdate(),
        )


def attach_files(
    case: Case, *, by, uploads: list[files.Checked], kind: str = FileKind.ATTACHMENT
) -> list[CaseFile]:
    with transaction.atomic():
        case = _locked(case)
        workflow.check(case.status, "attach")
        added = [CaseFile.objects.create(case=case, kind=kind, file=files.store(u, by=by)) for u in uploads]
        _event(case, by=by, action="attach", kind=kind, files=[f.file.sha256 for f in added])
        return added


def _check_date_order(earlier: datetime.date | None, later: datetime.date, what: str, after: str) -> None:
    """A date entered after the fact may not precede the step it follows, nor lie in the future."""
    if later > timezone.localdate():
        raise workflow.TransitionError(f"{what}不能晚于今天。")
    if earlier is not None and later < earlier:
        raise workflow.TransitionError(f"{what}不能早于{after}（{earlier:%Y-%m-%d}）。")


def record_authorization(case: Case, *, by, mode: str, signed_on: datetime.date, scan: files.Checked) -> Case:
    """The petitioner has signed the 授权委托书 (seed 附件1); the signed scan is kept."""
    with transaction.atomic():
        case = _locked(case)
        workflow.check(case.status, "authorize")
        _check_date_order(case.received_on, signed_on, "签字日期", "接待日期")
        stored = files.store(scan, by=by)
        CaseFile.objects.create(case=case, kind=FileKind.AUTHORIZATION, file=stored)
        case.authorization_mode = mode
        case.authorized_on = signed_on
        return _move(
            case,
            "authorize",
            by=by,
            fields=("authorization_mode", "authorized_on"),
            mode=mode,
            on=signed_on,
            scan=stored.sha256,
        )


def record_submission(
    case: Case,
    *,
    by,
    platform,
    username: str,
    password: str,
    query_code: str,
    submitted_at: datetime.datetime,
    registration_scan: files.Checked | None = None,
) -> Case:
    """Record the complaint as filed on the platform, with the account and 查询码 (seed 附件 二(四))."""
    with transaction.atomic():
        case = _locked(case)
        workflow.check(case.status, "submit")
        if submitted_at > timezone.now():
            raise workflow.TransitionError("提交时间不能晚于现在。")
        _check_date_order(case.authorized_on, timezone.localtime(submitted_at).date(), "提交时间", "委托日期")
        scan_hash = ""
        if registration_scan is not None:
            stored = files.store(registration_scan, by=by)
            CaseFile.objects.create(case=case, kind=FileKind.REGISTRATION, file=stored)
            scan_hash = stored.sha256
        case.platform = platform
        case.platform_username = username
        case.platform_password = password
        case.query_code = query_code
        case.submitted_at = submitted_at
        return _move(
            case,
            "submit",
            by=by,
            fields=("platform", "platform_username", "platform_password", "query_code", "submitted_at"),
            platform=platform.name,
            submitted_at=submitted_at.isoformat(),
            registration_scan=scan_hash,
            on=timezone.localtime(submitted_at).date(),
        )


# --- After submission: 《信访工作条例》第22-36条 ------------------------------------------------

# Steps whose date is the day something happened: later steps may not be dated before them.
DATED_STEPS = (
    "open",
    "authorize",
    "submit",
    "forward",
    "receive",
    "accept",
    "not_accept",
    "not_accept_again",
    "extend",
    "conclude",
    "deliver",
    "request_review",
    "review",
    "request_re_review",
    "re_review",
)
MAX_EXTENSION_DAYS = 30


def last_step_on(case: Case) -> datetime.date | None:
    return (
        CaseEvent.objects.filter(case=case, action__in=DATED_STEPS, on__isnull=False)
        .order_by("-on")
        .values_list("on", flat=True)
        .first()
    )


def _dated_step(
    case: Case,
    step_name: str,
    *,
    by,
    on: datetime.date,
    fields: Iterable[str] = (),
    document: files.Checked | None = None,
    document_kind: str = "",
    **data: Any,
) -> Case:
    """One handling step: check it against the transition table and the dates before it,
    keep its document, move the status, record the event, and start or stop the clocks."""
    workflow.check(case.status, step_name)
    label = workflow.STEPS[step_name].label.removeprefix("登记")
    _check_date_order(last_step_on(case), on, f"{label}日期", "上一环节的日期")
    if document is not None:
        stored = files.store(document, by=by)
        CaseFile.objects.create(case=case, kind=document_kind, file=stored)
        data["document"] = stored.sha256
    return _move(case, step_name, by=by, fields=fields, on=on, **data)


def forward_case(case: Case, *, by, forwarded_on: datetime.date, mode: str, handling_body: str) -> Case:
    """转送或交办 to the handling body (第22条: within 15 days of registration)."""
    with transaction.atomic():
        case = _locked(case)
        case.forward_mode, case.handling_body, case.forwarded_on = mode, handling_body.strip(), forwarded_on
        return _dated_step(
            case,
            "forward",
            by=by,
            on=forwarded_on,
            fields=("forward_mode", "handling_body", "forwarded_on"),
            mode=mode,
        )


def record_receipt(case: Case, *, by, received_on: datetime.date) -> Case:
    """The handling body received the matter: the 15-day acceptance clock starts (第23条)."""
    with transaction.atomic():
        case = _locked(case)
        case.body_received_on = received_on
        return _dated_step(case, "receive", by=by, on=received_on, fields=("body_received_on",))


def accept_case(case: Case, *, by, accepted_on: datetime.date) -> Case:
    """受理, told to the petitioner (第23条); the 60-day conclusion clock starts (第34条)."""
    with transaction.atomic():
        case = _locked(case)
        case.accepted_on = accepted_on
        return _dated_step(case, "accept", by=by, on=accepted_on, fields=("accepted_on",))


def refuse_acceptance(case: Case, *, by, on: datetime.date, reason: str, again: bool = False) -> Case:
    """不予受理 or 不再受理, with the notice date and the reason. Final."""
    with transaction.atomic():
        case = _locked(case)
        return _dated_step(
            case, "not_accept_again" if again else "not_accept", by=by, on=on, reason=reason.strip()
        )


def extend_case(
    case: Case,
    *,
    by,
    approved_on: datetime.date,
    days: int,
    approver: str,
    reason: str,
    told_on: datetime.date,
) -> Case:
    """延期 approved by the body's head, the reason told to the petitioner (第34条): once, ≤ 30 days."""
    with transaction.atomic():
        case = _locked(case)
        if not 1 <= days <= MAX_EXTENSION_DAYS:
            raise workflow.TransitionError(f"延期天数应为1至{MAX_EXTENSION_DAYS}日。")
        if case.events.filter(action="extend").exists():
            raise workflow.TransitionError("该事项已经延期一次，不能再次延期。")
        if told_on < approved_on:
            raise workflow.TransitionError("告知信访人的日期不能早于批准延期的日期。")
        running = case.deadlines.filter(clock__code="conclude", stopped_on__isnull=True).first()
        if running is not None and approved_on > running.due_on:
            raise workflow.TransitionError(
                f"办结期限已于{running.due_on:%Y年%m月%d日}届满，届满后不能再批准延期。"
            )
        _check_date_order(approved_on, told_on, "告知日期", "批准日期")
        return _dated_step(
            case,
            "extend",
            by=by,
            on=approved_on,
            days=days,
            approver=approver.strip(),
            reason=reason.strip(),
            told_on=told_on.isoformat(),
        )


def conclude_case(case: Case, *, by, concluded_on: datetime.date, opinion: str, reply: files.Checked) -> Case:
    """办结 with the handling opinion and the written reply (第32-34条)."""
    with transaction.atomic():
        case = _locked(case)
        case.concluded_on, case.handling_opinion = concluded_on, opinion
        return _dated_step(
            case,
            "conclude",
            by=by,
            on=concluded_on,
            fields=("concluded_on", "handling_opinion"),
            document=reply,
            document_kind=FileKind.REPLY,
            opinion=opinion,
        )


def deliver_reply(case: Case, *, by, delivered_on: datetime.date) -> Case:
    """The reply reached the petitioner: the 30-day window to ask for review opens (第35条)."""
    with transaction.atomic():
        case = _locked(case)
        case.delivered_on = delivered_on
        return _dated_step(case, "deliver", by=by, on=delivered_on, fields=("delivered_on",))


def request_review(case: Case, *, by, requested_on: datetime.date, reviewing_body: str) -> Case:
    """复查 requested from the body one level up (第35条)."""
    with transaction.atomic():
        case = _locked(case)
        return _dated_step(
            case, "request_review", by=by, on=requested_on, reviewing_body=reviewing_body.strip()
        )


def review_case(
    case: Case, *, by, reviewed_on: datetime.date, outcome: str, document: files.Checked | None = None
) -> Case:
    with transaction.atomic():
        case = _locked(case)
        return _dated_step(
            case,
            "review",
            by=by,
            on=reviewed_on,
            outcome=outcome,
            document=document,
            document_kind=FileKind.REVIEW,
        )


def request_re_review(case: Case, *, by, requested_on: datetime.date, reviewing_body: str) -> Case:
    """复核 requested (第36条)."""
    with transaction.atomic():
        case = _locked(case)
        return _dated_step(
            case, "request_re_review", by=by, on=requested_on, reviewing_body=reviewing_body.strip()
        )


def re_review_case(
    case: Case, *, by, reviewed_on: datetime.date, outcome: str, document: files.Checked | None = None
) -> Case:
    """复核意见: the matter is closed for good (第36条: 不再受理)."""
    with transaction.atomic():
        case = _locked(case)
        return _dated_step(
            case,
            "re_review",
            by=by,
            on=reviewed_on,
            outcome=outcome,
            document=document,
            document_kind=FileKind.RE_REVIEW,
        )


def withdraw_case(
    case: Case, *, by, withdrawn_on: datetime.date, reason: str, document: files.Checked | None = None
) -> Case:
    """The petitioner withdraws the authorization: the agent takes no further action."""
    with transaction.atomic():
        case = _locked(case)
        return _dated_step(
            case,
            "withdraw",
            by=by,
            on=withdrawn_on,
            reason=reason.strip(),
            document=document,
            document_kind=FileKind.WITHDRAWAL,
        )


def record_follow_up(
    case: Case,
    *,
    by,
    on: datetime.date,
    means: str,
    contact: str,
    content: str,
    next_on: datetime.date | None = None,
) -> FollowUp:
    """跟踪督办 (seed 附件 三(四)): the agent urges the handling body and notes what was said."""
    with transaction.atomic():
        case = _locked(case)
        workflow.check(case.status, "follow_up")
        _check_date_order(
            case.submitted_at and timezone.localtime(case.submitted_at).date(), on, "跟踪日期", "提交日期"
        )
        if next_on is not None and next_on <= on:
            raise workflow.TransitionError("下次跟踪日期应晚于本次跟踪日期。")
        follow_up = FollowUp.objects.create(
            case=case,
            on=on,
            means=means,
            contact=contact.strip(),
            content=content.strip(),
            next_on=next_on,
            by=by,
        )
        _event(
            case,
            by=by,
            action="follow_up",
            on=on,
            means=means,
            next_on=next_on.isoformat() if next_on else "",
        )
        return follow_up
