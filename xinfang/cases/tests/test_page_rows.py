"""The case page, the worklist and the ledger's page built from what is already read: the case
page's address reversed once per list gives each row its own case's address, and the case page
asks the case's events once for its progress bar, its buttons and its record."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import clear_script_prefix, reverse, set_script_prefix
from django.utils import timezone

from xinfang.cases import actions, selectors
from xinfang.cases.models import CaseStatus
from xinfang.cases.rows import CaseHref
from xinfang.cases.tests.factories import new_case, walk
from xinfang.cases.tests.test_page_columns import submitted_with_follow_up

START = timezone.localdate() - datetime.timedelta(days=100)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


@pytest.mark.parametrize("prefix", ["/", "/xinfang/"])
def test_the_address_reversed_once_is_each_cases_own(prefix):
    set_script_prefix(prefix)
    try:
        href = CaseHref()
        for pk in (1, 7, 42, 2147483647, 10**12):
            assert href(pk) == reverse("cases:detail", args=[pk])
    finally:
        clear_script_prefix()


def test_worklist_and_ledger_rows_link_their_own_case(client, agent_cg):
    cases = [submitted_with_follow_up(agent_cg, serial) for serial in range(3)]
    client.force_login(agent_cg)
    work = client.get(reverse("cases:work")).content.decode()
    ledger = client.get(reverse("cases:list")).content.decode()
    for case in cases:
        link = f'<a href="{reverse("cases:detail", args=[case.pk])}">{case.number}</a>'
        assert work.count(link) == 2  # its overdue clock and its follow-up
        assert ledger.count(link) == 1


def test_the_case_page_reads_the_events_once(client, agent_cg):
    # Accepted: 登记延期 is offered once, so the buttons ask whether it was taken.
    case = walk(new_case(agent_cg, received_on=START), CaseStatus.ACCEPTED, by=agent_cg, start=START)
    client.force_login(agent_cg)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    reads = [q["sql"] for q in captured.captured_queries if 'FROM "cases_caseevent"' in q["sql"]]
    assert len(reads) == 1, reads  # the cards (个人信息保存: its erasures) read the same list
    clocks = [q["sql"] for q in captured.captured_queries if 'FROM "deadlines_casedeadline"' in q["sql"]]
    assert len(clocks) == 1, clocks  # 法定期限 and 个人信息保存 (its request windows) share it
    assert "登记延期" in page and "办理记录" in page and "法定期限" in page


def test_steps_and_progress_from_the_events_read_agree_with_asking(agent_cg):
    withdrawn = walk(new_case(agent_cg, received_on=START), CaseStatus.WITHDRAWN, by=agent_cg, start=START)
    accepted = walk(
        new_case(agent_cg, received_on=START, serial=2), CaseStatus.ACCEPTED, by=agent_cg, start=START
    )
    actions.take_step(accepted, "link", by=agent_cg, other=withdrawn, note="同一事项")
    for case in (withdrawn, accepted):
        events = list(case.events.all())
        assert selectors.progress(case, events) == selectors.progress(case)
        assert selectors.steps_for(case, agent_cg, events) == selectors.steps_for(case, agent_cg)
    assert selectors.progress(withdrawn)[-1] == ("已撤回委托", "current")
