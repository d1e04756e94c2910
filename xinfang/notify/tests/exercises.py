"""How the permission test (tests/test_permissions.py) exercises this app's capabilities."""

from __future__ import annotations

from django.urls import reverse

from tests.permissions import exercise


@exercise("view_outbox", county=True)
def open_the_outbox(world):
    return lambda by: world.page(by, reverse("notify:outbox"))
