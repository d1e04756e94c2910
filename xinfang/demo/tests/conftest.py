"""Fixtures of the demo's tests: a private folder for its scans, the seeded clocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from xinfang.deadlines import calendar as official
from xinfang.deadlines.actions import seed_clocks
from xinfang.deadlines.calendar import seed_official_calendar


@pytest.fixture
def private_dir(settings, tmp_path) -> Path:
    """Scans go to this test's own directory, not the shared data directory."""
    settings.PRIVATE_FILES_DIR = tmp_path / "files"
    return settings.PRIVATE_FILES_DIR


@pytest.fixture
def clocks(db):
    """The official calendar and the statutory clocks the deadlines migration seeds (a transactional
    test elsewhere may have emptied the tables)."""
    seed_official_calendar()
    seed_clocks()
    official.invalidate()
    yield
    official.invalidate()
