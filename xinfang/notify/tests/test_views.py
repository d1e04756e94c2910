"""The notices page, marking read, the outbox page, the header count, and the sender setting."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse

from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.notify import actions, senders
from xinfang.notify.context_processors import notices as notices_context
from xinfang.notify.models import Notice, OutboxMessage, ReminderLevel


@pytest.fixture
def notices(agent_cg, agent_zj, make_case):
    cg_case = make_case(agent_cg, serial=1)
    zj_case = make_case(agent_zj, serial=2)
    mine = [
        Notice.objects.create(
            recipient=agent_cg,
            case=cg_case,
            level=ReminderLevel.OVERDUE,
            text=f"{cg_case.number} 受理告知期限已于2026年11月14日届满（超期9天），请督促有权处理机关",
        ),
        Notice.objects.create(
            recipient=agent_cg,
            case=cg_case,
            level=ReminderLevel.FOLLOW_UP,
            text=f"{cg_case.number} 今日（2026年11月23日）应跟踪督办",
        ),
    ]
    theirs = Notice.objects.create(
        recipient=agent_zj,
        case=zj_case,
        level=ReminderLevel.DUE_SOON,
        text=f"{zj_case.number} 受理告知期限将于2026年11月26日届满（还有3天）",
    )
    return {"mine": mine, "theirs": theirs}


def test_notices_page_shows_only_the_users_own_notices(
    client, agent_cg, notices, django_assert_max_num_queries
):
    client.force_login(agent_cg)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("notify:list"))
    text = response.content.decode()
    assert response.status_code == 200
    assert notices["mine"][0].text in text and notices["mine"][1].text in text
    assert notices["theirs"].text not in text and notices["theirs"].case.number not in text
    assert "已超期" in text and "今日跟踪" in text


def test_header_shows_the_unread_count(client, agent_cg, notices):
    client.force_login(agent_cg)
    text = client.get(reverse("cases:list")).content.decode()
    assert f'href="{reverse("notify:list")}"' in text
    assert '<span class="badge" title="未读提醒">2</span>' in text

    actions.mark_read(user=agent_cg)
    text = client.get(reverse("cases:list")).content.decode()
    assert 'title="未读提醒"' not in text


def test_unread_count_is_one_query_and_nothing_for_visitors(agent_cg, notices, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = agent_cg
    with django_assert_num_queries(1):
        assert notices_context(request) == {"unread_notices": 2}
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert notices_context(request) == {}


def test_mark_one_notice_read(client, agent_cg, notices):
    client.force_login(agent_cg)
    first, second = notices["mine"]
    response = client.post(reverse("notify:read"), {"notice": first.pk})
    assert response.status_code == 302 and response["Location"] == reverse("notify:list")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    # Read again: nothing changes, no error.
    assert client.post(reverse("notify:read"), {"notice": first.pk}).status_code == 302

    text = client.get(reverse("notify:list") + "?unread=1").content.decode()
    assert second.text in text and first.text not in text


def test_mark_all_read_touches_only_the_users_notices(client, agent_cg, notices):
    client.force_login(agent_cg)
    response = client.post(reverse("notify:read"), follow=True)
    assert "已将 2 条提醒标为已读" in response.content.decode()
    assert not Notice.objects.filter(recipient=agent_cg, read_at__isnull=True).exists()
    notices["theirs"].refresh_from_db()
    assert notices["theirs"].read_at is None


def test_someone_elses_notice_cannot_be_marked_read(client, agent_cg, notices):
    client.force_login(agent_cg)
    theirs = notices["theirs"]
    assert client.post(reverse("notify:read"), {"notice": theirs.pk}).status_code == 404
    assert client.post(reverse("notify:read"), {"notice": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, target_id=str(theirs.pk)).exists()


def test_marking_read_needs_post_and_login(client, agent_cg):
    assert client.post(reverse("notify:read")).status_code == 302  # to the login page
    client.force_login(agent_cg)
    assert client.get(reverse("notify:read")).status_code == 405


def test_outbox_is_for_bureau_staff_only(client, agent_cg, bureau_user, django_assert_max_num_queries):
    for _ in range(3):
        OutboxMessage.objects.create(
            recipient=agent_cg,
            subject="期限已超期 城关镇-2026-0001",
            body="城关镇-2026-0001 受理告知期限已于2026年11月14日届满（超期9天）",
        )
    client.force_login(agent_cg)
    assert client.get(reverse("notify:outbox")).status_code == 404
    assert 'href="/notify/outbox/"' not in client.get(reverse("notify:list")).content.decode()

    client.force_login(bureau_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("notify:outbox"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "城关镇-2026-0001 受理告知期限已于2026年11月14日届满" in text and agent_cg.full_name in text
    assert f'href="{reverse("notify:outbox")}"' in text


class RecordingSender:
    sent: list[dict] = []

    def send(self, *, recipient, subject, body) -> None:
        RecordingSender.sent.append({"recipient": recipient, "subject": subject, "body": body})


def test_sender_comes_from_settings_and_sends_after_commit(
    settings, agent_cg, make_case, django_capture_on_commit_callbacks
):
    assert isinstance(senders.get_sender(), senders.OutboxSender)
    settings.XINFANG_SENDER = f"{__name__}.RecordingSender"
    RecordingSender.sent = []
    case = make_case(agent_cg)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            actions.notify(
                recipients=[agent_cg, agent_cg], case=case, level=ReminderLevel.OVERDUE, text="超期提醒"
            )
        assert RecordingSender.sent == []
    for callback in callbacks:
        callback()
    assert RecordingSender.sent == [
        {"recipient": agent_cg, "subject": f"期限已超期 {case.number}", "body": "超期提醒"}
    ]
    assert Notice.objects.filter(recipient=agent_cg).count() == 1
    assert not OutboxMessage.objects.exists()
