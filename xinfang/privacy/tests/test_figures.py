"""Erasing personal data leaves every figure as it was: the figures read only dates, units,
categories, towns, statuses, deadlines, ratings' satisfaction and reports' kinds (never a
personal column), and erasing keeps every row."""

from __future__ import annotations

import datetime

import pytest

from xinfang.accounts.models import Unit
from xinfang.cases.models import Case, Petitioner
from xinfang.figures import selectors as figures
from xinfang.figures.periods import Period
from xinfang.figures.tests.conftest import MARCH, month  # noqa: F401 (the March 2025 fixture)
from xinfang.oversight.actions import file_report
from xinfang.oversight.selectors import report_counts
from xinfang.privacy import actions, selectors
from xinfang.privacy.models import ERASED_HASH_PREFIX

TODAY = datetime.date(2025, 4, 30)  # the figures' "today", the same before and after
LATER = datetime.date(2040, 1, 1)  # the run's: every final case of March 2025 is due


def everything(units) -> dict:
    return {
        "units": figures.unit_figures(MARCH, units, today=TODAY),
        "quarter": figures.unit_figures(Period.quarter(2025, 1), units, today=TODAY),
        "trends": figures.trends(MARCH.end, units),
        "situation": figures.situation(MARCH, units),
        "collective": [c.pk for c in figures.collective_cases(MARCH, units)],
        "reports": report_counts(datetime.date(2000, 1, 1), datetime.date(2100, 1, 1)),
        "statuses": sorted(Case.objects.values_list("unit_id", "status", "received_on", "submitted_at")),
    }


@pytest.mark.usefixtures("month")
def test_the_figures_of_the_erased_months_are_unchanged(agent_cg):
    units = list(Unit.objects.filter(name__in=["城关镇", "曾家镇"]).order_by("sort_order"))
    for case in Case.objects.filter(unit__name="城关镇")[:2]:
        file_report(
            by=agent_cg,
            kind="escalation",
            urgency="normal",
            happened_on=datetime.date(2025, 3, 20),
            description="越级",
            case=case,
        )
    before = everything(units)
    assert before["units"][0].proxied and before["units"][0].satisfaction.denominator  # something to keep

    due = selectors.due(LATER)
    assert len(due.cases) >= 4  # the delivered and the refused cases of March
    result = actions.run_retention(today=LATER, compact=False)

    assert result.tally.content == len([c for c in due.cases if "content" in c.kinds])
    assert (
        Petitioner.objects.filter(id_number_hash__startswith=ERASED_HASH_PREFIX).count()
        == result.tally.petitioners
        > 0
    )
    assert everything(units) == before
