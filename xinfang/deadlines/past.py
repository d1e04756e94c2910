"""The clocks of cases brought in from an old ledger (``xinfang.cases.actions_past``), as of the
days the ledger gives.

``after_history`` (plugged into ``cases.hooks.after_history``) replays each case's steps as
``actions.on_case_step`` takes them one by one, in memory, and inserts the clocks together:

1. A step with its day stops the clocks it stops on that day (a status that ends the case:
   every clock), then starts the active clocks it starts that apply to the case's kind of
   matter; a clock already running is not doubled unless another step started it.
2. A step the ledger gives no day for starts no clock, and a clock it would stop (every one,
   when it ends the case) is left out altogether: nobody knows when that clock ended, so it is
   neither running, nor met in time, nor late, and the figures do not count it.
3. Due dates come from the official calendar as it stands (provisional where a year is missing).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from xinfang.cases import workflow
from xinfang.cases.steps import STEPS
from xinfang.deadlines import calendar as official
from xinfang.deadlines.actions import compute_due
from xinfang.deadlines.compute import Calendar
from xinfang.deadlines.models import CaseDeadline, Clock

CHUNK = 500


def after_history(entries, *, by) -> None:
    """The hook: ``entries`` are (case, [(step, day or None), …]) in the order the steps were taken."""
    starts: dict[str, list[Clock]] = defaultdict(list)
    for clock in Clock.objects.filter(active=True):
        starts[clock.start_action].append(clock)
    calendar = official.load()
    made: list[CaseDeadline] = []
    for case, steps in entries:
        made += replay(case, steps, starts=starts, calendar=calendar)
    CaseDeadline.objects.bulk_create(made, batch_size=CHUNK)


def replay(
    case, steps: list[tuple[str, datetime.date | None]], *, starts: dict[str, list[Clock]], calendar: Calendar
) -> list[CaseDeadline]:
    """The case's clocks, unsaved, after ``steps`` (see the module's docstring)."""
    kept: list[CaseDeadline] = []
    running: dict[int, CaseDeadline] = {}
    for name, on in steps:
        final = STEPS[name].target in workflow.FINAL
        for deadline in [d for d in running.values() if final or name in d.clock.stop_action_list]:
            del running[deadline.clock_id]
            if on is None:
                kept.remove(deadline)
            else:
                deadline.stopped_on, deadline.stopped_by = on, name
        if on is None or final:
            continue
        for clock in starts.get(name, []):
            if not clock.applies_to(case.petition_type):
                continue
            current = running.get(clock.pk)
            if current is not None:
                if current.started_by in ("", name):
                    continue
                current.stopped_on, current.stopped_by = on, name
            running[clock.pk] = _start(case, clock, on=on, step=name, calendar=calendar)
            kept.append(running[clock.pk])
    return kept


def _start(case, clock: Clock, *, on: datetime.date, step: str, calendar: Calendar) -> CaseDeadline:
    due = compute_due(
        started_on=on, length=clock.length, day_count=clock.day_count, extension_days=0, calendar=calendar
    )
    return CaseDeadline(
        case=case,
        unit_id=case.unit_id,
        clock=clock,
        length=clock.length,
        day_count=clock.day_count,
        started_on=on,
        started_by=step,
        due_on=due.due_on,
        provisional=due.provisional,
        provisional_reason=due.reason[:200],
    )
