"""The ledger's search: a name is personal data, so it is posted and never appears in an address
(and so never in an access log); the address carries it sealed. Names are found whole, through
their keyed hash."""

from __future__ import annotations

import io
import re
from urllib.parse import quote, quote_plus

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import make_user, petitioner_data
from xinfang.accounts.models import Role
from xinfang.cases import views_ledger
from xinfang.cases.models import CaseStatus
from xinfang.reference.models import ContentCategory

NAME = "陈某芳"


def ledger_query(client, **filters) -> str:
    """Post the ledger's filter form as the page does; the query string of the address it answers."""
    response = client.post(reverse("cases:list"), filters)
    assert response.status_code == 302, response.content.decode()[:500]
    path, _, query = response.url.partition("?")
    assert path == reverse("cases:list")
    return query


def ledger_url(client, **filters) -> str:
    return reverse("cases:list") + "?" + ledger_query(client, **filters)


def name_in(text: str, name: str = NAME) -> bool:
    return any(form in text for form in (name, quote(name), quote_plus(name), quote(name).lower()))


@pytest.fixture
def people(agent_cg, make_case):
    chen = make_case(agent_cg, serial=1, petitioner=petitioner_data(1, name=NAME), title="宅基地纠纷")
    other = make_case(agent_cg, serial=2, petitioner=petitioner_data(2, name="陈某"), title="路灯不亮")
    return chen, other


def test_search_by_name_is_posted_and_the_address_holds_no_name(client, agent_cg, people):
    chen, other = people
    client.force_login(agent_cg)
    query = ledger_query(client, q=NAME)
    assert re.fullmatch(r"s=[A-Za-z0-9_-]+", query), query
    assert not name_in(query)
    page = client.get(reverse("cases:list") + "?" + query)
    assert [c["pk"] for c in page.context["page"]] == [chen.pk]
    html = page.content.decode()
    # Every link on the page (pages, exports) carries the sealed search, never the name.
    links = re.findall(r'href="([^"]*)"', html) + re.findall(r'action="([^"]*)"', html)
    assert any("s=" in link for link in links)
    assert not any(name_in(link) for link in links)
    # The form shows what was searched, so the agent sees it.
    assert f'value="{NAME}"' in html


def test_a_name_is_found_whole_not_by_a_part(client, agent_cg, people):
    chen, other = people
    client.force_login(agent_cg)
    assert [c["pk"] for c in client.get(ledger_url(client, q="陈某")).context["page"]] == [other.pk]
    # Full-width forms and spaces do not matter; a part of a name finds nothing.
    assert [c["pk"] for c in client.get(ledger_url(client, q=" 陈 某芳 ")).context["page"]] == [chen.pk]
    assert list(client.get(ledger_url(client, q="某芳")).context["page"]) == []
    # Titles and numbers are still found by a part.
    assert [c["pk"] for c in client.get(ledger_url(client, q="宅基地")).context["page"]] == [chen.pk]
    assert [c["pk"] for c in client.get(ledger_url(client, q=other.number[-4:])).context["page"]] == [
        other.pk
    ]


def test_the_other_filters_stay_readable_and_combine_with_the_search(client, agent_cg, people):
    chen, _ = people
    client.force_login(agent_cg)
    category = ContentCategory.objects.get(name="城乡建设")
    query = ledger_query(client, q=NAME, status=CaseStatus.INTAKE, category=category.pk)
    assert f"status={CaseStatus.INTAKE}" in query and f"category={category.pk}" in query
    assert [c["pk"] for c in client.get(reverse("cases:list") + "?" + query).context["page"]] == [chen.pk]
    query = ledger_query(client, q=NAME, status=CaseStatus.SUBMITTED)
    assert list(client.get(reverse("cases:list") + "?" + query).context["page"]) == []


def test_pages_keep_the_search(client, agent_cg, make_case, monkeypatch):
    monkeypatch.setattr(views_ledger, "LEDGER_PAGE_SIZE", 2)
    mine = [make_case(agent_cg, serial=1, petitioner=petitioner_data(1, name=NAME)) for _ in range(3)]
    make_case(agent_cg, serial=2, petitioner=petitioner_data(2, name="王某"))
    client.force_login(agent_cg)
    first = client.get(ledger_url(client, q=NAME))
    assert first.context["page"].paginator.count == 3
    (next_link,) = re.findall(r'href="(\?[^"]*page=2)"', first.content.decode())
    second = client.get(reverse("cases:list") + next_link.replace("&amp;", "&"))
    shown = [c["pk"] for c in first.context["page"]] + [c["pk"] for c in second.context["page"]]
    assert sorted(shown) == sorted(c.pk for c in mine)


def test_the_export_applies_the_sealed_search(client, agent_cg, people):
    chen, _ = people
    client.force_login(agent_cg)
    response = client.get(reverse("cases:export") + "?" + ledger_query(client, q=NAME))
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert [r[0] for r in rows[1:]] == [chen.number]


def test_a_name_in_the_address_is_ignored(client, agent_cg, people):
    """Nothing builds such an address; one typed by hand does not filter (and is not repeated)."""
    client.force_login(agent_cg)
    page = client.get(reverse("cases:list"), {"q": NAME})
    assert page.context["page"].paginator.count == 2
    assert not name_in(page.context["query"])


def test_a_seal_of_another_user_or_a_damaged_one_does_not_open(client, agent_cg, units, people):
    client.force_login(agent_cg)
    query = ledger_query(client, q=NAME)
    colleague = make_user("wang2", Role.AGENT, units["chengguan"], "王某二", "13800000002")
    client.force_login(colleague)
    for address in (reverse("cases:list") + "?" + query, reverse("cases:list") + "?s=x1.broken"):
        page = client.get(address)
        assert page.status_code == 200
        assert "搜索条件已失效" in page.content.decode()
        assert page.context["page"].paginator.count == 2  # not filtered by a search nobody can read


def test_a_wrong_month_keeps_what_was_typed(client, agent_cg, people):
    client.force_login(agent_cg)
    response = client.post(reverse("cases:list"), {"q": NAME, "month": "1999-13"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "月份格式" in html and f'value="{NAME}"' in html


def test_a_minority_name_is_found_whatever_middle_dot_is_typed(client, agent_cg, make_case):
    case = make_case(agent_cg, serial=7, petitioner=petitioner_data(7, name="阿卜杜拉·买买提"))
    client.force_login(agent_cg)
    for typed in ("阿卜杜拉・买买提", "阿卜杜拉•买买提", "阿卜杜拉·买买提"):
        page = client.get(ledger_url(client, q=typed))
        assert [c["pk"] for c in page.context["page"]] == [case.pk], typed
