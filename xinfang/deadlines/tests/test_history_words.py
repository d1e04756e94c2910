"""A clock's events read in the case's history with the clock's name and Chinese dates: never its
code (``conclude``) or an ISO date (issue 12: 「conclude：2027-01-05 → 2027-01-05」)."""

from __future__ import annotations

import pytest

from xinfang.cases.history import event_notes
from xinfang.cases.models import CaseEvent
from xinfang.deadlines.models import Clock

pytestmark = pytest.mark.django_db


def notes(action: str, **data) -> list[str]:
    return event_notes(CaseEvent(action=action, data=data))


def test_a_recomputed_due_date_reads_with_the_clock_s_name_and_chinese_dates(official_calendar):
    moved = notes(
        "deadline_recomputed", clock="conclude", old="2027-01-01", new="2027-01-05", provisional=False
    )
    assert moved == ["办结期限：届满日由2027年1月1日改为2027年1月5日"]
    provisional = notes(
        "deadline_recomputed", clock="forward", old="2027-01-01", new="2027-01-04", provisional=True
    )
    assert provisional == ["转送交办期限：届满日由2027年1月1日改为2027年1月4日（暂定）"]
    # The same day, no longer provisional: the case of 「conclude：2027-01-05 → 2027-01-05」.
    settled = notes(
        "deadline_recomputed", clock="conclude", old="2027-01-05", new="2027-01-05", provisional=False
    )
    assert settled == ["办结期限：届满日仍为2027年1月5日，已按录入的日历确定"]


def test_a_clock_added_or_withdrawn_reads_the_same_way(official_calendar):
    data = {"clock": "accept_notice", "started_on": "2026-08-03", "due": "2026-08-18", "reason": "类型变更"}
    assert notes("deadline_applied", **data) == [
        "受理告知期限：2026年8月3日起算，届满日2026年8月18日（类型变更）"
    ]
    assert notes("deadline_withdrawn", **data)[0].startswith("受理告知期限：2026年8月3日起算")


def test_the_name_is_the_one_bureau_staff_keep(official_calendar):
    Clock.objects.filter(code="conclude").update(name="办结期限")
    assert notes("deadline_recomputed", clock="conclude", old="2027-01-01", new="2027-01-05")[0].startswith(
        "办结期限：届满日"
    )
    # A clock since removed from the table still reads in words.
    assert notes("deadline_recomputed", clock="gone", old="2027-01-01", new="2027-01-05")[0].startswith(
        "法定期限：届满日由2027年1月1日"
    )
