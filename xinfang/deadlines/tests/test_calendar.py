"""The calendar tables: seeded from chinesecalendar with Chinese names, loaded and cached correctly."""

from __future__ import annotations

import datetime

from chinese_calendar import constants

from xinfang.deadlines import calendar as official
from xinfang.deadlines.actions import CLOCKS, seed_clocks
from xinfang.deadlines.models import CalendarDay, CalendarYear, Clock, DayKind

D = datetime.date


def test_seeded_calendar_is_chinesecalendar_2004_to_2026(official_calendar):
    cal = official.load()
    assert cal.years == frozenset(range(2004, 2027))
    assert set(cal.holidays) == set(constants.holidays)
    assert set(cal.workdays) == set(constants.workdays)
    assert set(CalendarYear.objects.values_list("source", flat=True)) == {"chinesecalendar"}


def test_holidays_have_chinese_names(official_calendar):
    cal = official.load()
    assert set(cal.holidays.values()) == {
        "元旦",
        "春节",
        "清明节",
        "劳动节",
        "端午节",
        "国庆节",
        "中秋节",
        "抗战胜利70周年纪念日",
    }
    assert cal.holidays[D(2015, 9, 3)] == "抗战胜利70周年纪念日"
    assert cal.holidays[D(2025, 10, 6)] == "中秋节"
    assert cal.holidays[D(2026, 10, 1)] == "国庆节"
    assert cal.workdays[D(2026, 10, 10)] == "国庆节调休"
    assert cal.why_rest(D(2026, 2, 17)) == "法定节假日（春节）"


def test_seed_fills_empty_tables_and_leaves_entered_years_alone(db):
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    added = official.seed_official_calendar()
    assert added == len(constants.holidays) + len(constants.workdays)
    assert CalendarYear.objects.count() == 23
    # A year corrected by staff is not overwritten by a second run.
    CalendarDay.objects.filter(date=D(2026, 10, 10)).update(name="更正")
    assert official.seed_official_calendar() == 0
    assert CalendarDay.objects.get(date=D(2026, 10, 10)).name == "更正"


def test_seeded_clocks(official_calendar):
    assert list(Clock.objects.values_list("code", flat=True)) == [c.code for c in CLOCKS]
    objection = Clock.objects.get(code="competence_objection")
    assert (objection.start_action, objection.length, objection.day_count, objection.kind) == (
        "receive",
        5,
        "workdays",
        "window",
    )
    # 管辖异议 itself ends the window (the objection is made), as do the body's answers.
    assert objection.stop_action_list == ["accept", "not_accept", "not_accept_again", "object"]
    assert Clock.objects.get(code="re_review_opinion").legal_basis.endswith("（听证时间不计算在内）")
    # 第三十四条: 60 days for the matters of 第三十一条第六项, 申诉求决类; the others have no 办结 clock.
    assert Clock.objects.get(code="conclude").petition_type_list == ["claim"]
    assert Clock.objects.get(code="forward").petition_type_list == ["suggestion", "accusation", "claim"]
    # 第三十六条: the 复核 window runs from the petitioner's receipt of the 复查意见.
    assert Clock.objects.get(code="re_review_request").start_action == "deliver_review"
    assert seed_clocks() == 0


def test_load_is_cached_until_the_tables_change(official_calendar, django_assert_num_queries):
    first = official.load()
    with django_assert_num_queries(1):  # the fingerprint only, one query for both tables
        assert official.load() is first
    # Written behind the actions' back (another process, a test): the fingerprint still sees it.
    CalendarDay.objects.create(date=D(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    CalendarYear.objects.create(year=2027, source="test")
    second = official.load()
    assert second is not first
    assert 2027 in second.years and D(2027, 1, 1) in second.holidays
    CalendarYear.objects.filter(year=2027).delete()
    CalendarDay.objects.filter(date__year=2027).delete()
    assert 2027 not in official.load().years
