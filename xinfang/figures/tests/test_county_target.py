"""The county's 网上投诉占比 target (县政府办通知 二: 50%): a row like the units' targets, set by
bureau staff, judged on the dashboard and in the bulletin as 达标 / 未达标."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from xinfang.access.rules import Refused
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.figures import actions, selectors
from xinfang.figures.models import CountyFigure, CountyTarget
from xinfang.figures.periods import Period
from xinfang.figures.rows import Rate, UnitFigures, compare, county_totals
from xinfang.figures.tests.conftest import MARCH, d

ONLINE = CountyFigure.ONLINE_SHARE


def test_the_migration_enters_the_seeds_fifty_per_cent(db):
    row = CountyTarget.objects.get(figure=ONLINE)
    assert (row.percent, row.effective_from, row.set_by) == (50, datetime.date(2017, 1, 1), None)
    assert "全县网上投诉数占信访总量的50%" in row.basis
    # Entering it again adds nothing: the migration and the tests' flushes share the function.
    assert actions.seed_county_targets() == 0


def test_a_period_is_judged_against_the_target_of_its_last_month(db, bureau_user):
    assert selectors.online_share_target(Period.month(2016, 12)) is None  # before the seed's 2017
    actions.set_county_target(figure=ONLINE, percent=60, effective_from=d(6, 15), by=bureau_user)
    assert selectors.online_share_target(Period.month(2025, 5)).percent == 50
    assert selectors.online_share_target(Period.month(2025, 6)).percent == 60
    assert selectors.online_share_target(Period.quarter(2025, 2)).percent == 60  # April–June
    assert selectors.online_share_target(Period.year(2024)).percent == 50


@pytest.mark.parametrize(
    ("numerator", "denominator", "met"),
    [(50, 100, True), (1, 2, True), (49, 100, False), (0, 3, False), (0, 0, None)],
)
def test_met_is_at_least_the_target_in_whole_numbers(numerator, denominator, met):
    row = UnitFigures(unit=None, name="全县合计", online=Rate(numerator, denominator), online_target=50)
    assert row.online_met is met
    assert UnitFigures(unit=None, name="城关镇", online=Rate(numerator, denominator)).online_met is None


def test_bureau_staff_set_a_new_target_as_a_new_row(db, bureau_user):
    target = actions.set_county_target(
        figure=ONLINE, percent=55, effective_from=d(3, 20), basis="  领导小组会议纪要 ", by=bureau_user
    )
    assert (target.percent, target.effective_from, target.basis) == (55, d(3, 1), "领导小组会议纪要")
    assert CountyTarget.objects.filter(figure=ONLINE).count() == 2  # the seed's row is kept
    entry = AuditEntry.objects.filter(action=AuditAction.POLICY).latest("seq")
    assert entry.detail["kind"] == "county_target" and entry.detail["percent"] == 55
    for bad in (0, 101):
        with pytest.raises(actions.FiguresError) as error:
            actions.set_county_target(figure=ONLINE, percent=bad, effective_from=d(3, 1), by=bureau_user)
        assert error.value.field == "percent"


def test_others_may_not_set_it(db, agent_cg, head_cg, leader):
    for user in (agent_cg, head_cg, leader):
        with pytest.raises(Refused):
            actions.set_county_target(figure=ONLINE, percent=10, effective_from=d(3, 1), by=user)
    assert CountyTarget.objects.count() == 1


def test_the_dashboard_judges_the_county(client, bureau_user, month):
    client.force_login(bureau_user)
    response = client.get(reverse("figures:dashboard"), {"kind": "month", "month": "2025-03"})
    total = response.context["total"]
    assert (total.online.numerator, total.online.denominator, total.online_target) == (7, 20, 50)
    assert total.online_met is False
    html = response.content.decode()
    assert "全县网上投诉占比 35.0%，目标 50%：" in html and "未达标" in html
    assert "目标自2017年1月起适用" in html
    # The tallies change, the judgement with them: 35 online of 48.
    actions.save_tallies(month=d(3, 1), by=bureau_user, counts={(bureau_user.unit_id, "online_self"): 28})
    response = client.get(reverse("figures:dashboard"), {"kind": "month", "month": "2025-03"})
    assert response.context["total"].online_met is True
    assert (
        '全县网上投诉占比 72.9%，目标 50%：<span class="badge met">达标</span>' in response.content.decode()
    )


def test_a_unit_head_sees_no_county_judgement(client, head_cg, month):
    client.force_login(head_cg)
    html = client.get(reverse("figures:dashboard"), {"kind": "month", "month": "2025-03"}).content.decode()
    assert "全县目标" not in html.split('<section class="card definitions">')[0]


def test_the_targets_page_sets_the_county_target(client, bureau_user):
    client.force_login(bureau_user)
    page = client.get(reverse("figures:targets")).content.decode()
    assert "全县目标" in page and "系统初始设置" in page and "50%" in page
    response = client.post(
        reverse("figures:county_target"),
        {"county-figure": ONLINE, "county-percent": "120", "county-effective_from": "2026-01"},
    )
    assert response.status_code == 200 and "120" in response.content.decode()
    assert CountyTarget.objects.count() == 1
    response = client.post(
        reverse("figures:county_target"),
        {
            "county-figure": ONLINE,
            "county-percent": "60",
            "county-effective_from": "2026-01",
            "county-basis": "",
        },
    )
    assert response.status_code == 302
    assert CountyTarget.objects.filter(percent=60, set_by=bureau_user).exists()


def test_a_month_frozen_before_targets_shows_no_judgement_and_no_change():
    old = {"units": [], "county": {"name": "全县合计", "online": [7, 20]}}
    new: dict[str, Any] = {
        "units": [],
        "county": {"name": "全县合计", "online": [7, 20], "online_target": 50, "online_met": False},
    }
    assert compare(old, new) == []
    later = {"units": [], "county": {**new["county"], "online": [12, 20], "online_met": True}}
    changed = {(d.figure, d.old, d.new) for d in compare(new, later)}
    assert ("网上投诉占比是否达到全县目标", "未达标", "达标") in changed
    assert county_totals([], online_target=None).online_met is None


def test_march_is_judged_in_the_snapshot(month):
    from xinfang.bulletins.selectors import snapshot

    county = snapshot(d(3, 1), today=d(4, 10))["county"]
    assert (county["online_target"], county["online_met"]) == (50, False)
    assert MARCH.months == [d(3, 1)]
