"""How the permission test (tests/test_permissions.py) exercises this app's capabilities."""

from __future__ import annotations

from django.urls import reverse

from tests.permissions import exercise


@exercise("view_access_table", county=True)
def open_the_table(world):
    return lambda by: world.page(by, reverse("access:table"))
