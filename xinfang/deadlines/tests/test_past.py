"""The clocks of a case brought in from an old ledger are those the live steps would have left:
replaying a case's dated steps in memory (``past.replay``) gives the clocks that taking the same
steps one by one gave; a step the ledger does not date leaves out the clocks it would end."""

from __future__ import annotations

import datetime
from collections import defaultdict

import pytest
from django.utils import timezone

from xinfang.cases.models import CaseStatus
from xinfang.cases.tests.factories import new_case, walk
from xinfang.deadlines import past
from xinfang.deadlines.models import CaseDeadline, Clock

pytestmark = pytest.mark.usefixtures("official_calendar")
START = timezone.localdate() - datetime.timedelta(days=120)
FIELDS = ("clock_id", "length", "day_count", "started_on", "started_by", "due_on", "stopped_on", "stopped_by")


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


def starts() -> dict[str, list[Clock]]:
    found: dict[str, list[Clock]] = defaultdict(list)
    for clock in Clock.objects.filter(active=True):
        found[clock.start_action].append(clock)
    return found


def shown(deadlines) -> list[tuple]:
    return sorted(tuple(getattr(d, f) for f in FIELDS) for d in deadlines)


@pytest.mark.parametrize(
    "statuses",
    [
        (CaseStatus.DELIVERED,),
        (CaseStatus.NOT_ACCEPTED,),
        (CaseStatus.RE_REVIEW_REQUESTED,),
        (CaseStatus.RE_REVIEWED,),
        (CaseStatus.ACCEPTED, CaseStatus.WITHDRAWN),
    ],
)
@pytest.mark.parametrize("kind", ["claim", "suggestion"])
def test_replayed_clocks_are_the_live_ones(agent_cg, official_calendar, statuses, kind):
    case = new_case(agent_cg, received_on=START, petition_type=kind)
    for n, status in enumerate(statuses):
        case = walk(case, status, by=agent_cg, start=START + datetime.timedelta(days=20 * n))
    steps = list(case.events.order_by("at", "id").values_list("action", "on"))
    replayed = past.replay(case, steps, starts=starts(), calendar=official_calendar)
    assert shown(replayed) == shown(CaseDeadline.objects.filter(case=case))
    assert replayed, "the walk started some clock"


def test_a_step_without_its_day_leaves_out_the_clocks_it_ends(agent_cg, official_calendar):
    case = new_case(agent_cg, received_on=START)
    on = START + datetime.timedelta(days=3)
    steps = [("open", START), ("submit", on), ("forward", None), ("receive", on), ("accept", None)]
    replayed = past.replay(case, steps, starts=starts(), calendar=official_calendar)
    # 转送交办 (ended by an undated 转送) and 受理告知 (ended by an undated 受理) are left out; the
    # 管辖异议 window started at 收到 is ended by 受理 too.
    assert [d.clock.code for d in replayed] == []
    steps[-1] = ("accept", on + datetime.timedelta(days=2))
    replayed = past.replay(case, steps, starts=starts(), calendar=official_calendar)
    assert {d.clock.code: d.stopped_on for d in replayed} == {
        "accept_notice": on + datetime.timedelta(days=2),
        "competence_objection": on + datetime.timedelta(days=2),
        "conclude": None,
    }
