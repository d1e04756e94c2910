"""Due dates of statutory clocks: one pure function over the official calendar.

Counting (民法典 第201条、第203条; 民事诉讼法 第85条):
1. The day of the starting event is not counted.
2. Calendar-day clocks (日): start + length; a last day that is a rest day moves to the
   first workday after it.
3. Working-day clocks (工作日): count the workdays after the start until ``length`` of them.
4. A workday is Monday to Friday, unless a statutory holiday; a weekend day the State Council
   makes a working day (调休上班) is a workday.
5. A year whose schedule is not in the calendar is counted with weekends only, and the result
   is provisional, with the reason.
6. Days the law leaves out of a clock (``paused``: a hearing's days, 《信访工作条例》第三十六条
   "听证所需时间不计算在前款规定的期限内") are not counted: a calendar-day clock counts the other
   days after the start, a working-day clock the other workdays. A paused day after the clock's
   last counted day changes nothing (the clock had run out).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

CALENDAR = "calendar"
WORKDAYS = "workdays"
WEEKDAY_NAMES = "一二三四五六日"  # the one list of weekday names: 星期一 … 星期日


def weekday_name(day: datetime.date) -> str:
    return f"星期{WEEKDAY_NAMES[day.weekday()]}"


@dataclass(frozen=True)
class Calendar:
    """The official calendar: departures from Monday-to-Friday, and the years it covers."""

    holidays: dict[datetime.date, str] = field(default_factory=dict)
    workdays: dict[datetime.date, str] = field(default_factory=dict)
    years: frozenset[int] = frozenset()

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def why_rest(self, day: datetime.date) -> str:
        if day in self.holidays:
            return f"法定节假日（{self.holidays[day]}）" if self.holidays[day] else "法定节假日"
        return f"{weekday_name(day)}休息日"

    def covers(self, day: datetime.date) -> bool:
        return day.year in self.years


@dataclass(frozen=True)
class DueDate:
    due_on: datetime.date
    provisional: bool = False
    reason: str = ""
    skipped: tuple[tuple[datetime.date, str], ...] = ()  # rest (and paused) days passed over, with why
    paused: int = 0  # days (or workdays) not counted because they were paused (rule 6)

    def explain(self) -> str:
        if not self.skipped:
            return ""
        return "；".join(f"{d:%Y-%m-%d} {why}" for d, why in self.skipped)


def due_date(
    start: datetime.date,
    length: int,
    day_count: str,
    calendar: Calendar,
    paused: Mapping[datetime.date, str] | None = None,
) -> DueDate:
    """The last day of a clock of ``length`` days (or workdays) that starts on ``start``;
    ``paused`` maps the days not counted to why (rule 6)."""
    if length < 0:
        raise ValueError("length must not be negative")
    paused = paused or {}
    skipped: list[tuple[datetime.date, str]] = []
    day = start
    not_counted = 0  # paused days that the clock would have counted
    if day_count == WORKDAYS:
        counted = 0
        while counted < length:
            day += datetime.timedelta(days=1)
            if not calendar.is_workday(day):
                skipped.append((day, calendar.why_rest(day)))
            elif day in paused:
                skipped.append((day, paused[day]))
                not_counted += 1
            else:
                counted += 1
        touched = (start + datetime.timedelta(days=1), day)
    elif day_count == CALENDAR:
        day = _count_days(start, length, paused, skipped)
        not_counted = len(skipped)
        first_last_day = day
        while not calendar.is_workday(day):
            skipped.append((day, calendar.why_rest(day)))
            day += datetime.timedelta(days=1)
        touched = (first_last_day, day)
    else:
        raise ValueError(f"unknown day count {day_count!r}")
    missing = sorted({y for y in range(touched[0].year, touched[1].year + 1) if y not in calendar.years})
    reason = ""
    if missing:
        years = "、".join(f"{y}年" for y in missing)
        reason = f"{years}的法定节假日安排尚未录入，暂按周末计算；录入后自动重新计算"
    return DueDate(
        due_on=day, provisional=bool(reason), reason=reason, skipped=tuple(skipped), paused=not_counted
    )


def _count_days(
    start: datetime.date, length: int, paused: Mapping[datetime.date, str], skipped: list
) -> datetime.date:
    """The ``length``-th day after ``start`` that is not paused (each paused day passed is noted)."""
    if not paused:
        return start + datetime.timedelta(days=length)
    day, counted = start, 0
    while counted < length:
        day += datetime.timedelta(days=1)
        if day in paused:
            skipped.append((day, paused[day]))
        else:
            counted += 1
    return day


def paused_days(periods) -> dict[datetime.date, str]:
    """The days of some periods ``{"from": iso, "to": iso, "reason": text}`` (as a running clock
    keeps them, ``CaseDeadline.pauses``), each with its reason."""
    days: dict[datetime.date, str] = {}
    for period in periods:
        first = datetime.date.fromisoformat(period["from"])
        last = datetime.date.fromisoformat(period["to"])
        while first <= last:
            days.setdefault(first, period.get("reason", ""))
            first += datetime.timedelta(days=1)
    return days


def add_workdays(start: datetime.date, count: int, calendar: Calendar) -> datetime.date:
    """The ``count``-th workday after ``start`` (for 'due within 3 workdays')."""
    return due_date(start, count, WORKDAYS, calendar).due_on
