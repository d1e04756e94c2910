from __future__ import annotations

import pytest

from xinfang.deadlines import calendar as official
from xinfang.deadlines.actions import seed_clocks
from xinfang.deadlines.calendar import seed_official_calendar


@pytest.fixture
def official_calendar(db):
    """The seeded calendar and clocks (transactional tests empty the tables the migration filled)."""
    seed_official_calendar()
    seed_clocks()
    official.invalidate()
    return official.load()
