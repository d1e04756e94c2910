"""Clocks started, stopped and extended by case steps; the calendar entered; rules changed."""

from __future__ import annotations

import datetime

import pytest

from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.cases.models import CaseEvent, CaseStatus
from xinfang.deadlines import actions
from xinfang.deadlines.actions import on_case_step, recompute_open_deadlines, set_year_schedule, update_clock
from xinfang.deadlines.models import CalendarDay, CalendarYear, CaseDeadline, Clock
from xinfang.deadlines.selectors import deadlines_for_case, open_deadlines

D = datetime.date
pytestmark = pytest.mark.usefixtures("official_calendar")


@pytest.fixture
def case(agent_cg, make_case):
    return make_case(agent_cg)


def running(case) -> dict[str, CaseDeadline]:
    return {
        d.clock.code: d
        for d in CaseDeadline.objects.filter(case=case, stopped_on__isnull=True).select_related("clock")
    }


# --- on_case_step --------------------------------------------------------------------------------


def test_submit_starts_the_forward_clock(case, agent_cg):
    on_case_step(case, action="submit", on=D(2026, 9, 30), by=agent_cg)
    [deadline] = CaseDeadline.objects.filter(case=case)
    assert deadline.clock.code == "forward"
    assert (deadline.started_on, deadline.length, deadline.day_count) == (D(2026, 9, 30), 15, "calendar")
    assert deadline.due_on == D(2026, 10, 15)
    assert not deadline.provisional and deadline.stopped_on is None
    assert deadline.unit_id == case.unit_id  # the case's unit, copied for the figures


def test_a_deadline_saved_without_a_unit_takes_its_cases(case):
    deadline = CaseDeadline.objects.create(
        case=case,
        clock=Clock.objects.get(code="forward"),
        length=15,
        day_count="calendar",
        started_on=D(2026, 9, 30),
        due_on=D(2026, 10, 15),
    )
    assert deadline.unit_id == case.unit_id


def test_receive_starts_two_clocks_and_accept_stops_them(case, agent_cg):
    on_case_step(case, action="receive", on=D(2026, 9, 28), by=agent_cg)
    clocks = running(case)
    assert clocks["accept_notice"].due_on == D(2026, 10, 13)  # Sep 28 + 15, a Tuesday
    # 5 工作日: Sep 29, 30, (Oct 1–7 国庆), Oct 8, 9, and Saturday Oct 10, a make-up workday.
    assert clocks["competence_objection"].due_on == D(2026, 10, 10)
    on_case_step(case, action="accept", on=D(2026, 10, 9), by=agent_cg)
    stopped = CaseDeadline.objects.filter(case=case, stopped_on=D(2026, 10, 9))
    assert {d.clock.code for d in stopped} == {"accept_notice", "competence_objection"}
    assert {d.stopped_by for d in stopped} == {"accept"}
    assert set(running(case)) == {"conclude"}
    assert running(case)["conclude"].due_on == D(2026, 12, 8)  # Oct 9 + 60, a Tuesday


def test_extend_runs_from_the_original_due_date(case, agent_cg):
    on_case_step(case, action="accept", on=D(2026, 8, 1), by=agent_cg)
    assert running(case)["conclude"].due_on == D(2026, 9, 30)  # Aug 1 + 60
    on_case_step(case, action="extend", on=D(2026, 9, 20), by=agent_cg, extension_days=5)
    conclude = running(case)["conclude"]
    # Sep 30 + 5 = Oct 5, in 国庆 (Oct 1–7) → Thursday Oct 8.
    assert (conclude.extension_days, conclude.due_on) == (5, D(2026, 10, 8))
    with pytest.raises(actions.DeadlineError, match="不得超过30日"):
        on_case_step(case, action="extend", on=D(2026, 9, 21), by=agent_cg, extension_days=26)
    assert running(case)["conclude"].extension_days == 5


def test_extension_over_thirty_days_is_refused(case, agent_cg):
    on_case_step(case, action="accept", on=D(2026, 8, 1), by=agent_cg)
    with pytest.raises(actions.DeadlineError):
        on_case_step(case, action="extend", on=D(2026, 9, 20), by=agent_cg, extension_days=31)


def test_withdraw_stops_every_clock_and_starts_none(case, agent_cg):
    on_case_step(case, action="receive", on=D(2026, 9, 28), by=agent_cg)
    case.status = CaseStatus.WITHDRAWN
    on_case_step(case, action="withdraw", on=D(2026, 9, 29), by=agent_cg)
    assert running(case) == {}
    assert set(CaseDeadline.objects.filter(case=case).values_list("stopped_by", flat=True)) == {"withdraw"}


def test_a_final_status_stops_every_clock(case, agent_cg):
    on_case_step(case, action="submit", on=D(2026, 9, 1), by=agent_cg)
    on_case_step(case, action="receive", on=D(2026, 9, 2), by=agent_cg)  # the forward clock keeps running
    assert set(running(case)) == {"forward", "accept_notice", "competence_objection"}
    case.status = CaseStatus.NOT_ACCEPTED
    on_case_step(case, action="not_accept", on=D(2026, 9, 10), by=agent_cg)
    assert running(case) == {}


def test_inactive_clock_does_not_start_and_running_clock_is_not_doubled(case, agent_cg):
    Clock.objects.filter(code="competence_objection").update(active=False)
    on_case_step(case, action="receive", on=D(2026, 9, 28), by=agent_cg)
    on_case_step(case, action="receive", on=D(2026, 9, 29), by=agent_cg)
    assert list(CaseDeadline.objects.filter(case=case).values_list("clock__code", flat=True)) == [
        "accept_notice"
    ]


# --- Calendar: provisional, then recomputed ------------------------------------------------------


def test_provisional_due_dates_are_recomputed_when_the_year_is_entered(agent_cg, bureau_user, make_case):
    # Test data for 2027: only 元旦 (Friday Jan 1); the real notice is entered by staff when published.
    late = make_case(agent_cg, serial=1)
    on_case_step(late, action="submit", on=D(2026, 12, 20), by=agent_cg)
    monday = running(late)["forward"]
    assert monday.due_on == D(2027, 1, 4) and monday.provisional
    assert "2027年的法定节假日安排尚未录入" in monday.provisional_reason

    friday_case = make_case(agent_cg, serial=2)
    on_case_step(friday_case, action="submit", on=D(2026, 12, 17), by=agent_cg)
    assert running(friday_case)["forward"].due_on == D(2027, 1, 1)  # weekends only, for now

    done = make_case(agent_cg, serial=3)
    on_case_step(done, action="submit", on=D(2026, 12, 17), by=agent_cg)
    on_case_step(done, action="forward", on=D(2026, 12, 18), by=agent_cg)
    [stopped] = CaseDeadline.objects.filter(case=done)

    entry, changed = set_year_schedule(
        year=2027,
        holidays=[(D(2027, 1, 1), "元旦")],
        workdays=[],
        by=bureau_user,
        source="测试",
    )
    assert changed == 2
    assert entry.entered_by == bureau_user

    monday.refresh_from_db()
    assert (monday.due_on, monday.provisional, monday.provisional_reason) == (D(2027, 1, 4), False, "")
    moved = running(friday_case)["forward"]
    assert (moved.due_on, moved.provisional) == (D(2027, 1, 4), False)  # Jan 1 元旦, then a weekend

    [event] = CaseEvent.objects.filter(case=friday_case, action="deadline_recomputed")
    assert event.by == bureau_user
    assert event.data == {
        "clock": "forward",
        "old": "2027-01-01",
        "new": "2027-01-04",
        "provisional": False,
        "reason": "2027年法定节假日安排已录入",
    }
    assert CaseEvent.objects.filter(case=late, action="deadline_recomputed").count() == 1

    stopped_before = (stopped.due_on, stopped.provisional)
    stopped.refresh_from_db()
    assert (stopped.due_on, stopped.provisional) == stopped_before == (D(2027, 1, 1), True)
    assert not CaseEvent.objects.filter(case=done, action="deadline_recomputed").exists()

    [log] = AuditEntry.objects.filter(action=AuditAction.POLICY, target_type="deadlines.CalendarYear")
    assert log.detail["year"] == 2027 and log.detail["holidays"] == 1 and log.detail["replaced"] is False
    assert log.detail["added"] == ["2027-01-01 holiday"]


def test_recompute_without_change_writes_nothing(case, agent_cg, bureau_user):
    on_case_step(case, action="submit", on=D(2026, 9, 30), by=agent_cg)
    assert recompute_open_deadlines(by=bureau_user, reason="测试") == 0
    assert not CaseEvent.objects.filter(action="deadline_recomputed").exists()


def test_replacing_a_year_moves_running_due_dates(case, agent_cg, bureau_user):
    on_case_step(case, action="submit", on=D(2026, 9, 30), by=agent_cg)  # due Thu Oct 15
    holidays = [(d.date, d.name) for d in CalendarDay.objects.filter(date__year=2026, kind="holiday")]
    workdays = [(d.date, d.name) for d in CalendarDay.objects.filter(date__year=2026, kind="workday")]
    _, changed = set_year_schedule(
        year=2026,
        holidays=[*holidays, (D(2026, 10, 15), "测试假日")],
        workdays=workdays,
        by=bureau_user,
        source="更正",
    )
    assert changed == 1
    assert running(case)["forward"].due_on == D(2026, 10, 16)
    assert CalendarYear.objects.get(year=2026).source == "更正"
    log = AuditEntry.objects.filter(action=AuditAction.POLICY).latest("id")
    assert log.detail["replaced"] is True and log.detail["added"] == ["2026-10-15 holiday"]


@pytest.mark.parametrize(
    ("holidays", "workdays", "message"),
    [
        ([(D(2028, 1, 1), "元旦")], [], "不在2027年内"),
        ([(D(2027, 1, 1), "元旦")], [(D(2027, 1, 1), "调休")], "既填为放假又填为调休上班"),
        ([(D(2027, 1, 1), "元旦")], [(D(2027, 2, 8), "春节调休")], "2027-02-08（星期一） 本来就是工作日"),
        ([], [(D(2027, 2, 7), "春节调休")], "没有填写2027年的法定节假日"),
        ([(D(2027, 1, 1), "元旦"), (D(2027, 1, 1), "元旦")], [], "重复填写"),
    ],
)
def test_schedule_is_checked(bureau_user, holidays, workdays, message):
    with pytest.raises(actions.ScheduleError) as raised:
        set_year_schedule(year=2027, holidays=holidays, workdays=workdays, by=bureau_user, source="")
    assert message in raised.value.message, raised.value.message
    assert not CalendarYear.objects.filter(year=2027).exists()


# --- Clocks as rules -----------------------------------------------------------------------------


def test_changing_a_clock_does_not_rewrite_running_deadlines(agent_cg, bureau_user, make_case):
    first = make_case(agent_cg, serial=1)
    on_case_step(first, action="submit", on=D(2026, 9, 30), by=agent_cg)
    clock = Clock.objects.get(code="forward")
    update_clock(clock, by=bureau_user, length=10, legal_basis="《某省信访条例》第10条")
    kept = running(first)["forward"]
    assert (kept.length, kept.due_on) == (15, D(2026, 10, 15))
    second = make_case(agent_cg, serial=2)
    on_case_step(second, action="submit", on=D(2026, 9, 30), by=agent_cg)
    new = running(second)["forward"]
    # Sep 30 + 10 = Saturday Oct 10, a make-up workday (国庆调休), so it stays.
    assert (new.length, new.due_on) == (10, D(2026, 10, 10))


def test_clock_change_is_logged_old_to_new(bureau_user):
    clock = Clock.objects.get(code="conclude")
    update_clock(clock, by=bureau_user, length=90, stop_actions=["conclude", "withdraw"])
    [log] = AuditEntry.objects.filter(action=AuditAction.POLICY, target_type="deadlines.Clock")
    assert log.detail["code"] == "conclude"
    assert log.detail["fields"] == {
        "length": {"old": 60, "new": 90},
        "stop_actions": {"old": "conclude", "new": "conclude,withdraw"},
    }
    update_clock(Clock.objects.get(code="conclude"), by=bureau_user, length=90)  # no change, no log
    assert AuditEntry.objects.filter(action=AuditAction.POLICY).count() == 1


def test_clock_change_is_checked(bureau_user):
    clock = Clock.objects.get(code="conclude")
    with pytest.raises(actions.ClockError):
        update_clock(clock, by=bureau_user, start_action="nonsense")
    with pytest.raises(actions.ClockError):
        update_clock(clock, by=bureau_user, length=0)
    with pytest.raises(TypeError):
        update_clock(clock, by=bureau_user, code="other")


# --- Selectors -----------------------------------------------------------------------------------


def test_deadlines_for_case_states(case, agent_cg):
    on_case_step(case, action="receive", on=D(2026, 9, 28), by=agent_cg)  # due Oct 13 and Oct 10
    states = {s.deadline.clock.code: s for s in deadlines_for_case(case, today=D(2026, 10, 12))}
    notice, objection = states["accept_notice"], states["competence_objection"]
    assert (notice.state, notice.css, notice.days_left, notice.overdue) == ("即将到期", "soon", 1, False)
    assert (objection.state, objection.overdue) == ("已届满", False)  # a window, not an overdue duty
    states = {s.deadline.clock.code: s for s in deadlines_for_case(case, today=D(2026, 10, 14))}
    assert (states["accept_notice"].state, states["accept_notice"].overdue) == ("超期", True)
    assert states["accept_notice"].days_left == -1
    on_case_step(case, action="accept", on=D(2026, 10, 14), by=agent_cg)
    states = {s.deadline.clock.code: s for s in deadlines_for_case(case, today=D(2026, 10, 15))}
    assert states["accept_notice"].state == "已完成（逾期）" and states["accept_notice"].late
    assert states["conclude"].state == "按期" and states["conclude"].css == "ok"
    assert len(open_deadlines(type(case).objects.filter(pk=case.pk))) == 1


def test_provisional_state(case, agent_cg):
    on_case_step(case, action="submit", on=D(2026, 12, 20), by=agent_cg)
    [state] = deadlines_for_case(case, today=D(2026, 12, 21))
    assert (state.state, state.css) == ("暂定", "provisional")
