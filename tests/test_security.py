"""The security settings and middleware: sessions, CSP, caching, CSRF, the append-only audit log,
Django's deployment checks, and who may read the audit log."""

from __future__ import annotations

import base64
import datetime
import os
import re
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.contrib.staticfiles import finders
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, form_log_in
from xinfang.audit.actions import record
from xinfang.audit.models import AppendOnlyError, AuditAction, AuditEntry

PROJECT_DIR = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = sorted(p for p in (PROJECT_DIR / "xinfang").rglob("templates") if p.is_dir())
TEMPLATES = sorted(p for d in TEMPLATE_DIRS for p in d.rglob("*.html"))


def log_in(client: Client, username: str) -> None:
    response = form_log_in(client, username)
    assert response.status_code == 302, response.content.decode()[:500]


# --- sessions -----------------------------------------------------------------------------------


def test_session_ends_after_thirty_idle_minutes():
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    # Renewed by accounts.sessions.renew at most a minute apart, not saved on every request.
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is False
    assert 0 < django_settings.SESSION_RENEW_SECONDS <= 60
    assert django_settings.SESSION_COOKIE_HTTPONLY is True


def test_a_request_renews_the_session(client, leader, monkeypatch):
    log_in(client, "leader")
    key = client.session.session_key
    # 29 idle minutes later, the session has one minute left …
    later = timezone.now() + datetime.timedelta(minutes=29)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(reverse("figures:dashboard")).status_code == 200
    # … and the request gives it thirty minutes again.
    renewed = Session.objects.get(pk=key).expire_date
    assert renewed > later + datetime.timedelta(minutes=29)
    assert renewed <= later + datetime.timedelta(minutes=30, seconds=5)


def test_idle_session_is_over(client, leader):
    log_in(client, "leader")
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# --- headers ------------------------------------------------------------------------------------


def assert_csp(response) -> None:
    policy = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "*" not in policy


def html_pages(client: Client, who: str | None):
    urls = {
        None: [reverse("accounts:login"), "/no-such-page/"],
        "wang": [reverse("cases:list"), reverse("cases:new")],
        "leader": [reverse("figures:dashboard")],
        "audit": [reverse("audit:log")],
    }[who]
    if who is not None:
        log_in(client, who)
    for url in urls:
        response = client.get(url)
        assert response["Content-Type"].startswith("text/html")
        yield url, response


@pytest.mark.parametrize("who", [None, "wang", "leader", "audit"])
def test_every_html_page_has_a_strict_content_security_policy(client, who, agent_cg, leader, auditor):
    for url, response in html_pages(client, who):
        assert response.status_code in (200, 404), url
        assert_csp(response)
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_error_responses_carry_the_policy_too(client, leader):
    log_in(client, "leader")
    response = client.get(reverse("audit:log"))  # refused: 404
    assert response.status_code == 404
    assert_csp(response)


@pytest.mark.parametrize("who", ["wang", "leader", "audit"])
def test_pages_for_logged_in_users_are_not_stored(client, who, agent_cg, leader, auditor):
    for url, response in html_pages(client, who):
        assert "no-store" in response.headers.get("Cache-Control", ""), url


def test_login_redirect_after_login_is_not_stored(client, agent_cg):
    response = client.post(reverse("accounts:login"), {"username": "wang", "password": PASSWORD})
    assert response.status_code == 302
    assert "no-store" in response.headers.get("Cache-Control", "")


def test_static_files_may_be_cached(client, agent_cg):
    client.force_login(agent_cg)
    response = client.get(django_settings.STATIC_URL + "xinfang/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


# --- templates ----------------------------------------------------------------------------------

TAG = re.compile(r"<[a-zA-Z][^<>]*>", re.S)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
HTMX_INLINE = re.compile(r"\s(?:hx|data-hx)-on[:\-=]", re.I)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)


def test_templates_are_found():
    names = {p.name for p in TEMPLATES}
    assert {"base.html", "login.html", "log.html"} <= names


STATIC_TAG = re.compile(r"""{%\s*static\s+['"]([^'"]+)['"]\s*%}""")


def test_every_static_file_a_template_names_is_found():
    """Otherwise the page loads without its stylesheet or script, and nobody is told."""
    named = {name for path in TEMPLATES for name in STATIC_TAG.findall(path.read_text(encoding="utf-8"))}
    assert {"xinfang/app.css", "xinfang/app.js"} <= named
    missing = sorted(name for name in named if finders.find(name) is None)
    assert not missing


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.relative_to(PROJECT_DIR).as_posix())
def test_template_has_no_inline_script_or_style(path):
    """CSP forbids them, so they would silently not work: every script and style is a static file."""
    text = path.read_text(encoding="utf-8")
    problems = []
    for attrs, body in SCRIPT.findall(text):
        if "src=" not in attrs:
            problems.append(f"<script{attrs}> without src")
        if body.strip():
            problems.append(f"<script{attrs}> with a body")
    if re.search(r"<style\b", text, re.I):
        problems.append("<style> element")
    for tag in TAG.findall(text):
        if EVENT_HANDLER.search(tag):
            problems.append(f"event handler attribute in {tag!r}")
        if STYLE_ATTRIBUTE.search(tag):
            problems.append(f"style attribute in {tag!r}")
        if HTMX_INLINE.search(tag):
            problems.append(f"hx-on attribute in {tag!r}")
        if re.search(r"""=\s*["']?\s*javascript:""", tag, re.I):
            problems.append(f"javascript: URL in {tag!r}")
    assert not problems, problems


@pytest.mark.parametrize(
    "snippet",
    [
        '<button onclick="go()">',
        '<a href="#" ONMOUSEOVER="x()">',
        '<div style="color:red">',
        '<div hx-on:click="x()">',
    ],
)
def test_template_checks_catch_what_they_look_for(snippet):
    tag = TAG.findall(snippet)[0]
    assert EVENT_HANDLER.search(tag) or STYLE_ATTRIBUTE.search(tag) or HTMX_INLINE.search(tag)


def test_script_check_catches_an_inline_script():
    attrs, body = SCRIPT.findall("<script>alert(1)</script>")[0]
    assert "src=" not in attrs
    assert body.strip()


# --- CSRF ---------------------------------------------------------------------------------------


def test_login_without_csrf_token_is_refused(agent_cg):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "wang", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_logout_without_csrf_token_is_refused(agent_cg):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent_cg)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 403
    assert "_auth_user_id" in client.session


def test_login_with_csrf_token_works(agent_cg):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))
    token = client.cookies[django_settings.CSRF_COOKIE_NAME].value
    response = client.post(
        reverse("accounts:login"), {"username": "wang", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


# --- the audit log is append-only ---------------------------------------------------------------


@pytest.fixture
def entry(agent_cg):
    return record(AuditAction.EXPORT, by=agent_cg, target_type="cases.Case", target_id=1)


def test_saving_an_existing_entry_raises(entry):
    entry.action = AuditAction.LOGIN
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == AuditAction.EXPORT


def test_deleting_an_entry_raises(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def raw(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_database_refuses_update_through_raw_sql(audit_guard, entry):
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE audit_auditentry SET action = 'login', actor_name = 'x' WHERE id = %s", [entry.pk])
    row = AuditEntry.objects.get(pk=entry.pk)
    assert (row.action, row.actor_name) == (AuditAction.EXPORT, "wang")


def test_database_refuses_delete_through_raw_sql(audit_guard, entry):
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_database_refuses_queryset_update_and_delete(audit_guard, entry):
    """QuerySet.update() and .delete() never call the model's save() or delete(): only the trigger stops them."""
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(actor_name="someone else")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).actor_name == "wang"


def test_inserting_still_works_with_the_guard_on(audit_guard, agent_cg):
    record(AuditAction.LOGIN, by=agent_cg)
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN).count() == 1


@pytest.mark.django_db(transaction=True)
def test_another_database_client_cannot_change_the_log(audit_guard, agent_cg):
    """Someone with the SQLite file but not the application cannot rewrite history either."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite guard; PostgreSQL's trigger needs no application function")
    entry = record(AuditAction.EXPORT, by=agent_cg)
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=5)
    try:
        with pytest.raises(sqlite3.OperationalError, match="xinfang_audit_maintenance"):
            other.execute("UPDATE audit_auditentry SET actor_name = 'x' WHERE id = ?", [entry.pk])
        with pytest.raises(sqlite3.OperationalError, match="xinfang_audit_maintenance"):
            other.execute("DELETE FROM audit_auditentry WHERE id = ?", [entry.pk])
        other.rollback()
    finally:
        other.close()
    assert AuditEntry.objects.get(pk=entry.pk).actor_name == "wang"


# --- deployment ---------------------------------------------------------------------------------


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "DATABASE_URL"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        XINFANG_ENV="production",
        XINFANG_SECRET_KEY=secrets.token_urlsafe(60)[:60],
        XINFANG_DATA_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        XINFANG_ALLOWED_HOSTS="xf.example.gov.cn",
        XINFANG_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3",
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "xinfang", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    print(result.stdout, result.stderr)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secrets(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "DATABASE_URL"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        XINFANG_ENV="production", XINFANG_DATA_DIR=str(tmp_path), XINFANG_ALLOWED_HOSTS="xf.example.gov.cn"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "xinfang", "check"],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "XINFANG_SECRET_KEY" in result.stderr
    assert not (tmp_path / "secrets").exists()


# --- who reads the audit log --------------------------------------------------------------------


def test_auditor_reads_the_audit_log(client, auditor, agent_cg):
    record(AuditAction.EXPORT, by=agent_cg, target_type="cases.Case", target_id=7)
    log_in(client, "audit")
    response = client.get(reverse("audit:log"))
    assert response.status_code == 200
    assert "审计日志" in response.text
    assert "代理事项（编号 7）" in response.text  # no such case: its kind in words and its id
    assert "cases.Case" not in response.text


@pytest.mark.parametrize("fixture", ["agent_cg", "head_cg", "bureau_user", "leader"])
def test_others_get_404_and_the_refusal_is_logged(client, request, fixture):
    user = request.getfixturevalue(fixture)
    client.force_login(user)
    response = client.get(reverse("audit:log"))
    assert response.status_code == 404
    refusal = AuditEntry.objects.get(action=AuditAction.ACCESS_DENIED)
    assert refusal.actor == user
    assert refusal.target_id == "audit:log"


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(reverse("audit:log"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
