"""The pages speak Chinese: the demo's pages, as each persona opens them, show no internal codes
(``accept_notice``, ``conclude``, ``chinesecalendar``), no Python values (``{'masked': False}``,
``None``) and no snake_case identifiers. Usernames, addresses (paths) and hashes are data, not
words, and are left out of the reading."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from xinfang.accounts.models import User
from xinfang.cases.models import CaseStatus
from xinfang.cases.steps import STEPS
from xinfang.deadlines import actions as deadline_actions
from xinfang.deadlines.models import Clock
from xinfang.demo.tests.helpers import run_demo

PERSONAS = ("chengguan", "chengguan_head", "xinfangju", "leader", "sysadmin", "auditor")
PAGES_EACH = 150  # breadth first from the start page: every menu and list, and
SAME_KIND = 10  # at most this many pages of one address pattern (/cases/<n>/) each
SKIPPED = (
    "logout",
    ".docx",
    ".xlsx",
    ".csv",
    ".jsonl",
    "scan",
    "/files/",
    "download",
    "reveal",
    "print",
    "/public/",
)
PATH = re.compile(r"/[\w\-./?=&%]*")
HEX = re.compile(r"\b[0-9a-f]{12,}\b")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SNAKE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)+$")
MODEL_LABEL = re.compile(r"\b[a-z]+\.[A-Z][A-Za-z]+\b")  # cases.Case


class Page(HTMLParser):
    """The text a reader sees (not scripts, styles or attributes) and the links to follow."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self._hidden += 1
        if tag == "a":
            self.links += [value for name, value in attrs if name == "href" and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def identifiers(text: str, codes: set[str], names: set[str]) -> set[str]:
    """What in ``text`` reads as an identifier rather than Chinese: codes, snake_case, Python."""
    found = {"{'"} if "{'" in text or "'}" in text else set()
    text = HEX.sub(" ", PATH.sub(" ", text))
    found.update(MODEL_LABEL.findall(text))
    for word in WORD.findall(text):
        if word in names or set(word) == {"_"}:  # a username; a form's blank 「____」
            continue
        if word in codes or SNAKE.match(word) or word in ("None", "True", "False"):
            found.add(word)
    return found


@pytest.fixture
def demo(settings, tmp_path):
    """The demo, and the 2027 schedule entered, so that provisional due dates are recomputed
    (the history's 「期限重新计算」, whose codes issue 12 found)."""
    settings.PRIVATE_FILES_DIR = tmp_path / "files"
    run_demo()
    deadline_actions.set_year_schedule(
        year=2027,
        holidays=[(datetime.date(2027, 1, 1), "元旦")],
        workdays=[],
        by=User.objects.get(username="xinfangju"),
        source="国务院办公厅关于2027年部分节假日安排的通知",
    )


@pytest.mark.django_db
def test_the_demo_s_pages_show_no_internal_codes(demo):
    codes = set(STEPS) | set(CaseStatus.values) | set(Clock.objects.values_list("code", flat=True))
    codes.add("chinesecalendar")
    names = set(User.objects.values_list("username", flat=True))
    found: dict[str, set[str]] = {}
    opened = 0
    for username in PERSONAS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        seen: set[str] = set()
        kinds: dict[str, int] = {}
        queue = ["/"]
        while queue and len(seen) < PAGES_EACH:
            url = queue.pop(0)
            kind = re.sub(r"\d+", "N", url)
            if url in seen or kinds.get(kind, 0) >= SAME_KIND:
                continue
            seen.add(url)
            kinds[kind] = kinds.get(kind, 0) + 1
            response = client.get(url)
            if response.status_code in (301, 302) and response["Location"].startswith("/"):
                queue.insert(0, response["Location"])
                continue
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            opened += 1
            page = Page()
            page.feed(response.content.decode())
            for word in identifiers(" ".join(page.text), codes, names):
                found.setdefault(word, set()).add(f"{username} {url}")
            queue += [
                link.split("#")[0]
                for link in page.links
                if link.startswith("/") and not any(part in link for part in SKIPPED)
            ]
    assert opened >= 150  # the personas' menus, lists and cases, not a login page
    assert found == {}


def test_the_reading_flags_what_issue_12_found():
    codes = {"conclude", "accept_notice", "chinesecalendar"}
    assert identifiers("conclude：2027-01-05 → 2027-01-05", codes, set()) == {"conclude"}
    assert identifiers("来源 chinesecalendar", codes, set()) == {"chinesecalendar"}
    assert identifiers("详情 {'masked': False}", codes, set()) == {"{'", "False"}
    assert identifiers("对象 cases.Case 52 详情 detail_key", codes, set()) == {"cases.Case", "detail_key"}
    # Data is not words: a username, an address, a hash, the blanks of a paper form.
    assert (
        identifiers(
            "chengguan_head /cases/31/edit/ 9f86d081884c7d65 现将____等__件", codes, {"chengguan_head"}
        )
        == set()
    )
