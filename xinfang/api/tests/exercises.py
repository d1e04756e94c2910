"""How the permission test (tests/test_permissions.py) exercises the capabilities of the API app:
making a personal token, and a machine account for another system."""

from __future__ import annotations

import datetime

from tests.permissions import exercise
from xinfang.api import actions


@exercise("use_api", county=True)
def make_a_personal_token(world):
    expires = world.today + datetime.timedelta(days=30)
    return lambda by: actions.create_token(by=by, name="手机端", expires_on=expires)


@exercise("manage_api_accounts", county=True)
def make_a_machine_account(world):
    expires = world.today + datetime.timedelta(days=30)
    return lambda by: actions.create_machine_account(
        by=by, name="12345热线", unit=world.unit, expires_on=expires
    )


@exercise("manage_api_accounts", county=True)
def open_the_machine_accounts_page(world):
    return lambda by: world.page(by, "/api/machines/")
