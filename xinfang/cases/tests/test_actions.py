from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.utils import timezone

from conftest import complaint_data, petitioner_data
from xinfang.cases import actions, scope, workflow
from xinfang.cases.models import Case, CaseEvent, CaseStatus, FileKind, Petitioner, ReferralChannel
from xinfang.core import files

PDF = files.Checked(content=b"%PDF-1.4\nsigned\n", content_type=files.PDF, name="委托书.pdf")


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


def authorized(case, agent):
    actions.accept_scope(case, by=agent)
    return actions.record_authorization(case, by=agent, mode="signed", on=timezone.localdate(), scan=PDF)


def test_open_case_numbers_per_unit_and_year(agent_cg, agent_zj, make_case):
    year = timezone.localdate().year
    first, second = make_case(agent_cg, serial=1), make_case(agent_cg, serial=2)
    other = make_case(agent_zj, serial=3)
    assert first.number == f"城关镇-{year}-0001"
    assert second.number == f"城关镇-{year}-0002"
    assert other.number == f"曾家镇-{year}-0001"
    assert first.events.get().action == "open"


def test_same_token_creates_one_case(agent_cg, categories):
    token = uuid.uuid4()
    first, created = actions.open_case(
        by=agent_cg, token=token, petitioner=petitioner_data(), complaint=complaint_data()
    )
    again, created_again = actions.open_case(
        by=agent_cg, token=token, petitioner=petitioner_data(), complaint=complaint_data()
    )
    assert created and not created_again
    assert first.pk == again.pk
    assert Case.objects.count() == 1


def test_same_person_with_the_same_particulars_is_one_record(agent_cg, make_case):
    make_case(agent_cg, serial=5)
    make_case(agent_cg, serial=5)
    person = Petitioner.objects.get()
    assert person.cases.count() == 2 and person.version == 1


def test_scope_rules():
    base: dict[str, Any] = dict(
        respondent_kind="administrative",
        court_accepted=False,
        arbitration_accepted=False,
        reconsideration_done=False,
        has_review_opinion=False,
    )
    assert scope.assess(**base).in_scope
    assert scope.assess(**{**base, "court_accepted": True}).required_channel == ReferralChannel.LITIGATION
    assert (
        scope.assess(**{**base, "arbitration_accepted": True}).required_channel == ReferralChannel.ARBITRATION
    )
    assert (
        scope.assess(**{**base, "reconsideration_done": True}).required_channel
        == ReferralChannel.RECONSIDERATION
    )
    assert scope.assess(**{**base, "respondent_kind": "none"}).required_channel == ReferralChannel.OTHER
    caution = scope.assess(**{**base, "has_review_opinion": True})
    assert caution.in_scope and caution.cautions


def test_accept_scope_moves_to_in_scope_with_event(agent_cg, make_case):
    case = actions.accept_scope(make_case(agent_cg), by=agent_cg, note="属于行政机关职务行为")
    assert case.status == CaseStatus.IN_SCOPE
    event = case.events.last()
    assert (event.action, event.from_status, event.to_status) == ("accept_scope", "intake", "in_scope")


def test_case_before_court_cannot_be_proxied(agent_cg, make_case):
    case = make_case(agent_cg, court_accepted=True)
    with pytest.raises(workflow.TransitionError, match="人民法院已经受理"):
        actions.accept_scope(case, by=agent_cg)
    case.refresh_from_db()
    assert case.status == CaseStatus.INTAKE
    assert case.events.count() == 1


def test_referred_case_is_final_and_never_submitted(agent_cg, make_case):
    case = actions.refer_case(
        make_case(agent_cg), by=agent_cg, channel=ReferralChannel.ARBITRATION, note="劳动争议"
    )
    assert case.status == CaseStatus.REFERRED
    assert case.title and case.content  # everything typed is kept
    for step in ("accept_scope", "authorize", "submit", "edit", "refer"):
        assert not workflow.allows(case.status, step)
    with pytest.raises(workflow.TransitionError, match="法定途径"):
        actions.record_authorization(case, by=agent_cg, mode="signed", on=timezone.localdate(), scan=PDF)
    with pytest.raises(workflow.TransitionError):
        actions.accept_scope(case, by=agent_cg)
    assert CaseEvent.objects.filter(case=case).count() == 2


def test_submission_needs_authorization(agent_cg, make_case, db):
    from xinfang.reference.models import SubmissionPlatform

    case = actions.accept_scope(make_case(agent_cg), by=agent_cg)
    with pytest.raises(workflow.TransitionError, match="不能登记网上提交"):
        actions.record_submission(
            case,
            by=agent_cg,
            platform=SubmissionPlatform.objects.first(),
            username="u",
            password="p",
            query_code="Q1",
            on=timezone.now(),
        )


def test_full_path_records_every_step(agent_cg, make_case):
    from xinfang.reference.models import SubmissionPlatform

    case = authorized(make_case(agent_cg), agent_cg)
    assert case.status == CaseStatus.AUTHORIZED
    assert case.files.get().kind == FileKind.AUTHORIZATION
    actions.attach_files(case, by=agent_cg, uploads=[PDF, PDF])
    case = actions.record_submission(
        case,
        by=agent_cg,
        platform=SubmissionPlatform.objects.first(),
        username="li13912345678",
        password="Pw-9x!k",
        query_code="ZP2026AB12",
        on=timezone.now() - datetime.timedelta(hours=1),
        registration_scan=PDF,
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.platform_password == "Pw-9x!k"
    assert Case.objects.filter(query_code_hash=case.query_code_hash).get() == case
    assert [e.action for e in case.events.all()] == ["open", "accept_scope", "authorize", "attach", "submit"]
    assert "Pw-9x!k" not in str(list(case.events.values_list("data", flat=True)))
    assert sorted(case.files.values_list("kind", flat=True)) == sorted(
        [FileKind.AUTHORIZATION, FileKind.ATTACHMENT, FileKind.ATTACHMENT, FileKind.REGISTRATION]
    )


def test_editing_a_scope_answer_reopens_the_decision(agent_cg, make_case):
    case = authorized(make_case(agent_cg), agent_cg)
    person = case.petitioner
    petitioner = {f: getattr(person, f) for f in actions.PETITIONER_FIELDS}
    complaint = {f: getattr(case, f) for f in actions.COMPLAINT_FIELDS}
    case = actions.update_case(
        case, by=agent_cg, petitioner=petitioner, complaint={**complaint, "title": "新标题"}
    )
    assert case.status == CaseStatus.AUTHORIZED  # a title does not bear on scope
    case = actions.update_case(
        case,
        by=agent_cg,
        petitioner=petitioner,
        complaint={**complaint, "title": "新标题", "court_accepted": True},
    )
    assert case.status == CaseStatus.INTAKE
    assert case.authorization_mode == ""
    assert case.events.last().action == "reopen_scope"


def test_editing_the_id_number_moves_the_case_to_that_person(agent_cg, make_case):
    case = make_case(agent_cg, serial=1)
    make_case(agent_cg, serial=2)
    data = petitioner_data(2)
    complaint = {f: getattr(case, f) for f in actions.COMPLAINT_FIELDS}
    case = actions.update_case(case, by=agent_cg, petitioner=data, complaint=complaint)
    assert case.petitioner.cases.count() == 2
    assert Petitioner.objects.count() == 2


def test_dates_may_not_precede_the_step_before_nor_lie_ahead(agent_cg, make_case):
    from xinfang.reference.models import SubmissionPlatform

    case = actions.accept_scope(make_case(agent_cg), by=agent_cg)
    with pytest.raises(workflow.TransitionError, match="不能早于接待日期"):
        actions.record_authorization(
            case,
            by=agent_cg,
            mode="signed",
            on=case.received_on - datetime.timedelta(days=1),
            scan=PDF,
        )
    case = actions.record_authorization(case, by=agent_cg, mode="signed", on=timezone.localdate(), scan=PDF)
    platform = SubmissionPlatform.objects.first()
    for when, message in (
        (timezone.now() + datetime.timedelta(hours=2), "不能晚于现在"),
        (timezone.now() - datetime.timedelta(days=3), "不能早于委托日期"),
    ):
        with pytest.raises(workflow.TransitionError, match=message):
            actions.record_submission(
                case,
                by=agent_cg,
                platform=platform,
                username="u",
                password="p",
                query_code="Q",
                on=when,
            )
    case.refresh_from_db()
    assert case.status == CaseStatus.AUTHORIZED


def test_a_referred_case_shows_its_own_short_path(client, agent_cg, make_case):
    """登记 → 范围判断 → 已引导: never the handling steps to 送达答复 it will not take."""
    from django.urls import reverse

    from xinfang.cases import selectors

    case = actions.refer_case(
        make_case(agent_cg), by=agent_cg, channel=ReferralChannel.ARBITRATION, note="劳动争议"
    )
    assert selectors.progress(case) == [("登记", "done"), ("范围判断", "done"), ("已引导", "current")]
    client.force_login(agent_cg)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert '<li class="current">已引导</li>' in page and "送达答复</li>" not in page
    # A case on the main line still sees the way ahead.
    other = make_case(agent_cg, serial=2)
    labels = [label for label, _ in selectors.progress(other)]
    assert labels[0] == "登记" and labels[-1] == "送达答复"
