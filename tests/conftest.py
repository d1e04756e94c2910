"""Fixtures for the journey tests in this folder."""

from __future__ import annotations

import pytest

from tests.browser import ARGS, CHROMIUM, require_browser


@pytest.fixture
def page(live_server, monkeypatch):
    require_browser()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test
    # itself are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            accept_downloads=True,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.base_url = live_server.url  # type: ignore[attr-defined]  # the tests' own: where to go
        yield page
        context.close()
        browser.close()
