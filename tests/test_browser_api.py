"""The API in headless Chromium: its docs page renders every operation from the platform's own
files within the Content-Security-Policy (no CDN, no inline script), and an agent makes a token
on their page, uses it, and revokes it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from tests.browser import check, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_renders_from_local_files_within_the_csp(page):
    violations, elsewhere = [], []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    origin = urlsplit(page.base_url).netloc
    page.on(
        "request", lambda r: elsewhere.append(r.url) if urlsplit(r.url).netloc not in (origin, "") else None
    )
    page.goto(page.base_url + "/api/v1/docs")
    page.get_by_text("/api/v1/cases/{case_id}/steps/forward").first.wait_for()
    page.get_by_text("登记转送交办").first.wait_for()
    shot(page, "api-01-docs")
    assert violations == [] and elsewhere == []


def test_an_agent_makes_uses_and_revokes_a_token(page, agent_cg, make_case):
    make_case(agent_cg)
    log_in(page, agent_cg.username)
    page.goto(page.base_url + "/api/tokens/")
    check(page)
    page.get_by_label("令牌名称").fill("手机端")
    with page.expect_navigation():
        page.get_by_role("button", name="创建令牌").click()
    secret = page.locator("#new-token").inner_text().strip()
    shot(page, "api-02-token-shown-once")
    answer = requests.get(
        f"{page.base_url}/api/v1/cases", headers={"Authorization": f"Bearer {secret}"}, timeout=30
    )
    assert answer.status_code == 200 and len(answer.json()["items"]) == 1
    page.get_by_role("link", name="我已保存，返回").click()
    assert secret not in page.content()
    with page.expect_navigation():
        page.get_by_role("button", name="撤销").click()
    assert "已撤销" in page.content()
    stopped = requests.get(
        f"{page.base_url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}, timeout=30
    )
    assert stopped.status_code == 401
