"""When each demo case's steps happen: the path through the step registry, the gaps between
steps, and cases placed by their running statutory clock."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.utils import timezone

from xinfang.cases import steps
from xinfang.cases.models import (
    CaseStatus,
)
from xinfang.deadlines import calendar as official
from xinfang.deadlines.actions import CLOCKS as CLOCK_SEEDS
from xinfang.deadlines.actions import compute_due
from xinfang.deadlines.compute import Calendar, add_workdays
from xinfang.deadlines.models import Clock
from xinfang.deadlines.selectors import DUE_SOON_WORKDAYS
from xinfang.demo.people import SEED
from xinfang.demo.spec import Spec

# ── Planning the dates ───────────────────────────────────────────────────────────────────
# Every case is placed relative to today: the step that gave it its status is ``days_ago``
# days back (or, with ``due_in``, where its running clock falls due as asked), and the earlier
# steps are laid out backwards at realistic intervals, each on a workday of the official
# calendar. So the dates stay valid and in order whatever today is.

HANDLING_PATH = (
    "authorize",
    "submit",
    "forward",
    "receive",
    "accept",
    "conclude",
    "deliver",
    "request_review",
    "review",
    "deliver_review",
    "request_re_review",
    "re_review",
)
# The status → the step that reaches it, along HANDLING_PATH (the step registry says which).
REACHED_BY = {steps.STEPS[name].target: name for name in HANDLING_PATH if steps.STEPS[name].target}
# Steps that keep the status, taken right after the step that reached it (复查意见送达).
FOLLOWED_BY = {"review": "deliver_review"}
REFUSALS = {"not_accepted": "not_accept", "not_accepted_again": "not_accept_again"}

# Days from the step before (drawn at random within the range; the extension is drawn from the
# acceptance, the conclusion after an extension from the extension).
GAPS = {
    "authorize": (0, 2),  # signed at the desk or within two days
    "submit": (0, 2),
    "forward": (1, 5),  # 转送交办 (第22条: within 15 days)
    "receive": (1, 3),
    "accept": (2, 10),  # 受理告知 (第23条: within 15 days of receipt)
    "not_accept": (5, 13),
    "not_accept_again": (3, 12),
    "extend": (50, 56),  # approved shortly before the 60 days run out
    "conclude": (30, 55),  # 办结 (第34条: within 60 days of acceptance)
    "conclude_extended": (11, 25),
    "deliver": (1, 5),
    "request_review": (5, 25),  # within the 30 days of 第35条
    "review": (12, 28),
    "deliver_review": (1, 5),  # the written 复查意见 reaches the petitioner
    "request_re_review": (5, 20),  # within the 30 days of 第36条, from the receipt
    "re_review": (12, 28),
    "withdraw": (3, 20),
    "request_review_late": (38, 48),  # after the 30 days: recorded with the reason (第35条)
    "object": (1, 4),  # 管辖异议 within the 5 workdays of 第23条
    "hear": (5, 12),  # a 复核 hearing, some days after the request
}

# Gaps of a step taken otherwise than usual: the key of GAPS → the step it is.
GAP_VARIANTS = {"conclude_extended": "conclude", "request_review_late": "request_review"}

# For a case placed by ``due_in``: the step that starts the clock that is running, and the clock.
TIMED = {
    "submitted": ("submit", "forward"),
    "received": ("receive", "accept_notice"),
    "accepted": ("accept", "conclude"),
    "review_requested": ("request_review", "review_opinion"),
    "re_review_requested": ("request_re_review", "re_review_opinion"),
}
FOLLOW_MODES = ("today", "later", "missed")


def steps_for(
    status: str,
    *,
    withdrawn_from: str = "",
    extension: int = 0,
    objection: bool = False,
    hearing: bool = False,
) -> tuple[str, ...]:
    """The dated steps after registration that bring a case to ``status``, in order (with a
    管辖异议, the case is back at 已转送交办 after it; with a hearing, it follows the request)."""
    if status == CaseStatus.WITHDRAWN:
        return (*steps_for(withdrawn_from, extension=extension), "withdraw")
    if status in REFUSALS:
        return (*steps_for(CaseStatus.RECEIVED), REFUSALS[status])
    if objection:
        return (*steps_for(CaseStatus.RECEIVED), "object")
    if status not in REACHED_BY:
        return ()  # intake, in_scope, referred: reception only
    last = REACHED_BY[status]
    steps = HANDLING_PATH[: HANDLING_PATH.index(FOLLOWED_BY.get(last, last)) + 1]
    if extension and "accept" in steps:
        at = steps.index("accept") + 1
        steps = (*steps[:at], "extend", *steps[at:])
    if hearing and steps[-1] == "request_re_review":
        steps = (*steps, "hear")
    return steps


def spec_steps(spec: Spec) -> tuple[str, ...]:
    return steps_for(
        spec.status,
        withdrawn_from=spec.withdrawn_from,
        extension=spec.extension,
        objection=bool(spec.objection),
        hearing=bool(spec.hearing_days),
    )


@dataclass
class Plan:
    """The dates of one case: each step's day (``open`` the reception), and the follow-ups."""

    dates: dict[str, datetime.date]
    steps: tuple[str, ...]
    extension: int = 0  # 延期 days granted
    told_on: datetime.date | None = None  # extension told to the petitioner
    heard_until: datetime.date | None = None  # the hearing's last day
    reforwarded_on: datetime.date | None = None  # after a 管辖异议: sent to the new body
    # (day, next follow-up planned, stage) in date order; stage "progress" or "last"
    follow_ups: list[tuple[datetime.date, datetime.date | None, str]] = field(default_factory=list)

    @property
    def received_on(self) -> datetime.date:
        return self.dates["open"]

    @property
    def last_on(self) -> datetime.date:
        return self.dates[self.steps[-1]] if self.steps else self.dates["open"]


@dataclass(frozen=True)
class Clocks:
    """What planning needs of the statutory clocks: the calendar and each clock's length."""

    calendar: Calendar
    lengths: dict[str, tuple[int, str]]  # code → (length, day count)

    @classmethod
    def load(cls) -> Clocks:
        lengths = {seed.code: (seed.length, seed.day_count) for seed in CLOCK_SEEDS}
        lengths |= {c.code: (c.length, c.day_count) for c in Clock.objects.filter(active=True)}
        return cls(calendar=official.load(), lengths=lengths)

    def due(self, code: str, start: datetime.date, extension: int = 0) -> datetime.date:
        length, day_count = self.lengths[code]
        return compute_due(
            started_on=start,
            length=length,
            day_count=day_count,
            extension_days=extension,
            calendar=self.calendar,
        ).due_on

    def soon_until(self, today: datetime.date) -> datetime.date:
        return add_workdays(today, DUE_SOON_WORKDAYS, self.calendar)

    def workday_on_or_before(self, day: datetime.date) -> datetime.date:
        for _ in range(20):
            if self.calendar.is_workday(day):
                return day
            day -= datetime.timedelta(days=1)
        return day

    def workday_on_or_after(self, day: datetime.date) -> datetime.date:
        for _ in range(20):
            if self.calendar.is_workday(day):
                return day
            day += datetime.timedelta(days=1)
        return day


def clock_start(spec: Spec, *, today: datetime.date, clocks: Clocks) -> tuple[datetime.date, int]:
    """The day the running clock started, such that it falls due as ``spec.due_in`` asks:
    passed (negative), or today or within the next 3 workdays (0 to 3), preferably on a workday;
    and the extension granted. An extension runs from the original due date, which a holiday may
    have moved: where the asked days cannot land in the window, a few days fewer are granted."""
    due_in = spec.due_in
    assert due_in is not None  # only a case placed by ``due_in`` comes here
    code = TIMED[spec.status][1]
    length = clocks.lengths[code][0]
    target = today + datetime.timedelta(days=due_in)
    soon_until = clocks.soon_until(today)

    def fits(start: datetime.date, extension: int) -> bool:
        due = clocks.due(code, start, extension)
        return due <= target if due_in < 0 else today <= due <= soon_until

    extensions = [spec.extension - n for n in range(0, 15 if spec.extension else 1) if spec.extension - n > 0]
    tries = [(workday, extension) for workday in (True, False) for extension in extensions or [0]]
    for workday, extension in tries:
        first = target - datetime.timedelta(days=length + extension)
        for start in (first - datetime.timedelta(days=n) for n in range(0, 25)):
            if (clocks.calendar.is_workday(start) or not workday) and fits(start, extension):
                return start, extension
    return target - datetime.timedelta(days=length + spec.extension), spec.extension


def plan_case(spec: Spec, index: int, *, today: datetime.date, clocks: Clocks) -> Plan:
    rng = random.Random(f"{SEED}:plan:{index}")
    steps = spec_steps(spec)
    chain = ("open", *steps)
    gaps = {}
    for step in steps:
        key = "conclude_extended" if step == "conclude" and "extend" in steps else step
        key = "request_review_late" if step == "request_review" and spec.late_reason else key
        gaps[step] = rng.randint(*GAPS[key])
    dates: dict[str, datetime.date] = {}
    extension = spec.extension
    if spec.due_in is None:
        anchor = chain[-1]
        day = today - datetime.timedelta(days=spec.days_ago)
        dates[anchor] = clocks.workday_on_or_before(day) if spec.days_ago else today
    else:
        anchor = TIMED[spec.status][0]
        dates[anchor], extension = clock_start(spec, today=today, clocks=clocks)
    at = chain.index(anchor)
    # Backwards from the anchor, each step its gap after the one before (the extension counts
    # from the acceptance, the conclusion after an extension from the extension); a rest day
    # moves to the next workday, so no interval grows beyond its gap and every clock is met ...
    for k in range(at, 0, -1):
        later = dates[chain[k]]
        day = clocks.workday_on_or_after(later - datetime.timedelta(days=gaps[chain[k]]))
        dates[chain[k - 1]] = min(day, later)
    # ... and forwards after it (only the extension of a case placed by its clock).
    for k in range(at + 1, len(chain)):
        day = dates[chain[k - 1]] + datetime.timedelta(days=gaps[chain[k]])
        dates[chain[k]] = min(clocks.workday_on_or_after(day), today)
    plan = Plan(dates=dates, steps=steps, extension=extension)
    if "extend" in steps:
        plan.told_on = min(
            clocks.workday_on_or_after(dates["extend"] + datetime.timedelta(days=rng.randint(1, 2))), today
        )
    if "hear" in steps:
        plan.heard_until = min(dates["hear"] + datetime.timedelta(days=spec.hearing_days - 1), today)
    if "object" in steps:
        plan.reforwarded_on = min(
            clocks.workday_on_or_after(dates["object"] + datetime.timedelta(days=1)), today
        )
    _plan_follow_ups(plan, spec, rng, today=today, clocks=clocks)
    return plan


def _plan_follow_ups(plan: Plan, spec: Spec, rng: random.Random, *, today, clocks: Clocks) -> None:
    """The agent's 跟踪督办: one while the handling body works on an accepted case for weeks, and
    the latest one of a live case, whose next follow-up is due today, later, or has passed."""
    last_on = plan.last_on
    day = datetime.timedelta(days=1)
    final = None
    mode = spec.follow
    if mode == "today" and last_on >= today:
        mode = "later"
    if mode == "missed" and (today - last_on).days < 4:
        mode = "later"
    if mode == "today":
        on = max(last_on, clocks.workday_on_or_before(today - datetime.timedelta(days=rng.randint(3, 9))))
        final = (on, today) if on < today else (today, today + 7 * day)
    elif mode == "later":
        on = max(last_on, clocks.workday_on_or_before(today - datetime.timedelta(days=rng.randint(0, 6))))
        final = (on, clocks.workday_on_or_after(today + datetime.timedelta(days=rng.randint(3, 10))))
    elif mode == "missed":
        on = max(last_on, clocks.workday_on_or_before(today - datetime.timedelta(days=rng.randint(12, 18))))
        wait = min(7, (today - on).days - 1)
        final = (on, on + datetime.timedelta(days=max(1, wait)))
    if "accept" in plan.steps:
        start = plan.dates["accept"]
        after = plan.steps[plan.steps.index("accept") + 1 :]
        end = plan.dates[after[0]] if after else (final[0] if final else today)
        if (end - start).days >= 20:
            middle = clocks.workday_on_or_before(start + datetime.timedelta(days=(end - start).days // 2))
            plan.follow_ups.append((max(middle, start + day), None, "progress"))
    if final is not None:
        plan.follow_ups.append((*final, "last"))


def local_time(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
