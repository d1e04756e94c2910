"""Properties of a clock paused by a hearing (《信访工作条例》第三十六条: "听证所需时间不计算在前款
规定的期限内"), for any start, length, count and hearing in 2004–2026, on the official calendar.

A hearing that starts while the clock runs moves its due date by exactly the hearing's days (a
calendar-day clock) or the hearing's workdays (a working-day clock): the result is the clock of
that greater length. A hearing that starts after the clock has run out moves nothing. Either
way the due date never comes earlier, and the days paused are reported.
"""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.deadlines.actions import compute_due
from xinfang.deadlines.compute import CALENDAR, WORKDAYS, due_date, paused_days
from xinfang.deadlines.tests.test_compute import OFFICIAL

D = datetime.date
DAY = datetime.timedelta(days=1)


@st.composite
def hearings(draw):
    start = draw(st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 6, 30)))
    length = draw(st.integers(min_value=1, max_value=60))
    count = draw(st.sampled_from([CALENDAR, WORKDAYS]))
    first = start + draw(st.integers(min_value=0, max_value=100)) * DAY  # may be the start day itself
    last = first + draw(st.integers(min_value=0, max_value=20)) * DAY
    return start, length, count, first, last


def days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + n * DAY for n in range((last - first).days + 1)]


@settings(max_examples=500, deadline=None)
@given(hearings())
def test_a_hearing_moves_the_due_date_by_its_days_as_the_clock_counts(hearing):
    start, length, count, first, last = hearing
    paused = {d: "举行听证" for d in days(first, last)}
    plain = due_date(start, length, count, OFFICIAL)
    result = due_date(start, length, count, OFFICIAL, paused)

    assert result.due_on >= plain.due_on
    # The days the clock would have counted: after its start, and workdays for a workday clock.
    counted = [d for d in paused if d > start and (count == CALENDAR or OFFICIAL.is_workday(d))]
    still_running = first <= (start + length * DAY if count == CALENDAR else plain.due_on)
    if still_running:
        assert result.due_on == due_date(start, length + len(counted), count, OFFICIAL).due_on
        assert result.paused == len(counted)
    else:
        assert result.due_on == plain.due_on and result.paused == 0
    # The days after the start that are neither paused nor (for workdays) rest days number the
    # clock's length up to the last one counted; after it, only rest days are passed over.
    kept = [d for d in days(start + DAY, result.due_on) if d not in paused]
    if count == WORKDAYS:
        kept = [d for d in kept if OFFICIAL.is_workday(d)]
        assert len(kept) == length and kept[-1] == result.due_on
    else:
        assert len(kept) >= length
        assert all(not OFFICIAL.is_workday(d) for d in days(kept[length - 1], result.due_on - DAY))
    assert OFFICIAL.is_workday(result.due_on)


@settings(max_examples=200, deadline=None)
@given(hearings(), st.integers(min_value=0, max_value=30))
def test_the_stored_periods_give_the_same_due_date_and_an_extension_runs_after_them(hearing, extension):
    start, length, count, first, last = hearing
    periods = [{"from": first.isoformat(), "to": last.isoformat(), "reason": "举行听证"}]
    assert paused_days(periods) == {d: "举行听证" for d in days(first, last)}
    paused = due_date(start, length, count, OFFICIAL, paused_days(periods))
    result = compute_due(
        started_on=start,
        length=length,
        day_count=count,
        extension_days=extension,
        calendar=OFFICIAL,
        pauses=periods,
    )
    assert result.paused == paused.paused
    assert result.due_on == due_date(paused.due_on, extension, CALENDAR, OFFICIAL).due_on


@settings(max_examples=200, deadline=None)
@given(hearings())
def test_two_hearings_count_as_the_days_they_cover(hearing):
    start, length, count, first, last = hearing
    split = first + (last - first) // 2
    one = due_date(start, length, count, OFFICIAL, {d: "听证" for d in days(first, last)})
    two = due_date(
        start,
        length,
        count,
        OFFICIAL,
        {**{d: "听证" for d in days(first, split)}, **{d: "听证" for d in days(split, last)}},
    )
    assert (one.due_on, one.paused) == (two.due_on, two.paused)
