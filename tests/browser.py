"""Headless Chromium for journey tests: Debian's /usr/bin/chromium driven by Playwright.

Playwright never downloads a browser here. Where Chromium is missing the browser tests
are skipped with the reason; with XINFANG_REQUIRE_BROWSER=1 (as in CI) they fail instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("XINFANG_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(
    os.environ.get("XINFANG_SCREENSHOTS", Path(__file__).resolve().parent.parent / "var" / "screenshots")
)


def require_browser() -> None:
    problem = ""
    if not Path(CHROMIUM).exists():
        problem = f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is not installed"
    if problem:
        if os.environ.get("XINFANG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required (XINFANG_REQUIRE_BROWSER=1) but {problem}")
        pytest.skip(f"browser tests skipped: {problem}; set XINFANG_REQUIRE_BROWSER=1 to make this a failure")


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, username: str) -> None:
    """Log in through the form, as a person would: the password, then, where the account has a
    second factor, the dynamic code an authenticator app would show (``second_factor_code``)."""
    from conftest import PASSWORD, second_factor_code

    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    if "/accounts/login/code/" in page.url:
        page.get_by_label("动态口令或恢复码").fill(second_factor_code(username))
        with page.expect_navigation():
            page.get_by_role("button", name="验证并登录").click()
