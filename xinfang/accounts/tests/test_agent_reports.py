"""Agents reported within 5 workdays (seed 通知 二、2): appointing or changing a unit's agent starts
the clock, publishing the agent's profile stops it, the bureau sees who is late."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, make_user
from xinfang.access.rules import Refused
from xinfang.accounts import actions, agent_reports
from xinfang.accounts.models import (
    AgentProfile,
    AgentReport,
    AgentReportOutcome,
    AgentReportReason,
    Role,
    Unit,
    UnitKind,
)
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.deadlines import actions as deadlines

# 2026-09-30, a Wednesday before the National Day holiday (10-01 to 10-07; Saturday 10-10 is a
# make-up workday): the fifth workday after it is Tuesday 10-13.
EVE = datetime.date(2026, 9, 30)
PROFILE = {"title": "综治办干事", "mobile": "13700000000", "office_phone": "", "published": False}


@pytest.fixture
def today(monkeypatch):
    """Actions date what they do by today; a test moves today."""
    days = {"today": EVE}
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: days["today"])
    return days


def new_agent(by, unit, *, published=False, username="xin", active=True):
    return actions.create_user(
        by=by,
        username=username,
        full_name="辛某某",
        role=Role.AGENT,
        unit=unit,
        is_active=active,
        password=PASSWORD,
        profile={**PROFILE, "published": published},
    )


def change(account, by, **values):
    current = {
        "username": account.username,
        "full_name": account.full_name,
        "role": account.role,
        "unit": account.unit,
        "is_active": account.is_active,
        "profile": None,
    }
    return actions.update_user(account, by=by, **{**current, **values})


def changes_logged(report) -> list[str]:
    return list(
        AuditEntry.objects.filter(
            action=AuditAction.ACCOUNT, target_type="accounts.AgentReport", target_id=str(report.pk)
        )
        .order_by("seq")
        .values_list("detail__change", flat=True)
    )


def test_a_new_agent_starts_five_workdays_on_the_official_calendar(today, units, bureau_user):
    agent = new_agent(bureau_user, units["chengguan"])
    report = AgentReport.objects.get(agent=agent)
    assert (report.unit, report.reason, report.appointed_on) == (
        units["chengguan"],
        AgentReportReason.APPOINTED,
        EVE,
    )
    assert (report.workdays, report.due_on, report.provisional) == (5, datetime.date(2026, 10, 13), False)
    assert report.stopped_on is None and report.started_by == bureau_user
    assert changes_logged(report) == ["agent_report_start"]


def test_publishing_the_profile_reports_the_agent(today, units, bureau_user):
    agent = new_agent(bureau_user, units["chengguan"])
    today["today"] = datetime.date(2026, 10, 9)
    change(agent, bureau_user, profile={**PROFILE, "published": True})
    report = AgentReport.objects.get(agent=agent)
    assert (report.stopped_on, report.outcome) == (datetime.date(2026, 10, 9), AgentReportOutcome.REPORTED)
    assert changes_logged(report) == ["agent_report_start", "agent_report_reported"]
    entry = AuditEntry.objects.filter(detail__change="agent_report_reported").get()
    assert entry.detail["late"] is False and entry.actor == bureau_user


def test_published_at_once_is_reported_at_once(today, units, bureau_user):
    agent = new_agent(bureau_user, units["chengguan"], published=True)
    report = AgentReport.objects.get(agent=agent)
    assert (report.stopped_on, report.outcome) == (EVE, AgentReportOutcome.REPORTED)


def test_an_inactive_account_starts_nothing_until_activated(today, units, bureau_user):
    agent = new_agent(bureau_user, units["chengguan"], active=False)
    assert not AgentReport.objects.exists()
    change(agent, bureau_user, is_active=True)
    assert AgentReport.objects.get(agent=agent).reason == AgentReportReason.REACTIVATED


def test_a_unit_head_made_agent_starts_a_report(today, units, bureau_user, head_cg):
    change(head_cg, bureau_user, role=Role.AGENT, profile=PROFILE)
    assert AgentReport.objects.get(agent=head_cg).reason == AgentReportReason.ROLE


def test_moving_an_agent_ends_the_old_units_report_and_starts_the_new_ones(today, units, bureau_user):
    agent = new_agent(bureau_user, units["chengguan"])
    today["today"] = datetime.date(2026, 10, 12)
    change(agent, bureau_user, unit=units["zengjia"])
    old, new = AgentReport.objects.filter(agent=agent).order_by("id")
    assert (old.unit, old.outcome, old.stopped_on) == (
        units["chengguan"],
        AgentReportOutcome.ENDED,
        datetime.date(2026, 10, 12),
    )
    assert (new.unit, new.reason, new.stopped_on) == (units["zengjia"], AgentReportReason.MOVED, None)
    assert new.due_on == datetime.date(2026, 10, 19)


def test_an_agent_moved_with_a_published_profile_is_reported_at_once(today, units, bureau_user, agent_cg):
    change(agent_cg, bureau_user, unit=units["zengjia"])  # the fixture's profile is published
    report = AgentReport.objects.get(agent=agent_cg)
    assert (report.unit, report.outcome) == (units["zengjia"], AgentReportOutcome.REPORTED)


def test_deactivating_or_changing_role_ends_the_report(today, units, bureau_user):
    first = new_agent(bureau_user, units["chengguan"])
    second = new_agent(bureau_user, units["zengjia"], username="xin2")
    first = change(first, bureau_user, is_active=False)
    change(second, bureau_user, role=Role.UNIT_HEAD)
    assert set(AgentReport.objects.values_list("outcome", flat=True)) == {AgentReportOutcome.ENDED}
    # Saving an unchanged agent starts nothing more.
    change(first, bureau_user)
    assert AgentReport.objects.count() == 2


def test_only_those_who_keep_accounts_appoint_agents(today, units, agent_cg, head_cg, leader):
    for user in (agent_cg, head_cg, leader):
        with pytest.raises(Refused):
            new_agent(user, units["chengguan"])
        with pytest.raises(Refused):
            change(agent_cg, user, unit=units["zengjia"])
    assert not AgentReport.objects.exists()


def test_a_new_years_calendar_moves_open_due_dates(units, bureau_user, monkeypatch):
    # 2027 is not in the calendar yet: counted with weekends only, provisional.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2027, 9, 30))
    agent = new_agent(bureau_user, units["chengguan"])
    report = AgentReport.objects.get(agent=agent)
    assert (report.due_on, report.provisional) == (datetime.date(2027, 10, 7), True)
    holidays = [(datetime.date(2027, 1, 1), "元旦")]
    holidays += [(datetime.date(2027, 10, day), "国庆节") for day in range(1, 8)]
    _, changed = deadlines.set_year_schedule(
        year=2027, holidays=holidays, workdays=[], by=bureau_user, source="国务院办公厅通知"
    )
    report.refresh_from_db()
    assert (report.due_on, report.provisional) == (datetime.date(2027, 10, 14), False)
    assert changed >= 1 and changes_logged(report)[-1] == "agent_report_recomputed"
    with pytest.raises(Refused):
        agent_reports.recompute_due(by=agent, reason="试图重算")


def test_the_duty_lists_open_reports_and_units_without_an_agent(today, units, bureau_user, agent_cg):
    late = new_agent(bureau_user, units["chengguan"], username="late")
    today["today"] = datetime.date(2026, 10, 13)
    fresh = new_agent(bureau_user, units["zengjia"], username="fresh")
    empty = Unit.objects.create(name="钟宝镇", kind=UnitKind.TOWN, sort_order=12)
    all_units = list(Unit.objects.order_by("sort_order"))
    with CaptureQueriesContext(connection) as queries:
        duty = agent_reports.agent_duty(all_units, today=datetime.date(2026, 10, 14))
    assert len(queries) == 2
    assert [r.agent for r in duty.overdue] == [late] and [r.agent for r in duty.pending] == [fresh]
    assert duty.units_without_agent == [units["bureau"], empty]  # the bureau's unit has staff, no agent


def test_the_dashboard_flags_late_units_and_units_without_an_agent(
    client, today, units, bureau_user, leader, head_cg, agent_cg
):
    new_agent(bureau_user, units["zengjia"])  # 曾家镇's new agent, not yet published
    Unit.objects.create(name="钟宝镇", kind=UnitKind.TOWN, sort_order=12)
    today["today"] = datetime.date(2026, 10, 20)
    for user in (bureau_user, leader):
        client.force_login(user)
        html = client.get(reverse("figures:dashboard")).content.decode()
        section = html.split('<section class="card agent-duty">')[1].split("</section>")[0]
        assert "曾家镇" in section and "辛某某" in section and "逾期未报送" in section
        assert "2026年10月13日" in section  # the due date
        assert "没有启用的代理员" in section and "钟宝镇" in section and "县信访局" in section
        assert ("账户与代理员" in section) is (user == bureau_user)
    client.force_login(head_cg)
    html = client.get(reverse("figures:dashboard")).content.decode()
    section = html.split('<section class="card agent-duty">')[1].split("</section>")[0]
    assert "本单位代理员" in section and "曾家镇" not in section and "钟宝镇" not in section


def test_accounts_made_outside_the_actions_start_no_clock(today, units, bureau_user):
    # Accounts made outside the actions (the demo, the shell's fixtures) start no clock.
    make_user("hand", Role.AGENT, units["chengguan"], "手工某")
    assert not AgentReport.objects.exists()
    assert AgentProfile.objects.filter(user__username="hand", published=True).exists()


def test_the_account_page_says_when_the_report_is_due(client, today, units, bureau_user):
    agent = new_agent(bureau_user, units["chengguan"])
    client.force_login(bureau_user)
    page = client.get(reverse("manage:user_edit", args=[agent.pk])).content.decode()
    assert "城关镇新任代理员，应于2026年10月13日前报送公开" in page and "已逾期" not in page
    today["today"] = datetime.date(2026, 10, 14)
    page = client.get(reverse("manage:user_edit", args=[agent.pk])).content.decode()
    assert "，已逾期。" in page
