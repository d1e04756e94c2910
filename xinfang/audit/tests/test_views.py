"""The auditor's page: the last verification, a verification now, the head to keep."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from xinfang.audit import actions, views
from xinfang.audit.models import AuditAction, AuditAnchor, AuditEntry
from xinfang.audit.tests.conftest import head_seq, tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor)
    return client


def test_the_page_shows_the_head_and_that_nothing_was_verified_yet(auditor_client, log):
    response = auditor_client.get(reverse("audit:log"))
    page = response.text
    assert "尚未核验" in page
    assert AuditEntry.objects.get(seq=head_seq()).hash in page
    assert "信息项：手机号码" in page  # the detail in words, not as a Python dict
    assert "{&#x27;" not in page and "{'" not in page


def test_the_auditor_verifies_now(auditor_client, auditor, log):
    rows = head_seq()  # the eight of ``log`` and those the auditor's enrolment wrote
    response = auditor_client.post(reverse("audit:verify"), follow=True)
    assert f"审计日志完整：核验 {rows} 条" in response.text
    entry = AuditEntry.objects.get(action=AuditAction.VERIFY)
    assert (entry.actor, entry.detail["via"], entry.detail["scope"]) == (auditor, "page", "full")
    assert entry.path == reverse("audit:verify")
    page = auditor_client.get(reverse("audit:log")).text
    assert "完整</span>" in page and f"audit 在本页核验了全部 {rows} 条记录（至第 {rows} 条）" in page
    for words in ("方式：审计页面", "结果：完整", "范围：全部记录", "各类问题数：无"):
        assert words in page


def test_the_page_shows_what_was_tampered_with(auditor_client, log):
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [log + 1])
    response = auditor_client.post(reverse("audit:verify"), follow=True)
    assert "审计日志被篡改" in response.text
    page = auditor_client.get(reverse("audit:log")).text
    assert "发现篡改" in page and f"缺少第 {log + 1} 条：记录被删除。" in page


def test_the_auditor_takes_an_anchor_and_downloads_it(auditor_client, auditor, log):
    head = head_seq()
    response = auditor_client.post(reverse("audit:anchor"), {"download_token": "abcdef123456"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert response.cookies["xinfang_download"].value == "abcdef123456"
    line = json.loads(response.content)
    anchor = AuditAnchor.objects.get()
    assert (
        (line["seq"], line["hash"])
        == (anchor.seq, anchor.hash)
        == (head, AuditEntry.objects.get(seq=head).hash)
    )
    assert (anchor.created_by, AuditEntry.objects.get(action=AuditAction.ANCHOR).actor) == (auditor, auditor)
    page = auditor_client.get(reverse("audit:log")).text
    assert f"<td>{head}</td>" in page and anchor.hash[:14] in page


def test_a_long_log_is_checked_from_the_last_full_verification(auditor_client, log, monkeypatch):
    monkeypatch.setattr(views, "PAGE_FULL_LIMIT", 3)
    assert "本页只核验上次完整核验之后的记录" in auditor_client.get(reverse("audit:log")).text
    response = auditor_client.post(reverse("audit:verify"), follow=True)
    assert "还没有完整核验过" in response.text
    full = actions.verify_log()  # the daily timer
    response = auditor_client.post(reverse("audit:verify"), follow=True)
    assert f"（本次核验第 {full.head_seq} 条起的记录）" in response.text
    assert AuditEntry.objects.filter(action=AuditAction.VERIFY, detail__scope="recent").count() == 1


@pytest.mark.parametrize("fixture", ["agent_cg", "bureau_user", "leader"])
def test_only_the_auditor_may_verify_or_anchor(client, request, fixture, log):
    client.force_login(request.getfixturevalue(fixture))
    for name in ("audit:verify", "audit:anchor"):
        assert client.post(reverse(name)).status_code == 404
    assert not AuditEntry.objects.filter(action__in=[AuditAction.VERIFY, AuditAction.ANCHOR]).exists()
    assert AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED).count() == 2


def test_verify_and_anchor_are_posts(auditor_client, log):
    assert auditor_client.get(reverse("audit:verify")).status_code == 405
    assert auditor_client.get(reverse("audit:anchor")).status_code == 405
