"""Tokens for the personas of the root conftest, made with the real actions."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from xinfang.api import actions


def expiry() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=30)


def token_for(user) -> str:
    _, secret = actions.create_token(by=user, name="测试", expires_on=expiry())
    return secret


def machine_token(bureau, unit=None) -> tuple:
    account, _, secret = actions.create_machine_account(
        by=bureau, name="12345热线", unit=unit, expires_on=expiry()
    )
    return account, secret


class ApiClient:
    """A client that speaks to /api/v1/ with a bearer token (and no session)."""

    def __init__(self, secret: str | None):
        self.client = Client()
        self.secret = secret

    def _headers(self, headers):
        sent = {} if self.secret is None else {"Authorization": f"Bearer {self.secret}"}
        sent.update(headers or {})
        return sent

    def get(self, path: str, params=None, headers=None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self._headers(headers))

    def post(self, path: str, json=None, *, data=None, headers=None):
        if data is not None:
            return self.client.post(f"/api/v1{path}", data, headers=self._headers(headers))
        return self.client.post(
            f"/api/v1{path}",
            json if json is not None else {},
            content_type="application/json",
            headers=self._headers(headers),
        )


@pytest.fixture
def api_for():
    def make(user) -> ApiClient:
        return ApiClient(token_for(user))

    return make
