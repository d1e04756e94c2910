"""Every change to a case is one function here, and every step goes through one door.

Each action, in this order (Wagtail's actions, Zulip's ``do_*``):

1. checks the acting user against the capability table and the case's unit (``rules.check``),
   before any transaction, so that a refusal changes nothing and its audit row stays;
2. opens its own transaction, locks the case row (``history.locked``), checks the step against
   the registry (``workflow.check``) and the step's own rules and dates;
3. saves with ``update_fields``, writes one event (``history.record_event``) and lets the apps
   above follow (``hooks.after_step``: the clocks start and stop there).

``take_step(case, name, *, by, on, **data)`` takes any step of the registry by its name: a step
of its own shape goes to its function below (its row names it), every other one is recorded
from its row. No view opens a transaction for an action.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from xinfang.access import rules
from xinfang.cases import actions_past, actions_people, hooks, intake, scope, workflow
from xinfang.cases.history import locked, record_event, record_new_version
from xinfang.cases.intake import COMPLAINT_FIELDS, PETITIONER_FIELDS, IntakeError
from xinfang.cases.models import (
    COLLECTIVE_FROM,
    MAX_REPRESENTATIVES,
    Case,
    CaseEvent,
    CaseFile,
    CaseStatus,
    FileKind,
    FollowUp,
)
from xinfang.cases.steps import DATED, STEPS, Step, TransitionError, check_date_order
from xinfang.core import files

__all__ = [
    "COMPLAINT_FIELDS",
    "PETITIONER_FIELDS",
    "IntakeError",
    "TransitionError",
    "accept_scope",
    "attach_files",
    "last_step_on",
    "open_case",
    "record_authorization",
    "record_follow_up",
    "record_objection",
    "record_past_cases",
    "record_submission",
    "refer_case",
    "take_step",
    "update_case",
]


# --- The door ---------------------------------------------------------------------------------------


def take_step(case: Case, name: str, /, *, by, **data: Any) -> Any:
    """Take the step ``name`` of the registry as ``by``; ``data`` are its form's fields (``on``
    the day it happened). Returns what the step's action returns (the case, for most)."""
    step = STEPS[name]
    if step.action:
        return _OWN_SHAPE[step.action](case, by=by, **data)
    return _declared_step(case, step, by=by, **data)


def _declared_step(
    case: Case,
    step: Step,
    *,
    by,
    on: datetime.date | None = None,
    document: files.Checked | None = None,
    late_reason: str = "",
    **data,
) -> Case:
    """A step recorded from its row: the fields it sets, what its event keeps, its document."""
    unknown = set(data) - set(step.sets.values()) - set(step.records)
    if unknown or (document is not None and not step.document) or (late_reason and not step.window):
        raise TypeError(f"step {step.name!r} takes no {sorted(unknown) or ['document or late_reason']}")
    if step.dated and on is None:
        raise TypeError(f"step {step.name!r} needs its day (on=)")
    rules.check(by, step.capability, target=case)
    with transaction.atomic():
        case = locked(case)
        _check(case, step, on=on, **data)
        late = _late(case, step, on=on, late_reason=late_reason)
        for field, key in step.sets.items():
            setattr(case, field, on if key == "on" else _stripped(data.get(key)))
        recorded = {key: _plain(data[key]) for key in step.records if key in data}
        if document is not None:
            recorded["document"] = _keep(case, document, kind=step.document, by=by)
        return _move(case, step, by=by, fields=step.sets, on=on, **recorded, **late)


def _check(case: Case, step: Step, *, on: datetime.date | None = None, **data: Any) -> None:
    """The transition, the step's own rule, taken once where it may be, and its date after the
    dates before it."""
    workflow.check(case.status, step.name)
    if step.rule is not None:
        step.rule(case, on=on, **data)
    if step.once and case.events.filter(action=step.name).exists():
        raise TransitionError(f"该事项已{step.label}，不能重复登记。")
    if step.dated and on is not None:
        check_date_order(last_step_on(case), on, step.date_label, "上一环节的日期")


def _late(case: Case, step: Step, *, on: datetime.date | None, late_reason: str) -> dict[str, Any]:
    """A request after its window closed (第三十五条、第三十六条: 30 days from the receipt of the
    written answer; 第二十三条: an objection within 5 workdays) is recorded, marked: its event
    keeps the window's last day and the reason given, and the case lists it (``late_steps``, the
    ledger's mark). Without a reason it is refused, with the field named. Returns what the event
    keeps (nothing for a request in time); the case's list is updated here."""
    end = hooks.window_end(case, step.window) if step.window and on is not None else None
    if end is None or on is None or on <= end:
        return {}
    reason = (late_reason or "").strip()
    if not reason:
        raise TransitionError(
            f"{step.date_label}（{on:%Y-%m-%d}）晚于期限（{end:%Y-%m-%d}届满）。"
            "逾期提出的可以登记，但须写明逾期理由。",
            "late_reason",
        )
    case.late_steps = [*case.late_steps, {"step": step.name, "window_end": end.isoformat(), "reason": reason}]
    return {"window_end": end.isoformat(), "late_reason": reason}


def _move(
    case: Case, step: Step, *, by, fields: Iterable[str] = (), on: datetime.date | None = None, **data: Any
) -> Case:
    """Set the new status and the given fields, save, record the event, let the apps above follow."""
    old = case.status
    fields = set(fields)
    if step.target is not None:
        case.status = step.target
    if case.status in workflow.FINAL and old not in workflow.FINAL:
        case.closed_on = on or timezone.localdate()
        fields.add("closed_on")
    if "window_end" in data:
        fields.add("late_steps")
    case.save(update_fields={"status", "updated_at", *fields})
    record_event(case, by=by, action=step.name, from_status=old, to_status=case.status, on=on, **data)
    hooks.after_step(case, step=step.name, on=on, by=by, data=data)
    return case


def last_step_on(case: Case) -> datetime.date | None:
    """The day of the latest dated step: a later step may not be dated before it."""
    return (
        CaseEvent.objects.filter(case=case, action__in=list(DATED), on__isnull=False)
        .order_by("-on")
        .values_list("on", flat=True)
        .first()
    )


def _keep(case: Case, document: files.Checked, *, kind: str, by) -> str:
    stored = files.store(document, by=by)
    CaseFile.objects.create(case=case, kind=kind, file=stored)
    return stored.sha256


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _plain(value: Any) -> Any:
    """A form value as the event keeps it (JSON)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value)
    return _stripped(value)


# --- Registration ------------------------------------------------------------------------------------


def open_case(
    *,
    by,
    token: uuid.UUID,
    petitioner: dict[str, Any],
    complaint: dict[str, Any],
    received_on: datetime.date | None = None,
    request=None,
) -> tuple[Case, bool]:
    """Register a new case for the agent's unit. Returns (case, created).

    The form's token makes a repeated post (double click, reload) return the case the first
    post created instead of a second one; a token of another agent's case raises
    ``IntakeError`` and is logged as a refused access. Every other post is registered, on SQLite
    and PostgreSQL alike (the same new person registered by several agents at once included;
    ``intake.save_petitioner``). A known person whose particulars differ from the record raises
    ``intake.PetitionerChanged`` until the agent confirms (``petitioner["confirmed_version"]``).
    """
    rules.check(by, STEPS["open"].capability, unit=getattr(by, "unit_id", None), request=request)
    existing = intake.earlier_post(token, by, request=request)
    if existing is not None:
        return existing, False
    unit = by.unit
    particulars = dict(petitioner)
    confirmed = particulars.pop("confirmed_version", None)
    try:
        with transaction.atomic():
            today = timezone.localdate()
            saved = intake.save_petitioner(unit, particulars, confirmed_version=confirmed)
            seq = intake.allocate_number(unit, today.year)
            case = Case(
                unit=unit,
                year=today.year,
                seq=seq,
                number=f"{unit.name}-{today.year}-{seq:04d}",
                intake_token=token,
                agent=by,
                received_on=received_on or today,
                petitioner=saved.petitioner,
                people_count=complaint.get("people_count") or 1,
                **{field: complaint[field] for field in COMPLAINT_FIELDS},
            )
            case.save()
            record_event(case, by=by, action="open", to_status=case.status, on=case.received_on)
            record_new_version(case, saved, by=by)
            hooks.after_step(case, step="open", on=case.received_on, by=by, data={})
            return case, True
    except intake.PetitionerChanged as exc:
        intake.log_shown_record(exc, by=by, request=request)
        raise
    except IntegrityError:
        # The same form posted twice at once: the other post's case holds the token now.
        existing = intake.earlier_post(token, by, request=request)
        if existing is None:
            raise
        return existing, False


def update_case(
    case: Case, *, by, petitioner: dict[str, Any], complaint: dict[str, Any], request=None
) -> Case:
    """Correct what was registered (``intake.correct_petitioner`` for the person). A change to an
    answer that bears on scope sends the case back to the scope decision (an earlier decision no
    longer holds)."""
    rules.check(by, STEPS["edit"].capability, target=case)
    try:
        return _update_case(case, by=by, petitioner=petitioner, complaint=complaint)
    except intake.PetitionerChanged as exc:
        intake.log_shown_record(exc, by=by, request=request)
        raise


def _check_people_count(case: Case, count: int) -> None:
    """The people a case lists are no more than it counts; a 集体访 lists at most its representatives."""
    listed = 1 + case.co_petitioners.count()
    if count < listed:
        raise IntakeError(f"本事项已列明{listed}名信访人，信访人数不能少于{listed}。", field="people_count")
    if count >= COLLECTIVE_FROM and listed > MAX_REPRESENTATIVES:
        raise IntakeError(
            f"五人以上的集体访只登记代表，代表不超过{MAX_REPRESENTATIVES}人；本事项已列明{listed}人，请先移除多余的联名信访人。",
            field="people_count",
        )


def _update_case(case: Case, *, by, petitioner: dict[str, Any], complaint: dict[str, Any]) -> Case:
    with transaction.atomic():
        case = locked(case)
        workflow.check(case.status, "edit")
        before = case.petitioner
        saved = intake.correct_petitioner(case, petitioner)
        changed = [
            f
            for f in (*COMPLAINT_FIELDS, "people_count")
            if f in complaint and getattr(case, f) != complaint[f]
        ]
        _check_people_count(case, complaint.get("people_count", case.people_count))
        changed_person = [f for f in PETITIONER_FIELDS if getattr(before, f) != petitioner.get(f, "")]
        if saved.petitioner.pk != before.pk:
            case.petitioner = saved.petitioner
            changed.append("petitioner")
        for field in changed:
            if field in complaint:
                setattr(case, field, complaint[field])
        scope_changed = [f for f in changed if f in scope.SCOPE_FIELDS]
        if changed:
            case.save(update_fields={*changed, "updated_at"})
        if changed or changed_person:
            record_event(case, by=by, action="edit", petitioner_fields=changed_person, case_fields=changed)
        if scope_changed and case.status != CaseStatus.INTAKE:
            case.scope_decided_at = None
            case.authorization_mode = ""
            case.authorized_on = None
            _move(
                case,
                STEPS["reopen_scope"],
                by=by,
                fields=("scope_decided_at", "authorization_mode", "authorized_on"),
                reason_fields=scope_changed,
            )
        return case


def accept_scope(case: Case, *, by, note: str = "") -> Case:
    """The agent finds the complaint within the scope of proxying (seed 附件 三(一))."""
    step = STEPS["accept_scope"]
    rules.check(by, step.capability, target=case)
    with transaction.atomic():
        case = locked(case)
        workflow.check(case.status, step.name)
        assessment = scope.assess_case(case)
        if not assessment.in_scope:
            raise TransitionError(
                "不能作为代理事项：" + "、".join(assessment.reasons) + "。应引导信访人通过法定途径解决。"
            )
        case.scope_note = note
        case.referral_channel = ""
        case.scope_decided_at = timezone.now()
        return _move(case, step, by=by, fields=("scope_note", "referral_channel", "scope_decided_at"))


def refer_case(case: Case, *, by, channel: str, note: str = "") -> Case:
    """Close the case as 引导: the matter goes to court, arbitration, reconsideration or the
    petition review procedure. Final: it is never submitted."""
    step = STEPS["refer"]
    rules.check(by, step.capability, target=case)
    with transaction.atomic():
        case = locked(case)
        workflow.check(case.status, step.name)
        case.referral_channel = channel
        case.scope_note = note
        case.scope_decided_at = timezone.now()
        return _move(
            case,
            step,
            by=by,
            fields=("referral_channel", "scope_note", "scope_decided_at"),
            channel=channel,
            on=timezone.localdate(),
        )


# --- Steps of their own shape -------------------------------------------------------------------------


def attach_files(
    case: Case, *, by, uploads: list[files.Checked], kind: str = FileKind.ATTACHMENT
) -> list[CaseFile]:
    step = STEPS["attach"]
    rules.check(by, step.capability, target=case)
    with transaction.atomic():
        case = locked(case)
        workflow.check(case.status, step.name)
        added = [CaseFile.objects.create(case=case, kind=kind, file=files.store(u, by=by)) for u in uploads]
        record_event(case, by=by, action=step.name, kind=kind, files=[f.file.sha256 for f in added])
        return added


def record_authorization(case: Case, *, by, on: datetime.date, mode: str, scan: files.Checked) -> Case:
    """The petitioner has signed the 授权委托书 (seed 附件1) on ``on``; the signed scan is kept."""
    step = STEPS["authorize"]
    rules.check(by, step.capability, target=case)
    with transaction.atomic():
        case = locked(case)
        _check(case, step, on=on)
        scan_hash = _keep(case, scan, kind=FileKind.AUTHORIZATION, by=by)
        case.authorization_mode = mode
        case.authorized_on = on
        return _move(
            case,
            step,
            by=by,
            fields=("authorization_mode", "authorized_on"),
            mode=mode,
            on=on,
            scan=scan_hash,
        )


def record_submission(
    case: Case,
    *,
    by,
    on: datetime.datetime,
    platform,
    username: str,
    password: str,
    query_code: str,
    registration_scan: files.Checked | None = None,
) -> Case:
    """Record the complaint as filed on the platform at ``on`` (the platform stamps a time, so
    ``on`` is one here), with the account and 查询码 (seed 附件 二(四)). The event keeps the
    platform's name and the time, never the account."""
    step = STEPS["submit"]
    rules.check(by, step.capability, target=case)
    with transaction.atomic():
        case = locked(case)
        workflow.check(case.status, step.name)
        if on > timezone.now():
            raise TransitionError("提交时间不能晚于现在。")
        day = timezone.localtime(on).date()
        check_date_order(case.authorized_on, day, "提交时间", "委托日期")
        scan_hash = (
            ""
            if registration_scan is None
            else _keep(case, registration_scan, kind=FileKind.REGISTRATION, by=by)
        )
        case.platform = platform
        case.platform_username = username
        case.platform_password = password
        case.query_code = query_code
        case.submitted_at = on
        return _move(
            case,
            step,
            by=by,
            fields=("platform", "platform_username", "platform_password", "query_code", "submitted_at"),
            platform=platform.name,
            submitted_at=on.isoformat(),
            registration_scan=scan_hash,
            on=day,
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
    step = STEPS["follow_up"]
    rules.check(by, step.capability, target=case)
    with transaction.atomic():
        case = locked(case)
        workflow.check(case.status, step.name)
        submitted_on = case.submitted_at and timezone.localtime(case.submitted_at).date()
        check_date_order(submitted_on, on, "跟踪日期", "提交日期")
        if next_on is not None and next_on <= on:
            raise TransitionError("下次跟踪日期应晚于本次跟踪日期。")
        follow_up = FollowUp.objects.create(
            case=case,
            on=on,
            means=means,
            contact=contact.strip(),
            content=content.strip(),
            next_on=next_on,
            by=by,
        )
        record_event(
            case, by=by, action=step.name, on=on, means=means, next_on=next_on.isoformat() if next_on else ""
        )
        return follow_up


def record_objection(
    case: Case,
    *,
    by,
    on: datetime.date,
    reason: str,
    handling_body: str,
    mode: str,
    forwarded_on: datetime.date,
    late_reason: str = "",
) -> Case:
    """管辖异议 (《信访工作条例》第二十三条): the body that received the matter finds it outside its
    powers and objects on ``on``, with its reason; the matter goes to ``handling_body`` on
    ``forwarded_on``.

    1. The case returns to 已转送交办 with the new body; the old body's receipt is cleared, so
       the new body's 收到 starts the acceptance clocks again (受理告知, 管辖异议).
    2. The objection's day stops the old body's acceptance clocks (the row's ``stops``).
    3. An objection after its window (5 workdays from receipt) is recorded, marked, with the
       reason it comes late (``_late``).
    4. The event keeps both bodies (``old_body``, ``new_body``), the reason and the new dates.
    """
    step = STEPS["object"]
    rules.check(by, step.capability, target=case)
    with transaction.atomic():
        case = locked(case)
        _check(case, step, on=on)
        check_date_order(on, forwarded_on, "改送日期", "提出异议的日期")
        new_body, old_body = handling_body.strip(), case.handling_body
        if not new_body or new_body == old_body.strip():
            raise TransitionError("改送的机关与原有权处理机关相同，请填写新的有权处理机关。", "handling_body")
        late = _late(case, step, on=on, late_reason=late_reason)
        case.handling_body, case.forward_mode, case.forwarded_on = new_body, mode, forwarded_on
        case.body_received_on = None
        return _move(
            case,
            step,
            by=by,
            fields=("handling_body", "forward_mode", "forwarded_on", "body_received_on"),
            on=on,
            reason=reason.strip(),
            old_body=old_body,
            new_body=new_body,
            mode=mode,
            forwarded_on=forwarded_on.isoformat(),
            **late,
        )


# Cases of a unit's old ledger come in through their own module (``actions_past``).
record_past_cases = actions_past.record_past_cases

# The steps about a case's people are in their own module; their functions are actions too.
add_co_petitioner = actions_people.add_co_petitioner
remove_co_petitioner = actions_people.remove_co_petitioner
link_case = actions_people.link_case
hand_over = actions_people.hand_over

# The functions a row of the registry may name as its action (``Step.action``).
_OWN_SHAPE: Mapping[str, Any] = {
    fn.__name__: fn
    for fn in (open_case, update_case, accept_scope, refer_case, attach_files, record_authorization)
    + (record_submission, record_follow_up, record_objection)
    + (
        actions_people.add_co_petitioner,
        actions_people.remove_co_petitioner,
        actions_people.link_case,
        actions_people.hand_over,
    )
}
