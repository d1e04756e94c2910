"""The reminder run: who is told what, once; follow-ups; the platform password wipe."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user
from xinfang.accounts.models import Role
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.cases.models import Case, CaseEvent, CaseStatus, FollowUp
from xinfang.deadlines.models import CaseDeadline, Clock, ClockKind
from xinfang.notify import remind
from xinfang.notify.models import Notice, OutboxMessage, Reminder, ReminderLevel

TODAY = datetime.date(2026, 11, 23)  # a Monday; three workdays on is Thursday 26 November


def days(n: int, base: datetime.date = TODAY) -> datetime.date:
    return base + datetime.timedelta(days=n)


@pytest.fixture
def clocks(db):
    common = {
        "start_action": "receive",
        "stop_actions": "accept",
        "length": 15,
        "day_count": "calendar",
        "legal_basis": "《信访工作条例》第23条",
    }
    deadline, _ = Clock.objects.get_or_create(
        code="notify-test-accept", defaults={"name": "受理告知", "kind": ClockKind.DEADLINE, **common}
    )
    window, _ = Clock.objects.get_or_create(
        code="notify-test-review", defaults={"name": "申请复查", "kind": ClockKind.WINDOW, **common}
    )
    return {"deadline": deadline, "window": window}


@pytest.fixture
def handling_case(agent_cg, make_case):
    """A case of 城关镇 that the handling body has received."""

    def factory(serial: int = 1, status: str = CaseStatus.RECEIVED) -> Case:
        case = make_case(agent_cg, serial=serial)
        Case.objects.filter(pk=case.pk).update(status=status)
        case.refresh_from_db()
        return case

    return factory


def add_deadline(case, clock, due_on, *, stopped_on=None) -> CaseDeadline:
    return CaseDeadline.objects.create(
        case=case,
        clock=clock,
        length=15,
        day_count="calendar",
        started_on=due_on - datetime.timedelta(days=15),
        due_on=due_on,
        stopped_on=stopped_on,
    )


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """run_reminders with its on-commit messages sent, as they are outside a test's transaction."""

    def go(today=TODAY):
        with django_capture_on_commit_callbacks(execute=True):
            return remind.run_reminders(today=today)

    return go


def recipients(level: str) -> set[str]:
    return set(Notice.objects.filter(level=level).values_list("recipient__username", flat=True))


def test_overdue_reaches_the_agent_and_every_bureau_member_once(
    run, clocks, handling_case, agent_cg, bureau_user
):
    other_bureau = make_user("xu", Role.BUREAU, bureau_user.unit, "徐某")
    retired = make_user("old", Role.BUREAU, bureau_user.unit, "退休")
    retired.is_active = False
    retired.save()
    case = handling_case()
    deadline = add_deadline(case, clocks["deadline"], days(-9))

    first = run()
    second = run()

    assert (first.overdue, first.notices, first.messages) == (1, 3, 3)
    assert (second.overdue, second.notices, second.messages) == (0, 0, 0)
    assert recipients(ReminderLevel.OVERDUE) == {
        agent_cg.username,
        bureau_user.username,
        other_bureau.username,
    }
    assert Notice.objects.count() == 3
    assert Reminder.objects.get().key == f"deadline:{deadline.pk}:overdue"
    text = Notice.objects.first().text
    assert text == f"{case.number} 受理告知期限已于2026年11月14日届满（超期9天），请督促有权处理机关"
    assert set(OutboxMessage.objects.values_list("recipient__username", flat=True)) == {
        agent_cg.username,
        bureau_user.username,
        other_bureau.username,
    }
    message = OutboxMessage.objects.first()
    assert message.body == text and case.number in message.subject and "超期" in message.subject


def test_due_soon_reaches_only_the_agent_within_three_workdays(
    run, clocks, handling_case, agent_cg, bureau_user
):
    on_thursday = add_deadline(handling_case(1), clocks["deadline"], days(3))
    add_deadline(handling_case(2), clocks["deadline"], days(4))  # Friday: four workdays on
    due_today = add_deadline(handling_case(3), clocks["deadline"], TODAY)

    summary = run()

    assert (summary.due_soon, summary.overdue, summary.notices, summary.messages) == (2, 0, 2, 2)
    assert recipients(ReminderLevel.DUE_SOON) == {agent_cg.username}
    assert set(Reminder.objects.values_list("key", flat=True)) == {
        f"deadline:{on_thursday.pk}:due_soon",
        f"deadline:{due_today.pk}:due_soon",
    }
    texts = set(Notice.objects.values_list("text", flat=True))
    assert (
        f"{on_thursday.case.number} 受理告知期限将于2026年11月26日届满（还有3天），请督促有权处理机关"
        in texts
    )
    assert f"{due_today.case.number} 受理告知期限于今日（2026年11月23日）届满，请督促有权处理机关" in texts
    assert not OutboxMessage.objects.filter(recipient=bureau_user).exists()


def test_the_forwarding_clock_points_to_the_petition_bureau(run, handling_case):
    forward, _ = Clock.objects.get_or_create(
        code="forward",
        defaults={
            "name": "转送交办",
            "start_action": "submit",
            "stop_actions": "forward",
            "length": 15,
            "day_count": "calendar",
            "legal_basis": "《信访工作条例》第22条",
        },
    )
    case = handling_case()
    add_deadline(case, forward, days(-1))
    run()
    assert Notice.objects.first().text == (
        f"{case.number} 转送交办期限已于2026年11月22日届满（超期1天），请联系信访工作机构及时转送、交办"
    )


def test_the_due_soon_window_counts_workdays_over_a_weekend(run, clocks, handling_case):
    """On a Thursday, three workdays on is the next Tuesday: Saturday and Sunday are not counted."""
    thursday = days(3)
    add_deadline(handling_case(1), clocks["deadline"], days(5, thursday))  # Tuesday
    add_deadline(handling_case(2), clocks["deadline"], days(6, thursday))  # Wednesday

    assert run(thursday).due_soon == 1


def test_a_clock_due_soon_is_reminded_again_when_it_passes(run, clocks, handling_case, bureau_user):
    deadline = add_deadline(handling_case(), clocks["deadline"], days(1))

    assert run().due_soon == 1
    assert run(days(2)).overdue == 1
    assert run(days(3)).overdue == 0
    assert set(Reminder.objects.values_list("key", flat=True)) == {
        f"deadline:{deadline.pk}:due_soon",
        f"deadline:{deadline.pk}:overdue",
    }
    assert "超期1天" in Notice.objects.filter(level=ReminderLevel.OVERDUE).first().text


@pytest.mark.parametrize("which", ["stopped", "final", "window", "later"])
def test_nothing_for_stopped_clocks_final_cases_windows_or_far_dates(
    which, run, clocks, handling_case, bureau_user
):
    if which == "stopped":
        add_deadline(handling_case(), clocks["deadline"], days(-3), stopped_on=days(-5))
    elif which == "final":
        add_deadline(handling_case(status=CaseStatus.NOT_ACCEPTED), clocks["deadline"], days(-3))
    elif which == "window":
        add_deadline(handling_case(), clocks["window"], days(-3))
    else:
        add_deadline(handling_case(), clocks["deadline"], days(30))

    summary = run()

    assert (summary.notices, summary.messages) == (0, 0)
    assert (
        not Notice.objects.exists() and not OutboxMessage.objects.exists() and not Reminder.objects.exists()
    )


def test_notices_carry_no_personal_data(run, clocks, handling_case, agent_cg):
    case = handling_case()
    add_deadline(case, clocks["deadline"], days(-1))
    run()
    petitioner = case.petitioner
    written = list(Notice.objects.values_list("text", flat=True))
    written += [m.subject + m.body for m in OutboxMessage.objects.all()]
    for value in (
        petitioner.name,
        petitioner.id_number,
        petitioner.mobile,
        agent_cg.full_name,
        "13800000000",
    ):
        assert all(value not in text for text in written)


def test_a_key_made_by_an_overlapping_run_stops_this_one(run, clocks, handling_case, monkeypatch):
    """Another run inserted the key after this one looked: the unique key wins, nobody is told twice."""
    case = handling_case()
    deadline = add_deadline(case, clocks["deadline"], days(-2))
    monkeypatch.setattr(remind.selectors, "existing_keys", lambda keys: set())
    Reminder.objects.create(key=f"deadline:{deadline.pk}:overdue", level=ReminderLevel.OVERDUE, case=case)

    summary = run()

    assert (summary.overdue, summary.notices, summary.messages) == (0, 0, 0)
    assert not Notice.objects.exists() and not OutboxMessage.objects.exists()


def test_steady_state_queries_do_not_grow_with_the_number_of_cases(
    run, clocks, handling_case, agent_cg, bureau_user
):
    def second_run_queries() -> int:
        run()
        with CaptureQueriesContext(connection) as ctx:
            run()
        return len(ctx.captured_queries)

    add_deadline(handling_case(1), clocks["deadline"], days(-2))
    add_deadline(handling_case(2), clocks["deadline"], days(1))
    follow_up(handling_case(9), on=days(-5), next_on=days(-1), by=agent_cg)
    few = second_run_queries()
    for serial in range(3, 9):
        case = handling_case(serial)
        add_deadline(case, clocks["deadline"], days(-serial))
        follow_up(case, on=days(-5), next_on=days(-1), by=agent_cg)
    many = second_run_queries()

    assert many == few


# --- follow-ups ---------------------------------------------------------------------------------


def follow_up(case, *, on, next_on, by) -> FollowUp:
    return FollowUp.objects.create(
        case=case,
        on=on,
        means="phone",
        contact="城关镇政府经办人",
        content="已催办，答复下周办理",
        next_on=next_on,
        by=by,
    )


def test_follow_up_planned_for_today_reminds_the_agent_in_app_only(run, handling_case, agent_cg, bureau_user):
    case = handling_case()
    planned = follow_up(case, on=days(-7), next_on=TODAY, by=agent_cg)

    first = run()
    second = run()

    assert (first.follow_up, first.notices, first.messages) == (1, 1, 0)
    assert (second.follow_up, second.notices) == (0, 0)
    notice = Notice.objects.get()
    assert notice.recipient == agent_cg and notice.level == ReminderLevel.FOLLOW_UP and notice.case == case
    assert notice.text == f"{case.number} 今日（2026年11月23日）应跟踪督办，请联系有权处理机关并记录跟踪情况"
    assert Reminder.objects.get().key == f"followup:{planned.pk}"
    assert not OutboxMessage.objects.exists()


def test_missed_follow_up_is_reminded_once_and_a_later_follow_up_replaces_the_plan(
    run, handling_case, agent_cg
):
    missed = handling_case(1)
    follow_up(missed, on=days(-10), next_on=days(-3), by=agent_cg)
    done = handling_case(2)
    follow_up(done, on=days(-10), next_on=days(-3), by=agent_cg)
    follow_up(done, on=days(-2), next_on=days(5), by=agent_cg)
    final = handling_case(3, status=CaseStatus.WITHDRAWN)
    follow_up(final, on=days(-10), next_on=TODAY, by=agent_cg)

    assert run().follow_up == 1
    assert run(days(1)).follow_up == 0
    notice = Notice.objects.get()
    assert notice.case == missed
    assert notice.text == f"{missed.number} 原定于2026年11月20日跟踪督办，尚未记录跟踪情况，请及时跟踪"


# --- the platform password ----------------------------------------------------------------------

PASSWORD = "Pw-2026!x"  # noqa: S105 - a test value


def closed_case(
    handling_case, *, closed_on, serial=1, password=PASSWORD, status=CaseStatus.RE_REVIEWED
) -> Case:
    case = handling_case(serial)
    case.platform_password = password
    case.save(update_fields=["platform_password"])
    Case.objects.filter(pk=case.pk).update(status=status, closed_on=closed_on)
    case.refresh_from_db()
    return case


def raw_password_column(case) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT platform_password FROM cases_case WHERE id = %s", [case.pk])
        return cursor.fetchone()[0]


def test_password_is_wiped_after_the_retention_days_and_logged(run, handling_case, agent_cg, caplog):
    due = closed_case(handling_case, closed_on=days(-180), serial=1)
    early = closed_case(handling_case, closed_on=days(-179), serial=2)
    live = closed_case(handling_case, closed_on=days(-400), serial=3, status=CaseStatus.ACCEPTED)
    assert raw_password_column(due).startswith("x1.")

    with caplog.at_level("INFO", logger="xinfang.notify"):
        first = run()
        second = run()

    assert (first.wiped, second.wiped) == (1, 0)
    assert [r.getMessage() for r in caplog.records] == [
        "wiped the platform password of 1 final case(s), 180 days after closing"
    ]
    due.refresh_from_db()
    early.refresh_from_db()
    live.refresh_from_db()
    assert due.platform_password == "" and raw_password_column(due) == ""
    assert early.platform_password == PASSWORD and live.platform_password == PASSWORD
    event = CaseEvent.objects.get(case=due, action="password_wiped")
    assert (
        event.on == TODAY
        and event.by == agent_cg
        and event.data == {"automatic": True, "retention_days": 180}
    )
    assert event.label == "平台密码已按期清除"
    entry = AuditEntry.objects.get(action=AuditAction.WIPE)
    assert (entry.target_type, entry.target_id) == ("cases.Case", str(due.pk))
    assert entry.actor is None and entry.actor_name == remind.SYSTEM_ACTOR
    assert entry.detail["field"] == "platform_password" and entry.detail["retention_days"] == 180
    assert PASSWORD not in str(entry.detail) and PASSWORD not in str(event.data)

    assert run(days(1)).wiped == 1
    early.refresh_from_db()
    assert early.platform_password == ""


def test_retention_days_come_from_settings(run, handling_case, settings):
    settings.XINFANG_PASSWORD_RETENTION_DAYS = 30
    case = closed_case(handling_case, closed_on=days(-30))

    assert run().wiped == 1
    assert AuditEntry.objects.get(action=AuditAction.WIPE).detail["retention_days"] == 30
    case.refresh_from_db()
    assert case.platform_password == ""


def test_cases_without_a_password_or_a_closing_date_are_left_alone(run, handling_case):
    closed_case(handling_case, closed_on=days(-365), serial=1, password="")
    closed_case(handling_case, closed_on=None, serial=2)

    assert run().wiped == 0
    assert not CaseEvent.objects.filter(action="password_wiped").exists()
    assert not AuditEntry.objects.filter(action=AuditAction.WIPE).exists()


# --- the command ----------------------------------------------------------------------------------


def test_remind_command_run_twice_creates_each_reminder_once(
    clocks, handling_case, agent_cg, bureau_user, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    overdue = add_deadline(handling_case(1), clocks["deadline"], days(-1, today))
    add_deadline(handling_case(2), clocks["deadline"], today)

    outputs = []
    for _ in range(2):
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("remind", stdout=out)
        outputs.append(out.getvalue())

    assert "即将到期 1 件，已超期 1 件" in outputs[0]
    assert "新建站内提醒 3 条，发送消息 3 条" in outputs[0]
    assert "即将到期 0 件，已超期 0 件" in outputs[1] and "新建站内提醒 0 条" in outputs[1]
    assert Notice.objects.count() == 3 and OutboxMessage.objects.count() == 3
    assert recipients(ReminderLevel.OVERDUE) == {agent_cg.username, bureau_user.username}
    assert recipients(ReminderLevel.DUE_SOON) == {agent_cg.username}
    assert Reminder.objects.filter(key=f"deadline:{overdue.pk}:overdue").count() == 1


def test_an_unused_review_window_ends_the_case_for_the_wipe(run, handling_case, units):
    """A reply delivered and never contested is the usual ending: the password goes too."""
    from xinfang.deadlines.models import Clock

    window = Clock.objects.get(code="review_request")
    delivered = closed_case(handling_case, closed_on=None, serial=4, status=CaseStatus.DELIVERED)
    add_deadline(delivered, window, days(-181))
    contested = closed_case(handling_case, closed_on=None, serial=5, status=CaseStatus.DELIVERED)
    add_deadline(contested, window, days(-100))
    assert run().wiped == 1
    delivered.refresh_from_db()
    contested.refresh_from_db()
    assert delivered.platform_password == "" and contested.platform_password == PASSWORD


def test_a_deactivated_agents_cases_are_told_to_the_units_other_agents(
    run, clocks, handling_case, agent_cg, units
):
    from xinfang.accounts.models import User

    colleague = make_user("liu", Role.AGENT, units["chengguan"], "刘某某", "13800000009")
    case = handling_case(1)
    add_deadline(case, clocks["deadline"], days(2))
    User.objects.filter(pk=agent_cg.pk).update(is_active=False)
    run()
    assert set(Notice.objects.values_list("recipient__username", flat=True)) == {colleague.username}
