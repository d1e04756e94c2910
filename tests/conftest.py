"""Fixtures for the journey tests in this folder."""

from __future__ import annotations

import pytest

from tests.browser import ARGS, CHROMIUM, require_browser, track_pages, unchecked_pages


@pytest.fixture
def page(live_server, monkeypatch, request):
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
        track_pages(page)
        failed_before = request.session.testsfailed
        yield page
        # Every page a journey loads is checked (tests.browser.check): axe-core and the widths.
        missed = unchecked_pages(page)
        context.close()
        browser.close()
    if request.session.testsfailed == failed_before and missed:
        pytest.fail("pages loaded but never given to tests.browser.check: " + ", ".join(sorted(missed)))
