"""Clocks by kind of matter (《信访工作条例》第三十四条): the 60-day 办结 clock runs for 申诉求决类
matters (第三十一条第六项) only; bureau staff say which kinds a clock applies to, and open cases
follow at once, each change an event on the case."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from xinfang.access.rules import Refused
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.cases import actions as case_actions
from xinfang.cases import selectors as case_selectors
from xinfang.cases.models import CaseEvent, CaseStatus
from xinfang.cases.tests.factories import new_case, walk
from xinfang.deadlines import actions
from xinfang.deadlines.models import CaseDeadline, Clock

pytestmark = pytest.mark.usefixtures("official_calendar")
TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=40)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


def accepted(agent, kind: str, serial: int):
    case = new_case(agent, received_on=START, serial=serial, petition_type=kind)
    return walk(case, CaseStatus.ACCEPTED, by=agent, start=START)


def conclude_clock(case) -> CaseDeadline | None:
    return CaseDeadline.objects.filter(case=case, clock__code="conclude", stopped_on__isnull=True).first()


def test_the_conclusion_clock_runs_for_claims_only(agent_cg):
    claim = accepted(agent_cg, "claim", 1)
    suggestion = accepted(agent_cg, "suggestion", 2)
    accusation = accepted(agent_cg, "accusation", 3)
    assert conclude_clock(claim).started_on == claim.accepted_on
    assert conclude_clock(suggestion) is None and conclude_clock(accusation) is None
    # The clocks of every kind of matter still ran for them: 受理告知 was met at 受理.
    assert CaseDeadline.objects.filter(
        case=suggestion, clock__code="accept_notice", stopped_by="accept"
    ).exists()


def test_an_extension_of_a_matter_without_the_clock_lengthens_nothing(agent_cg):
    suggestion = accepted(agent_cg, "suggestion", 1)
    case_actions.take_step(
        suggestion, "extend", by=agent_cg, on=TODAY, days=10, approver="局长", reason="需调查", told_on=TODAY
    )
    assert conclude_clock(suggestion) is None


def test_staff_add_a_kind_and_open_cases_of_it_get_the_clock_with_an_event(agent_cg, bureau_user):
    suggestion = accepted(agent_cg, "suggestion", 1)
    extended = accepted(agent_cg, "suggestion", 2)
    case_actions.take_step(
        extended, "extend", by=agent_cg, on=TODAY, days=10, approver="局长", reason="需调查", told_on=TODAY
    )
    concluded = accepted(agent_cg, "suggestion", 3)
    concluded = walk(concluded, CaseStatus.CONCLUDED, by=agent_cg, start=TODAY - datetime.timedelta(days=2))
    withdrawn = case_actions.take_step(
        accepted(agent_cg, "suggestion", 4), "withdraw", by=agent_cg, on=TODAY, reason="信访人撤回"
    )
    accusation = accepted(agent_cg, "accusation", 5)

    clock = actions.update_clock(
        Clock.objects.get(code="conclude"), by=bureau_user, petition_types=["claim", "suggestion"]
    )
    assert clock.petition_types == "suggestion,claim"  # the order of PetitionType, whatever was given

    added = conclude_clock(suggestion)
    assert (added.started_on, added.started_by, added.length) == (suggestion.accepted_on, "accept", 60)
    assert added.due_on >= suggestion.accepted_on + datetime.timedelta(days=60)
    [event] = CaseEvent.objects.filter(case=suggestion, action="deadline_applied")
    assert event.by == bureau_user and event.on == TODAY
    assert event.data == {
        "clock": "conclude",
        "started_on": suggestion.accepted_on.isoformat(),
        "due": added.due_on.isoformat(),
        "reason": "“办结”期限适用于建议意见类、申诉求决类",
    }
    assert conclude_clock(extended).extension_days == 10  # the extension granted meanwhile counts
    # Past the clock's stop step, closed, or of a kind still left out: nothing.
    for case in (concluded, withdrawn, accusation):
        assert not CaseDeadline.objects.filter(case=case, clock__code="conclude").exists()
        assert not CaseEvent.objects.filter(case=case, action="deadline_applied").exists()
    [log] = AuditEntry.objects.filter(action=AuditAction.POLICY, target_type="deadlines.Clock")
    assert log.detail["fields"] == {"petition_types": {"old": "claim", "new": "suggestion,claim"}}
    assert (log.detail["cases_added"], log.detail["cases_withdrawn"]) == (2, 0)

    # Saved again unchanged: no change, no event.
    actions.update_clock(clock, by=bureau_user, petition_types="suggestion,claim")
    assert CaseEvent.objects.filter(action="deadline_applied").count() == 2


def test_staff_remove_a_kind_and_its_running_clocks_are_withdrawn_with_an_event(agent_cg, bureau_user):
    claim = accepted(agent_cg, "claim", 1)
    other = accepted(agent_cg, "claim", 2)
    other = case_actions.take_step(other, "withdraw", by=agent_cg, on=TODAY, reason="信访人撤回")
    running = conclude_clock(claim)
    actions.update_clock(Clock.objects.get(code="conclude"), by=bureau_user, petition_types=["suggestion"])
    assert conclude_clock(claim) is None
    assert not CaseDeadline.objects.filter(pk=running.pk).exists()  # the figures never count it
    [event] = CaseEvent.objects.filter(case=claim, action="deadline_withdrawn")
    assert (
        event.data["due"] == running.due_on.isoformat()
        and event.data["started_on"] == claim.accepted_on.isoformat()
    )
    assert event.label == "期限不再适用，已撤销"
    # A closed case's stopped clock is history: kept.
    assert CaseDeadline.objects.filter(case=other, clock__code="conclude", stopped_by="withdraw").exists()


def test_changing_the_kinds_is_checked_and_only_for_bureau_staff(agent_cg, bureau_user):
    clock = Clock.objects.get(code="conclude")
    with pytest.raises(Refused):
        actions.update_clock(clock, by=agent_cg, petition_types=["suggestion"])
    with pytest.raises(Refused):
        actions.apply_clock_kinds(clock, by=agent_cg)
    with pytest.raises(actions.ClockError, match="至少选择一种信访类型") as raised:
        actions.update_clock(clock, by=bureau_user, petition_types=[])
    assert raised.value.field == "petition_types"
    with pytest.raises(actions.ClockError, match="信访类型只能是"):
        actions.update_clock(clock, by=bureau_user, petition_types="claim,letters")
    assert Clock.objects.get(code="conclude").petition_types == "claim"
    assert not AuditEntry.objects.filter(action=AuditAction.POLICY).exists()


def test_an_inactive_clock_is_not_added_but_its_running_ones_are_withdrawn(agent_cg, bureau_user):
    suggestion = accepted(agent_cg, "suggestion", 1)
    clock = actions.update_clock(Clock.objects.get(code="conclude"), by=bureau_user, active=False)
    actions.update_clock(clock, by=bureau_user, petition_types=["suggestion", "claim"])
    assert conclude_clock(suggestion) is None


def test_matters_without_the_clock_are_on_the_worklist_with_their_follow_up_dates(agent_cg, agent_zj):
    suggestion = accepted(agent_cg, "suggestion", 1)
    claim = accepted(agent_cg, "claim", 2)
    work = case_selectors.worklist(agent_cg)
    assert [c.pk for c in work.unclocked] == [suggestion.pk]
    assert (work.unclocked[0].last_on, work.unclocked[0].next_on) == (None, None)
    assert not work.empty
    later = TODAY + datetime.timedelta(days=7)
    case_actions.record_follow_up(
        suggestion, by=agent_cg, on=TODAY, means="phone", contact="经办人", content="正在调查", next_on=later
    )
    [row] = case_selectors.worklist(agent_cg).unclocked
    assert (row.last_on, row.next_on) == (TODAY, later)
    assert claim.pk not in [c.pk for c in case_selectors.worklist(agent_cg).unclocked]
    assert case_selectors.worklist(agent_zj).unclocked == []  # another unit's agent sees none


def test_the_worklist_page_shows_them(client, agent_cg):
    suggestion = accepted(agent_cg, "suggestion", 1)
    client.force_login(agent_cg)
    page = client.get(reverse("cases:work")).content.decode()
    assert "在办、无法定办结期限" in page and suggestion.number in page and "未约定" in page
