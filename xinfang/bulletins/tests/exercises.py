"""How the permission test (tests/test_permissions.py) exercises this app's capabilities."""

from __future__ import annotations

from django.urls import reverse

from tests.permissions import exercise
from xinfang.bulletins import actions
from xinfang.figures.periods import add_months, first_of_month


def _last_month(world):
    return add_months(first_of_month(world.today), -1)


@exercise("view_bulletins", county=True)
def open_the_list(world):
    return lambda by: world.page(by, reverse("bulletins:list"))


@exercise("publish_bulletins", county=True)
def publish_last_month(world):
    return lambda by: actions.publish_bulletin(month=_last_month(world), by=by)


@exercise("publish_bulletins", county=True)
def draft_last_month(world):
    return lambda by: actions.draft_bulletin(_last_month(world), by=by)
