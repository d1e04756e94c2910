"""Headless Chromium for journey tests: Debian's /usr/bin/chromium driven by Playwright.

Playwright never downloads a browser here. Where Chromium is missing the browser tests
are skipped with the reason; with XINFANG_REQUIRE_BROWSER=1 (as in CI) they fail instead.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

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


# axe-core's rules for WCAG 2.1 A and AA, and 2.2's target size (24 × 24 px), on every page.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
PHONE, TABLET = 360, 768
# The outermost elements that reach past the screen's right edge, to say what to fix.
WIDEST = """width => [...document.body.querySelectorAll('*')]
  .filter(e => e.getBoundingClientRect().right > width + 1
    && !(e.parentElement && e.parentElement.getBoundingClientRect().right > width + 1))
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')).join(', ')"""
# Pages whose markup is a vendor's, not ours: checked for width only.
NOT_OURS = {"/api/vN/docs": "Swagger UI, drawn by its own script, for the developers of other systems"}
# Each page is checked once per role in a run (its first visit), which keeps the journeys quick.
_checked: set[tuple[str, str, str]] = set()


def page_kind(url: str) -> str:
    """A page's address without its numbers, query or fragment: /cases/12/step/accept/ and
    /cases/7/step/accept/ are one page."""
    return re.sub(r"\d+", "N", urlsplit(url).path)


def track_pages(page) -> None:
    """Remembers each document the page loads, so that the fixture can tell, at the end of a
    journey, which pages were never given to ``check``."""
    page.visited_kinds = set()
    page.checked_kinds = set()

    def loaded(frame) -> None:
        if frame == page.main_frame and frame.url.startswith("http"):
            page.visited_kinds.add(page_kind(frame.url))

    page.on("framenavigated", loaded)


def unchecked_pages(page) -> set[str]:
    return page.visited_kinds - page.checked_kinds


def _axe(page, width: int) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(Axe().axe_script)
    found = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
    return [
        f"{width}px {v['id']} ({v['help']}): " + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in found
    ]


def check(page, state: str = "") -> None:
    """The page as it is now, checked as a phone, a tablet and a desktop would show it: axe-core
    finds no violation at the journey's width and at 360 px, and the page is no wider than the
    screen at 360 and 768 px (a wide table scrolls in its own box). The first visit of a page by
    each role is checked (and of each ``state`` named, such as a form shown with its errors); the
    fixture fails a journey that loaded a page it never checked."""
    page.wait_for_load_state()
    kind = page_kind(page.url)
    page.checked_kinds.add(kind)
    role = page.evaluate(
        "() => { const who = document.querySelector('.who-name');"
        " return who ? (who.textContent.split(' · ')[1] || '') : '未登录'; }"
    )
    if (role, kind, state) in _checked:
        return
    _checked.add((role, kind, state))
    size = page.viewport_size
    ours = kind not in NOT_OURS
    problems = _axe(page, size["width"]) if ours else []
    try:
        for width in (PHONE, TABLET):
            page.set_viewport_size({"width": width, "height": 844})
            if width == PHONE and ours:
                problems += _axe(page, width)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                problems.append(f"{width}px: the page is {scroll}px wide: " + page.evaluate(WIDEST, width))
    finally:
        page.set_viewport_size(size)
    assert not problems, f"{kind} {state} ({role or '—'}):\n" + "\n".join(problems)


def shot(page, name: str) -> None:
    """A full-page screenshot for people to look at; the page is checked first (``check``)."""
    check(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, username: str) -> None:
    """Log in through the form, as a person would: the password, then, where the account has a
    second factor, the dynamic code an authenticator app would show (``second_factor_code``)."""
    from conftest import PASSWORD, second_factor_code

    page.goto(page.base_url + "/accounts/login/")
    check(page)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    if "/accounts/login/code/" in page.url:
        check(page)
        page.get_by_label("动态口令或恢复码").fill(second_factor_code(username))
        with page.expect_navigation():
            page.get_by_role("button", name="验证并登录").click()
    check(page)  # where the account lands: 工作台, 督办看板 or 统计
