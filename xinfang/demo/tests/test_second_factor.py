"""The demo's accounts that must log in with a second factor have one, and the demo prints each
secret beside the account, so that a tester can add it to an authenticator app."""

from __future__ import annotations

import io
import re

import pyotp
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from xinfang import demo
from xinfang.accounts.models import SecondFactor, User


def test_the_demo_prints_a_working_secret_for_each_second_factor_account(db, settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path
    out = io.StringIO()
    call_command("demo", stdout=out)
    output = out.getvalue()
    must = {u.username for u in User.objects.all() if u.must_use_second_factor()}
    assert must == {"xinfangju", "sysadmin", "auditor"}
    assert (
        set(SecondFactor.objects.filter(confirmed_at__isnull=False).values_list("user__username", flat=True))
        == must
    )
    printed = dict(re.findall(r"^  (\w+)\s+\S+\s+密钥 ([A-Z2-7 ]+)$", output, re.M))
    assert set(printed) == must
    assert "身份验证器应用" in output
    # The printed secret is what an app needs: password, then its code, and the bureau is in.
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "xinfangju", "password": demo.DEMO_PASSWORD}
    )
    assert response["Location"] == reverse("accounts:second_factor_verify")
    code = pyotp.TOTP(printed["xinfangju"].replace(" ", "")).now()
    assert client.post(response["Location"], {"code": code})["Location"] == reverse("home")
    # Printed again on a second run.
    again = io.StringIO()
    call_command("demo", stdout=again)
    assert printed["auditor"] in again.getvalue()
