"""The worklist and the ledger's page read what they show and no more: their queries do not grow
with the rows, and no query of theirs reads a column they do not show (the complaint, the
platform's account and password, the 查询码, the petitioner's address), so nothing of it is
decrypted for a list."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xinfang.cases import actions
from xinfang.cases.models import CaseStatus
from xinfang.cases.tests.factories import new_case, walk

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=100)
NOT_SHOWN = (
    '"cases_case"."content"',
    '"cases_case"."platform_username"',
    '"cases_case"."platform_password"',
    '"cases_case"."query_code"',
    '"cases_petitioner"."address"',
)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


def submitted_with_follow_up(agent, serial: int):
    """A case submitted 100 days ago (its forwarding clock long passed), a follow-up due today."""
    case = walk(
        new_case(agent, received_on=START, serial=serial), CaseStatus.SUBMITTED, by=agent, start=START
    )
    actions.record_follow_up(
        case, by=agent, on=START + datetime.timedelta(days=20), means="phone", contact="县住建局",
        content="电话督促", next_on=TODAY,
    )  # fmt: skip
    return case


def page_queries(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_the_worklist_reads_only_what_it_shows_however_many_rows(client, agent_cg):
    for serial in range(2):
        submitted_with_follow_up(agent_cg, serial)
    client.force_login(agent_cg)
    few = page_queries(client, reverse("cases:work"))
    for serial in range(2, 8):
        submitted_with_follow_up(agent_cg, serial)
    response = client.get(reverse("cases:work"))
    work = response.context["work"]
    assert len(work.overdue) == 8 and len(work.follow_ups) == 8
    many = page_queries(client, reverse("cases:work"))
    assert len(many) == len(few)
    for sql in many:
        assert not [column for column in NOT_SHOWN if column in sql], sql


def test_the_ledger_page_reads_only_what_it_shows(client, agent_cg, make_case):
    for serial in range(3):
        make_case(agent_cg, serial=serial)
    client.force_login(agent_cg)
    queries = page_queries(client, reverse("cases:list"))
    page = client.get(reverse("cases:list")).content.decode()
    assert "李某某" in page  # the petitioners' names are shown
    for sql in queries:
        assert not [column for column in NOT_SHOWN if column in sql], sql
