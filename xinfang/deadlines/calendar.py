"""The official calendar as the ``Calendar`` the due-date function reads, loaded from the tables.

``load()`` is what every caller uses. The tables are small (about 800 rows) but read on many
pages, so the loaded calendar is kept per process and checked against a fingerprint of the
tables (row counts, the newest row, the newest year entry) on every call: a change made by
another process, a rolled-back transaction or a test that empties the tables is seen at once.
Changes go through ``actions.set_year_schedule``, which also drops the cache explicitly.

``seed_official_calendar`` fills the tables from the ``chinesecalendar`` package (2004–2026);
the data migration and tests call it.
"""

from __future__ import annotations

import datetime
import threading

from django.db import connection

from xinfang.deadlines.compute import Calendar
from xinfang.deadlines.models import CalendarDay, CalendarYear, DayKind

# The years chinesecalendar 1.11 covers. Later years are entered by bureau staff from the
# State Council's notice; a newer package does not change what the migration seeded.
SEED_YEARS = range(2004, 2027)
SEED_SOURCE = "chinesecalendar"

# chinese_calendar's Holiday values (English) → the names the State Council's notices use.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

_lock = threading.Lock()
_cached: tuple[tuple, Calendar] | None = None


def holiday_name(value) -> str:
    """The Chinese name of a chinese_calendar holiday (an enum member or its English value)."""
    english = getattr(value, "value", value)
    return HOLIDAY_NAMES.get(english, str(english))


def _fingerprint() -> tuple:
    """Both tables' row counts, newest row and newest year entry, in one query."""
    q = connection.ops.quote_name
    days, years = q(CalendarDay._meta.db_table), q(CalendarYear._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {days}), (SELECT MAX({q('id')}) FROM {days}),"  # noqa: S608 — table names from the models
            f" (SELECT COUNT(*) FROM {years}), (SELECT MAX({q('entered_at')}) FROM {years}),"
            f" (SELECT MAX({q('year')}) FROM {years})"
        )
        return tuple(cursor.fetchone())


def _read() -> Calendar:
    holidays: dict[datetime.date, str] = {}
    workdays: dict[datetime.date, str] = {}
    for date, kind, name in CalendarDay.objects.values_list("date", "kind", "name"):
        (holidays if kind == DayKind.HOLIDAY else workdays)[date] = name
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    return Calendar(holidays=holidays, workdays=workdays, years=years)


def load() -> Calendar:
    """The official calendar as it is in the database now."""
    global _cached
    key = _fingerprint()
    cached = _cached
    if cached is not None and cached[0] == key:
        return cached[1]
    calendar = _read()
    with _lock:
        _cached = (key, calendar)
    return calendar


def invalidate() -> None:
    global _cached
    with _lock:
        _cached = None


def official_days(years=SEED_YEARS) -> tuple[dict[datetime.date, str], dict[datetime.date, str]]:
    """Holidays and make-up workdays of chinesecalendar for ``years``, with Chinese names."""
    from chinese_calendar import constants

    wanted = set(years)
    holidays = {d: holiday_name(v) for d, v in constants.holidays.items() if d.year in wanted}
    workdays = {d: f"{holiday_name(v)}调休" for d, v in constants.workdays.items() if d.year in wanted}
    return holidays, workdays


def seed_official_calendar(day_model=CalendarDay, year_model=CalendarYear) -> int:
    """Fill the tables with chinesecalendar's years where they are missing. Returns rows added.

    Called by the data migration with historical models, and by tests (transactional tests
    empty the tables). A year already present is left alone: staff may have corrected it.
    """
    present = set(year_model.objects.values_list("year", flat=True))
    years = [y for y in SEED_YEARS if y not in present]
    if not years:
        return 0
    holidays, workdays = official_days(years)
    rows = [day_model(date=d, kind=DayKind.HOLIDAY, name=n) for d, n in sorted(holidays.items())]
    rows += [day_model(date=d, kind=DayKind.WORKDAY, name=n) for d, n in sorted(workdays.items())]
    day_model.objects.filter(date__year__in=years).delete()
    day_model.objects.bulk_create(rows)
    year_model.objects.bulk_create([year_model(year=y, source=SEED_SOURCE) for y in years])
    invalidate()
    return len(rows)
