"""The due-date function against the official calendar.

The table below was worked out by hand from the State Council's notices (国务院办公厅关于
部分节假日安排的通知) for 2024, 2025 and 2026; each row's comment gives the reasoning. Every
expectation is also checked against ``chinese_calendar.is_workday``, an oracle that does not
use ``due_date``, and the property tests hold the rules for any start and length in 2004–2026.

The schedules relied on:
  2024: 春节 Feb 10–17 off, Feb 4 (Sun) and Feb 18 (Sun) work;
        国庆 Oct 1–7 off, Sep 29 (Sun) and Oct 12 (Sat) work.
  2025: 春节 Jan 28–Feb 4 off, Jan 26 (Sun) and Feb 8 (Sat) work;
        国庆+中秋 Oct 1–8 off, Sep 28 (Sun) and Oct 11 (Sat) work.
  2026 (as in chinese_calendar 1.11): 元旦 Jan 1–3 off, Jan 4 (Sun) work;
        春节 Feb 15–23 off, Feb 14 (Sat) and Feb 28 (Sat) work; 劳动节 May 1–5 off, May 9 (Sat) work;
        中秋 Sep 25–27 off; 国庆 Oct 1–7 off, Sep 20 (Sun) and Oct 10 (Sat) work.
  2015: 抗战胜利70周年纪念日 Sep 3–4 (Thu, Fri) off, Sep 6 (Sun) work.
"""

from __future__ import annotations

import datetime

import chinese_calendar
import pytest
from chinese_calendar import constants
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.deadlines.calendar import holiday_name
from xinfang.deadlines.compute import CALENDAR, WORKDAYS, Calendar, add_workdays, due_date

D = datetime.date
DAY = datetime.timedelta(days=1)
FIRST, LAST = D(2004, 1, 1), D(2026, 12, 31)

# Built straight from the package, not through the tables: the function alone is under test here.
OFFICIAL = Calendar(
    holidays={d: holiday_name(v) for d, v in constants.holidays.items()},
    workdays={d: f"{holiday_name(v)}调休" for d, v in constants.workdays.items()},
    years=frozenset(range(2004, 2027)),
)

HAND = [
    # start, length, count, due, why
    (
        D(2024, 9, 20),
        15,
        CALENDAR,
        D(2024, 10, 8),
        "Sep 20 + 15 = Oct 5 (Sat), 国庆 Oct 1–7 off → Oct 5, 6, 7 skipped → Tue Oct 8",
    ),
    (
        D(2024, 8, 5),
        60,
        CALENDAR,
        D(2024, 10, 8),
        "办结 60 日: Aug 5 + 60 = Oct 4 (Fri, 国庆) → Oct 4–7 skipped → Tue Oct 8",
    ),
    (
        D(2024, 9, 27),
        15,
        CALENDAR,
        D(2024, 10, 12),
        "Sep 27 + 15 = Oct 12, a Saturday made a workday (国庆调休) → stays",
    ),
    (
        D(2024, 11, 1),
        15,
        CALENDAR,
        D(2024, 11, 18),
        "Nov 1 + 15 = Nov 16 (Sat), ordinary weekend → Sat, Sun skipped → Mon Nov 18",
    ),
    (
        D(2024, 2, 2),
        5,
        WORKDAYS,
        D(2024, 2, 8),
        "5 工作日 from Fri Feb 2: Sat 3 rest, Sun 4 make-up (1), Mon–Thu 5–8 (2–5) → Feb 8",
    ),
    (
        D(2024, 2, 8),
        3,
        WORKDAYS,
        D(2024, 2, 19),
        "3 工作日 from Thu Feb 8: Fri 9 (1), 春节 Feb 10–17 skipped, Sun 18 make-up (2), Mon 19 (3)",
    ),
    (
        D(2025, 1, 13),
        15,
        CALENDAR,
        D(2025, 2, 5),
        "Jan 13 + 15 = Jan 28 (春节 Jan 28–Feb 4 off) → 8 days skipped → Wed Feb 5",
    ),
    (
        D(2025, 1, 11),
        15,
        CALENDAR,
        D(2025, 1, 26),
        "Jan 11 + 15 = Jan 26, a Sunday made a workday (春节调休) → stays",
    ),
    (
        D(2025, 1, 24),
        15,
        CALENDAR,
        D(2025, 2, 8),
        "Jan 24 + 15 = Feb 8, a Saturday made a workday (春节调休) → stays",
    ),
    (
        D(2025, 1, 24),
        5,
        WORKDAYS,
        D(2025, 2, 7),
        "5 工作日 from Fri Jan 24: Sat 25 rest, Sun 26 make-up (1), Mon 27 (2), Jan 28–Feb 4 off, "
        "Wed–Fri Feb 5–7 (3–5) → Feb 7",
    ),
    (D(2025, 9, 23), 15, CALENDAR, D(2025, 10, 9), "Sep 23 + 15 = Oct 8 (国庆+中秋 Oct 1–8 off) → Thu Oct 9"),
    (
        D(2025, 9, 26),
        15,
        CALENDAR,
        D(2025, 10, 11),
        "Sep 26 + 15 = Oct 11, a Saturday made a workday → stays",
    ),
    (
        D(2025, 9, 26),
        5,
        WORKDAYS,
        D(2025, 10, 10),
        "5 工作日 from Fri Sep 26: Sat 27 rest, Sun 28 make-up (1), Mon 29 (2), Tue 30 (3), "
        "Oct 1–8 off, Thu 9 (4), Fri 10 (5)",
    ),
    (
        D(2026, 9, 30),
        15,
        CALENDAR,
        D(2026, 10, 15),
        "the example of the command: Sep 30 + 15 = Thu Oct 15, a workday",
    ),
    (
        D(2026, 9, 20),
        15,
        CALENDAR,
        D(2026, 10, 8),
        "Sep 20 + 15 = Mon Oct 5 (国庆 Oct 1–7) → Oct 5–7 skipped → Thu Oct 8",
    ),
    (
        D(2026, 9, 28),
        5,
        WORKDAYS,
        D(2026, 10, 10),
        "5 工作日 from Mon Sep 28: 29 (1), 30 (2), Oct 1–7 off, Thu 8 (3), Fri 9 (4), Sat 10 make-up (5)",
    ),
    (D(2026, 2, 1), 15, CALENDAR, D(2026, 2, 24), "Feb 1 + 15 = Feb 16 (春节 Feb 15–23 off) → Tue Feb 24"),
    (
        D(2026, 2, 13),
        15,
        CALENDAR,
        D(2026, 2, 28),
        "Feb 13 + 15 = Feb 28, a Saturday made a workday (春节调休) → stays",
    ),
    (
        D(2026, 2, 12),
        5,
        WORKDAYS,
        D(2026, 2, 26),
        "5 工作日 from Thu Feb 12: Fri 13 (1), Sat 14 make-up (2), Feb 15–23 off, Tue–Thu 24–26 (3–5)",
    ),
    (
        D(2025, 12, 17),
        15,
        CALENDAR,
        D(2026, 1, 4),
        "Dec 17 + 15 = Thu Jan 1 (元旦 Jan 1–3 off) → Jan 1–3 skipped → Sun Jan 4, a make-up workday",
    ),
    (
        D(2025, 12, 31),
        1,
        WORKDAYS,
        D(2026, 1, 4),
        "1 工作日 from Wed Dec 31: Jan 1–3 off, Sun Jan 4 make-up (1)",
    ),
    (
        D(2026, 4, 30),
        5,
        WORKDAYS,
        D(2026, 5, 11),
        "5 工作日 from Thu Apr 30: May 1–5 off, Wed–Fri 6–8 (1–3), Sat 9 make-up (4), Sun 10 rest, Mon 11 (5)",
    ),
    (
        D(2015, 8, 19),
        15,
        CALENDAR,
        D(2015, 9, 6),
        "Aug 19 + 15 = Thu Sep 3 (抗战胜利70周年纪念日 Sep 3–4), Sat 5 rest → Sun Sep 6, a make-up workday",
    ),
]


def oracle_due(start: datetime.date, length: int, count: str) -> datetime.date:
    """The same rule, written the slow way over chinese_calendar.is_workday."""
    if count == CALENDAR:
        day = start + length * DAY
        while not chinese_calendar.is_workday(day):
            day += DAY
        return day
    day, counted = start, 0
    while counted < length:
        day += DAY
        counted += chinese_calendar.is_workday(day)
    return day


@pytest.mark.parametrize(
    ("start", "length", "count", "due", "why"), HAND, ids=[f"{r[0]}+{r[1]}{r[2][0]}" for r in HAND]
)
def test_hand_computed_due_dates(start, length, count, due, why):
    assert oracle_due(start, length, count) == due, why  # the hand reasoning agrees with the oracle
    result = due_date(start, length, count, OFFICIAL)
    assert result.due_on == due, why
    assert not result.provisional


def test_the_table_covers_the_required_situations():
    landings = [(s + n * DAY, due) for s, n, c, due, _ in HAND if c == CALENDAR]
    assert any(day in constants.holidays for day, _ in landings)  # lands on a holiday
    assert any(
        day.weekday() >= 5 and day not in constants.holidays and day not in constants.workdays and day != due
        for day, due in landings
    )  # lands on an ordinary weekend and moves
    assert any(day == due and day.weekday() == 5 and day in constants.workdays for day, due in landings)
    crossing = [(s, due) for s, n, c, due, _ in HAND if c == WORKDAYS]
    assert any(
        any(d in constants.workdays for d in (s + i * DAY for i in range(1, (due - s).days + 1)))
        for s, due in crossing
    )
    assert len(HAND) >= 12


def test_skipped_days_say_why():
    result = due_date(D(2026, 9, 20), 15, CALENDAR, OFFICIAL)
    assert result.skipped == (
        (D(2026, 10, 5), "法定节假日（国庆节）"),
        (D(2026, 10, 6), "法定节假日（国庆节）"),
        (D(2026, 10, 7), "法定节假日（国庆节）"),
    )
    weekend = due_date(D(2024, 11, 1), 15, CALENDAR, OFFICIAL)
    assert [why for _, why in weekend.skipped] == ["星期六休息日", "星期日休息日"]
    assert "2024-11-16 星期六休息日" in weekend.explain()


def test_no_skip_when_the_last_day_is_a_workday():
    result = due_date(D(2026, 9, 30), 15, CALENDAR, OFFICIAL)
    assert result.skipped == () and result.explain() == ""


def test_a_year_not_entered_gives_a_provisional_date_with_the_reason():
    result = due_date(D(2026, 12, 20), 15, CALENDAR, OFFICIAL)
    assert result.due_on == D(2027, 1, 4)  # Monday: weekends only
    assert result.provisional
    assert "2027年" in result.reason and "尚未录入" in result.reason
    # Landing in 2027 on a weekday that may turn out to be a holiday: still provisional.
    assert due_date(D(2026, 12, 17), 15, CALENDAR, OFFICIAL).due_on == D(2027, 1, 1)
    assert due_date(D(2026, 12, 17), 15, CALENDAR, OFFICIAL).provisional
    # A working-day count that runs into 2027.
    assert due_date(D(2026, 12, 28), 5, WORKDAYS, OFFICIAL).provisional
    # Within 2026: not provisional, though 2027 is missing.
    assert not due_date(D(2026, 12, 1), 15, CALENDAR, OFFICIAL).provisional


def test_zero_length_on_a_missing_year_is_provisional_too():
    # Found while writing these tests: a 0-day calendar clock still moves off a rest day, which
    # needs the year's schedule; it used to be reported as certain.
    assert due_date(D(2027, 1, 1), 0, CALENDAR, OFFICIAL).provisional
    assert not due_date(D(2026, 12, 31), 0, WORKDAYS, OFFICIAL).provisional


def test_bad_arguments():
    with pytest.raises(ValueError):
        due_date(D(2026, 1, 5), -1, CALENDAR, OFFICIAL)
    with pytest.raises(ValueError):
        due_date(D(2026, 1, 5), 3, "weeks", OFFICIAL)


def test_add_workdays():
    assert add_workdays(D(2026, 9, 28), 5, OFFICIAL) == D(2026, 10, 10)
    assert add_workdays(D(2026, 9, 28), 0, OFFICIAL) == D(2026, 9, 28)


# --- Properties over 2004-01-01 .. 2026-10-31, lengths 0..90, due dates kept inside 2026 ---------


@st.composite
def calendar_clocks(draw):
    start = draw(st.dates(min_value=FIRST, max_value=D(2026, 10, 31)))
    # Landing on or before 2026-12-28 (a Monday); no holiday follows in 2026, so the due date stays in 2026.
    length = draw(st.integers(min_value=0, max_value=min(90, (D(2026, 12, 28) - start).days)))
    return start, length


@st.composite
def workday_clocks(draw):
    start = draw(st.dates(min_value=FIRST, max_value=D(2026, 10, 31)))
    # December 2026 has no holidays: half the days left are always enough workdays.
    length = draw(st.integers(min_value=0, max_value=min(90, (LAST - start).days // 2)))
    return start, length


@settings(max_examples=400, deadline=None)
@given(calendar_clocks())
def test_calendar_clock_properties(clock):
    start, length = clock
    result = due_date(start, length, CALENDAR, OFFICIAL)
    last_day = start + length * DAY
    assert result.due_on >= last_day
    assert result.due_on.year <= 2026 and not result.provisional
    if length > 0:
        assert chinese_calendar.is_workday(result.due_on)
    # Only rest days are passed over, and each one is reported.
    passed = [last_day + i * DAY for i in range((result.due_on - last_day).days)]
    assert all(not chinese_calendar.is_workday(d) for d in passed)
    assert [d for d, _ in result.skipped] == passed
    assert result.due_on == oracle_due(start, length, CALENDAR)


@settings(max_examples=400, deadline=None)
@given(workday_clocks())
def test_workday_clock_properties(clock):
    start, length = clock
    result = due_date(start, length, WORKDAYS, OFFICIAL)
    assert result.due_on >= start + length * DAY
    assert result.due_on.year <= 2026 and not result.provisional
    between = [start + i * DAY for i in range(1, (result.due_on - start).days + 1)]
    assert sum(chinese_calendar.is_workday(d) for d in between) == length
    if length > 0:
        assert chinese_calendar.is_workday(result.due_on)
    assert [d for d, _ in result.skipped] == [d for d in between if not chinese_calendar.is_workday(d)]


def test_calendar_agrees_with_chinese_calendar_on_every_day():
    days = [FIRST + i * DAY for i in range((LAST - FIRST).days + 1)]
    assert [d for d in days if OFFICIAL.is_workday(d) != chinese_calendar.is_workday(d)] == []
