"""Fixtures of the core tests."""

from __future__ import annotations

import pytest

from xinfang.core import keys


@pytest.fixture
def ring(settings):
    """Configure the data keyring (newest first), as a restart with that configuration would."""
    keys.forget_verification()

    def configure(*masters: bytes) -> None:
        settings.DATA_KEY, settings.DATA_OLD_KEYS = masters[0], tuple(masters[1:])
        keys.forget_verification()

    yield configure
    keys.forget_verification()
