"""How the permission test (tests/test_permissions.py) exercises the capabilities of deadlines."""

from __future__ import annotations

import datetime

from django.urls import reverse

from tests.permissions import exercise
from xinfang.deadlines import actions
from xinfang.deadlines.models import Clock


@exercise("use_calculator", county=True)
def calculate_a_due_date(world):
    url = reverse("deadlines:calculator") + "?start=2026-09-30&length=15&day_count=calendar"
    return lambda by: world.page(by, url)


@exercise("manage_calendar", county=True)
def enter_a_year_of_the_official_calendar(world):
    holidays = [(datetime.date(2040, 1, 1), "元旦")]
    return lambda by: actions.set_year_schedule(
        year=2040, holidays=holidays, workdays=[], by=by, source="国务院办公厅通知"
    )


@exercise("manage_calendar", county=True)
def change_a_clock(world):
    clock = Clock.objects.get(code="forward")
    return lambda by: actions.update_clock(clock, by=by, length=16)


@exercise("manage_calendar", county=True)
def open_the_clocks_page(world):
    return lambda by: world.page(by, reverse("deadlines:clocks"))
