"""Tokens for the personas of the root conftest, made with the real actions."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from xinfang.api import actions
from xinfang.api.tests.bodies import ApiClient


def expiry(days: int = 30) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """Uploads through the API are kept in the test's own folder."""
    settings.PRIVATE_FILES_DIR = tmp_path


@pytest.fixture
def api_for():
    """A client with a personal token of ``user``, made as its page makes it."""

    def make(user) -> ApiClient:
        _, secret = actions.create_token(by=user, name="测试", expires_on=expiry())
        return ApiClient(secret)

    return make


@pytest.fixture
def machine_for(bureau_user):
    """A machine account (one unit's, or the county's) and a client with its token."""

    def make(unit=None):
        account, _, secret = actions.create_machine_account(
            by=bureau_user, name="12345热线", unit=unit, expires_on=expiry()
        )
        return account, ApiClient(secret)

    return make
