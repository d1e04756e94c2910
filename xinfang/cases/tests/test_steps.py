"""The step registry: one row per step, and everything that is derived from it."""

from __future__ import annotations

import datetime

import pytest
from django.forms import Form, ModelForm
from django.urls import reverse
from django.utils import timezone

from xinfang.access import policy
from xinfang.access.models import Reach, Role
from xinfang.cases import actions, history, hooks, steps, workflow
from xinfang.cases.models import CaseEvent, CaseStatus, FileKind
from xinfang.cases.steps import STEPS, Step
from xinfang.cases.tests.factories import new_case, path_to, walk
from xinfang.deadlines.actions import CLOCKS, step_choices

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


@pytest.fixture
def hearing():
    """A step that the platform does not have (现场核查), declared in the registry and nowhere else."""
    step = steps.declare(
        Step(
            "inspect",
            "登记现场核查",
            event="现场核查",
            sources=frozenset({CaseStatus.ACCEPTED}),
            dated=True,
            public=True,
        )
    )
    yield step
    steps.withdraw_step("inspect")


@pytest.fixture
def accepted(agent_cg, make_case):
    start = TODAY - datetime.timedelta(days=20)
    return walk(new_case(agent_cg, received_on=start), CaseStatus.ACCEPTED, by=agent_cg, start=start)


def test_a_step_declared_in_the_registry_alone_has_its_button_page_event_and_row(
    client, agent_cg, head_cg, accepted, hearing
):
    assert policy.capability("case_inspect").grants == {Role.AGENT: Reach.UNIT}
    client.force_login(agent_cg)
    page = client.get(reverse("cases:detail", args=[accepted.pk])).content.decode()
    url = reverse("cases:step", args=[accepted.pk, "inspect"])
    assert f'href="{url}">登记现场核查</a>' in page

    form = client.get(url).content.decode()
    assert "<h1>登记现场核查</h1>" in form and "现场核查日期" in form
    day = TODAY - datetime.timedelta(days=1)
    response = client.post(url, {"on": day.isoformat()})
    assert response.status_code == 302
    event = CaseEvent.objects.get(case=accepted, action="inspect")
    assert (event.on, event.by, event.from_status, event.to_status) == (day, agent_cg, "accepted", "accepted")

    page = client.get(reverse("cases:detail", args=[accepted.pk])).content.decode()
    assert "已登记现场核查。" in page and "现场核查" in page
    assert "inspect" in steps.PUBLIC and "inspect" in steps.CLOCK_STEPS
    assert ("inspect", "现场核查") in step_choices()

    # The table decides who may: a unit head reads the case and gets no button, nor the page.
    client.force_login(head_cg)
    assert "登记现场核查" not in client.get(reverse("cases:detail", args=[accepted.pk])).content.decode()
    assert client.get(url).status_code == 404


def test_a_declared_step_dated_before_the_step_before_it_is_refused(agent_cg, accepted, hearing):
    with pytest.raises(workflow.TransitionError, match="现场核查日期不能早于上一环节的日期"):
        actions.take_step(accepted, "inspect", by=agent_cg, on=accepted.received_on)
    assert not CaseEvent.objects.filter(action="inspect").exists()


def test_every_borrowed_row_and_named_action_exists():
    for step in STEPS.values():
        policy.capability(step.capability)
        if step.action:
            assert callable(getattr(actions, step.action)), step.name


def test_what_a_form_asks_is_what_the_step_keeps():
    """A field of a step's form that its row neither sets on the case nor records would be lost:
    ``take_step`` refuses it, and this test finds it first."""
    for step in STEPS.values():
        if step.action or step.url_name != "cases:step":
            continue
        form_class: type[Form] | type[ModelForm] = steps.form_for(step)
        fields = set(form_class.base_fields)
        kept = (
            {"on"}
            | set(step.sets.values())
            | set(step.records)
            | ({"document"} if step.document else set())
            | ({"late_reason"} if step.window else set())  # kept in the event when late
        )
        assert fields <= kept, (step.name, fields - kept)
        assert step.document in ("", *FileKind.values), step.name


def test_no_step_follows_a_final_status_and_every_status_is_reached():
    for step in STEPS.values():
        assert not step.sources & workflow.FINAL, step.name
    for status in CaseStatus.values:
        assert path_to(CaseStatus.INTAKE, status) is not None


def test_the_seeded_clocks_take_their_steps_from_the_registry():
    assert {seed.code: seed.start_action for seed in CLOCKS}["conclude"] == "accept"
    assert {seed.code: seed.stop_actions for seed in CLOCKS}[
        "accept_notice"
    ] == "accept,not_accept,not_accept_again,object"
    for seed in CLOCKS:
        assert seed.start_action in STEPS and set(seed.stop_actions.split(",")) <= set(STEPS)


def test_every_event_has_its_words(agent_cg, make_case):
    case = make_case(agent_cg)
    with pytest.raises(ValueError, match="no words"):
        history.record_event(case, by=agent_cg, action="nonsense")
    for action in (*steps.RECORDED, *history.OTHER_EVENTS):
        assert history.event_label(action) != action


def test_the_apps_above_plug_in_themselves():
    assert {"deadlines", "ratings", "clocks"} <= set(hooks.registered())


def test_form_texts_quote_the_clocks_as_bureau_staff_keep_them(agent_cg, bureau_user, accepted):
    from xinfang.cases.forms_steps import AcceptForm, ExtendForm, ReceiveForm
    from xinfang.deadlines.actions import update_clock
    from xinfang.deadlines.models import Clock

    assert "受理之日起60日内应当办结" in AcceptForm(case=accepted).intro_text
    assert "5个工作日内提出异议" in ReceiveForm(case=accepted).intro_text
    assert "不得超过30日" in ExtendForm(case=accepted).intro_text
    update_clock(Clock.objects.get(code="conclude"), by=bureau_user, length=90)
    update_clock(Clock.objects.get(code="competence_objection"), by=bureau_user, length=7)
    assert "受理之日起90日内应当办结" in AcceptForm(case=accepted).intro_text
    assert "7个工作日内提出异议" in ReceiveForm(case=accepted).intro_text
