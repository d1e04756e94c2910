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
"""

from __future__ import annotations

import datetime
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
    skipped: tuple[tuple[datetime.date, str], ...] = ()  # rest days passed over, with why

    def explain(self) -> str:
        if not self.skipped:
            return ""
        return "；".join(f"{d:%Y-%m-%d} {why}" for d, why in self.skipped)


def due_date(start: datetime.date, length: int, day_count: str, calendar: Calendar) -> DueDate:
    """The last day of a clock of ``length`` days (or workdays) that starts on ``start``."""
    if length < 0:
        raise ValueError("length must not be negative")
    skipped: list[tuple[datetime.date, str]] = []
    day = start
    if day_count == WORKDAYS:
        counted = 0
        while counted < length:
            day += datetime.timedelta(days=1)
            if calendar.is_workday(day):
                counted += 1
            else:
                skipped.append((day, calendar.why_rest(day)))
        touched = (start + datetime.timedelta(days=1), day)
    elif day_count == CALENDAR:
        day = start + datetime.timedelta(days=length)
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
    return DueDate(due_on=day, provisional=bool(reason), reason=reason, skipped=tuple(skipped))


def add_workdays(start: datetime.date, count: int, calendar: Calendar) -> datetime.date:
    """The ``count``-th workday after ``start`` (for 'due within 3 workdays')."""
    return due_date(start, count, WORKDAYS, calendar).due_on
