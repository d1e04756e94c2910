"""The period a figure covers: a month, a quarter, a year, or any range of days (both ends included)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

MONTH, QUARTER, YEAR, RANGE = "month", "quarter", "year", "range"
KINDS = ((MONTH, "月度"), (QUARTER, "季度"), (YEAR, "年度"), (RANGE, "自定义区间"))


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(month: datetime.date) -> datetime.date:
    return add_months(month, 1) - datetime.timedelta(days=1)


def local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def cn_day(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = datetime.date(year, month, 1)
        return cls(MONTH, first, month_end(first))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = datetime.date(year, 3 * quarter - 2, 1)
        return cls(QUARTER, first, month_end(add_months(first, 2)))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(YEAR, datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @classmethod
    def range(cls, start: datetime.date, end: datetime.date) -> Period:
        return cls(RANGE, start, end)

    @classmethod
    def current_month(cls, today: datetime.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls.month(today.year, today.month)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> list[datetime.date]:
        """The first day of every month the period touches. Targets and tallies are monthly:
        a range that cuts a month counts that whole month's target and tallies."""
        months, month = [], first_of_month(self.start)
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def start_moment(self) -> datetime.datetime:
        return local_midnight(self.start)

    @property
    def end_moment(self) -> datetime.datetime:
        """The first moment after the period (exclusive upper bound for datetimes)."""
        return local_midnight(self.end + datetime.timedelta(days=1))

    def previous(self) -> Period:
        """The period of the same kind just before: the month, quarter or year before, or as
        many days as a range ending the day before it starts."""
        if self.kind == MONTH:
            first = add_months(self.start, -1)
            return Period.month(first.year, first.month)
        if self.kind == QUARTER:
            first = add_months(self.start, -3)
            return Period.quarter(first.year, (first.month + 2) // 3)
        if self.kind == YEAR:
            return Period.year(self.start.year - 1)
        end = self.start - datetime.timedelta(days=1)
        return Period.range(end - datetime.timedelta(days=self.days - 1), end)

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == QUARTER:
            return f"{self.start.year}年第{(self.start.month + 2) // 3}季度"
        if self.kind == YEAR:
            return f"{self.start.year}年"
        return f"{cn_day(self.start)}至{cn_day(self.end)}"

    def as_of(self, today: datetime.date) -> datetime.date:
        """The day the period's snapshot figures (overdue) are taken: its last day, or today."""
        return min(self.end, today)
