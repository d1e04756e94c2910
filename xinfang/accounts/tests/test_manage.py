"""Bureau staff keep units, accounts and agents' profiles; nobody else sees these pages."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, make_user
from xinfang.access.rules import Refused
from xinfang.accounts import actions, selectors
from xinfang.accounts.manage_forms import FILE_NOT_KEPT
from xinfang.accounts.models import AgentProfile, Role, Unit, UnitKind, User
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.core import files

NEW_PASSWORD = "Zhenping-2026!"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "files"


def image(name: str = "photo.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def account_rows(target) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            action=AuditAction.ACCOUNT, target_type=target._meta.label, target_id=str(target.pk)
        )
    )


def new_user_post(units, **overrides) -> dict:
    data = {
        "username": "liu",
        "full_name": "刘某某",
        "role": Role.AGENT,
        "unit": units["chengguan"].pk,
        "is_active": "on",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "p-title": "城关镇综治办干事",
        "p-mobile": "13912345678",
        "p-office_phone": "0915 8822560",
        "p-published": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def bureau_client(client, bureau_user):
    client.force_login(bureau_user)
    return client


# --- Units ---------------------------------------------------------------------------------------


def test_bureau_creates_a_unit(bureau_client, units):
    response = bureau_client.post(
        reverse("manage:unit_new"),
        {
            "name": "牛头店镇",
            "kind": UnitKind.TOWN,
            "code": "610927102",
            "office_address": "牛头店镇便民服务中心",
            "office_phone": "0915 8812345",
            "sort_order": "12",
            "active": "on",
        },
    )
    assert response.status_code == 302
    unit = Unit.objects.get(name="牛头店镇")
    assert (unit.kind, unit.code, unit.office_phone, unit.active) == (
        UnitKind.TOWN,
        "610927102",
        "0915-8812345",
        True,
    )
    [row] = account_rows(unit)
    assert row.detail["change"] == "unit_create"
    listing = bureau_client.get(reverse("manage:units"))
    assert "牛头店镇" in listing.content.decode()


def test_unit_name_must_be_unique_and_typed_values_are_kept(bureau_client, units):
    response = bureau_client.post(
        reverse("manage:unit_new"),
        {
            "name": "城关镇",
            "kind": UnitKind.TOWN,
            "office_address": "某某路1号",
            "office_phone": "8822560",
            "sort_order": "5",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "已有名为“城关镇”的单位" in page
    assert "固定电话请带区号" in page
    assert "某某路1号" in page
    assert Unit.objects.filter(name="城关镇").count() == 1


def test_a_unit_is_deactivated_not_deleted(bureau_client, units, agent_cg):
    unit = units["chengguan"]
    response = bureau_client.post(
        reverse("manage:unit_edit", args=[unit.pk]),
        {
            "name": unit.name,
            "kind": unit.kind,
            "code": unit.code,
            "office_address": "",
            "office_phone": "",
            "sort_order": unit.sort_order,
        },
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.active is False
    assert account_rows(unit)[0].detail == {"change": "unit_deactivate", "fields": ["active"]}
    # A deactivated unit is offered for new accounts no more.
    page = bureau_client.get(reverse("manage:user_new")).content.decode()
    assert f'value="{unit.pk}"' not in page


def test_the_bureau_unit_keeps_its_kind_while_bureau_staff_belong_to_it(bureau_client, units):
    unit = units["bureau"]
    response = bureau_client.post(
        reverse("manage:unit_edit", args=[unit.pk]),
        {
            "name": unit.name,
            "kind": UnitKind.DEPARTMENT,
            "sort_order": 1,
            "active": "on",
        },
    )
    assert "不能改为其他类别" in response.content.decode()
    unit.refresh_from_db()
    assert unit.kind == UnitKind.BUREAU


# --- Accounts -------------------------------------------------------------------------------------


def test_bureau_creates_an_agent_with_a_profile_stored_encrypted(bureau_client, units):
    response = bureau_client.post(reverse("manage:user_new"), new_user_post(units, **{"p-photo": image()}))
    assert response.status_code == 302
    user = User.objects.get(username="liu")
    assert (user.full_name, user.role, user.unit, user.is_active) == (
        "刘某某",
        Role.AGENT,
        units["chengguan"],
        True,
    )
    assert user.check_password(NEW_PASSWORD)
    assert user.password.startswith("md5$")  # the configured hasher (tests use a fast one)
    profile = user.profile
    assert (profile.title, profile.mobile, profile.office_phone, profile.published) == (
        "城关镇综治办干事",
        "13912345678",
        "0915-8822560",
        True,
    )
    assert files.read(profile.photo_file) == PNG
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM accounts_agentprofile WHERE user_id = %s", [user.pk])
        [raw] = cursor.fetchone()
    assert raw.startswith("x1.")
    assert "13912345678" not in raw and "5678" not in raw
    [row] = account_rows(user)
    assert row.detail["change"] == "create"
    assert row.detail["profile"] == ["title", "mobile", "office_phone", "published", "photo"]
    text = json.dumps(row.detail, ensure_ascii=False)
    assert "13912345678" not in text and NEW_PASSWORD not in text


def test_an_agent_needs_a_unit_and_nothing_typed_is_lost(bureau_client, units):
    response = bureau_client.post(reverse("manage:user_new"), new_user_post(units, unit=""))
    page = response.content.decode()
    assert response.status_code == 200
    assert "代理员和单位负责人必须选择所在单位。" in page
    assert 'value="liu"' in page and 'value="城关镇综治办干事"' in page and 'value="13912345678"' in page
    assert not User.objects.filter(username="liu").exists()


def test_a_bad_mobile_is_refused(bureau_client, units):
    response = bureau_client.post(
        reverse("manage:user_new"), new_user_post(units, **{"p-mobile": "1391234567"})
    )
    assert "手机号码应为以1开头的11位数字。" in response.content.decode()
    assert not User.objects.filter(username="liu").exists()


def test_a_photo_is_checked_by_content_not_by_name(bureau_client, units):
    fake = image("photo.jpg", b"this is plain text, not a picture")
    response = bureau_client.post(reverse("manage:user_new"), new_user_post(units, **{"p-photo": fake}))
    page = response.content.decode()
    assert "不是 JPEG、PNG 格式" in page
    assert FILE_NOT_KEPT in page
    assert not User.objects.filter(username="liu").exists()


def test_a_pdf_is_no_photo(bureau_client, units):
    pdf = image("photo.pdf", b"%PDF-1.4\n% test\n")
    response = bureau_client.post(reverse("manage:user_new"), new_user_post(units, **{"p-photo": pdf}))
    assert "不是 JPEG、PNG 格式" in response.content.decode()


def test_a_photo_over_ten_megabytes_is_refused(bureau_client, units, settings):
    settings.UPLOAD_MAX_BYTES = 100
    response = bureau_client.post(
        reverse("manage:user_new"), new_user_post(units, **{"p-photo": image(content=PNG * 2)})
    )
    assert "超过了" in response.content.decode()
    assert not User.objects.filter(username="liu").exists()


def test_passwords_follow_the_validators(bureau_client, units):
    response = bureau_client.post(
        reverse("manage:user_new"), new_user_post(units, password1="12345678", password2="12345678")
    )
    page = response.content.decode()
    assert "这个密码" in page  # Django's own messages, in Chinese
    response = bureau_client.post(
        reverse("manage:user_new"), new_user_post(units, password2="Zhenping-2027!")
    )
    assert "两次输入的密码不一致" in response.content.decode()
    assert not User.objects.filter(username="liu").exists()


def test_usernames_are_unique_regardless_of_case(bureau_client, units, agent_cg):
    response = bureau_client.post(reverse("manage:user_new"), new_user_post(units, username="WANG"))
    assert "用户名“WANG”已被使用" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "unit_key", "expected_key", "error"),
    [
        (Role.BUREAU, "chengguan", None, "县信访局工作人员应属于县信访局"),
        (Role.BUREAU, None, "bureau", ""),
        (Role.LEADER, "chengguan", None, ""),
        (Role.UNIT_HEAD, None, None, "代理员和单位负责人必须选择所在单位。"),
    ],
)
def test_the_unit_follows_the_role(bureau_client, units, role, unit_key, expected_key, error):
    post = new_user_post(units, role=role, unit=units[unit_key].pk if unit_key else "")
    response = bureau_client.post(reverse("manage:user_new"), post)
    if error:
        assert error in response.content.decode()
        assert not User.objects.filter(username="liu").exists()
        return
    assert response.status_code == 302
    user = User.objects.get(username="liu")
    assert user.unit == (units[expected_key] if expected_key else None)
    assert not AgentProfile.objects.filter(user=user).exists()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SYSADMIN])
def test_bureau_cannot_create_or_touch_separated_duty_accounts(bureau_client, units, auditor, role):
    """等保 三权分立: the auditor's and the system administrator's accounts are not bureau staff's."""
    response = bureau_client.post(reverse("manage:user_new"), new_user_post(units, role=role, unit=""))
    assert response.status_code == 200 and not User.objects.filter(username="liu").exists()
    assert "选择一个有效的选项" in response.content.decode()
    for name in ("manage:user_edit", "manage:user_password", "manage:user_unlock"):
        assert bureau_client.post(reverse(name, args=[auditor.pk]), {}).status_code == 404
    assert "审计员" not in bureau_client.get(reverse("manage:users")).content.decode()


def test_bureau_edits_an_account_and_the_change_is_logged(bureau_client, units, agent_cg):
    response = bureau_client.post(
        reverse("manage:user_edit", args=[agent_cg.pk]),
        {
            "username": "wang",
            "full_name": "王某某",
            "role": Role.AGENT,
            "unit": units["zengjia"].pk,
            "is_active": "on",
            "p-title": "曾家镇代理员",
            "p-mobile": "13800000000",
            "p-office_phone": "",
            "p-published": "on",
        },
    )
    assert response.status_code == 302
    agent_cg.refresh_from_db()
    assert agent_cg.unit == units["zengjia"]
    assert agent_cg.profile.title == "曾家镇代理员"
    [row] = account_rows(agent_cg)
    assert row.detail == {
        "change": "update",
        "fields": ["unit"],
        "profile": ["title", "office_phone"],
        "unit": [units["chengguan"].pk, units["zengjia"].pk],
    }


def test_an_account_that_stops_being_an_agent_is_withdrawn_from_publication(bureau_client, units, agent_cg):
    response = bureau_client.post(
        reverse("manage:user_edit", args=[agent_cg.pk]),
        {
            "username": "wang",
            "full_name": "王某某",
            "role": Role.LEADER,
            "unit": units["chengguan"].pk,
            "is_active": "on",
            "p-title": "",
            "p-mobile": "bad",
        },
    )
    assert response.status_code == 302
    agent_cg.refresh_from_db()
    assert (agent_cg.role, agent_cg.unit) == (Role.LEADER, None)
    assert agent_cg.profile.published is False
    [row] = account_rows(agent_cg)
    assert row.detail["role"] == [Role.AGENT, Role.LEADER]
    assert row.detail["profile"] == ["published"]


def test_bureau_staff_cannot_deactivate_themselves(bureau_client, units, bureau_user):
    response = bureau_client.post(
        reverse("manage:user_edit", args=[bureau_user.pk]),
        {
            "username": "lu",
            "full_name": "卢艺",
            "role": Role.BUREAU,
            "unit": units["bureau"].pk,
        },
    )
    assert "不能停用自己的账户" in response.content.decode()
    bureau_user.refresh_from_db()
    assert bureau_user.is_active is True


def test_opening_an_agent_shows_the_mobile_whole_and_logs_it(bureau_client, agent_cg):
    page = bureau_client.get(reverse("manage:user_edit", args=[agent_cg.pk])).content.decode()
    assert 'value="13800000000"' in page
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL, target_id=str(agent_cg.pk)).count() == 1


def test_the_list_filters_and_masks_mobiles(bureau_client, units, agent_cg, agent_zj, head_cg):
    response = bureau_client.get(reverse("manage:users"), {"unit": units["chengguan"].pk})
    page = response.content.decode()
    assert "138****0000" in page and "13800000000" not in page
    assert "陈主任" in page and "赵某某" not in page
    page = bureau_client.get(reverse("manage:users"), {"role": Role.UNIT_HEAD}).content.decode()
    assert "陈主任" in page and "王某某" not in page


def test_the_list_takes_the_same_queries_however_many_accounts(
    bureau_client, units, agent_cg, django_assert_max_num_queries
):
    for n in range(12):
        make_user(f"agent{n}", Role.AGENT, units["zengjia"], f"代理员{n}", f"139000000{n:02d}")
    # Session, user, the user's unit, filter choices, count, one page of accounts with unit and profile,
    # the unread-notice count and the urgent-report banner.
    with django_assert_max_num_queries(11):
        page = bureau_client.get(reverse("manage:users")).content.decode()
    assert page.count("139****00") == 12


def test_password_reset(bureau_client, agent_cg):
    url = reverse("manage:user_password", args=[agent_cg.pk])
    response = bureau_client.post(url, {"password1": "short", "password2": "short"})
    assert response.status_code == 200
    assert "密码没有重置" in response.content.decode()
    agent_cg.refresh_from_db()
    assert agent_cg.check_password(PASSWORD)
    response = bureau_client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    agent_cg.refresh_from_db()
    assert agent_cg.check_password(NEW_PASSWORD)
    [row] = account_rows(agent_cg)
    assert row.detail == {"change": "password_reset"}


def test_unlock_clears_the_lock_and_is_logged(bureau_client, agent_cg):
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(5):
        elsewhere.post(reverse("accounts:login"), {"username": "wang", "password": "wrong-pass"})
    listing = bureau_client.get(reverse("manage:users")).content.decode()
    assert reverse("manage:user_unlock", args=[agent_cg.pk]) in listing
    assert "已锁定" in bureau_client.get(reverse("manage:users") + "?status=locked").content.decode()
    assert "已在某个网络地址被锁定" in bureau_client.get(reverse("manage:user_edit", args=[agent_cg.pk])).text
    response = bureau_client.post(
        reverse("manage:user_unlock", args=[agent_cg.pk]), {"next": reverse("manage:users")}
    )
    assert response.status_code == 302
    assert selectors.locked_until(agent_cg) is None
    [row] = account_rows(agent_cg)
    assert row.detail == {"change": "unlock"}
    assert row.actor_name == "lu"
    response = elsewhere.post(reverse("accounts:login"), {"username": "wang", "password": PASSWORD})
    assert response.status_code == 302


def test_unlocking_an_account_that_is_not_locked_changes_nothing(bureau_client, agent_cg):
    response = bureau_client.post(reverse("manage:user_unlock", args=[agent_cg.pk]), follow=True)
    assert "没有被锁定" in response.text
    assert account_rows(agent_cg) == []


def test_unlock_is_post_only(bureau_client, agent_cg):
    assert bureau_client.get(reverse("manage:user_unlock", args=[agent_cg.pk])).status_code == 405


# --- Who may come in ------------------------------------------------------------------------------


def manage_urls(units, target) -> list[str]:
    return [
        reverse("manage:units"),
        reverse("manage:unit_new"),
        reverse("manage:unit_edit", args=[units["chengguan"].pk]),
        reverse("manage:users"),
        reverse("manage:user_new"),
        reverse("manage:user_edit", args=[target.pk]),
        reverse("manage:user_password", args=[target.pk]),
        reverse("manage:user_unlock", args=[target.pk]),
    ]


@pytest.mark.parametrize("persona", ["agent_cg", "head_cg", "leader", "auditor"])
def test_everyone_but_bureau_staff_gets_404(client, request, units, agent_zj, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for url in manage_urls(units, agent_zj):
        assert client.get(url).status_code == 404, url
        assert (
            client.post(url, {"name": "x", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code
            == 404
        ), url
    assert AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, actor=user).count() == 16
    # (the auditor's fixture sets up a second factor: that is the only account change)
    assert not AuditEntry.objects.filter(action=AuditAction.ACCOUNT).exclude(actor=user).exists()


def test_bureau_staff_keep_no_sysadmin_or_auditor_account_even_through_the_actions(
    units, bureau_user, auditor, agent_cg
):
    """三权分立 holds in the actions too, not only in the forms' choices."""
    tries = (
        lambda: actions.create_user(
            by=bureau_user, username="root2", full_name="某某", role=Role.SYSADMIN, password=PASSWORD
        ),
        lambda: actions.set_password(auditor, by=bureau_user, password=NEW_PASSWORD),
        lambda: actions.unlock(auditor, by=bureau_user),
        lambda: actions.update_user(
            agent_cg,
            by=bureau_user,
            username="wang",
            full_name="王某某",
            role=Role.AUDITOR,
            unit=None,
            is_active=True,
        ),
    )
    for attempt in tries:
        with pytest.raises(Refused):
            attempt()
    refusals = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, actor=bureau_user)
    assert [r.detail["capability"] for r in refusals] == ["manage_accounts"] * len(tries)
    assert not User.objects.filter(username="root2").exists()
    assert User.objects.get(pk=agent_cg.pk).role == Role.AGENT
    assert User.objects.get(pk=auditor.pk).check_password(PASSWORD)


def test_anonymous_visitors_are_sent_to_log_in(client, units, agent_zj):
    for url in manage_urls(units, agent_zj):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"], url


# --- Agents' photos -------------------------------------------------------------------------------


@pytest.fixture
def photographed(agent_cg, bureau_user):
    def make(published: bool) -> User:
        actions.update_user(
            agent_cg,
            by=bureau_user,
            username="wang",
            full_name="王某某",
            role=Role.AGENT,
            unit=agent_cg.unit,
            is_active=True,
            profile={
                "title": "代理员",
                "mobile": "13800000000",
                "published": published,
                "photo": files.Checked(content=JPEG, content_type=files.JPEG, name="wang.jpg"),
            },
        )
        return agent_cg

    return make


def test_a_published_photo_is_public(client, photographed):
    agent = photographed(published=True)
    response = client.get(reverse("manage:agent_photo", args=[agent.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response.content == JPEG


def test_an_unpublished_photo_is_for_bureau_staff_only(client, photographed, bureau_user, leader, agent_zj):
    agent = photographed(published=False)
    url = reverse("manage:agent_photo", args=[agent.pk])
    assert client.get(url).status_code == 404
    for user in (leader, agent_zj, agent):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(bureau_user)
    response = client.get(url)
    assert response.status_code == 200 and response.content == JPEG
    assert response["Cache-Control"] == "no-store"


def test_a_deactivated_agent_photo_is_no_longer_public(client, photographed):
    agent = photographed(published=True)
    User.objects.filter(pk=agent.pk).update(is_active=False)
    assert client.get(reverse("manage:agent_photo", args=[agent.pk])).status_code == 404


def test_no_photo_is_404(client, agent_cg):
    assert client.get(reverse("manage:agent_photo", args=[agent_cg.pk])).status_code == 404
