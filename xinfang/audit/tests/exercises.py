"""How the permission test (tests/test_permissions.py) exercises this app's capabilities."""

from __future__ import annotations

from django.urls import reverse

from tests.permissions import exercise
from xinfang.audit import actions


@exercise("read_audit", county=True)
def open_the_log(world):
    return lambda by: world.page(by, reverse("audit:log"))


@exercise("verify_audit", county=True)
def verify_the_chain(world):
    return lambda by: actions.verify_log(by=by, via="page")


@exercise("verify_audit", county=True)
def write_down_an_anchor(world):
    return lambda by: actions.take_anchor(by=by)


@exercise("export_audit", county=True)
def export_the_log(world):
    return lambda by: actions.export_log(by=by, filters={"action": "login"})
