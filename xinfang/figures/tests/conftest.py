"""A hand-made month: March 2025 in 城关镇 and 曾家镇, every case taken there by the real actions.

Dates are in 2025, a year of the official calendar; March 2025 has no holiday, so a 15-day
clock ending on a weekday ends on that day. 2025-03-01 was a Saturday.

城关镇 (target 5 a month from 2025-03):
    cg1  submitted 01-03; received by the body 01-07; accepted 01-10 → 办结 due 03-11 (60 日);
         concluded 03-10 (in time); delivered 03-12; rated, body 满意.
    cg2  submitted 01-06; received 01-08; accepted 01-13 → 办结 due 03-14; concluded 03-20 (late);
         delivered 03-21; rated, body 基本满意.
    cg3  submitted 03-03 (农村农业); received 03-05 → 受理告知 due 03-20; accepted 03-18 (in time). 在办.
    cg4  submitted 03-05 (城乡建设); received 03-06 → due 03-21; 不予受理 03-20 (in time; final),
         the written notice delivered that day (may be rated; not rated).
    cg5  submitted 03-10 (城乡建设); received 03-12 → due 03-27; never accepted: late, 超期 at 03-31. 在办.
    cg6  submitted 03-25 (教育, no 事发镇); not yet forwarded (转送 due 04-09). 在办.
曾家镇 (target 2 a month from 2025-02; 3 from 2025-04):
    zj1  submitted 03-04 (教育, 曾家镇); received 03-06 → due 03-21; accepted 03-24 (late);
         concluded 03-26; delivered 03-28; rated, body 不满意.
    zj2  submitted 02-24 (城乡建设, 曾家镇); received 02-26 → due 03-13; accepted 03-03 (in time);
         concluded 03-07; delivered 03-10; not rated.
Tallies for March: 城关镇 来信3 来访5 网上自投2 电话1 其他0; 曾家镇 来访4 网上自投0.
A February tally (城关镇 来访100) must not count in March.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from xinfang.accounts.models import Unit
from xinfang.cases import actions
from xinfang.core import files
from xinfang.figures import actions as figure_actions
from xinfang.figures.periods import Period
from xinfang.ratings.actions import record_rating
from xinfang.reference.models import ContentCategory, SubmissionPlatform

PDF = files.Checked(content=b"%PDF-1.4\nreply\n", content_type=files.PDF, name="答复意见书.pdf")
MARCH = Period.month(2025, 3)


def d(month: int, day: int) -> datetime.date:
    return datetime.date(2025, month, day)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


def live(
    make_case,
    agent,
    serial,
    *,
    submitted,
    body_received=None,
    accepted=None,
    not_accepted=None,
    concluded=None,
    delivered=None,
    rating=None,
    category="城乡建设",
    town="城关镇",
):
    """A case received and authorized on the day it is submitted, then taken as far as asked."""
    case = make_case(
        agent,
        serial=serial,
        received_on=submitted,
        category=ContentCategory.objects.get(name=category),
        incident_town=Unit.objects.filter(name=town).first() if town else None,
    )
    actions.accept_scope(case, by=agent)
    actions.record_authorization(case, by=agent, mode="signed", on=submitted, scan=PDF)
    case = actions.record_submission(
        case,
        by=agent,
        platform=SubmissionPlatform.objects.first(),
        username="u",
        password="pw",
        query_code=f"Q{serial}",
        on=timezone.make_aware(datetime.datetime.combine(submitted, datetime.time(10))),
    )
    if body_received is None:
        return case
    case = actions.take_step(
        case,
        "forward",
        by=agent,
        on=body_received - datetime.timedelta(days=1),
        mode="forward",
        handling_body="县住建局",
    )
    case = actions.take_step(case, "receive", by=agent, on=body_received)
    if not_accepted:
        return actions.take_step(case, "not_accept", by=agent, on=not_accepted, reason="已进入诉讼程序")
    if accepted is None:
        return case
    case = actions.take_step(case, "accept", by=agent, on=accepted)
    if concluded is None:
        return case
    case = actions.take_step(case, "conclude", by=agent, on=concluded, opinion="explain", document=PDF)
    case = actions.take_step(case, "deliver", by=agent, on=delivered)
    if rating:
        record_rating(
            case,
            channel="platform",
            office_satisfaction="satisfied",
            body_satisfaction=rating,
            by=agent,
            rated_on=delivered,
        )
    return case


@pytest.fixture
def month(units, agent_cg, agent_zj, bureau_user, make_case):
    cg, zj = units["chengguan"], units["zengjia"]
    cases = {
        "cg1": live(
            make_case,
            agent_cg,
            1,
            submitted=d(1, 3),
            body_received=d(1, 7),
            accepted=d(1, 10),
            concluded=d(3, 10),
            delivered=d(3, 12),
            rating="satisfied",
        ),
        "cg2": live(
            make_case,
            agent_cg,
            2,
            submitted=d(1, 6),
            body_received=d(1, 8),
            accepted=d(1, 13),
            concluded=d(3, 20),
            delivered=d(3, 21),
            rating="basically",
        ),
        "cg3": live(
            make_case,
            agent_cg,
            3,
            submitted=d(3, 3),
            body_received=d(3, 5),
            accepted=d(3, 18),
            category="农村农业",
        ),
        "cg4": live(make_case, agent_cg, 4, submitted=d(3, 5), body_received=d(3, 6), not_accepted=d(3, 20)),
        "cg5": live(make_case, agent_cg, 5, submitted=d(3, 10), body_received=d(3, 12)),
        "cg6": live(make_case, agent_cg, 6, submitted=d(3, 25), category="教育", town=None),
        "zj1": live(
            make_case,
            agent_zj,
            7,
            submitted=d(3, 4),
            body_received=d(3, 6),
            accepted=d(3, 24),
            concluded=d(3, 26),
            delivered=d(3, 28),
            rating="unsatisfied",
            category="教育",
            town="曾家镇",
        ),
        "zj2": live(
            make_case,
            agent_zj,
            8,
            submitted=d(2, 24),
            body_received=d(2, 26),
            accepted=d(3, 3),
            concluded=d(3, 7),
            delivered=d(3, 10),
            town="曾家镇",
        ),
    }
    figure_actions.set_target(unit=cg, monthly_target=5, effective_from=d(3, 1), by=bureau_user)
    figure_actions.set_target(unit=zj, monthly_target=2, effective_from=d(2, 1), by=bureau_user)
    figure_actions.set_target(unit=zj, monthly_target=3, effective_from=d(4, 1), by=bureau_user)
    figure_actions.save_tallies(
        month=d(3, 1),
        by=bureau_user,
        counts={
            (cg.pk, "letter"): 3,
            (cg.pk, "visit"): 5,
            (cg.pk, "online_self"): 2,
            (cg.pk, "phone"): 1,
            (cg.pk, "other"): 0,
            (zj.pk, "visit"): 4,
            (zj.pk, "online_self"): 0,
        },
    )
    figure_actions.save_tallies(month=d(2, 1), by=bureau_user, counts={(cg.pk, "visit"): 100})
    return cases
