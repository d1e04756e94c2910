"""A published month's dashboard comes from the publication alone: the same figures as computed
live while nothing has changed, in a constant and small number of queries."""

from __future__ import annotations

import dataclasses

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xinfang.bulletins import actions
from xinfang.figures.tests.conftest import d, live

MARCH_GET = {"kind": "month", "month": "2025-03"}
SHOWN = ("rows", "total", "trend", "situation", "charts", "reports", "reports_total")


def row_figures(row):
    """A dashboard row without its unit (a published row names the unit as it was)."""
    return None if row is None else {k: v for k, v in dataclasses.asdict(row).items() if k != "unit"}


def shown(response) -> dict:
    context = response.context
    values = {name: context[name] for name in SHOWN}
    values["rows"] = [row_figures(r) for r in values["rows"]]
    values["total"] = row_figures(values["total"])
    return values


def test_the_stored_month_shows_exactly_the_live_figures(march, bureau_user, head_cg, client):
    url = reverse("figures:dashboard")
    pages = {}
    for user in (bureau_user, head_cg):
        client.force_login(user)
        pages[user.pk] = shown(client.get(url, MARCH_GET))
    bulletin = actions.publish_bulletin(month=d(3, 1), by=bureau_user)
    for user in (bureau_user, head_cg):
        client.force_login(user)
        response = client.get(url, MARCH_GET)
        assert response.context["frozen"].bulletin == bulletin
        stored = shown(response)
        assert stored == pages[user.pk]
        assert stored["trend"][-1].proxied and stored["situation"]["categories"]  # something to compare
    # The head of 城关镇 sees that unit's part of the stored series, not the county's.
    assert pages[head_cg.pk]["trend"] != pages[bureau_user.pk]["trend"]


def test_a_late_change_keeps_the_stored_month_and_is_listed(march, bureau_user, agent_cg, make_case, client):
    actions.publish_bulletin(month=d(3, 1), by=bureau_user)
    client.force_login(bureau_user)
    url = reverse("figures:dashboard")
    before = shown(client.get(url, MARCH_GET))
    live(make_case, agent_cg, 9, submitted=d(3, 28))
    after = client.get(url, MARCH_GET)
    assert shown(after) == before  # as published: trend and 形势 included
    compared = client.get(url, {**MARCH_GET, "changes": "1"}).context["frozen"].differences
    assert {(c.unit, c.figure, c.old, c.new) for c in compared} >= {("城关镇", "代理件数", "4", "5")}


def test_the_stored_month_reads_no_case(march, bureau_user, client):
    actions.publish_bulletin(month=d(3, 1), by=bureau_user)
    client.force_login(bureau_user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("figures:dashboard"), MARCH_GET).status_code == 200
    figures_of_cases = [
        q["sql"]
        for q in queries.captured_queries
        if "submitted_at" in q["sql"] or "delivered_on" in q["sql"] or "casedeadline" in q["sql"]
    ]
    # Only the 集体访 list of the month (by the day received) reads cases.
    assert all("people_count" in sql for sql in figures_of_cases), figures_of_cases
