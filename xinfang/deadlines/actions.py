"""What changes clocks and the calendar: case steps start and stop clocks, staff edit the rules.

Glossary: 期限 clock · 起算 start · 届满日 due date · 延期 extension (第34条, ≤ 30 日) ·
调休上班日 make-up workday · 法定节假日 holiday · 暂定 provisional (year not yet entered).

History is not rewritten: a running clock keeps the length and day count it started with;
only a change of the official calendar moves stored due dates, and each move is a CaseEvent.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from xinfang.access import rules
from xinfang.accounts import agent_reports
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.cases import workflow
from xinfang.cases.history import record_event
from xinfang.cases.models import EXTENSION_LIMIT_DAYS
from xinfang.cases.steps import CLOCK_STEPS, STEPS, clock_steps_of
from xinfang.core.errors import DomainError
from xinfang.deadlines import calendar as official
from xinfang.deadlines.compute import CALENDAR, Calendar, DueDate, due_date, weekday_name
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


# --- The clocks of the 2022 条例, as seeded ------------------------------------------------------


@dataclass(frozen=True)
class ClockSeed:
    """A clock as the platform first knows it. Which steps start and stop it is said by the steps
    themselves (``xinfang.cases.steps``: ``starts`` and ``stops``); bureau staff may change all
    of it afterwards (``update_clock``)."""

    code: str
    name: str
    length: int
    day_count: str
    kind: str
    legal_basis: str

    @property
    def start_action(self) -> str:
        return clock_steps_of(self.code)[0]

    @property
    def stop_actions(self) -> str:
        return ",".join(clock_steps_of(self.code)[1])


CLOCKS = (
    ClockSeed("forward", "转送交办", 15, DayCount.CALENDAR, ClockKind.DEADLINE, "《信访工作条例》第22条"),
    ClockSeed(
        "accept_notice", "受理告知", 15, DayCount.CALENDAR, ClockKind.DEADLINE, "《信访工作条例》第23条"
    ),
    ClockSeed(
        "competence_objection", "管辖异议", 5, DayCount.WORKDAYS, ClockKind.WINDOW, "《信访工作条例》第23条"
    ),
    ClockSeed("conclude", "办结", 60, DayCount.CALENDAR, ClockKind.DEADLINE, "《信访工作条例》第34条"),
    ClockSeed(
        "review_request", "申请复查", 30, DayCount.CALENDAR, ClockKind.WINDOW, "《信访工作条例》第35条"
    ),
    ClockSeed(
        "review_opinion", "复查意见", 30, DayCount.CALENDAR, ClockKind.DEADLINE, "《信访工作条例》第35条"
    ),
    ClockSeed(
        "re_review_request", "申请复核", 30, DayCount.CALENDAR, ClockKind.WINDOW, "《信访工作条例》第36条"
    ),
    ClockSeed(
        "re_review_opinion",
        "复核意见",
        30,
        DayCount.CALENDAR,
        ClockKind.DEADLINE,
        "《信访工作条例》第36条（听证时间不计算在内）",
    ),
)


def seed_clocks(clock_model=Clock) -> int:
    """Create the seeded clocks where missing (by code). Used by the migration and by tests."""
    created = 0
    for order, seed in enumerate(CLOCKS, start=1):
        _, made = clock_model.objects.get_or_create(
            code=seed.code,
            defaults={
                "name": seed.name,
                "start_action": seed.start_action,
                "stop_actions": seed.stop_actions,
                "length": seed.length,
                "day_count": seed.day_count,
                "kind": seed.kind,
                "legal_basis": seed.legal_basis,
                "sort_order": order * 10,
            },
        )
        created += made
    return created


# --- Case steps ----------------------------------------------------------------------------------


def compute_due(
    *, started_on: datetime.date, length: int, day_count: str, extension_days: int, calendar: Calendar
) -> DueDate:
    """The due date of a running clock: its own count, then any extension in calendar days from
    the original due date (第34条 lets the 办理期限 itself be lengthened, so we count on from where it ended)."""
    original = due_date(started_on, length, day_count, calendar)
    if not extension_days:
        return original
    extended = due_date(original.due_on, extension_days, CALENDAR, calendar)
    reason = extended.reason or original.reason
    return DueDate(
        due_on=extended.due_on,
        provisional=original.provisional or extended.provisional,
        reason=reason,
        skipped=original.skipped + extended.skipped,
    )


def _due_of(deadline: CaseDeadline, calendar: Calendar) -> DueDate:
    return compute_due(
        started_on=deadline.started_on,
        length=deadline.length,
        day_count=deadline.day_count,
        extension_days=deadline.extension_days,
        calendar=calendar,
    )


def _apply(deadline: CaseDeadline, result: DueDate) -> None:
    deadline.due_on = result.due_on
    deadline.provisional = result.provisional
    deadline.provisional_reason = result.reason[:200]


def on_case_step(case, *, action: str, on: datetime.date, by, extension_days: int = 0) -> None:
    """Start, stop and extend the case's clocks after a step (called inside the step's transaction).

    1. Stop each open clock whose stop actions include ``action``; a final status (withdrawn,
       not accepted, re-reviewed…) stops every open clock.
    2. A step that extends clocks (``extends`` in its row: 延期 the 办结 clock) lengthens each
       such open clock by ``extension_days`` calendar days from its original due date (第34条,
       at most ``EXTENSION_LIMIT_DAYS`` in all), and not once the clock has run out.
    3. Start each active clock whose start action is ``action``, copying its length and day
       count, due date from the official calendar (provisional where a year is missing).
       A case in a final status starts no clock, and a clock already running is not doubled.
    """
    calendar: Calendar | None = None

    def cal() -> Calendar:
        nonlocal calendar
        if calendar is None:
            calendar = official.load()
        return calendar

    stop_all = case.status in workflow.FINAL
    running = list(
        CaseDeadline.objects.select_for_update(of=("self",))
        .filter(case=case, stopped_on__isnull=True)
        .select_related("clock")
    )
    still_running = []
    for deadline in running:
        if stop_all or action in deadline.clock.stop_action_list:
            deadline.stopped_on = on
            deadline.stopped_by = action
            deadline.save(update_fields=["stopped_on", "stopped_by"])
        else:
            still_running.append(deadline)

    step = STEPS.get(action)
    if step is not None and step.extends:
        _extend(
            [d for d in still_running if d.clock.code in step.extends], on=on, days=extension_days, cal=cal
        )

    if stop_all:
        return
    running_clocks = {d.clock_id for d in still_running}
    for clock in Clock.objects.filter(active=True, start_action=action):
        if clock.pk in running_clocks:
            continue
        deadline = CaseDeadline(
            case=case,
            unit_id=case.unit_id,
            clock=clock,
            length=clock.length,
            day_count=clock.day_count,
            started_on=on,
        )
        _apply(deadline, _due_of(deadline, cal()))
        deadline.save()


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
        on_case_step(case, action=step, on=on, by=by, extension_days=int(data.get("days", 0) or 0))


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
    "active",
    "sort_order",
)
MAX_CLOCK_LENGTH = 366


def step_choices() -> list[tuple[str, str]]:
    """The steps a clock may start or stop at (those that carry their day), in their words."""
    return [(name, STEPS[name].event) for name in CLOCK_STEPS]


def update_clock(clock: Clock, *, by, request=None, **changes) -> Clock:
    """Change a clock's rule. Running clocks keep the length and count they started with; the
    change, old and new values, is in the audit log."""
    unknown = set(changes) - set(CLOCK_FIELDS)
    if unknown:
        raise TypeError(f"unknown clock fields: {sorted(unknown)}")
    rules.check(by, MANAGE, request=request, target=clock)
    if "stop_actions" in changes and not isinstance(changes["stop_actions"], str):
        changes["stop_actions"] = ",".join(changes["stop_actions"])
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
    if "length" in changes and not 1 <= int(changes["length"]) <= MAX_CLOCK_LENGTH:
        raise ClockError(f"期限长度应在1到{MAX_CLOCK_LENGTH}之间。", "length")
    if "day_count" in changes and changes["day_count"] not in DayCount.values:
        raise ClockError("计算方式只能是“日”或“工作日”。", "day_count")
    if "kind" in changes and changes["kind"] not in ClockKind.values:
        raise ClockError("类别不对。", "kind")
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
        record(
            AuditAction.POLICY,
            by=by,
            request=request,
            target=clock,
            change="clock",
            code=clock.code,
            fields=diff,
        )
    return clock
