"""How the permission test (tests/test_permissions.py) exercises this app's capabilities."""

from __future__ import annotations

from conftest import PASSWORD
from tests.permissions import exercise
from xinfang.accounts import actions
from xinfang.accounts.models import Role, UnitKind


@exercise("manage_units", county=True)
def add_a_unit(world):
    return lambda by: actions.create_unit(by=by, name="华坪镇", kind=UnitKind.TOWN, code="610927106")


@exercise("manage_units", county=True)
def require_a_second_factor_in_a_unit(world):
    unit = world.unit
    fields = {field: getattr(unit, field) for field in actions.UNIT_FIELDS}
    return lambda by: actions.update_unit(unit, by=by, **{**fields, "second_factor_required": True})


@exercise("manage_accounts", county=True)
def open_an_agents_account(world):
    return lambda by: actions.create_user(
        by=by, username="xin", full_name="辛某某", role=Role.AGENT, unit=world.unit, password=PASSWORD
    )


@exercise("manage_accounts", county=True)
def reset_an_agents_password(world):
    return lambda by: actions.set_password(world.agent, by=by, password="Another-pass-2026")


@exercise("reset_second_factor", county=True)
def reset_bureau_staffs_second_factor(world):
    staff = world.people["bureau"]  # enrolled by the fixture
    return lambda by: actions.reset_second_factor(staff, by=by)
