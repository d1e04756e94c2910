"""Sessions: the absolute lifetime (12 hours) besides the 30 idle minutes, and only whole logins."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, form_log_in
from xinfang.accounts import sessions
from xinfang.accounts.middleware import is_open


class Clock:
    """``timezone.now`` that the test moves forward (the session store reads it too)."""

    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta) -> None:
        self.now += datetime.timedelta(**delta)


def logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_a_busy_session_still_ends_twelve_hours_after_the_login(client, agent_cg, monkeypatch, settings):
    assert settings.SESSION_MAX_HOURS == 12
    clock = Clock(monkeypatch)
    assert form_log_in(client, "wang").status_code == 302
    # Busy all day: a request every 25 minutes keeps the idle limit from ever striking …
    for _ in range(28):  # 11 h 40 min
        clock.advance(minutes=25)
        assert client.get(reverse("cases:work")).status_code == 200
    clock.advance(minutes=19)  # 11 h 59 min
    assert client.get(reverse("cases:work")).status_code == 200
    # … but twelve hours after the login it is over.
    clock.advance(minutes=2)
    response = client.get(reverse("cases:work"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert not logged_in(client)
    assert "登录已满12小时" in client.get(response.url).text
    # Logging in again starts a new twelve hours.
    assert (
        client.post(reverse("accounts:login"), {"username": "wang", "password": PASSWORD}).status_code == 302
    )
    assert client.get(reverse("cases:work")).status_code == 200


def test_the_idle_limit_still_holds(client, agent_cg, monkeypatch):
    clock = Clock(monkeypatch)
    form_log_in(client, "wang")
    clock.advance(minutes=31)
    assert client.get(reverse("cases:work")).url.startswith(reverse("accounts:login"))


def session_writes(client: Client, path: str) -> list[str]:
    """The statements of one request that write the session table."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    table = Session._meta.db_table
    return [
        q["sql"] for q in captured.captured_queries if table in q["sql"] and not q["sql"].startswith("SELECT")
    ]


def test_a_page_view_soon_after_the_last_save_writes_nothing(client, agent_cg, monkeypatch, settings):
    clock = Clock(monkeypatch)
    form_log_in(client, "wang")
    work = reverse("cases:work")
    # Within the renewal interval: read, never written.
    for _ in range(5):
        clock.advance(seconds=10)
        assert session_writes(client, work) == []
    # Once the interval has passed since the last save, the next request saves it (one UPDATE) …
    clock.advance(seconds=settings.SESSION_RENEW_SECONDS - 50)
    assert len(session_writes(client, work)) == 1
    # … and the interval starts again from there.
    clock.advance(seconds=settings.SESSION_RENEW_SECONDS - 1)
    assert session_writes(client, work) == []


def test_thirty_idle_minutes_end_the_session_whatever_was_saved(client, agent_cg, monkeypatch):
    clock = Clock(monkeypatch)
    form_log_in(client, "wang")
    # The last request comes just before a renewal is due, so it writes nothing …
    clock.advance(seconds=59)
    assert client.get(reverse("cases:work")).status_code == 200
    # … and thirty minutes after it the session is over (a little before, at most a minute).
    clock.advance(minutes=30)
    response = client.get(reverse("cases:work"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert not logged_in(client)


def test_activity_keeps_the_session_alive(client, agent_cg, monkeypatch):
    clock = Clock(monkeypatch)
    form_log_in(client, "wang")
    key = client.session.session_key
    # Three hours of work, a page every few minutes (some within a minute of each other).
    for step in range(60):
        clock.advance(seconds=20 if step % 3 == 0 else 290)
        assert client.get(reverse("cases:work")).status_code == 200, step
    assert logged_in(client) and client.session.session_key == key
    # The session still has nearly thirty idle minutes before it.
    assert Session.objects.get(pk=key).expire_date > clock.now + datetime.timedelta(minutes=29)


def test_the_lifetime_is_a_setting(client, agent_cg, monkeypatch, settings):
    settings.SESSION_MAX_HOURS = 1
    clock = Clock(monkeypatch)
    form_log_in(client, "wang")
    for minutes in (25, 25, 9):  # 59 minutes, never idle for thirty
        clock.advance(minutes=minutes)
        assert client.get(reverse("cases:work")).status_code == 200
    clock.advance(minutes=2)
    assert client.get(reverse("cases:work")).status_code == 302


def test_force_login_in_tests_is_a_whole_login_with_a_clock(client, agent_cg, monkeypatch):
    clock = Clock(monkeypatch)
    client.force_login(agent_cg)
    assert client.session[sessions.SECOND_FACTOR] == "test"
    for _ in range(30):
        clock.advance(minutes=25)
        client.get(reverse("cases:work"))
    assert not logged_in(client)


@pytest.mark.parametrize("missing", [sessions.LOGIN_AT, sessions.SECOND_FACTOR])
def test_a_session_that_skipped_part_of_the_login_is_logged_out(client, bureau_user, missing):
    client.force_login(bureau_user)
    session = client.session
    del session[missing]
    session.save()
    response = client.get(reverse("cases:work"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert not logged_in(client)


def test_open_paths_for_a_half_login():
    for path in (
        "/static/xinfang/app.css",
        "/public/agents/",
        "/healthz",
        "/accounts/login/",
        "/accounts/logout/",
    ):
        assert is_open(path), path
    for path in ("/", "/cases/", "/manage/users/", "/accounts/second-factor/", "/publicity/"):
        assert not is_open(path), path


def test_the_environment_variable_sets_the_lifetime(tmp_path):
    env = {**os.environ, "XINFANG_SESSION_MAX_HOURS": "8", "XINFANG_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-c", "import xinfang.settings as s; print(s.SESSION_MAX_HOURS)"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)  # noqa: S603 - our own interpreter
    assert result.stdout.strip() == "8"
    env["XINFANG_SESSION_MAX_HOURS"] = "0"
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603 - our own interpreter
    assert result.returncode != 0 and "XINFANG_SESSION_MAX_HOURS" in result.stderr
