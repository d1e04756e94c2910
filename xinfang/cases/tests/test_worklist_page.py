"""The worklist page lists each section's most urgent rows and counts them all."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from xinfang.cases import actions, selectors
from xinfang.core import files
from xinfang.reference.models import SubmissionPlatform

PDF = files.Checked(content=b"%PDF-1.4\nreply\n", content_type=files.PDF, name="委托书.pdf")
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


def _submitted(agent, make_case, serial: int, days_ago: int):
    """A case submitted ``days_ago`` days ago: its 15-day forwarding clock has passed."""
    received = TODAY - datetime.timedelta(days=days_ago)
    case = make_case(agent, serial=serial, received_on=received)
    actions.accept_scope(case, by=agent)
    actions.record_authorization(case, by=agent, mode="signed", on=received, scan=PDF)
    return actions.record_submission(
        case,
        by=agent,
        platform=SubmissionPlatform.objects.first(),
        username="u",
        password="p",
        query_code=f"Q{serial}",
        on=timezone.make_aware(datetime.datetime.combine(received, datetime.time(10))),
    )


@pytest.fixture
def three_overdue(agent_cg, make_case):
    # The longest overdue first: 90, 80 and 70 days ago.
    return [_submitted(agent_cg, make_case, serial, days) for serial, days in ((1, 90), (2, 80), (3, 70))]


def test_a_section_lists_its_first_rows_and_counts_them_all(client, agent_cg, three_overdue, monkeypatch):
    monkeypatch.setattr(selectors, "WORKLIST_SHOWN", 2)
    client.force_login(agent_cg)
    page = client.get(reverse("cases:work")).text
    first, second, third = (case.number for case in three_overdue)
    assert first in page and second in page and third not in page
    assert '<div class="count bad">3</div>' in page  # the tile counts every clock passed
    assert "以上为最紧急的前2件，另有1件未列出。" in page
    assert 'href="?all=1#overdue"' in page

    everything = client.get(reverse("cases:work"), {"all": "1"}).text
    assert first in everything and second in everything and third in everything
    assert "未列出" not in everything


def test_worklist_counts_what_it_does_not_list(agent_cg, three_overdue):
    work = selectors.worklist(agent_cg, shown=1)
    assert [d.case for d in work.overdue] == three_overdue[:1]
    assert work.counts["overdue"] == 3 and work.hidden["overdue"] == 2
    assert work.unit_counts[agent_cg.unit_id]["overdue"] == 3
    whole = selectors.worklist(agent_cg)
    assert [d.case for d in whole.overdue] == three_overdue and whole.hidden["overdue"] == 0


def test_the_board_counts_every_unit_from_the_whole_lists(client, bureau_user, three_overdue, monkeypatch):
    monkeypatch.setattr(selectors, "WORKLIST_SHOWN", 1)
    work = selectors.worklist(bureau_user, shown=1)
    board = {row["unit"].name: row for row in selectors.board_by_unit(work)}
    assert board["城关镇"]["overdue"] == 3
    assert all(row["overdue"] == 0 for name, row in board.items() if name != "城关镇")
