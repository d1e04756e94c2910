"""Logging in and out, with lockout after five failures (等保: 登录失败处理) and an audit row each time."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, make_user
from xinfang.accounts.models import CounterScope, LoginCounter, Role
from xinfang.audit.models import AuditAction, AuditEntry

WRONG = "Wrong-pass-9q"


@pytest.fixture
def login_url():
    return reverse("accounts:login")


def post_login(client: Client, username: str, password: str, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password, **extra})


def logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def entries(action: str):
    return AuditEntry.objects.filter(action=action).order_by("id")


def pair(username: str, address: str = "127.0.0.1") -> LoginCounter:
    return LoginCounter.objects.get(scope=CounterScope.PAIR, username=username, address=address)


def expire_lock(username: str, address: str = "127.0.0.1") -> None:
    """As if the fifteen minutes had passed."""
    LoginCounter.objects.filter(scope=CounterScope.PAIR, username=username, address=address).update(
        locked_until=timezone.now() - datetime.timedelta(seconds=1)
    )


# --- a good login -------------------------------------------------------------------------------


def test_login_page_renders(client, login_url, db):
    response = client.get(login_url)
    assert response.status_code == 200
    assert 'name="username"' in response.text
    assert 'name="password"' in response.text


def test_good_login_redirects_home_and_is_audited(client, agent_cg):
    response = post_login(client, "wang", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert logged_in(client)
    (entry,) = entries(AuditAction.LOGIN)
    assert entry.actor == agent_cg
    assert entry.actor_name == "wang"
    assert entry.ip == "127.0.0.1"


def test_username_is_trimmed(client, agent_cg):
    response = post_login(client, "  wang ", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_login_follows_a_local_next(client, agent_cg):
    response = post_login(client, "wang", PASSWORD, next="/cases/")
    assert response.url == "/cases/"


def test_login_ignores_a_next_pointing_elsewhere(client, agent_cg):
    response = post_login(client, "wang", PASSWORD, next="https://evil.example/phish")
    assert response.url == reverse("home")


def test_logged_in_user_visiting_login_goes_home(client, agent_cg, login_url):
    client.force_login(agent_cg)
    response = client.get(login_url)
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_anonymous_home_goes_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# --- wrong passwords ----------------------------------------------------------------------------


def test_wrong_password_gives_the_chinese_message_and_keeps_the_username(client, agent_cg):
    response = post_login(client, "wang", WRONG)
    assert response.status_code == 200
    assert not logged_in(client)
    assert "用户名或密码不正确" in response.text
    assert "连续5次输入错误，账户将锁定15分钟" in response.text
    assert 'value="wang"' in response.text
    assert WRONG not in response.text  # the typed password is never sent back


def test_wrong_password_is_counted_and_audited_without_the_password(client, agent_cg):
    post_login(client, "wang", WRONG)
    post_login(client, "wang", WRONG)
    assert pair("wang").failures == 2
    assert pair("wang").locked_until is None
    failed = list(entries(AuditAction.LOGIN_FAILED))
    assert len(failed) == 2
    assert failed[-1].actor == agent_cg
    assert failed[-1].detail["failures"] == 2
    for entry in AuditEntry.objects.all():
        assert WRONG not in str(entry.detail) + entry.actor_name + entry.path


def test_unknown_username_is_logged_with_what_was_typed(client, db):
    response = post_login(client, "nobody", WRONG)
    assert "用户名或密码不正确" in response.text
    (entry,) = entries(AuditAction.LOGIN_FAILED)
    assert entry.actor is None
    assert entry.actor_name == "nobody"
    assert entry.detail == {"unknown_user": True}


def test_unknown_username_and_wrong_password_look_the_same(client, agent_cg):
    """The message must not tell an outsider which user names exist."""
    unknown = post_login(client, "nobody", WRONG)
    known = post_login(client, "wang", WRONG)
    assert unknown.context["error"] == known.context["error"]


def test_empty_form_does_not_reach_the_action(client, db):
    response = post_login(client, "", "")
    assert response.status_code == 200
    assert not AuditEntry.objects.exists()


def test_a_success_resets_the_count(client, agent_cg):
    for _ in range(4):
        post_login(client, "wang", WRONG)
    post_login(client, "wang", PASSWORD)
    client.post(reverse("accounts:logout"))
    assert pair("wang").failures == 0
    for _ in range(4):
        post_login(client, "wang", WRONG)
    assert pair("wang").locked_until is None
    assert post_login(client, "wang", PASSWORD).status_code == 302


# --- lockout ------------------------------------------------------------------------------------


def fail_five_times(client: Client):
    responses = [post_login(client, "wang", WRONG) for _ in range(5)]
    return responses[-1]


def test_five_failures_lock_the_account_for_fifteen_minutes(client, agent_cg):
    before = timezone.now()
    response = fail_five_times(client)
    after = timezone.now()
    locked_until = pair("wang").locked_until
    assert locked_until is not None
    assert before + datetime.timedelta(minutes=15) <= locked_until <= after + datetime.timedelta(minutes=15)
    assert "锁定" in response.text
    assert f"{timezone.localtime(locked_until):%H:%M}" in response.text
    assert 'value="wang"' in response.text
    (entry,) = entries(AuditAction.LOGIN_LOCKED)
    assert entry.actor == agent_cg
    assert entry.target_id == str(agent_cg.pk)


def test_four_failures_do_not_lock(client, agent_cg):
    for _ in range(4):
        response = post_login(client, "wang", WRONG)
    assert "用户名或密码不正确" in response.text
    assert "已被锁定" not in response.text
    assert pair("wang").locked_until is None


def test_right_password_is_refused_while_locked(client, agent_cg):
    fail_five_times(client)
    response = post_login(client, "wang", PASSWORD)
    assert response.status_code == 200
    assert not logged_in(client)
    assert "锁定" in response.text
    attempts = entries(AuditAction.LOGIN_LOCKED).filter(detail__attempt=True)
    assert attempts.count() == 1
    assert not entries(AuditAction.LOGIN).exists()


def test_lock_applies_to_every_client_at_that_address(client, agent_cg):
    fail_five_times(client)
    other = Client()
    assert post_login(other, "wang", PASSWORD).status_code == 200
    assert not logged_in(other)


def test_lock_does_not_touch_other_accounts(client, agent_cg, agent_zj):
    fail_five_times(client)
    assert post_login(client, "zhao", PASSWORD).status_code == 302


def test_login_works_again_after_the_lock_expires(client, agent_cg):
    fail_five_times(client)
    expire_lock("wang")
    response = post_login(client, "wang", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)
    assert (pair("wang").failures, pair("wang").locked_until) == (0, None)


def test_after_the_lock_expires_counting_starts_again(client, agent_cg):
    fail_five_times(client)
    expire_lock("wang")
    response = post_login(client, "wang", WRONG)
    assert "用户名或密码不正确" in response.text
    assert (pair("wang").failures, pair("wang").locked_until) == (1, None)


# --- logout -------------------------------------------------------------------------------------


def test_logout_by_get_is_refused(client, agent_cg):
    client.force_login(agent_cg)
    response = client.get(reverse("accounts:logout"))
    assert response.status_code == 405
    assert logged_in(client)


def test_logout_by_post_ends_the_session_and_is_audited(client, agent_cg):
    post_login(client, "wang", PASSWORD)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert not logged_in(client)
    (entry,) = entries(AuditAction.LOGOUT)
    assert entry.actor == agent_cg


def test_logout_when_not_logged_in_writes_nothing(client, db):
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not entries(AuditAction.LOGOUT).exists()


# --- the password hasher ------------------------------------------------------------------------


@pytest.mark.argon2
def test_passwords_are_hashed_with_argon2(client, units):
    user = make_user("argon", Role.AGENT, units["chengguan"], "钱某某")
    user.refresh_from_db()
    assert user.password.startswith("argon2")
    assert PASSWORD not in user.password
    assert post_login(client, "argon", PASSWORD).status_code == 302


def test_other_tests_use_the_fast_hasher(agent_cg):
    """The autouse fixture really switches: otherwise the argon2 test above would prove nothing."""
    assert agent_cg.password.startswith("md5")


def test_unknown_user_names_lock_like_real_ones(client, agent_cg):
    """Five failures answer the same for a real and an invented user name: no enumeration."""
    from django.urls import reverse

    def answers(username):
        texts = []
        for _ in range(6):
            response = client.post(
                reverse("accounts:login"), {"username": username, "password": "wrong-pass"}
            )
            texts.append("已被锁定" in response.content.decode())
        return texts

    assert answers("wang") == answers("nobody-here") == [False, False, False, False, True, True]
