"""The second factor in headless Chromium: a member of the bureau's staff logs in for the first
time, sets up an authenticator (reading the secret off the page, as an app would from the QR
code), keeps the recovery codes, logs out, logs in with password and dynamic code, and once
more with a recovery code."""

from __future__ import annotations

import re

import pyotp
import pytest

from conftest import PASSWORD, make_user, second_factor_code
from tests import browser
from tests.browser import shot
from xinfang.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def password_step(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto(page.base_url + "/accounts/login/")
    browser.check(page)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def log_out(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/accounts/login/$"))


def test_bureau_staff_set_up_a_second_factor_and_log_in_with_it(page, units):
    make_user("lu", Role.BUREAU, units["bureau"], "卢艺")

    # First login: the password is right, and the platform asks for a second factor first.
    password_step(page, "lu")
    page.wait_for_url(re.compile(r"/accounts/second-factor/enrol/$"))
    assert page.locator("svg").first.is_visible()  # the QR code, drawn by the server
    page.goto(page.base_url + "/cases/work/")  # nothing else until it is done
    page.wait_for_url(re.compile(r"/accounts/second-factor/enrol/$"))
    shot(page, "second-factor-enrol")

    # The authenticator app: from the secret shown for typing in by hand.
    secret = page.locator("#secret").inner_text().replace(" ", "")
    app = pyotp.TOTP(secret)
    page.get_by_label("动态口令").fill("000000" if app.now() != "000000" else "111111")
    page.get_by_role("button", name="完成绑定").click()
    page.get_by_text("动态口令不正确").wait_for()
    page.get_by_label("动态口令").fill(app.now())
    page.get_by_role("button", name="完成绑定").click()
    page.get_by_text("请保存恢复码").wait_for()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    shot(page, "second-factor-recovery-codes")
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url(re.compile(r"/cases/work/$"))
    browser.check(page)
    log_out(page)

    # Password, then the code the app shows.
    password_step(page, "lu")
    page.wait_for_url(re.compile(r"/accounts/login/code/$"))
    shot(page, "second-factor-verify")
    page.get_by_label("动态口令或恢复码").fill(second_factor_code("lu"))
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_url(re.compile(r"/cases/work/$"))
    assert page.get_by_text("卢艺").first.is_visible()
    log_out(page)

    # The phone is at home: a recovery code, once.
    password_step(page, "lu")
    page.wait_for_url(re.compile(r"/accounts/login/code/$"))
    page.get_by_label("动态口令或恢复码").fill(codes[0])
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_url(re.compile(r"/cases/work/$"))
    page.get_by_text("还剩 9 个恢复码").wait_for()
    log_out(page)
    password_step(page, "lu")
    page.wait_for_url(re.compile(r"/accounts/login/code/$"))
    page.get_by_label("动态口令或恢复码").fill(codes[0])
    page.get_by_role("button", name="验证并登录").click()
    page.get_by_text("动态口令或恢复码不正确").wait_for()
