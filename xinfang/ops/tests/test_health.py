from __future__ import annotations

import json
import os

import pytest
from django.db import OperationalError, connection

from conftest import make_id_number
from xinfang.ops import selectors


def checks(response) -> dict:
    return {name: value["ok"] for name, value in json.loads(response.content)["checks"].items()}


@pytest.fixture
def stored_case(agent_cg, make_case):
    return make_case(agent_cg, serial=7)


def test_healthy_platform_answers_200_without_login(client, stored_case, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert checks(response) == {"disk": True, "database": True, "migrations": True, "data_key": True}


def test_health_shows_no_personal_data(client, stored_case):
    text = client.get("/healthz").content.decode()
    petitioner = stored_case.petitioner
    for value in (petitioner.name, petitioner.id_number, petitioner.mobile, make_id_number(7)):
        assert value not in text


def test_a_data_key_that_does_not_open_the_data_answers_503(client, settings, stored_case):
    settings.DATA_KEY = os.urandom(32)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["status"] == "fail"
    assert checks(response)["data_key"] is False
    assert "数据密钥" in json.loads(response.content)["checks"]["data_key"]["message"]


def test_low_disk_space_answers_503(client, settings, db):
    settings.HEALTHZ_MIN_FREE_MB = 10**12
    response = client.get("/healthz")
    assert response.status_code == 503
    assert checks(response)["disk"] is False
    assert checks(response)["database"] is True


def test_a_missing_data_directory_answers_503(client, settings, tmp_path, db):
    settings.DATA_DIR = tmp_path / "gone"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert checks(response)["disk"] is False


def test_unapplied_migrations_answer_503(client, monkeypatch, db):
    known = selectors.code_migrations() | {("ops", "9999_future")}
    monkeypatch.setattr(selectors, "code_migrations", lambda: known)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert checks(response)["migrations"] is False
    assert "1 个数据库迁移" in json.loads(response.content)["checks"]["migrations"]["message"]


def test_unreachable_database_answers_503_and_skips_the_checks_that_need_it(db, client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("could not connect to server: password=secret")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", broken)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert checks(response) == {"disk": True, "database": False, "migrations": False, "data_key": False}
    assert "secret" not in response.content.decode()


def test_only_reading_methods_are_allowed(client, db):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


def test_health_is_exempt_from_the_https_redirect(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301
