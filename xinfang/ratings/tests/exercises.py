"""How the permission test (tests/test_permissions.py) exercises the capabilities of ratings."""

from __future__ import annotations

import datetime

from django.urls import reverse

from tests.permissions import exercise
from xinfang.cases.models import CaseStatus
from xinfang.cases.tests.factories import new_case, walk
from xinfang.ratings import actions
from xinfang.ratings.tests.factories import feedback_data


def _case(world, status: str):
    """A case of 城关镇 whose handling reached ``status`` in the last month."""
    start = world.today - datetime.timedelta(days=30)
    return walk(new_case(world.agent, received_on=start), status, by=world.agent, start=start)


@exercise("record_rating")
def enter_the_petitioner_s_rating(world):
    case = _case(world, CaseStatus.DELIVERED)
    return lambda by: actions.record_rating(
        case, channel="platform", by=by, office_satisfaction="satisfied", body_satisfaction="basically"
    )


@exercise("record_feedback")
def fill_in_the_feedback_form(world):
    case = _case(world, CaseStatus.CONCLUDED)
    return lambda by: actions.save_feedback_form(case, by=by, data=feedback_data())


@exercise("view_feedback")
def print_the_feedback_form(world):
    case = _case(world, CaseStatus.CONCLUDED)
    return lambda by: world.page(by, reverse("ratings:feedback_print", args=[case.pk]))


@exercise("record_rating")
def enter_the_feedback_forms_and_ratings_of_a_round_of_deliveries(world):
    case = _case(world, CaseStatus.DELIVERED)
    rating = {"channel": "platform", "office_satisfaction": "satisfied", "body_satisfaction": "basically"}
    return lambda by: actions.record_batch([actions.BatchRow(case, feedback_data(), rating)], by=by)
