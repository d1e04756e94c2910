"""Registering the same new petitioner at the same moment, and forms whose token is not the
agent's own: every post is registered or refused with a message, never a 500, on SQLite and
PostgreSQL alike (issue 9, defect 4)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from conftest import complaint_data, make_user, petitioner_data
from xinfang.accounts.models import Role
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.cases import actions, intake
from xinfang.cases.models import Case, Petitioner
from xinfang.cases.tests.test_views import new_case_post
from xinfang.cases.tests.threads import run_together

WORKERS = 8


@pytest.fixture
def second_agent(units):
    return make_user("wang2", Role.AGENT, units["chengguan"], "王二", "13800000002")


@pytest.mark.django_db(transaction=True)
def test_same_new_petitioner_registered_at_once_by_two_agents(agent_cg, second_agent):
    agents = [agent_cg, second_agent]
    person = petitioner_data(5)
    results: list[tuple[Case, bool]] = []

    def work(index: int) -> None:
        results.append(
            actions.open_case(
                by=agents[index % 2],
                token=uuid.uuid4(),
                petitioner=person,
                complaint=complaint_data(title=f"事项{index}"),
            )
        )

    errors = run_together(work)
    assert not errors, errors
    assert len(results) == WORKERS and all(created for _, created in results)
    assert Case.objects.count() == WORKERS
    assert Petitioner.objects.count() == 1
    person_row = Petitioner.objects.get()
    assert set(Case.objects.values_list("petitioner", flat=True)) == {person_row.pk}
    assert person_row.version == 1
    assert sorted(Case.objects.values_list("seq", flat=True)) == list(range(1, WORKERS + 1))


@pytest.mark.django_db(transaction=True)
def test_eight_parallel_posts_of_the_new_case_form_all_register(agent_cg, second_agent):
    """The reported run: 8 posts at once of the same new petitioner, over HTTP."""
    agents = [agent_cg, second_agent]
    clients = []
    for index in range(WORKERS):
        client = Client()
        client.force_login(agents[index % 2])
        clients.append(client)
    statuses: list[int] = []

    def work(index: int) -> None:
        response = clients[index].post(reverse("cases:new"), new_case_post(**{"c-title": f"事项{index}"}))
        statuses.append(response.status_code)

    errors = run_together(work)
    assert not errors, errors
    assert statuses == [302] * WORKERS
    assert Case.objects.count() == WORKERS
    assert Petitioner.objects.count() == 1


def _first_look_misses(monkeypatch) -> list:
    real_latest = intake._latest
    looks = []

    def latest(unit, id_hash):
        looks.append(id_hash)
        return None if len(looks) == 1 else real_latest(unit, id_hash)

    monkeypatch.setattr(intake, "_latest", latest)
    return looks


def test_a_person_found_after_a_failed_insert_is_taken(agent_cg, monkeypatch):
    """The second of two simultaneous inserts, step by step: its first look misses the person
    (the other transaction has not committed yet), its insert then fails in a savepoint (the
    other one has), and the transaction goes on to find the committed record, the same person
    with the same particulars."""
    person = petitioner_data(6)
    theirs = intake._fill(Petitioner(unit=agent_cg.unit), person)
    looks = _first_look_misses(monkeypatch)
    case, created = actions.open_case(
        by=agent_cg, token=uuid.uuid4(), petitioner=person, complaint=complaint_data()
    )
    assert created and len(looks) == 2
    assert Petitioner.objects.get() == theirs == case.petitioner


def test_a_person_found_after_a_failed_insert_with_other_particulars_is_asked(agent_cg, monkeypatch):
    """The other agent registered the same person with another address meanwhile: nothing is
    saved, and the agent is shown both to confirm."""
    person = petitioner_data(6)
    intake._fill(Petitioner(unit=agent_cg.unit), {**person, "address": "另一位代理员刚登记的地址"})
    _first_look_misses(monkeypatch)
    with pytest.raises(intake.PetitionerChanged) as asked:
        actions.open_case(by=agent_cg, token=uuid.uuid4(), petitioner=person, complaint=complaint_data())
    assert asked.value.changed == ["address"]
    assert Case.objects.count() == 0


def test_gives_up_with_a_message_when_the_person_keeps_colliding(agent_cg, monkeypatch):
    from django.db import IntegrityError

    def always_taken(petitioner, data):
        raise IntegrityError("petitioner_version_unique_per_unit")

    monkeypatch.setattr(intake, "_fill", always_taken)
    with pytest.raises(actions.IntakeError, match="同时登记"):
        actions.open_case(
            by=agent_cg, token=uuid.uuid4(), petitioner=petitioner_data(), complaint=complaint_data()
        )
    assert Case.objects.count() == 0


# --- tokens that are not the agent's own -----------------------------------------------------------


def test_token_of_another_units_case_is_refused(agent_cg, agent_zj):
    theirs, _ = actions.open_case(
        by=agent_zj, token=uuid.uuid4(), petitioner=petitioner_data(1), complaint=complaint_data()
    )
    with pytest.raises(actions.IntakeError, match="已被其他登记使用"):
        actions.open_case(
            by=agent_cg, token=theirs.intake_token, petitioner=petitioner_data(2), complaint=complaint_data()
        )
    assert Case.objects.count() == 1 and Petitioner.objects.filter(unit=agent_cg.unit).count() == 0


def test_token_of_a_colleagues_case_is_refused(agent_cg, second_agent):
    theirs, _ = actions.open_case(
        by=second_agent, token=uuid.uuid4(), petitioner=petitioner_data(1), complaint=complaint_data()
    )
    with pytest.raises(actions.IntakeError):
        actions.open_case(
            by=agent_cg, token=theirs.intake_token, petitioner=petitioner_data(1), complaint=complaint_data()
        )


def _token_of(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_crafted_token_over_http_keeps_what_was_typed(client, agent_cg, agent_zj):
    theirs, _ = actions.open_case(
        by=agent_zj, token=uuid.uuid4(), petitioner=petitioner_data(1), complaint=complaint_data()
    )
    client.force_login(agent_cg)
    posted = new_case_post(token=str(theirs.intake_token), **{"c-title": "路灯不亮请求维修"})
    response = client.post(reverse("cases:new"), posted)
    html = response.content.decode()
    assert response.status_code == 200
    assert "已被其他登记使用" in html
    assert "路灯不亮请求维修" in html and "道路硬化后排水沟被堵" in html and posted["p-id_number"] in html
    assert theirs.number not in html
    denied = AuditEntry.objects.get(action=AuditAction.ACCESS_DENIED)
    assert (denied.actor, denied.target_id) == (agent_cg, str(theirs.pk))
    new_token = _token_of(html)
    assert new_token != str(theirs.intake_token)
    assert Case.objects.count() == 1
    # Posting the form as shown again registers it.
    response = client.post(reverse("cases:new"), {**posted, "token": new_token})
    assert response.status_code == 302
    assert Case.objects.filter(unit=agent_cg.unit, title="路灯不亮请求维修").count() == 1


@pytest.mark.parametrize("token", ["not-a-uuid", "", "\x00"])
def test_broken_token_over_http_is_renewed(client, agent_cg, token):
    client.force_login(agent_cg)
    response = client.post(reverse("cases:new"), new_case_post(token=token))
    html = response.content.decode()
    assert response.status_code == 200
    assert "表单编号无效" in html and "道路硬化后排水沟被堵" in html
    uuid.UUID(_token_of(html))
    assert Case.objects.count() == 0
