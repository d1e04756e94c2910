"""The counts kept for closed months (``figures.stored``) give exactly the figures counted live,
for months, quarters, years and ranges, the trend and 形势, and still do after the facts of those
months change in any way (the database marks the months touched; migration figures.0003)."""

from __future__ import annotations

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection

from xinfang.cases.models import Case
from xinfang.deadlines.models import CaseDeadline
from xinfang.figures import selectors, stored, triggers
from xinfang.figures.models import MonthCounts, MonthMark
from xinfang.figures.periods import Period
from xinfang.figures.tests.conftest import MARCH, d, live
from xinfang.ratings.actions import record_rating
from xinfang.ratings.models import Rating
from xinfang.reference.models import ContentCategory

PERIODS = (
    MARCH,
    Period.month(2025, 2),
    Period.quarter(2025, 1),
    Period.year(2025),
    Period.range(d(2, 10), d(3, 20)),
)


def figures(units) -> dict:
    def row(r):
        return (r.name, r.proxied, r.target, r.online, r.participation, r.satisfaction, r.satisfied) + (
            r.timely_acceptance,
            r.timely_conclusion,
            r.open,
            r.overdue,
        )

    return {
        "rows": {p.label: [row(r) for r in selectors.unit_figures(p, units)] for p in PERIODS},
        "situation": {p.label: selectors.situation(p, units) for p in PERIODS},
        "trends": [selectors.trends(end, units) for end in (d(2, 1), d(3, 1), d(6, 1))],
    }


def counted_live(monkeypatch, units) -> dict:
    """The same figures with nothing kept: every day of every period counted from the cases."""
    with monkeypatch.context() as patch:
        patch.setattr(stored, "split", lambda period, today: ([], [(period.start, period.end)]))
        patch.setattr(stored, "month_counts", lambda *args: {})
        return figures(units)


@pytest.fixture
def both(units):
    return [units["chengguan"], units["zengjia"]]


def test_kept_months_give_the_live_figures(month, both, monkeypatch):
    first = figures(both)  # counts and keeps the closed months
    assert MonthCounts.objects.filter(month=d(3, 1)).count() == 2
    kept = figures(both)  # reads them back
    assert kept == first == counted_live(monkeypatch, both)
    assert kept["rows"][MARCH.label][0][1] == 4 and kept["situation"][MARCH.label]["towns"]  # not all zero


def test_each_kind_of_change_marks_its_months_and_the_figures_follow(
    month, both, agent_cg, agent_zj, make_case, monkeypatch
):
    figures(both)  # every closed month kept
    cg, zj = both
    cases = month

    def marks() -> dict:
        return {(u, m): v for u, m, v in MonthMark.objects.values_list("unit_id", "month", "version")}

    changes = {
        # Through the actions: a case of March entered late, a rating of a reply delivered in March.
        "late case": lambda: live(make_case, agent_cg, 9, submitted=d(3, 28)),
        "rating": lambda: record_rating(
            cases["zj2"],
            channel="platform",
            office_satisfaction="satisfied",
            body_satisfaction="satisfied",
            by=agent_zj,
            rated_on=d(3, 12),
        ),
        # Written past the actions: the database marks them all the same.
        "category": lambda: Case.objects.filter(pk=cases["cg3"].pk).update(
            category=ContentCategory.objects.get(name="教育")
        ),
        "unit": lambda: Case.objects.filter(pk=cases["cg6"].pk).update(unit=zj),
        "due date": lambda: CaseDeadline.objects.filter(case=cases["cg5"]).update(due_on=d(4, 30)),
        "stopped": lambda: CaseDeadline.objects.filter(case=cases["cg3"], stopped_on__isnull=True).update(
            stopped_on=d(3, 19), stopped_by="accept"
        ),
        "deleted rating": lambda: Rating.objects.filter(case=cases["cg1"]).delete(),
    }
    for name, change in changes.items():
        before, was = figures(both), marks()
        change()
        now = marks()
        assert now != was, name
        after = figures(both)
        assert after != before, name
        assert after == counted_live(monkeypatch, both), name


def test_a_lost_trigger_is_put_back_after_migrating(month, both, make_case, agent_cg):
    """SQLite rebuilds a table to alter it, and drops its triggers with the old one: every
    migrate puts back the missing ones (``triggers.ensure``, on ``post_migrate``)."""
    assert triggers.present(connection) >= {"figures_cases_case_update"}
    assert not triggers.ensure(connection)  # nothing missing
    with connection.cursor() as cursor:
        on = " ON cases_case" if connection.vendor == "postgresql" else ""
        cursor.execute(f"DROP TRIGGER figures_cases_case_update{on}")
    assert "figures_cases_case_update" not in triggers.present(connection)
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert "figures_cases_case_update" in triggers.present(connection)
    mark = MonthMark.objects.filter(unit_id=both[0].pk, month=d(3, 1))
    before = mark.get().version
    Case.objects.filter(pk=month["cg3"].pk).update(category=ContentCategory.objects.get(name="教育"))
    assert mark.get().version == before + 2  # its old and its new category: March twice
