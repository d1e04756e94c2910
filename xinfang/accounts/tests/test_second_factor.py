"""The second factor: enrolment, the code at login, recovery codes, replay, who must have one,
the system administrator's reset."""

from __future__ import annotations

import datetime
import io
import re

import pyotp
import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, enrol_second_factor, make_user, second_factor_code
from xinfang.access.rules import Refused
from xinfang.accounts import actions, second_factor, sessions
from xinfang.accounts.models import RecoveryCode, Role, SecondFactor, User
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.notify.models import Notice

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:second_factor_verify")
ENROL = reverse("accounts:second_factor_enrol")


def password_step(client: Client, username: str, **extra):
    return client.post(LOGIN, {"username": username, "password": PASSWORD, **extra})


def code_step(client: Client, code: str):
    return client.post(VERIFY, {"code": code})


def logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def secret_of(user: User) -> str:
    return SecondFactor.objects.get(user=user).secret


def code_at(user: User, offset: int = 0) -> str:
    return pyotp.TOTP(secret_of(user)).at(timezone.now().timestamp(), counter_offset=offset)


@pytest.fixture
def new_bureau_user(units):
    """Bureau staff who have not set up a second factor yet."""
    return make_user("newcomer", Role.BUREAU, units["bureau"], "新同事")


@pytest.fixture
def sysadmin(units):
    user = make_user("xie", Role.SYSADMIN, None, "谢某某")
    enrol_second_factor(user)
    return user


# --- who must have one ---------------------------------------------------------------------------


def test_who_must_use_a_second_factor(units, agent_cg, head_cg, leader, new_bureau_user):
    sysadmin = make_user("xie", Role.SYSADMIN, None, "谢某某")
    auditor = make_user("shen", Role.AUDITOR, None, "审计员")
    assert [u.must_use_second_factor() for u in (new_bureau_user, sysadmin, auditor)] == [True] * 3
    assert [u.must_use_second_factor() for u in (agent_cg, head_cg, leader)] == [False] * 3
    units["chengguan"].second_factor_required = True
    units["chengguan"].save()
    agent_cg.refresh_from_db()
    head_cg.refresh_from_db()
    assert agent_cg.must_use_second_factor() and head_cg.must_use_second_factor()


def test_bureau_staff_switch_it_on_for_a_unit(client, bureau_user, units, agent_cg):
    client.force_login(bureau_user)
    unit = units["chengguan"]
    form = client.get(reverse("manage:unit_edit", args=[unit.pk])).text
    assert "代理员和单位负责人须使用动态口令" in form
    data = {
        "name": unit.name,
        "kind": unit.kind,
        "code": unit.code,
        "office_address": "",
        "office_phone": "",
        "sort_order": unit.sort_order,
        "active": "on",
        "second_factor_required": "on",
    }
    assert client.post(reverse("manage:unit_edit", args=[unit.pk]), data).status_code == 302
    unit.refresh_from_db()
    assert unit.second_factor_required
    row = AuditEntry.objects.filter(action=AuditAction.ACCOUNT, detail__change="unit_update").get()
    assert row.detail["fields"] == ["second_factor_required"]
    assert "须动态口令" in client.get(reverse("manage:units")).text
    # The agent's next login goes through enrolment.
    agent = Client()
    assert password_step(agent, "wang").url == ENROL
    assert not logged_in(agent)


def test_an_agent_of_a_unit_without_the_rule_logs_in_with_the_password(client, agent_cg):
    response = password_step(client, "wang")
    assert response.url == reverse("home") and logged_in(client)
    assert client.session[sessions.SECOND_FACTOR] == "password"


def test_an_agent_who_chose_a_second_factor_is_asked_for_it(client, agent_cg):
    enrol_second_factor(agent_cg)
    assert password_step(client, "wang").url == VERIFY
    assert not logged_in(client)


# --- enrolment -----------------------------------------------------------------------------------


def test_required_and_missing_goes_to_enrolment_and_nowhere_else(client, new_bureau_user):
    response = password_step(client, "newcomer", next="/cases/")
    assert response.status_code == 302 and response.url == ENROL
    assert not logged_in(client)
    for url in (reverse("home"), reverse("cases:work"), reverse("manage:users"), VERIFY):
        assert client.get(url).url == ENROL, url
    # Public pages, and logging out, stay open.
    assert client.get(reverse("public:agents")).status_code == 200
    page = client.get(ENROL)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    text = page.text
    assert (
        "<svg" in text
        and "<script>" not in text
        and "style=" not in text.split("<svg", 1)[1].split("</svg>")[0]
    )
    secret = re.search(r'id="secret">([A-Z2-7 ]+)<', text).group(1).replace(" ", "")
    assert secret == secret_of(new_bureau_user)
    assert "一律" not in text and "等级保护三级" in text
    # A reload shows the same secret: the app scanned a moment ago keeps working.
    assert secret in client.get(ENROL).text.replace(" ", "")
    # A wrong code, then the right one.
    wrong = client.post(ENROL, {"code": "000000" if code_at(new_bureau_user) != "000000" else "111111"})
    assert "动态口令不正确" in wrong.text and not logged_in(client)
    done = client.post(ENROL, {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and logged_in(client)
    codes = re.findall(r"<li>([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})</li>", done.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "只显示这一次" in done.text and 'href="/cases/"' in done.text
    assert "no-store" in done.headers["Cache-Control"]
    assert client.session[sessions.SECOND_FACTOR] == "enrolled"
    assert client.get(reverse("cases:work")).status_code == 200
    assert AuditEntry.objects.filter(
        action=AuditAction.ACCOUNT, actor=new_bureau_user, detail__change="second_factor_enrol"
    ).exists()
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN, detail__second_factor="enrolled").exists()
    # Enrolled: the page does not show a secret again.
    assert client.get(ENROL).url == reverse("accounts:second_factor")


def test_secrets_and_recovery_codes_are_not_stored_readably(new_bureau_user):
    enrol_second_factor(new_bureau_user)
    codes = second_factor._replace_recovery_codes(new_bureau_user)
    secret = secret_of(new_bureau_user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_secondfactor")
        (stored,) = cursor.fetchone()
        cursor.execute("SELECT digest FROM accounts_recoverycode")
        digests = [row[0] for row in cursor.fetchall()]
    assert secret not in stored and stored.startswith("x1.")
    for code in codes:
        assert all(code.replace("-", "") not in d and code not in d for d in digests)


def test_anyone_may_enrol_from_the_own_page(client, agent_cg):
    client.force_login(agent_cg)
    page = client.get(reverse("accounts:second_factor")).text
    assert "尚未绑定" in page and "可以不使用" in page
    client.get(ENROL)
    response = client.post(ENROL, {"code": code_at(agent_cg)})
    assert response.status_code == 200 and "恢复码" in response.text
    assert second_factor.confirmed(agent_cg) is not None


def test_enrolment_page_without_a_login_goes_to_the_login(client, db):
    response = client.get(ENROL)
    assert response.url == LOGIN


# --- the code at login ---------------------------------------------------------------------------


def test_password_then_code(client, bureau_user):
    response = password_step(client, "lu", next="/cases/")
    assert response.url == VERIFY and not logged_in(client)
    assert client.get(reverse("cases:work")).url == VERIFY
    page = client.get(VERIFY)
    assert "动态口令或恢复码" in page.text and "卢艺" in page.text
    response = code_step(client, second_factor_code("lu"))
    assert response.status_code == 302 and response.url == "/cases/"
    assert logged_in(client) and client.session[sessions.SECOND_FACTOR] == "totp"
    login = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert login.actor == bureau_user and login.detail == {"second_factor": "totp"}


def test_the_session_key_changes_at_each_step(client, bureau_user):
    client.get(LOGIN)
    password_step(client, "lu")
    halfway = client.session.session_key
    code_step(client, second_factor_code("lu"))
    assert client.session.session_key != halfway


def test_a_code_is_good_once(client, bureau_user):
    code = second_factor_code("lu")
    password_step(client, "lu")
    assert code_step(client, code).status_code == 302
    other = Client()
    password_step(other, "lu")
    response = code_step(other, code)
    assert response.status_code == 200 and "已经用过" in response.text
    assert not logged_in(other)
    failed = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.detail == {"failures": 1, "second_factor": True}


def test_an_older_code_after_a_newer_one_is_refused(client, bureau_user):
    password_step(client, "lu")
    assert code_step(client, code_at(bureau_user, +1)).status_code == 302
    other = Client()
    password_step(other, "lu")
    assert "已经用过" in code_step(other, code_at(bureau_user, 0)).text


def test_a_code_from_two_steps_away_is_refused(client, bureau_user):
    password_step(client, "lu")
    for offset in (-3, +3):
        assert "动态口令不正确" in code_step(client, code_at(bureau_user, offset)).text


def test_wrong_codes_count_like_wrong_passwords_and_lock_the_pair(client, bureau_user):
    password_step(client, "lu")
    bad = "123456" if code_at(bureau_user) != "123456" else "654321"
    for _ in range(4):
        response = code_step(client, bad)
        assert "动态口令不正确" in response.text
    response = code_step(client, bad)
    assert response.url == LOGIN
    assert "已被锁定" in client.get(LOGIN).text
    # The half-login is gone; the password is refused at this address now.
    assert client.get(VERIFY).url == LOGIN
    assert "已被锁定" in password_step(client, "lu").text
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, detail__second_factor=True).count() == 4
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_LOCKED, detail__second_factor=True).count() == 1


def test_the_right_password_does_not_buy_more_code_guesses(client, bureau_user):
    bad = "123456" if code_at(bureau_user) != "123456" else "654321"
    for _ in range(4):
        password_step(client, "lu")
        code_step(client, bad)
    password_step(client, "lu")
    assert code_step(client, bad).url == LOGIN
    assert "已被锁定" in password_step(client, "lu").text


def test_a_half_login_expires(client, bureau_user, monkeypatch):
    password_step(client, "lu")
    later = timezone.now() + datetime.timedelta(minutes=11)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.get(VERIFY)
    assert response.url == LOGIN
    assert "登录已超时" in client.get(LOGIN).text
    assert client.get(reverse("cases:work")).url.startswith(LOGIN)


def test_codes_are_digits_or_recovery_codes(client, bureau_user):
    password_step(client, "lu")
    response = code_step(client, "12ab")
    assert "请输入6位数字的动态口令，或16位的恢复码" in response.text
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).exists()


# --- recovery codes ------------------------------------------------------------------------------


def test_a_recovery_code_logs_in_once(client, units):
    user = make_user("lu2", Role.BUREAU, units["bureau"], "卢二")
    codes = enrol_second_factor(user)
    password_step(client, "lu2")
    response = code_step(client, codes[3].lower().replace("-", " "))
    assert response.status_code == 302 and logged_in(client)
    assert client.session[sessions.SECOND_FACTOR] == "recovery"
    assert "还剩 9 个恢复码" in client.get(reverse("cases:work")).text
    other = Client()
    password_step(other, "lu2")
    assert "动态口令或恢复码不正确" in code_step(other, codes[3]).text
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1


def test_regenerating_recovery_codes_needs_a_code_and_voids_the_old_ones(client, units):
    user = make_user("lu2", Role.BUREAU, units["bureau"], "卢二")
    old = enrol_second_factor(user)
    client.force_login(user)
    page = client.get(reverse("accounts:second_factor")).text
    assert "已绑定" in page and "剩余可用的恢复码：10 个" in page
    refused = client.post(reverse("accounts:second_factor"), {"code": "12"})
    assert "动态口令是6位数字" in refused.text
    response = client.post(reverse("accounts:second_factor"), {"code": second_factor_code("lu2")})
    new = re.findall(r"<li>([2-9A-Z-]{19})</li>", response.text)
    assert len(new) == 10 and not set(new) & set(old)
    assert "原来的恢复码已全部作废" in response.text
    other = Client()
    password_step(other, "lu2")
    assert "不正确" in code_step(other, old[0]).text
    assert code_step(other, new[0]).status_code == 302
    assert AuditEntry.objects.filter(detail__change="recovery_codes", actor=user).count() == 1


# --- the system administrator's reset ------------------------------------------------------------


def test_the_system_administrator_resets_a_lost_second_factor(client, sysadmin, bureau_user):
    client.force_login(sysadmin)
    listing = client.get(reverse("accounts:second_factor_accounts")).text
    assert "lu" in listing and "已绑定" in listing and "必须" in listing
    response = client.post(reverse("accounts:second_factor_reset", args=[bureau_user.pk]), follow=True)
    assert "已重置" in response.text
    assert not SecondFactor.objects.filter(user=bureau_user).exists()
    assert not RecoveryCode.objects.filter(user=bureau_user).exists()
    row = AuditEntry.objects.get(detail__change="second_factor_reset")
    assert (row.actor, row.target_id) == (sysadmin, str(bureau_user.pk))
    notice = Notice.objects.get(recipient=bureau_user)
    assert "重置您的动态口令" in notice.text
    # The next login sets up a new one.
    assert password_step(Client(), "lu").url == ENROL


def test_nobody_but_the_system_administrator_resets(client, bureau_user, auditor, sysadmin):
    for user in (bureau_user, auditor):
        client.force_login(user)
        assert client.get(reverse("accounts:second_factor_accounts")).status_code == 404
        assert client.post(reverse("accounts:second_factor_reset", args=[sysadmin.pk])).status_code == 404
        with pytest.raises(Refused):
            actions.reset_second_factor(sysadmin, by=user)
        refusal = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, actor=user).latest("seq")
        assert refusal.detail["capability"] == "reset_second_factor"
    assert SecondFactor.objects.filter(user=sysadmin).exists()


def test_the_system_administrator_cannot_reset_the_own(client, sysadmin):
    client.force_login(sysadmin)
    assert "动态口令管理" in client.get(reverse("home")).text
    response = client.post(reverse("accounts:second_factor_reset", args=[sysadmin.pk]), follow=True)
    assert "不能重置自己的动态口令" in response.text
    assert SecondFactor.objects.filter(user=sysadmin).exists()
    assert not AuditEntry.objects.filter(detail__change="second_factor_reset").exists()


def test_nothing_to_reset_says_so(client, sysadmin, leader):
    client.force_login(sysadmin)
    response = client.post(reverse("accounts:second_factor_reset", args=[leader.pk]), follow=True)
    assert "没有绑定动态口令" in response.text


def test_the_server_shell_resets_the_only_system_administrator(sysadmin):
    out = io.StringIO()
    call_command("reset_second_factor", "xie", stdout=out)
    assert "已重置 xie 的动态口令" in out.getvalue()
    assert not SecondFactor.objects.filter(user=sysadmin).exists()
    row = AuditEntry.objects.get(detail__change="second_factor_reset")
    assert (row.actor, row.actor_name) == (None, "(command line)")
    assert Notice.objects.filter(recipient=sysadmin).exists()
    with pytest.raises(CommandError, match="没有绑定动态口令"):
        call_command("reset_second_factor", "xie")
    with pytest.raises(CommandError, match="没有用户名为"):
        call_command("reset_second_factor", "nobody")


def test_nobody_sets_up_someone_elses_authenticator(agent_cg, bureau_user):
    with pytest.raises(Refused):
        second_factor.start_enrolment(agent_cg, by=bureau_user)
    with pytest.raises(Refused):
        second_factor.regenerate_recovery_codes(bureau_user, by=agent_cg, code="000000")
    assert not SecondFactor.objects.filter(user=agent_cg).exists()
    refusals = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED)
    assert {(row.actor, row.target_type) for row in refusals} == {
        (bureau_user, "accounts.SecondFactor"),
        (agent_cg, "accounts.SecondFactor"),
    }
