"""What changes clocks and the calendar: case steps start and stop clocks, staff edit the rules.

Glossary: 期限 clock · 起算 start · 届满日 due date · 延期 extension (第34条, ≤ 30 日) ·
调休上班日 make-up workday · 法定节假日 holiday · 暂定 provisional (year not yet entered).

History is not rewritten: a running clock keeps the length and day count it started with.
Stored due dates move when the official calendar changes (each move a CaseEvent) and when a step
lengthens or pauses a clock (延期, 听证: the step's own event says so); a change of the kinds of
matter a clock applies to adds or withdraws running clocks of open cases, each a CaseEvent.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from xinfang.access import rules
from xinfang.accounts import agent_reports
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.cases import workflow
from xinfang.cases.history import record_event
from xinfang.cases.models import EXTENSION_LIMIT_DAYS, Case, CaseEvent, PetitionType
from xinfang.cases.steps import CLOCK_STEPS, STEPS
from xinfang.core.errors import DomainError
from xinfang.deadlines import calendar as official
from xinfang.deadlines import seeds
from xinfang.deadlines.compute import CALENDAR, Calendar, DueDate, due_date, paused_days, weekday_name
from xinfang.deadlines.models import (
    CalendarDay,
    CalendarYear,
    CaseDeadline,
    Clock,
    ClockKind,
    DayCount,
    DayKind,
)

MANAGE = "manage_calendar"


class DeadlineError(workflow.TransitionError):
    """A rule of the clocks refuses a step (a refused step of the case, like the others)."""


class ScheduleError(DomainError):
    """A year's schedule that cannot be saved; the message lists every problem (``check_year_schedule``)."""


class ClockError(DomainError):
    """A clock's rule that cannot be saved; ``field`` names the form field."""


# The seeded clocks live in ``seeds`` (pure data the migrations read); named here as before.
CLOCKS = seeds.CLOCKS
OPEN = "open"  # the step that registers a case (``cases.steps``)
ClockSeed = seeds.ClockSeed
seed_clocks = seeds.seed_clocks


# --- Case steps ----------------------------------------------------------------------------------


def compute_due(
    *,
    started_on: datetime.date,
    length: int,
    day_count: str,
    extension_days: int,
    calendar: Calendar,
    pauses: Iterable[dict] = (),
) -> DueDate:
    """The due date of a running clock: its own count, leaving out the paused days (第36条: a
    hearing's days), then any extension in calendar days from that due date (第34条: the extension
    runs from the original due date)."""
    original = due_date(started_on, length, day_count, calendar, paused_days(pauses))
    if not extension_days:
        return original
    extended = due_date(original.due_on, extension_days, CALENDAR, calendar)
    reason = extended.reason or original.reason
    return DueDate(
        due_on=extended.due_on,
        provisional=original.provisional or extended.provisional,
        reason=reason,
        skipped=original.skipped + extended.skipped,
        paused=original.paused,
    )


def _due_of(deadline: CaseDeadline, calendar: Calendar) -> DueDate:
    return compute_due(
        started_on=deadline.started_on,
        length=deadline.length,
        day_count=deadline.day_count,
        extension_days=deadline.extension_days,
        calendar=calendar,
        pauses=deadline.pauses,
    )


def _apply(deadline: CaseDeadline, result: DueDate) -> None:
    deadline.due_on = result.due_on
    deadline.provisional = result.provisional
    deadline.provisional_reason = result.reason[:200]


def on_case_step(
    case,
    *,
    action: str,
    on: datetime.date,
    by,
    extension_days: int = 0,
    pause_until: datetime.date | None = None,
) -> None:
    """Start, stop, extend and pause the case's clocks after a step (inside the step's transaction).

    1. Stop each open clock whose stop actions include ``action``; a final status (withdrawn,
       not accepted, re-reviewed…) stops every open clock.
    2. A step that extends clocks (``extends`` in its row: 延期 the 办结 clock) lengthens each
       such open clock by ``extension_days`` calendar days from its original due date (第34条,
       at most ``EXTENSION_LIMIT_DAYS`` in all), and not once the clock has run out.
    3. A step that pauses clocks (``pauses``: 听证 the 复核 clock) leaves the days from ``on`` to
       ``pause_until`` out of each such open clock's count (第36条), with the step's words as
       the reason; the due date moves on by the days the clock would have counted.
    4. Start each active clock whose start action is ``action`` and that applies to the case's
       kind of matter (``Clock.petition_types``), copying its length and day count; due date
       from the official calendar (provisional where a year is missing). A case in a final
       status starts no clock. A clock already running is not doubled, unless another step
       started it (the rule changed since: the 复核 window ran from the 复查意见's date before
       its delivery was recorded): then it starts again from this step, the old one ended.
    """
    calendar: Calendar | None = None

    def cal() -> Calendar:
        nonlocal calendar
        if calendar is None:
            calendar = official.load()
        return calendar

    stop_all = case.status in workflow.FINAL
    # A case being registered has no clock yet: one query less on every registration.
    running = (
        []
        if action == OPEN
        else list(
            CaseDeadline.objects.select_for_update(of=("self",))
            .filter(case=case, stopped_on__isnull=True)
            .select_related("clock")
        )
    )
    still_running = []
    for deadline in running:
        if stop_all or action in deadline.clock.stop_action_list:
            _stop(deadline, on=on, by_step=action)
        else:
            still_running.append(deadline)

    step = STEPS.get(action)
    if step is not None and step.extends:
        _extend(
            [d for d in still_running if d.clock.code in step.extends], on=on, days=extension_days, cal=cal
        )
    if step is not None and step.pauses and pause_until is not None:
        period = {"from": on.isoformat(), "to": pause_until.isoformat(), "reason": step.event}
        for deadline in (d for d in still_running if d.clock.code in step.pauses):
            deadline.pauses = [*deadline.pauses, period]
            _apply(deadline, _due_of(deadline, cal()))
            deadline.save(update_fields=["pauses", "due_on", "provisional", "provisional_reason"])

    if stop_all:
        return
    by_clock = {d.clock_id: d for d in still_running}
    for clock in Clock.objects.filter(active=True, start_action=action):
        if not clock.applies_to(case.petition_type):
            continue
        current = by_clock.get(clock.pk)
        if current is not None:
            if current.started_by in ("", action):
                continue
            _stop(current, on=on, by_step=action)
        _start(case, clock, on=on, by_step=action, calendar=cal())


def _stop(deadline: CaseDeadline, *, on: datetime.date, by_step: str) -> None:
    deadline.stopped_on = on
    deadline.stopped_by = by_step
    deadline.save(update_fields=["stopped_on", "stopped_by"])


def _start(
    case, clock: Clock, *, on: datetime.date, by_step: str, calendar: Calendar, **more
) -> CaseDeadline:
    deadline = CaseDeadline(
        case=case,
        unit_id=case.unit_id,
        clock=clock,
        length=clock.length,
        day_count=clock.day_count,
        started_on=on,
        started_by=by_step,
        **more,
    )
    _apply(deadline, _due_of(deadline, calendar))
    deadline.save()
    return deadline


def _extend(deadlines: list[CaseDeadline], *, on: datetime.date, days: int, cal) -> None:
    if not 0 < days <= EXTENSION_LIMIT_DAYS:
        raise DeadlineError(f"延期天数应在1到{EXTENSION_LIMIT_DAYS}日之间（《信访工作条例》第34条）。")
    for deadline in deadlines:
        if on > deadline.due_on:
            raise DeadlineError(
                f"{deadline.clock.name}期限已于{deadline.due_on:%Y年%m月%d日}届满，届满后不能再批准延期。"
            )
        total = deadline.extension_days + days
        if total > EXTENSION_LIMIT_DAYS:
            raise DeadlineError(
                f"延期合计不得超过{EXTENSION_LIMIT_DAYS}日（《信访工作条例》第34条）；"
                f"该事项已延期{deadline.extension_days}日。"
            )
        deadline.extension_days = total
        _apply(deadline, _due_of(deadline, cal()))
        deadline.save(update_fields=["extension_days", "due_on", "provisional", "provisional_reason"])


def after_step(case, *, step: str, on: datetime.date | None, by, data) -> None:
    """The hook ``xinfang.cases`` calls after each step (``hooks.on_step``, see apps.py)."""
    if on is not None:
        until = data.get("ended_on")
        on_case_step(
            case,
            action=step,
            on=on,
            by=by,
            extension_days=int(data.get("days", 0) or 0),
            pause_until=datetime.date.fromisoformat(until) if isinstance(until, str) else until,
        )


def recompute_open_deadlines(*, by, reason: str) -> int:
    """Recompute every running clock with the current calendar. Each due date or provisional
    mark that changes is saved and written as a ``deadline_recomputed`` event on its case.
    Returns how many changed. Part of keeping the calendar (``manage_calendar``)."""
    rules.check(by, MANAGE, target_type="deadlines.CaseDeadline", target_id="recompute")
    calendar = official.load()
    today = timezone.localdate()
    changed = 0
    with transaction.atomic():
        running = (
            CaseDeadline.objects.select_for_update(of=("self",))
            .filter(stopped_on__isnull=True)
            .select_related("clock")
            .order_by("id")
        )
        for deadline in running:
            result = _due_of(deadline, calendar)
            old_due, old_provisional, old_reason = (
                deadline.due_on,
                deadline.provisional,
                deadline.provisional_reason,
            )
            _apply(deadline, result)
            if (deadline.due_on, deadline.provisional) == (old_due, old_provisional):
                if deadline.provisional_reason != old_reason:
                    deadline.save(update_fields=["provisional_reason"])
                continue
            deadline.save(update_fields=["due_on", "provisional", "provisional_reason"])
            record_event(
                deadline.case_id,
                by=by,
                action="deadline_recomputed",
                on=today,
                clock=deadline.clock.code,
                old=old_due.isoformat(),
                new=deadline.due_on.isoformat(),
                provisional=deadline.provisional,
                reason=reason,
            )
            changed += 1
    return changed


# --- The official calendar -----------------------------------------------------------------------


def _label(day: datetime.date) -> str:
    return f"{day:%Y-%m-%d}（{weekday_name(day)}）"


def check_year_schedule(
    year: int, holidays: Iterable[tuple[datetime.date, str]], workdays: Iterable[tuple[datetime.date, str]]
) -> list[str]:
    """Every problem of a year's schedule, as messages that name the date."""
    problems: list[str] = []
    if not 2000 <= year <= 2100:
        return [f"年份 {year} 不对，请填写四位年份，如 {timezone.localdate().year + 1}。"]
    holidays, workdays = list(holidays), list(workdays)
    if not holidays:
        problems.append(
            f"没有填写{year}年的法定节假日。每年至少有元旦、春节等假日，请按国务院办公厅的通知填写。"
        )
    seen: dict[datetime.date, str] = {}
    for kind, rows in (("放假", holidays), ("调休上班", workdays)):
        for day, name in rows:
            if day.year != year:
                problems.append(f"{_label(day)} 不在{year}年内；一次只录入一个年度。")
                continue
            if len(name) > 30:
                problems.append(f"{_label(day)} 的名称太长（最多30个字）。")
            if day in seen:
                if seen[day] == kind:
                    problems.append(f"{_label(day)} 重复填写了。")
                else:
                    problems.append(f"{_label(day)} 既填为放假又填为调休上班，只能是其中一种。")
                continue
            seen[day] = kind
            if kind == "调休上班" and day.weekday() < 5:
                problems.append(
                    f"{_label(day)} 本来就是工作日，不用填为调休上班日；调休上班日是要上班的星期六或星期日。"
                )
    return problems


def set_year_schedule(
    *,
    year: int,
    holidays: list[tuple[datetime.date, str]],
    workdays: list[tuple[datetime.date, str]],
    by,
    source: str,
    request=None,
) -> tuple[CalendarYear, int]:
    """Enter or replace one year's official schedule (国务院办公厅关于节假日安排的通知).

    1. Check the user (``manage_calendar``) and the schedule; raise ScheduleError listing
       every problem.
    2. Replace the year's rows, record the year as entered (who, from what), log the change.
    3. Recompute every running clock; each changed due date is an event on its case. The agents'
       reports due (``accounts.agent_reports``) are recomputed too, each change an audit row.
    Returns (the year, how many running due dates changed).
    """
    rules.check(by, MANAGE, request=request, target_type="deadlines.CalendarYear", target_id=year)
    problems = check_year_schedule(year, holidays, workdays)
    if problems:
        raise ScheduleError("；".join(problems))
    with transaction.atomic():
        old = {
            (d.date, d.kind): d.name for d in CalendarDay.objects.select_for_update().filter(date__year=year)
        }
        entry = CalendarYear.objects.filter(year=year).first()
        replaced = entry is not None
        new = {(d, DayKind.HOLIDAY): n.strip() for d, n in holidays}
        new |= {(d, DayKind.WORKDAY): n.strip() for d, n in workdays}
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=d, kind=k, name=n) for (d, k), n in sorted(new.items())]
        )
        if entry is None:
            entry = CalendarYear(year=year)
        entry.source = source[:100]
        entry.entered_by = by
        entry.save()
        record(
            AuditAction.POLICY,
            by=by,
            request=request,
            target=entry,
            change="calendar_year",
            year=year,
            replaced=replaced,
            source=entry.source,
            holidays=sum(1 for _, k in new if k == DayKind.HOLIDAY),
            workdays=sum(1 for _, k in new if k == DayKind.WORKDAY),
            added=sorted(f"{d:%Y-%m-%d} {k}" for d, k in new.keys() - old.keys()),
            removed=sorted(f"{d:%Y-%m-%d} {k}" for d, k in old.keys() - new.keys()),
        )
        official.invalidate()
        transaction.on_commit(official.invalidate)
        reason = f"{year}年法定节假日安排已{'更新' if replaced else '录入'}"
        changed = recompute_open_deadlines(by=by, reason=reason)
        changed += agent_reports.recompute_due(by=by, reason=reason, request=request)
    return entry, changed


# --- The clocks as rules -------------------------------------------------------------------------

CLOCK_FIELDS = (
    "name",
    "start_action",
    "stop_actions",
    "length",
    "day_count",
    "kind",
    "legal_basis",
    "petition_types",
    "active",
    "sort_order",
)
MAX_CLOCK_LENGTH = 366


def step_choices() -> list[tuple[str, str]]:
    """The steps a clock may start or stop at (those that carry their day), in their words."""
    return [(name, STEPS[name].event) for name in CLOCK_STEPS]


def _checked(changes: dict) -> dict:
    """The changes of a clock's rule, normalised; a ClockError names the first bad field."""
    for key in ("stop_actions", "petition_types"):
        if key in changes and not isinstance(changes[key], str):
            changes[key] = ",".join(changes[key])
    known = set(CLOCK_STEPS)  # a step declared later is one too
    if "start_action" in changes and changes["start_action"] not in known:
        raise ClockError(f"没有名为“{changes['start_action']}”的办理环节。", "start_action")
    if "stop_actions" in changes:
        stops = [a.strip() for a in changes["stop_actions"].split(",") if a.strip()]
        bad = [a for a in stops if a not in known]
        if bad:
            raise ClockError(f"没有这些办理环节：{'、'.join(bad)}。", "stop_actions")
        if not stops:
            raise ClockError("至少选择一个终止环节。", "stop_actions")
        changes["stop_actions"] = ",".join(stops)
    if "petition_types" in changes:
        kinds = {t.strip() for t in changes["petition_types"].split(",") if t.strip()}
        if kinds - set(PetitionType.values):
            raise ClockError("信访类型只能是建议意见类、检举控告类、申诉求决类。", "petition_types")
        if not kinds:
            raise ClockError("至少选择一种信访类型；不再使用的期限请停用。", "petition_types")
        changes["petition_types"] = ",".join(t for t in PetitionType.values if t in kinds)
    if "length" in changes and not 1 <= int(changes["length"]) <= MAX_CLOCK_LENGTH:
        raise ClockError(f"期限长度应在1到{MAX_CLOCK_LENGTH}之间。", "length")
    if "day_count" in changes and changes["day_count"] not in DayCount.values:
        raise ClockError("计算方式只能是“日”或“工作日”。", "day_count")
    if "kind" in changes and changes["kind"] not in ClockKind.values:
        raise ClockError("类别不对。", "kind")
    return changes


def update_clock(clock: Clock, *, by, request=None, **changes) -> Clock:
    """Change a clock's rule. Running clocks keep the length and count they started with; a
    change of the kinds of matter it applies to brings the open cases in line at once
    (``_bring_in_line``: running clocks added or withdrawn, each an event on its case). The
    change, old and new values, and what it did to open cases are in the audit log."""
    unknown = set(changes) - set(CLOCK_FIELDS)
    if unknown:
        raise TypeError(f"unknown clock fields: {sorted(unknown)}")
    rules.check(by, MANAGE, request=request, target=clock)
    changes = _checked(changes)
    with transaction.atomic():
        clock = Clock.objects.select_for_update().get(pk=clock.pk)
        diff = {
            field: {"old": getattr(clock, field), "new": value}
            for field, value in changes.items()
            if getattr(clock, field) != value
        }
        if not diff:
            return clock
        for field, change in diff.items():
            setattr(clock, field, change["new"])
        clock.save(update_fields=list(diff))
        cases: dict[str, Any] = {}
        if "petition_types" in diff:
            added, withdrawn = _bring_in_line(clock, by=by, reason=_kinds_reason(clock))
            cases = {"cases_added": added, "cases_withdrawn": withdrawn}
        record(
            AuditAction.POLICY,
            by=by,
            request=request,
            target=clock,
            change="clock",
            code=clock.code,
            fields=diff,
            **cases,
        )
    return clock


def apply_clock_kinds(clock: Clock, *, by, request=None) -> tuple[int, int]:
    """Bring the open cases in line with the kinds of matter the clock applies to, as it stands
    (after an upgrade that changed the default, the 办结 clock's running deadlines on 建议意见类
    and 检举控告类 matters are withdrawn here, by bureau staff, not by the migration). Returns
    (added, withdrawn); logged."""
    rules.check(by, MANAGE, request=request, target=clock)
    with transaction.atomic():
        clock = Clock.objects.select_for_update().get(pk=clock.pk)
        added, withdrawn = _bring_in_line(clock, by=by, reason=_kinds_reason(clock))
        record(
            AuditAction.POLICY,
            by=by,
            request=request,
            target=clock,
            change="clock_kinds_applied",
            code=clock.code,
            petition_types=clock.petition_types,
            cases_added=added,
            cases_withdrawn=withdrawn,
        )
    return added, withdrawn


def _kinds_reason(clock: Clock) -> str:
    return f"“{clock.name}”期限适用于{clock.petition_types_display}"


def _bring_in_line(clock: Clock, *, by, reason: str) -> tuple[int, int]:
    """Open cases (not in a final status) against the kinds of matter ``clock`` applies to:

    1. A running deadline of the clock on a case of another kind is withdrawn: deleted, so the
       figures never count a duty the case did not have, and written as ``deadline_withdrawn``
       on the case (its start and due date kept in the event).
    2. An active clock starts, as of its step's day, on a case of a kind it now applies to that
       took its start step and no stop step since (``_start_late``); ``deadline_applied``.
    Returns (added, withdrawn).
    """
    today = timezone.localdate()
    open_cases = Case.objects.exclude(status__in=workflow.FINAL)
    withdrawn = 0
    stale = (
        CaseDeadline.objects.select_for_update(of=("self",))
        .filter(clock=clock, stopped_on__isnull=True, case__in=open_cases)
        .exclude(case__petition_type__in=clock.petition_type_list)
        .order_by("id")
    )
    for deadline in stale:
        record_event(
            deadline.case_id,
            by=by,
            action="deadline_withdrawn",
            on=today,
            clock=clock.code,
            started_on=deadline.started_on.isoformat(),
            due=deadline.due_on.isoformat(),
            reason=reason,
        )
        deadline.delete()
        withdrawn += 1
    if not clock.active:
        return 0, withdrawn
    running = CaseDeadline.objects.filter(case=OuterRef("pk"), clock=clock, stopped_on__isnull=True)
    candidates = (
        open_cases.filter(petition_type__in=clock.petition_type_list)
        .filter(Exists(CaseEvent.objects.filter(case=OuterRef("pk"), action=clock.start_action)))
        .exclude(Exists(running))
        .order_by("id")
    )
    calendar = official.load()
    added = sum(_start_late(case, clock, by=by, reason=reason, calendar=calendar) for case in candidates)
    return added, withdrawn


def _start_late(case, clock: Clock, *, by, reason: str, calendar: Calendar) -> bool:
    """Start ``clock`` on ``case`` as if it had applied all along: from the day of its latest
    start step, unless a stop step followed; with the extensions and pauses of the steps since."""
    events = list(
        case.events.filter(on__isnull=False).order_by("at", "id").values_list("action", "on", "data")
    )
    starts = [i for i, (action, _, _) in enumerate(events) if action == clock.start_action]
    if not starts:
        return False
    started_on, later = events[starts[-1]][1], events[starts[-1] + 1 :]
    if any(action in clock.stop_action_list for action, _, _ in later):
        return False
    if CaseDeadline.objects.filter(case=case, clock=clock, started_on__gte=started_on).exists():
        return False
    steps = [(STEPS.get(action), on, data) for action, on, data in later]
    extension = sum(int(d.get("days") or 0) for s, _, d in steps if s and clock.code in s.extends)
    pauses = [
        {"from": on.isoformat(), "to": d["ended_on"], "reason": s.event}
        for s, on, d in steps
        if s and clock.code in s.pauses and d.get("ended_on")
    ]
    deadline = _start(
        case,
        clock,
        on=started_on,
        by_step=clock.start_action,
        calendar=calendar,
        extension_days=min(extension, EXTENSION_LIMIT_DAYS),
        pauses=pauses,
    )
    record_event(
        case,
        by=by,
        action="deadline_applied",
        on=timezone.localdate(),
        clock=clock.code,
        started_on=started_on.isoformat(),
        due=deadline.due_on.isoformat(),
        reason=reason,
    )
    return True
