"""How the permission test (tests/test_permissions.py) exercises this app's capabilities."""

from __future__ import annotations

from django.urls import reverse

from tests.permissions import exercise
from xinfang.public import actions


@exercise("publicity")
def record_the_units_publicity(world):
    return lambda by: actions.record_publicity(
        by=by, unit=world.unit, on=world.today, place="集市", kind="card", people=30
    )


@exercise("publicity")
def print_the_units_contact_card(world):
    return lambda by: world.page(by, reverse("public:card", args=[world.unit.pk]))
