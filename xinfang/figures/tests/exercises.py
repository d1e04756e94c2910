"""How the permission test (tests/test_permissions.py) exercises this app's capabilities."""

from __future__ import annotations

from django.urls import reverse

from tests.permissions import exercise
from xinfang.figures import actions
from xinfang.figures.models import Channel, CountyFigure
from xinfang.figures.periods import first_of_month


@exercise("view_figures", county=True)
def open_the_dashboard(world):
    return lambda by: world.page(by, reverse("figures:dashboard"))


@exercise("manage_targets")
def set_a_units_target(world):
    month = first_of_month(world.today)
    return lambda by: actions.set_target(unit=world.unit, monthly_target=3, effective_from=month, by=by)


@exercise("manage_targets", county=True)
def enter_a_months_tallies(world):
    counts: dict[tuple[int, str], int | None] = {
        (world.unit.pk, Channel.VISIT): 4,
        (world.units["zengjia"].pk, Channel.LETTER): 2,
    }
    return lambda by: actions.save_tallies(month=first_of_month(world.today), counts=counts, by=by)


@exercise("manage_targets", county=True)
def set_the_countys_online_share_target(world):
    month = first_of_month(world.today)
    return lambda by: actions.set_county_target(
        figure=CountyFigure.ONLINE_SHARE, percent=55, effective_from=month, by=by
    )
