"""Tokens: made on one's own page and shown once, kept as a hash, with an expiry; each request acts
as the token's user; revoked, expired or of a deactivated user, it stops at once; sessions never
authenticate the API; machine accounts read and nothing else; the limit per token."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, form_log_in
from xinfang.access import rules
from xinfang.accounts.models import User
from xinfang.api import actions
from xinfang.api.models import ApiToken, TokenAddress
from xinfang.api.tests.bodies import ApiClient
from xinfang.api.tests.conftest import expiry
from xinfang.audit.models import AuditAction, AuditEntry


def test_a_token_is_made_on_the_own_page_shown_once_and_kept_as_its_hash(client, agent_cg):
    client.force_login(agent_cg)
    page = client.post("/api/tokens/", {"name": "手机端", "expires_on": expiry().isoformat()})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    text = page.content.decode()
    token = ApiToken.objects.get(user=agent_cg)
    secret = text.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert secret.startswith("xf_") and len(secret) > 40
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest() and secret not in repr(token.__dict__)
    assert token.prefix == secret[:11]
    listing = client.get("/api/tokens/").content.decode()
    assert token.prefix in listing and secret not in listing
    assert AuditEntry.objects.filter(action=AuditAction.ACCOUNT, detail__change="api_token_created").exists()
    assert ApiClient(secret).get("/me").json()["username"] == agent_cg.username


@pytest.mark.parametrize("days", [None, 0, 400])
def test_the_expiry_is_required_and_at_most_a_year(agent_cg, days):
    expires = None if days is None else timezone.localdate() + datetime.timedelta(days=days)
    with pytest.raises(actions.TokenError) as refused:
        actions.create_token(by=agent_cg, name="x", expires_on=expires)
    assert refused.value.field == "expires_on"


def test_revoked_expired_and_deactivated_stop_at_once(agent_cg, api_for):
    api = api_for(agent_cg)
    assert api.get("/me").status_code == 200
    token = ApiToken.objects.get(user=agent_cg)
    agent_cg.is_active = False
    agent_cg.save(update_fields=["is_active"])
    stopped = api.get("/me")
    assert stopped.status_code == 401 and stopped["Content-Type"] == "application/problem+json"
    assert stopped.json()["code"] == "unauthenticated" and "WWW-Authenticate" in stopped
    agent_cg.is_active = True
    agent_cg.save(update_fields=["is_active"])
    assert api.get("/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert api.get("/me").status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + datetime.timedelta(days=1))
    actions.revoke_token(token, by=agent_cg)
    assert api.get("/me").status_code == 401
    assert AuditEntry.objects.filter(action=AuditAction.ACCOUNT, detail__change="api_token_revoked").exists()


def test_the_revoke_button_on_the_own_page(client, agent_cg, agent_zj, api_for):
    api = api_for(agent_cg)
    token = ApiToken.objects.get(user=agent_cg)
    client.force_login(agent_zj)
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404  # not theirs
    client.force_login(agent_cg)
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 302
    assert api.get("/me").status_code == 401


def test_first_use_from_a_new_address_is_logged_once(agent_cg, api_for):
    api = api_for(agent_cg)
    for _ in range(3):
        assert api.get("/me").status_code == 200
    elsewhere = ApiClient(api.secret, Client(REMOTE_ADDR="10.0.0.9"))
    assert elsewhere.get("/me").status_code == 200
    assert api.get("/me").status_code == 200
    uses = AuditEntry.objects.filter(action=AuditAction.LOGIN, detail__via="api_token")
    assert sorted(uses.values_list("ip", flat=True)) == ["10.0.0.9", "127.0.0.1"]
    assert TokenAddress.objects.count() == 2


def test_a_session_never_authenticates_the_api(client, agent_cg, make_case):
    make_case(agent_cg)
    client.force_login(agent_cg)
    answer = client.get("/api/v1/cases")
    assert answer.status_code == 401
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(agent_cg)
    assert csrf_client.post("/api/v1/cases", {}, content_type="application/json").status_code == 401


def test_a_bearer_token_needs_no_csrf_token(agent_cg, api_for):
    api = api_for(agent_cg)
    api.client = Client(enforce_csrf_checks=True)
    body = {
        "kind": "trend",
        "urgency": "normal",
        "happened_on": timezone.localdate().isoformat(),
        "description": "动态",
    }
    assert api.post("/reports", body).status_code == 201


def test_a_machine_account_reads_and_can_neither_write_nor_log_in(
    bureau_user, machine_for, units, make_case, agent_cg
):
    case = make_case(agent_cg)
    account, api = machine_for(units["chengguan"])
    assert not account.has_usable_password()
    assert api.get(f"/cases/{case.pk}").status_code == 200
    refused = api.post(f"/cases/{case.pk}/steps/accept_scope", {})
    assert refused.status_code == 403 and refused.json()["code"] == "capability_refused"
    assert api.post(f"/cases/{case.pk}/reveal", {"field": "id_number"}).status_code == 403
    assert form_log_in(Client(), account.username, PASSWORD).status_code == 200  # the form again
    assert not Client().login(username=account.username, password="")
    _, other = machine_for(units["zengjia"])
    assert other.get(f"/cases/{case.pk}").status_code == 404
    assert other.get("/cases").json()["items"] == []


def test_bureau_staff_make_and_stop_machine_accounts_on_their_page(
    client, bureau_user, units, make_case, agent_cg
):
    make_case(agent_cg)
    client.force_login(bureau_user)
    page = client.post(
        "/api/machines/new/", {"name": "市12345热线", "unit": "", "expires_on": expiry().isoformat()}
    )
    secret = page.content.decode().split('id="new-token">', 1)[1].split("<", 1)[0]
    account = User.objects.get(full_name="市12345热线")
    assert account.get_role_display() == "全县只读接口账户"
    api = ApiClient(secret)
    assert len(api.get("/cases").json()["items"]) == 1
    assert "市12345热线" in client.get("/api/machines/").content.decode()
    client.post(f"/api/machines/{account.pk}/deactivate/")
    assert api.get("/cases").status_code == 401


def test_the_limit_per_token(settings, agent_cg, api_for):
    settings.API_REQUESTS_PER_MINUTE = 3
    api = api_for(agent_cg)
    answers = [api.get("/me") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    limited = answers[-1]
    assert limited["Content-Type"] == "application/problem+json" and limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60
    token = ApiToken.objects.get(user=agent_cg)
    ApiToken.objects.filter(pk=token.pk).update(window_start=timezone.now() - datetime.timedelta(minutes=2))
    assert api.get("/me").status_code == 200  # a new minute


def test_a_user_without_the_grant_has_no_token(auditor):
    with pytest.raises(rules.Refused):
        actions.create_token(by=auditor, name="x", expires_on=expiry())
    assert not ApiToken.objects.exists()
