"""How the permission test (tests/test_permissions.py) exercises this app's capabilities."""

from __future__ import annotations

import datetime

from django.urls import reverse

from conftest import make_id_number
from tests.permissions import exercise
from xinfang.cases import actions as case_actions
from xinfang.cases.models import Case, ReferralChannel
from xinfang.cases.tests.factories import new_case
from xinfang.privacy import actions
from xinfang.privacy.models import DataKind


def _referred_long_ago(world, serial: int = 41) -> Case:
    """A case of 城关镇 closed as 引导 ten years ago: due under every default period."""
    case = new_case(world.agent, received_on=world.today - datetime.timedelta(days=3), serial=serial)
    case_actions.refer_case(case, by=world.agent, channel=ReferralChannel.LITIGATION)
    Case.objects.filter(pk=case.pk).update(closed_on=world.today.replace(year=world.today.year - 10))
    return case


@exercise("manage_retention", county=True)
def set_a_retention_period(world):
    return lambda by: actions.set_retention(kind=DataKind.CONTENT, years=3, basis="局务会议纪要", by=by)


@exercise("manage_retention", county=True)
def run_the_retention_rules(world):
    _referred_long_ago(world)
    return lambda by: actions.run_retention(by=by, compact=False)


@exercise("manage_retention", county=True)
def open_the_retention_page(world):
    return lambda by: world.page(by, reverse("privacy:retention"))


@exercise("handle_data_requests", county=True)
def look_up_a_petitioner(world):
    _referred_long_ago(world, serial=42)
    return lambda by: actions.look_up_person(
        by=by, id_number=make_id_number(42), reason="信访人本人申请查阅，已核验身份证"
    )


@exercise("handle_data_requests", county=True)
def copy_a_petitioners_data(world):
    _referred_long_ago(world, serial=43)
    return lambda by: actions.export_person(by=by, id_number=make_id_number(43), reason="信访人本人申请复制")


@exercise("handle_data_requests", county=True)
def delete_a_petitioners_data(world):
    _referred_long_ago(world, serial=44)
    return lambda by: actions.erase_person(by=by, id_number=make_id_number(44), reason="信访人本人申请删除")


@exercise("handle_data_requests", county=True)
def open_the_requests_page(world):
    return lambda by: world.page(by, reverse("privacy:person"))
