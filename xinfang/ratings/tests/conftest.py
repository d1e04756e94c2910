"""Fixtures of the ratings tests: a concluded case, and cases whose reply was delivered."""

from __future__ import annotations

import pytest

from xinfang.ratings.tests.factories import advance, ago


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


@pytest.fixture
def concluded(agent_cg, make_case):
    return advance(make_case(agent_cg, received_on=ago(14)), agent_cg, to="concluded")


@pytest.fixture
def delivered(agent_cg, make_case):
    """Reply delivered 2 days ago: the 30-day window to ask for 复查 is open."""
    return advance(make_case(agent_cg, received_on=ago(14)), agent_cg)


@pytest.fixture
def delivered_long_ago(agent_cg, make_case):
    """Reply delivered 45 days ago: the window has passed."""
    return advance(make_case(agent_cg, serial=2, received_on=ago(57)), agent_cg, delivered_ago=45)
