"""The retention rules: when a case's personal data falls due, what a run erases, what it keeps."""

from __future__ import annotations

import datetime
import os

import pytest
from django.utils import timezone

from conftest import petitioner_data
from xinfang.access.rules import Refused
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.cases import actions as case_actions
from xinfang.cases.models import Case, CaseEvent, CaseFile, FollowUp, Petitioner
from xinfang.core.models import StoredFile
from xinfang.deadlines.models import CaseDeadline
from xinfang.oversight.actions import file_report, record_disposal
from xinfang.oversight.models import RiskReport
from xinfang.privacy import actions, selectors
from xinfang.privacy.models import ERASED_NAME, ERASED_TEXT, DataKind, RetentionRule, RetentionRun
from xinfang.privacy.tests.factories import full_case, referred
from xinfang.public.models import LookupAttempt
from xinfang.ratings.models import FeedbackForm, Rating


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


def years_later(day: datetime.date, years: int) -> datetime.date:
    return selectors.add_years(day, years)


# --- When data falls due ---------------------------------------------------------------------------


def test_a_case_falls_due_the_day_after_its_period(agent_cg, make_case):
    case = referred(agent_cg, make_case, serial=1)
    last_kept = years_later(case.closed_on, 5)
    assert selectors.due(last_kept).empty
    due = selectors.due(last_kept + datetime.timedelta(days=1))
    assert [row.number for row in due.cases] == [case.number]
    assert due.cases[0].final_day == case.closed_on
    assert set(due.cases[0].kinds) == {DataKind.CONTENT, DataKind.PARTICULARS}  # no files: nothing of FILES


def test_each_kind_has_its_own_period(agent_cg, make_case, bureau_user):
    case = referred(agent_cg, make_case, serial=1)
    actions.set_retention(kind=DataKind.CONTENT, years=2, by=bureau_user)
    due = selectors.due(years_later(case.closed_on, 2) + datetime.timedelta(days=1))
    assert due.cases[0].kinds == [DataKind.CONTENT]


def test_a_delivered_case_is_final_when_its_review_window_runs_out(agent_cg, make_case):
    held = full_case(agent_cg, make_case, serial=3, delivered_ago=2)  # the 复查 window is open
    window = CaseDeadline.objects.get(case=held.case, clock__code="review_request")
    assert selectors.final_days([held.case], timezone.localdate())[held.case.pk] is None
    assert selectors.due(years_later(window.due_on, 5)).empty
    due = selectors.due(years_later(window.due_on, 5) + datetime.timedelta(days=1))
    assert due.cases[0].final_day == window.due_on
    assert set(due.cases[0].kinds) == set(DataKind.values)


def test_an_open_case_is_never_due(agent_cg, make_case):
    make_case(agent_cg, serial=1)
    assert selectors.due(timezone.localdate().replace(year=2090)).empty


# --- What a run erases -----------------------------------------------------------------------------


def test_a_run_erases_every_personal_value_and_keeps_the_rows(
    agent_cg, make_case, settings, django_capture_on_commit_callbacks
):
    held = full_case(agent_cg, make_case, serial=5)
    case = held.case
    stored = list(StoredFile.objects.values_list("storage_name", flat=True))
    assert len(stored) == 3  # 委托书, 答复意见书, 反馈表
    assert all(os.path.exists(settings.PRIVATE_FILES_DIR / n[:2] / n) for n in stored)
    far = timezone.localdate().replace(year=timezone.localdate().year + 10)

    with django_capture_on_commit_callbacks(execute=True) as destroyed:  # files go after the commit
        result = actions.run_retention(today=far, compact=False)
    assert len(destroyed) == 1

    t = result.tally
    assert (t.cases, t.content, t.files_cases, t.files, t.petitioners, t.lookups) == (1, 1, 1, 3, 1, 1)
    case.refresh_from_db()
    person = Petitioner.objects.get(pk=case.petitioner_id)
    assert (
        person.name,
        person.id_number,
        person.mobile,
        person.landline,
        person.address,
        person.work_unit,
    ) == (
        ERASED_NAME,
        "",
        "",
        "",
        "",
        "",
    )
    assert person.name_hash == person.mobile_hash == "" and person.id_number_hash == f"erased-{person.pk}"
    assert (case.content, case.title, case.respondent_name, case.incident_place) == (
        "",
        ERASED_TEXT,
        ERASED_TEXT,
        "",
    )
    assert (case.platform_username, case.platform_password, case.query_code, case.query_code_hash) == (
        "",
        "",
        "",
        "",
    )
    assert FollowUp.objects.get(case=case).content == ERASED_TEXT
    assert Rating.objects.get(case=case).comment == ""
    feedback = FeedbackForm.objects.get(case=case)
    assert (feedback.body_comment, feedback.signed_scan) == ("", None)
    report = RiskReport.objects.get(case=case)
    assert (report.petitioner_name, report.petitioner_name_hash, report.description) == ("", "", "")
    assert not CaseFile.objects.filter(case=case).exists() and not StoredFile.objects.exists()
    assert not any(os.path.exists(settings.PRIVATE_FILES_DIR / n[:2] / n) for n in stored)
    assert not LookupAttempt.objects.exists()
    # Rows stay: the case, its rating and satisfaction, its report, its events.
    assert Rating.objects.get(case=case).body_satisfaction == "unsatisfied"
    assert (case.status, case.delivered_on is not None, case.category_id is not None) == (
        "delivered",
        True,
        True,
    )
    event = CaseEvent.objects.get(case=case, action="erased")
    assert set(event.data["kinds"]) == set(DataKind.values) and event.data["automatic"] is True
    texts = [str(e.data) for e in CaseEvent.objects.filter(case=case)]
    assert not [s for s in held.secrets for text in texts if s in text]
    for e in CaseEvent.objects.filter(case=case).exclude(action="erased"):
        assert not {
            k for k, value in e.data.items() if k in ("document", "scan", "registration_scan") and value
        }


def test_a_run_is_audited_with_its_counts_and_then_finds_nothing(agent_cg, make_case, bureau_user):
    referred(agent_cg, make_case, serial=1, closed_years_ago=6)
    result = actions.run_retention(by=bureau_user, compact=False)
    run = RetentionRun.objects.get()
    assert run.by == bureau_user and run.counts["cases"] == 1 and run.counts["petitioners"] == 1
    entry = AuditEntry.objects.filter(action=AuditAction.WIPE, actor=bureau_user).latest("seq")
    assert (entry.target_type, entry.target_id) == ("privacy.RetentionRun", str(run.pk))
    assert entry.detail["cases"] == 1 and entry.detail["years"] == {k: 5 for k in DataKind.values}
    assert result.tally.any
    assert selectors.due().empty
    assert not actions.run_retention(by=bureau_user, compact=False).tally.any


def test_the_page_confirmation_must_match_the_list(agent_cg, make_case, bureau_user):
    referred(agent_cg, make_case, serial=1, closed_years_ago=6)
    shown = selectors.due().digest
    referred(agent_cg, make_case, serial=2, closed_years_ago=7)
    with pytest.raises(actions.PrivacyError):
        actions.run_retention(by=bureau_user, confirmed=shown, compact=False)
    assert selectors.due().count(DataKind.CONTENT) == 2
    actions.run_retention(by=bureau_user, confirmed=selectors.due().digest, compact=False)
    assert selectors.due().empty


# --- Versions shared between cases ---------------------------------------------------------------


def test_a_version_another_kept_case_still_names_waits(agent_cg, make_case):
    """The same person, same particulars: both cases point at one version. While the second case
    is open, its version stays; once the second is due too, the version goes."""
    old = referred(agent_cg, make_case, serial=1, closed_years_ago=6)
    open_case = make_case(agent_cg, serial=1)
    assert open_case.petitioner_id == old.petitioner_id
    due = selectors.due()
    assert due.waiting == 1 and due.versions == 0
    actions.run_retention(compact=False)
    old.refresh_from_db()
    assert (
        old.content == "" and Petitioner.objects.get(pk=old.petitioner_id).id_number
    )  # kept for the open case
    case_actions.refer_case(open_case, by=agent_cg, channel="litigation")
    Case.objects.filter(pk=open_case.pk).update(closed_on=datetime.date(2015, 1, 1))
    due = selectors.due()
    assert due.versions == 1 and due.waiting == 0
    actions.run_retention(compact=False)
    assert Petitioner.objects.get(pk=old.petitioner_id).id_number == ""


def test_a_joint_petitioner_is_kept_while_the_joint_case_is(agent_cg, make_case):
    """李 is the first petitioner of an old case and a 联名 petitioner of an open one."""
    li = petitioner_data(21, name="李某甲")
    old = referred(agent_cg, make_case, serial=21, closed_years_ago=6, **li)
    joint = make_case(agent_cg, serial=22)
    case_actions.take_step(joint, "add_petitioner", by=agent_cg, **li)
    assert joint.co_petitioners.get().petitioner_id == old.petitioner_id
    actions.run_retention(compact=False)
    assert Petitioner.objects.get(pk=old.petitioner_id).name == "李某甲"
    assert Case.objects.get(pk=old.pk).content == ""


def test_two_people_erased_in_one_unit_do_not_collide(agent_cg, make_case):
    """Version 1 of two people in one unit: the replaced hashes differ (unit, hash, version is unique)."""
    referred(agent_cg, make_case, serial=31, closed_years_ago=6)
    referred(agent_cg, make_case, serial=32, closed_years_ago=6)
    assert actions.run_retention(compact=False).tally.petitioners == 2
    # The same person comes back later: a new version 1 under the real hash.
    again = make_case(agent_cg, serial=31)
    assert Petitioner.objects.get(pk=again.petitioner_id).version == 1


# --- Risk reports of no case ------------------------------------------------------------------------


def test_a_report_of_no_case_is_kept_from_its_disposal(agent_cg, bureau_user):
    report = file_report(
        by=agent_cg,
        kind="escalation",
        urgency="normal",
        happened_on=timezone.localdate(),
        description="扬言越级上访，记号鸢",
        petitioner_name="某甲",
    )
    assert selectors.due(timezone.localdate().replace(year=2090)).empty  # not disposed: kept
    record_disposal(report, by=bureau_user, disposal="已约谈，记号鹭")
    due = selectors.due(timezone.localdate().replace(year=timezone.localdate().year + 6))
    assert due.reports == {report.pk: [DataKind.PARTICULARS, DataKind.CONTENT]}
    actions.run_retention(today=due.today, compact=False)
    report.refresh_from_db()
    assert (report.petitioner_name, report.description, report.disposal, report.kind) == (
        "",
        "",
        "",
        "escalation",
    )


# --- The rules ---------------------------------------------------------------------------------------


def test_bureau_staff_set_a_period_which_is_logged(bureau_user, agent_cg):
    actions.set_retention(kind=DataKind.FILES, years=3, basis="局务会议纪要〔2026〕5号", by=bureau_user)
    assert selectors.rule_years()[DataKind.FILES] == 3
    rule = RetentionRule.objects.get(kind=DataKind.FILES)
    entry = AuditEntry.objects.filter(action=AuditAction.POLICY).latest("seq")
    assert entry.detail["years"] == 3 and entry.detail["old_years"] == 5 and rule.set_by == bureau_user
    with pytest.raises(actions.PrivacyError):
        actions.set_retention(kind=DataKind.FILES, years=0, by=bureau_user)
    with pytest.raises(Refused):
        actions.set_retention(kind=DataKind.FILES, years=3, by=agent_cg)


def test_the_notes_and_reasons_typed_along_the_way_go_too(agent_cg, make_case):
    case = referred(agent_cg, make_case, serial=9, closed_years_ago=6)
    assert case.scope_note == "已告知起诉，记号9"
    actions.run_retention(compact=False)
    case.refresh_from_db()
    assert case.scope_note == ""
    assert not [e for e in CaseEvent.objects.filter(case=case) if "记号9" in str(e.data)]
    assert CaseEvent.objects.filter(case=case, action="refer").exists()  # the step itself stays
