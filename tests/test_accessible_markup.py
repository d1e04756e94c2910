"""The markup a screen reader depends on, checked over HTTP on the forms and lists where it went
wrong (issue 15): ids unique, every label and aria-describedby pointing at an element that is
there, radio and checkbox groups as fieldsets with a legend, help and errors tied to their field,
no empty table header, and a skip link to the main content. The browser journeys run axe-core on
top of this (tests/browser.py)."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from conftest import petitioner_data


class Page(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.label_targets: list[str] = []
        self.described_by: list[str] = []
        self.loose_choices: list[str] = []  # radios and checkboxes of a group outside a fieldset
        self.empty_headers = 0
        self.skip_links: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, has a legend) for open fieldsets
        self._th_text: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids[a["id"]] += 1
        if tag == "label" and "for" in a:
            self.label_targets.append(a["for"] or "")
        if a.get("aria-describedby"):
            self.described_by += a["aria-describedby"].split()
        if tag == "fieldset":
            self._stack.append(("fieldset", False))
        if tag == "legend" and self._stack:
            self._stack[-1] = ("fieldset", True)
        if (
            tag == "input"
            and a.get("type") in ("radio", "checkbox")
            and re.search(r"_\d+$", a.get("id") or "")
        ):
            if not any(has_legend for _, has_legend in self._stack):
                self.loose_choices.append(a.get("id") or "")
        if tag == "th":
            self._th_text = []
        if tag == "a" and "skip-link" in (a.get("class") or "").split():
            self.skip_links.append(a.get("href") or "")

    def handle_endtag(self, tag):
        if tag == "fieldset" and self._stack:
            self._stack.pop()
        if tag == "th" and self._th_text is not None:
            if not "".join(self._th_text).strip():
                self.empty_headers += 1
            self._th_text = None

    def handle_data(self, data):
        if self._th_text is not None:
            self._th_text.append(data)


def problems(html: str) -> list[str]:
    page = Page(html)
    found = [f"id used {n} times: {i}" for i, n in page.ids.items() if n > 1]
    found += [f"label for a missing element: {t!r}" for t in page.label_targets if t not in page.ids]
    found += [
        f"aria-describedby names a missing element: {d}" for d in page.described_by if d not in page.ids
    ]
    found += [f"a choice of a group outside a fieldset with a legend: {c}" for c in page.loose_choices]
    if page.empty_headers:
        found.append(f"{page.empty_headers} empty table header(s)")
    if page.skip_links != ["#main"] or "main" not in page.ids:
        found.append(f"skip link: {page.skip_links}")
    return found


def assert_accessible(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    assert problems(html) == [], response.request["PATH_INFO"]
    return html


def test_the_checks_find_what_issue_15_found():
    """Each check can fail: the markup the issue reported is caught."""
    before = (
        '<a class="skip-link" href="#main">跳到正文</a><main id="main">'
        '<label for="">是否允许公开</label><div id="id_allow_public">'
        '<label for="id_allow_public_0"><input type="radio" id="id_allow_public_0">是</label></div>'
        '<input id="id_year" aria-describedby="id_year_helptext"><small class="help">空着</small>'
        '<input id="id_year"><table><tr><th>用户名</th><th></th></tr></table></main>'
    )
    found = problems(before)
    assert "label for a missing element: ''" in found
    assert "a choice of a group outside a fieldset with a legend: id_allow_public_0" in found
    assert "aria-describedby names a missing element: id_year_helptext" in found
    assert "id used 2 times: id_year" in found
    assert "1 empty table header(s)" in found
    assert problems("<main id='main'></main>") == ["skip link: []"]


@pytest.mark.django_db
def test_the_agents_forms_and_lists(client, agent_cg, make_case, categories):
    case = make_case(agent_cg)
    client.force_login(agent_cg)
    new = assert_accessible(client.get(reverse("cases:new")))
    # 是否允许公开 … : each yes/no question is the legend of its group, its help tied by id.
    assert "<legend>是否允许公开</legend>" in new
    assert 'id="id_p-name_helptext"' in new and 'aria-describedby="id_p-name_helptext"' in new
    # Saved with mistakes: each error is tied to its field (id_<name>_error), the ids stay unique.
    with_errors = assert_accessible(
        client.post(reverse("cases:new"), {f"p-{k}": v for k, v in petitioner_data(id_number="1").items()})
    )
    assert 'aria-describedby="id_p-id_number_helptext id_p-id_number_error"' in with_errors
    assert 'id="id_p-id_number_error"' in with_errors
    for name in ("cases:work", "cases:list", "oversight:reports", "oversight:report_new"):
        assert_accessible(client.get(reverse(name)))
    assert_accessible(client.get(reverse("cases:detail", args=[case.pk])))
    assert_accessible(client.get(reverse("cases:scope", args=[case.pk])))


@pytest.mark.django_db
def test_the_calendar_and_the_accounts_pages(client, bureau_user):
    client.force_login(bureau_user)
    calendar = assert_accessible(client.get(reverse("deadlines:calendar")))
    # Two forms with the same field names: each label focuses the field of its own form.
    assert 'for="id_year"' in calendar and 'for="id_upload_year"' in calendar
    users = assert_accessible(client.get(reverse("manage:users")))
    assert '<th><span class="sr-only">操作</span></th>' in users


@pytest.mark.django_db
def test_the_public_pages(client, units):
    for name in ("public:track", "public:guide", "public:agents", "accounts:login"):
        assert_accessible(client.get(reverse(name)))
