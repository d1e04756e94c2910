"""The migrations of clocks by kind (cases 0011, deadlines 0004) on data written before them:
refusals get their delivery day, the 办结 clock applies to 申诉求决类, the 复核 window starts at the
review's delivery, and a window already running keeps running until that delivery restarts it.
Run with the migration executor on the engine under test."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from xinfang.cases import actions
from xinfang.cases.models import Case
from xinfang.cases.models import CaseStatus as S
from xinfang.cases.tests.factories import new_case, walk
from xinfang.deadlines import selectors
from xinfang.deadlines.models import CaseDeadline, Clock

BEFORE = [("cases", "0010_petitioner_versions_documents_several"), ("deadlines", "0003_deadline_unit")]
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def migrate(targets):
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


@pytest.mark.django_db(transaction=True)
def test_data_before_the_migrations_keeps_sensible_clocks(agent_cg, bureau_user):
    start = TODAY - 40 * DAY
    refused = walk(new_case(agent_cg, received_on=start, serial=1), S.NOT_ACCEPTED, by=agent_cg, start=start)
    reviewed = walk(new_case(agent_cg, received_on=start, serial=2), S.REVIEWED, by=agent_cg, start=start)
    suggestion = new_case(agent_cg, received_on=start, serial=3, petition_type="suggestion")
    suggestion = walk(suggestion, S.ACCEPTED, by=agent_cg, start=start)
    review_on = reviewed.events.get(action="review").on
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()

    # As the platform kept them before: the 复核 window from the opinion, a 办结 clock for every
    # kind of matter, refusals without a delivery day, the acceptance clocks not ended by 异议.
    old = migrate(BEFORE)
    OldClock, OldDeadline = old.get_model("deadlines", "Clock"), old.get_model("deadlines", "CaseDeadline")
    old.get_model("cases", "Case").objects.filter(pk=refused.pk).update(delivered_on=None)
    OldClock.objects.filter(code="re_review_request").update(start_action="review")
    OldClock.objects.filter(code__in=["accept_notice", "competence_objection"]).update(
        stop_actions="accept,not_accept,not_accept_again"
    )
    clocks = dict(OldClock.objects.values_list("code", "pk"))
    window = OldDeadline.objects.create(
        case_id=reviewed.pk,
        unit_id=reviewed.unit_id,
        clock_id=clocks["re_review_request"],
        length=30,
        day_count="calendar",
        started_on=review_on,
        due_on=review_on + 30 * DAY,
    )
    stale = OldDeadline.objects.create(
        case_id=suggestion.pk,
        unit_id=suggestion.unit_id,
        clock_id=clocks["conclude"],
        length=60,
        day_count="calendar",
        started_on=suggestion.accepted_on,
        due_on=suggestion.accepted_on + 60 * DAY,
    )

    migrate(leaves)
    refused = Case.objects.get(pk=refused.pk)
    assert refused.delivered_on == refused.closed_on is not None  # may now be rated
    assert Clock.objects.get(code="re_review_request").start_action == "deliver_review"
    assert Clock.objects.get(code="conclude").petition_type_list == ["claim"]
    assert Clock.objects.get(code="accept_notice").stop_action_list[-1] == "object"
    kept = CaseDeadline.objects.get(pk=window.pk)
    assert (kept.started_by, kept.stopped_on) == ("review", None)  # still shown, as it was
    assert CaseDeadline.objects.get(pk=stale.pk).started_by == "accept"
    # The 办结 clock on the 建议意见类 case is left for staff, and the clocks page says so.
    assert selectors.stale_counts()[clocks["conclude"]] == 1

    # The agent records the delivery: the window starts again from the receipt.
    actions.take_step(Case.objects.get(pk=reviewed.pk), "deliver_review", by=agent_cg, on=review_on + 2 * DAY)
    kept.refresh_from_db()
    assert kept.stopped_by == "deliver_review"
    new = CaseDeadline.objects.get(
        case_id=reviewed.pk, clock__code="re_review_request", stopped_on__isnull=True
    )
    assert new.started_on == review_on + 2 * DAY
