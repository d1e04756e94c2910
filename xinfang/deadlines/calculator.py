"""The calculator: a due date and how it was reached (the page and ``xinfang deadline``).

Apart from the selectors and forms, which import the cases' steps and forms, so that the
command starts with the models and the calendar alone (``xinfang.core.startup``).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from xinfang.deadlines import calendar as official
from xinfang.deadlines.compute import CALENDAR, WORKDAYS, Calendar, DueDate, due_date, weekday_name


def parse_date(text: str) -> datetime.date:
    """A date as people write it: 2027-01-01, 2027/1/1, 2027年1月1日, 20270101."""
    text = text.strip()
    parts = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if parts is None:
        parts = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if parts is None:
        raise ValueError("日期格式应为 2027-01-01")
    year, month, day = (int(p) for p in parts.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"没有 {year}年{month}月{day}日 这一天") from None


@dataclass(frozen=True)
class Step:
    date: datetime.date | None
    text: str
    kind: str = ""  # start · skip · count · land · due


@dataclass(frozen=True)
class Calculation:
    start: datetime.date
    length: int
    day_count: str
    result: DueDate
    steps: tuple[Step, ...]

    @property
    def due_on(self) -> datetime.date:
        return self.result.due_on

    @property
    def unit(self) -> str:
        return "个工作日" if self.day_count == WORKDAYS else "日"


def calculate(
    start: datetime.date, length: int, day_count: str, calendar: Calendar | None = None
) -> Calculation:
    """The due date and how it was reached: the days skipped and why, the make-up workdays counted."""
    calendar = calendar or official.load()
    result = due_date(start, length, day_count, calendar)
    steps = [
        Step(start, f"起算日 {start:%Y-%m-%d}（{weekday_name(start)}），当日不计入（民法典第201条）", "start")
    ]
    if day_count == CALENDAR:
        landing = start + datetime.timedelta(days=length)
        steps.append(Step(landing, f"第{length}日为 {landing:%Y-%m-%d}（{weekday_name(landing)}）", "land"))
        for day, why in result.skipped:
            steps.append(
                Step(day, f"{day:%Y-%m-%d}（{weekday_name(day)}）{why}，期限顺延（民法典第203条）", "skip")
            )
    else:
        skipped = dict(result.skipped)
        day = start
        while day < result.due_on:
            day += datetime.timedelta(days=1)
            if day in skipped:
                steps.append(
                    Step(day, f"{day:%Y-%m-%d}（{weekday_name(day)}）{skipped[day]}，不计入工作日", "skip")
                )
            elif day in calendar.workdays:
                name = calendar.workdays[day]
                steps.append(
                    Step(
                        day,
                        f"{day:%Y-%m-%d}（{weekday_name(day)}）调休上班日{f'（{name}）' if name else ''}，计为工作日",
                        "count",
                    )
                )
    steps.append(
        Step(result.due_on, f"届满日 {result.due_on:%Y-%m-%d}（{weekday_name(result.due_on)}）", "due")
    )
    return Calculation(start=start, length=length, day_count=day_count, result=result, steps=tuple(steps))
