"""``xinfang demo``: demo data built with the real actions, once, with nothing personal in clear."""

from __future__ import annotations

import datetime
import io
import os
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from xinfang import demo
from xinfang.accounts.models import AgentProfile, Role, Unit, UnitKind, User
from xinfang.cases import scope, workflow
from xinfang.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    FileKind,
    name_keys,
)
from xinfang.cases.selectors import worklist
from xinfang.core.validators import validate_mobile
from xinfang.deadlines import calendar as official
from xinfang.deadlines.actions import seed_clocks
from xinfang.deadlines.calendar import seed_official_calendar
from xinfang.deadlines.models import CaseDeadline
from xinfang.demo.tests.helpers import (
    DATED,
    MAX_AGE,
    TOWNS,
    all_cells,
    assert_clocks_as_planned,
    counts,
    expected_steps,
    reseed_reference_data,
    run_demo,
    secrets_in_database,
    steps_of,
)

# --- The command on an empty database ------------------------------------------------------------


@pytest.mark.django_db
def test_demo_creates_units_accounts_and_cases(private_dir):
    output = run_demo()

    units = {u.name: u for u in Unit.objects.all()}
    assert units["县信访局"].kind == UnitKind.BUREAU
    for code, name in TOWNS.items():
        assert units[name].kind == UnitKind.TOWN and units[name].code == code
    assert sum(u.kind == UnitKind.DEPARTMENT for u in units.values()) >= 5
    assert all(u.office_phone.startswith("0915-") and u.office_address for u in units.values())

    users = {u.username: u for u in User.objects.select_related("unit")}
    for unit in units.values():
        assert unit.users.filter(role=Role.AGENT).exists(), unit.name
    assert units["城关镇"].users.filter(role=Role.AGENT).count() == 2
    assert users["chengguan_head"].role == Role.UNIT_HEAD and users["chengguan_head"].unit.name == "城关镇"
    assert users["jiedai"].full_name == "涂元明" and users["jiedai"].unit.name == "县信访局"
    assert users["xinfangju"].full_name == "卢艺" and users["xinfangju"].role == Role.BUREAU
    assert {users[n].role for n in ("leader", "sysadmin", "auditor")} == {
        Role.LEADER,
        Role.SYSADMIN,
        Role.AUDITOR,
    }
    assert all(users[n].unit is None for n in ("leader", "sysadmin", "auditor"))

    profiles = AgentProfile.objects.select_related("user")
    assert profiles.count() == User.objects.filter(role=Role.AGENT).count()
    assert profiles.filter(published=False).count() == 1
    assert all(p.title and validate_mobile(p.mobile) and p.office_phone for p in profiles)

    # One password for all, and it works.
    for username in users:
        assert authenticate(username=username, password=demo.DEMO_PASSWORD) is not None, username

    # At least one case in each status, in several units, reached by the real steps.
    cases = list(Case.objects.select_related("unit", "petitioner").prefetch_related("events", "files"))
    assert 45 <= len(cases) <= 70
    assert {c.status for c in cases} == set(CaseStatus.values)
    assert len({c.unit_id for c in cases}) >= 10
    today = timezone.localdate()
    for case in cases:
        steps = steps_of(case)
        assert expected_steps(steps), (case.number, steps)
        assert today - MAX_AGE <= case.received_on <= today
        assert case.agent.unit_id == case.unit_id and case.agent.role == Role.AGENT
        kinds = {f.kind for f in case.files.all()}
        if "authorize" in steps:
            assert FileKind.AUTHORIZATION in kinds
            assert case.received_on <= case.authorized_on <= today
        if "submit" in steps:
            assert case.platform and case.platform_username and case.platform_password and case.query_code
            assert timezone.localtime(case.submitted_at).date() >= case.authorized_on
            assert case.submitted_at <= timezone.now()
        else:
            assert not case.platform_password and case.submitted_at is None
        if "forward" in steps:
            assert case.handling_body and case.forward_mode and case.forwarded_on
        if "conclude" in steps:
            assert case.handling_opinion and FileKind.REPLY in kinds
        if "review" in steps:
            assert FileKind.REVIEW in kinds
        if "re_review" in steps:
            assert FileKind.RE_REVIEW in kinds
        if case.status in workflow.FINAL:
            assert case.closed_on is not None
        if case.status == CaseStatus.REFERRED:
            assert case.referral_channel
            required = scope.assess_case(case).required_channel
            assert required in ("", case.referral_channel)
    # Withdrawn both before submission and while being handled.
    withdrawn_from = {e.from_status for c in cases for e in c.events.all() if e.action == "withdraw"}
    assert withdrawn_from & {CaseStatus.INTAKE, CaseStatus.IN_SCOPE, CaseStatus.AUTHORIZED}
    assert withdrawn_from & workflow.HANDLING
    # Reasons and approvers are written out, in Chinese.
    for event in CaseEvent.objects.filter(
        action__in=["not_accept", "not_accept_again", "withdraw", "extend"]
    ):
        assert "。" in event.data["reason"], event.action
    for event in CaseEvent.objects.filter(action="extend"):
        assert event.data["approver"].endswith("负责人") and 1 <= event.data["days"] <= 30
    submitted = [c for c in cases if c.status == CaseStatus.SUBMITTED]
    assert any(FileKind.REGISTRATION in {f.kind for f in c.files.all()} for c in submitted)
    referred_channels = {c.referral_channel for c in cases if c.status == CaseStatus.REFERRED}
    assert {"litigation", "arbitration", "reconsideration"} <= referred_channels
    assert len({c.category_id for c in cases}) >= 12
    assert len({c.respondent_kind for c in cases}) == 6  # the five kinds, and one outside them

    # Case numbers follow the reception dates within each unit.
    for unit in units.values():
        rows = list(unit.cases.order_by("seq").values_list("received_on", flat=True))
        assert rows == sorted(rows)

    # The login help.
    assert "http://127.0.0.1:8000/" in output and demo.DEMO_PASSWORD in output
    for username in ("chengguan", "zengjia", "chengguan_head", "xinfangju", "leader", "auditor"):
        assert username in output
    assert "虚构" in output and "演示数据" in output
    # make run serves elsewhere when asked (PORT=…): the help then says where.
    again = io.StringIO()
    call_command("demo", "--address", "http://127.0.0.1:8002/", stdout=again)
    assert "演示数据已存在" in again.getvalue() and "登录地址：http://127.0.0.1:8002/" in again.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "local_now",
    [
        "2026-02-20 00:02",  # just after midnight, in the Spring Festival holiday
        "2026-10-08 07:30",  # the last day of the National Day holiday, before office hours
        "2027-03-14 23:59",  # a Sunday in a year the official calendar does not cover yet
    ],
)
def test_dates_stay_in_order_whatever_the_day(private_dir, clocks, monkeypatch, local_now):
    fixed = timezone.make_aware(datetime.datetime.fromisoformat(local_now))
    monkeypatch.setattr(timezone, "now", lambda: fixed)
    run_demo()
    today = timezone.localdate(fixed)
    for case in Case.objects.prefetch_related("events", "follow_ups"):
        assert today - MAX_AGE <= case.received_on <= today
        if case.authorized_on:
            assert case.received_on <= case.authorized_on <= today
        if case.submitted_at:
            assert case.authorized_on <= timezone.localtime(case.submitted_at).date()
            assert case.submitted_at <= fixed
        dated = [e.on for e in case.events.all() if e.action in DATED]
        assert dated == sorted(dated) and dated[-1] <= today, case.number
        for follow_up in case.follow_ups.all():
            assert follow_up.on <= today and (follow_up.next_on is None or follow_up.next_on > follow_up.on)
    assert_clocks_as_planned(today)


@pytest.mark.django_db
def test_clocks_run_as_planned(private_dir, clocks):
    run_demo()
    assert_clocks_as_planned(timezone.localdate())
    # The deadlines of open handling steps are there, on the cases that have them.
    submitted = Case.objects.filter(status=CaseStatus.SUBMITTED)
    assert all(c.deadlines.filter(clock__code="forward", stopped_on__isnull=True).exists() for c in submitted)
    # Everything before submission has no clock; a closed case none running.
    assert not CaseDeadline.objects.filter(case__submitted_at__isnull=True).exists()
    assert not CaseDeadline.objects.filter(case__status__in=workflow.FINAL, stopped_on__isnull=True).exists()


@pytest.mark.django_db
def test_the_demo_shows_the_steps_of_the_regulation_offices_meet(private_dir, clocks):
    """One hearing, one late 复查 request, one 管辖异议, refusals with their grounds, 复查意见送达,
    and an accepted 检举控告类 matter followed without a 60-day clock (issue 11)."""
    run_demo()
    [hearing] = CaseEvent.objects.filter(action="hear")
    clock = CaseDeadline.objects.get(
        case=hearing.case, clock__code="re_review_opinion", stopped_on__isnull=True
    )
    assert clock.pauses and clock.pauses[0]["from"] == hearing.on.isoformat()
    [late] = Case.objects.exclude(late_steps=[])
    assert late.late_steps[0]["step"] == "request_review" and "。" in late.late_steps[0]["reason"]
    [objection] = CaseEvent.objects.filter(action="object")
    assert objection.data["old_body"] != objection.data["new_body"] == objection.case.handling_body
    assert objection.case.status == CaseStatus.FORWARDED
    grounds = set(
        CaseEvent.objects.filter(action__in=["not_accept", "not_accept_again"]).values_list(
            "data__grounds", flat=True
        )
    )
    assert grounds == {"legal_channel", "same_after_re_review"}
    assert CaseEvent.objects.filter(action="deliver_review").count() >= 3
    assert not CaseDeadline.objects.filter(clock__code="re_review_request", started_by="review").exists()
    accusation = Case.objects.get(status=CaseStatus.ACCEPTED, petition_type="accusation")
    assert not accusation.deadlines.filter(clock__code="conclude").exists()
    agent = User.objects.get(pk=accusation.agent_id)
    assert accusation.pk in [c.pk for c in worklist(agent).unclocked]


@pytest.mark.django_db
def test_a_petitioner_has_cases_in_two_units_and_another_two_in_one(private_dir):
    run_demo()
    by_person: dict[str, list[Case]] = {}
    for case in Case.objects.select_related("petitioner", "unit"):
        by_person.setdefault(case.petitioner.id_number_hash, []).append(case)
    repeat = [cases for cases in by_person.values() if len(cases) > 1]
    assert any(len({c.unit_id for c in cases}) > 1 for cases in repeat)
    assert any(len({c.unit_id for c in cases}) == 1 for cases in repeat)

    # What the agent of the second unit sees: the earlier case, in the other unit, without contents.
    from xinfang.cases.selectors import petitioner_history

    renshe = User.objects.get(username="renshe")
    case = Case.objects.get(unit=renshe.unit, petitioner__name_hash__in=name_keys("张某军"))
    history = petitioner_history(renshe, case.petitioner.id_number, exclude_pk=case.pk)
    assert [(h.unit_name, h.case) for h in history] == [("曾家镇", None)]

    # One platform account per person: the later submission reuses it, without a new registration page.
    both = Case.objects.filter(
        petitioner__name_hash__in=name_keys("张某军"), submitted_at__isnull=False
    ).order_by("submitted_at")
    first, later = list(both)
    assert (first.platform_username, first.platform_password) == (
        later.platform_username,
        later.platform_password,
    )
    assert first.query_code != later.query_code
    assert first.files.filter(kind=FileKind.REGISTRATION).exists()
    assert not later.files.filter(kind=FileKind.REGISTRATION).exists()


@pytest.mark.django_db
def test_running_twice_creates_nothing_new(private_dir):
    run_demo()
    before = counts()
    stored = sorted(os.listdir(private_dir))
    output = run_demo()
    assert counts() == before
    assert sorted(os.listdir(private_dir)) == stored
    assert "已存在" in output and demo.DEMO_PASSWORD in output and "chengguan" in output


@pytest.mark.django_db
def test_other_data_is_left_alone(private_dir):
    Unit.objects.create(name="某县信访局", kind=UnitKind.BUREAU)
    output = run_demo()
    assert Unit.objects.count() == 1 and not User.objects.exists() and not Case.objects.exists()
    assert "未创建演示数据" in output and demo.DEMO_PASSWORD not in output


@pytest.mark.django_db
def test_missing_reference_data_is_a_clear_error(private_dir):
    from xinfang.reference.models import SubmissionPlatform

    SubmissionPlatform.objects.filter(name="县领导信访信箱").delete()
    with pytest.raises(CommandError, match="migrate"):
        run_demo()
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_refused_in_production(settings, private_dir):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        run_demo()
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_no_name_id_number_phone_address_or_platform_password_in_any_table(private_dir):
    run_demo()
    secret_values = secrets_in_database()
    # The generator's own values, too: what the ORM reads back is what was generated.
    people = [demo.person(name) for name in demo.PERSONS]
    assert {who.id_number for who in people} <= set(secret_values)
    assert {who.mobile for who in people} <= set(secret_values)
    assert len(secret_values) > 100

    leaks = [(table, value) for table, cell in all_cells() for value in secret_values if value in cell]
    assert leaks == []


@pytest.mark.django_db(transaction=True)
def test_no_name_id_number_phone_or_platform_password_in_the_database_file(private_dir):
    if connection.vendor != "sqlite":
        pytest.skip("the database is a file only with SQLite; the table scan above covers every database")
    reseed_reference_data()
    seed_official_calendar()
    seed_clocks()
    official.invalidate()
    run_demo()  # committed: the command runs in autocommit mode
    secret_values = [value.encode() for value in secrets_in_database()]
    path = connection.settings_dict["NAME"]
    assert os.path.exists(path), "the test database is a file"
    blobs = {}
    for name in (str(path), f"{path}-wal"):
        if os.path.exists(name):
            blobs[name] = Path(name).read_bytes()
    for stored in private_dir.rglob("*"):
        if stored.is_file():
            blobs[str(stored)] = stored.read_bytes()
    assert any(name.endswith("-wal") for name in blobs) or len(blobs[str(path)]) > 0
    # The raw bytes really are the data: a unit's name is in clear.
    assert any("曾家镇".encode() in blob for blob in blobs.values())
    leaks = [(name, value) for name, blob in blobs.items() for value in secret_values if value in blob]
    assert leaks == []


def test_demo_rates_some_delivered_replies_and_logs_publicity(db, settings, tmp_path):
    from django.core.management import call_command

    from conftest import seed_policy_data
    from xinfang.notify.models import Notice
    from xinfang.public.models import PublicityEvent
    from xinfang.ratings.models import Rating

    settings.PRIVATE_FILES_DIR = tmp_path
    seed_policy_data()
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    channels = set(Rating.objects.values_list("channel", flat=True))
    assert {"platform", "agent"} <= channels
    unsatisfied = Rating.objects.filter(body_satisfaction="unsatisfied").get()
    assert Notice.objects.filter(case=unsatisfied.case, recipient__role="bureau").exists()
    from xinfang.cases.models import Case

    assert (
        Case.objects.filter(delivered_on__isnull=False, rating__isnull=True)
        .exclude(status="withdrawn")
        .exists()
    )
    assert PublicityEvent.objects.count() >= 5


@pytest.mark.django_db
def test_demo_fills_the_control_room(private_dir, clocks):
    """Targets, channel tallies (county online share around half), risk reports with one urgent
    report waiting for the bureau, and inspections with a rectification due soon."""
    from xinfang.figures import selectors as figures
    from xinfang.figures.models import Channel, ChannelTally, UnitTarget
    from xinfang.figures.periods import Period, add_months, first_of_month
    from xinfang.oversight.models import Finding, Inspection, ReportKind, RiskReport, Urgency
    from xinfang.oversight.selectors import urgent_unacknowledged

    run_demo()
    today = timezone.localdate()
    this_month = first_of_month(today)
    bureau = User.objects.get(username="xinfangju")

    # Targets of 2 for a few units, set by the bureau some months ago; the rest keep the default.
    targets = UnitTarget.objects.all()
    assert 2 <= targets.count() < Unit.objects.count()
    assert {(t.monthly_target, t.set_by_id) for t in targets} == {(2, bureau.pk)}
    assert all(t.effective_from < this_month for t in targets)
    units = list(Unit.objects.order_by("sort_order", "id"))
    current = figures.current_targets(units, today)
    assert sorted(set(current.values())) == [1, 2]

    # Tallies: the last three months, every unit, every channel; small counts.
    months = [add_months(this_month, -n) for n in range(3)]
    assert set(ChannelTally.objects.values_list("month", flat=True)) == set(months)
    for month in months:
        rows = ChannelTally.objects.filter(month=month)
        assert {(t.unit_id, t.channel) for t in rows} == {(u.pk, ch) for u in units for ch in Channel.values}
        assert all(t.count <= 50 and t.entered_by_id == bureau.pk for t in rows)
        period = Period.month(month.year, month.month)
        total = figures.county_totals(figures.unit_figures(period, units, today=today))
        assert 0.4 <= total.online.value <= 0.6, (month, total.online)

    # Risk reports: one urgent 扬言过激行为 waiting (the banner), one dealt with, one 信访动态.
    reports = list(RiskReport.objects.select_related("unit"))
    assert len(reports) >= 3
    waiting = urgent_unacknowledged(10)
    assert [r.kind for r in waiting] == [ReportKind.EXTREME]
    urgent = RiskReport.objects.select_related("case").get(pk=waiting[0].pk)
    assert urgent.case is not None and urgent.case.unit_id == urgent.unit_id
    disposed = [r for r in reports if r.disposed_at is not None]
    assert disposed and all(r.acknowledged_by == bureau and r.disposal for r in disposed)
    assert any(r.kind == ReportKind.TREND and r.urgency == Urgency.NORMAL for r in reports)

    # Inspections: one rectification due within days, one found nothing, one rectified.
    inspections = list(Inspection.objects.all())
    open_ones = [i for i in inspections if i.needs_rectification]
    assert len(open_ones) == 1 and open_ones[0].findings == [Finding.IRREGULAR]
    assert today < open_ones[0].rectify_by <= today + datetime.timedelta(days=7)
    assert any(i.no_problems for i in inspections)
    assert any(i.rectified_on and i.inspected_on <= i.rectified_on <= i.rectify_by for i in inspections)

    # 钟宝镇's new agent, appointed weeks ago and still unpublished: late with the report to the
    # bureau (5 workdays); every unit has an active agent.
    from xinfang.accounts.agent_reports import agent_duty

    duty = agent_duty(units, today=today)
    assert [(r.unit.name, r.agent.username) for r in duty.overdue] == [("钟宝镇", "zhongbao")]
    assert duty.pending == [] and duty.units_without_agent == []
