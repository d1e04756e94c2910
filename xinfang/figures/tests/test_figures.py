"""Each figure of March 2025 (see conftest) against the numbers worked out by hand."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.access.rules import Refused
from xinfang.accounts.models import Unit, UnitKind
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.deadlines.models import CaseDeadline
from xinfang.figures import actions, charts, selectors
from xinfang.figures.models import ChannelTally, UnitTarget
from xinfang.figures.periods import Period
from xinfang.figures.selectors import Rate
from xinfang.figures.tests.conftest import MARCH, d

TODAY = datetime.date(2026, 1, 15)  # long after March 2025: every March clock has fallen due


def figures(units, period=MARCH, today=TODAY):
    rows = selectors.unit_figures(period, [units["chengguan"], units["zengjia"]], today=today)
    return rows[0], rows[1], selectors.county_totals(rows)


def test_the_premises_due_dates_as_worked_out_by_hand(month):
    due = {
        (c.case_id, c.clock.code): c.due_on
        for c in CaseDeadline.objects.select_related("clock").filter(
            clock__code__in=("accept_notice", "conclude")
        )
    }
    assert due[(month["cg1"].pk, "conclude")] == d(3, 11)
    assert due[(month["cg2"].pk, "conclude")] == d(3, 14)
    assert due[(month["cg3"].pk, "accept_notice")] == d(3, 20)
    assert due[(month["cg4"].pk, "accept_notice")] == d(3, 21)
    assert due[(month["cg5"].pk, "accept_notice")] == d(3, 27)
    assert due[(month["zj1"].pk, "accept_notice")] == d(3, 21)
    assert due[(month["zj2"].pk, "accept_notice")] == d(3, 13)


def test_proxied_count_and_target(month, units):
    cg, zj, county = figures(units)
    # 城关镇: cg3, cg4, cg5, cg6 submitted in March (cg1, cg2 in January) → 4; target 5 → 未达标.
    assert (cg.proxied, cg.target, cg.met) == (4, 5, False)
    # 曾家镇: zj1 only (zj2 in February) → 1; target 2 from February (3 only from April) → 未达标.
    assert (zj.proxied, zj.target, zj.met) == (1, 2, False)
    assert (county.proxied, county.target, county.met) == (5, 7, False)


def test_online_share_uses_cases_and_tallies(month, units):
    cg, zj, county = figures(units)
    # 城关镇: online 4 proxied + 2 网上自投 = 6; all 6 + 来信3 + 来访5 + 电话1 + 其他0 = 15 (Feb's 100 not counted).
    assert cg.online == Rate(6, 15) and cg.online.percent == "40.0%"
    # 曾家镇: 1 + 0 = 1; all 1 + 来访4 = 5.
    assert zj.online == Rate(1, 5) and not zj.online.few
    assert county.online == Rate(7, 20)
    assert cg.tallies == {"letter": 3, "visit": 5, "online_self": 2, "phone": 1, "other": 0}


def test_participation_and_satisfaction_by_the_handling_body(month, units):
    cg, zj, county = figures(units)
    # Delivered in March: cg1, cg2 (both rated: 满意, 基本满意), and cg4's notice of 不予受理 (not
    # rated: a refusal is rated like any other answer); zj1 (不满意), zj2 (not rated).
    assert cg.participation == Rate(2, 3)
    assert cg.satisfaction == Rate(2, 2) and cg.satisfied == Rate(1, 2)
    assert zj.participation == Rate(1, 2)
    assert zj.satisfaction == Rate(0, 1) and zj.satisfaction.value == 0
    assert county.participation == Rate(3, 5)
    assert county.satisfaction == Rate(2, 3) and county.satisfied == Rate(1, 3)


def test_timely_acceptance_and_conclusion(month, units):
    cg, zj, county = figures(units)
    # 受理告知 due in March — 城关镇: cg3 (accepted in time), cg4 (不予受理 in time: a timely notice),
    # cg5 (never accepted, due date passed) → 2/3. 曾家镇: zj1 late, zj2 in time → 1/2.
    assert cg.timely_acceptance == Rate(2, 3)
    assert zj.timely_acceptance == Rate(1, 2)
    assert county.timely_acceptance == Rate(3, 5)
    # 办结 due in March: cg1 in time, cg2 late → 1/2; none in 曾家镇 (due in May) → no rate.
    assert cg.timely_conclusion == Rate(1, 2)
    assert zj.timely_conclusion == Rate(0, 0) and zj.timely_conclusion.value is None
    assert county.timely_conclusion == Rate(1, 2)


def test_open_and_overdue(month, units):
    cg, zj, county = figures(units)
    # 在办 now: cg3 (accepted), cg5 (received), cg6 (submitted); the rest delivered or final.
    assert (cg.open, zj.open, county.open) == (3, 0, 3)
    # 超期 at 03-31: cg5's 受理告知 (due 03-27, running). cg2's 办结 clock was late but stopped 03-20.
    assert (cg.overdue, zj.overdue, county.overdue) == (1, 0, 1)


def test_overdue_as_of_today_within_the_period(month, units):
    # On 03-22 within March: cg5 not yet due (03-27); zj1's 受理告知 due 03-21 still running → overdue.
    cg, zj, _ = figures(units, today=d(3, 22))
    assert (cg.overdue, zj.overdue) == (0, 1)


def test_a_clock_met_late_was_overdue_between_its_due_date_and_its_stop(month, units):
    # cg2's 办结 clock: due 03-14, stopped 03-20. Over 03-01..03-17 (long past), as of 03-17 it was
    # overdue; over 03-01..03-20 it was not any more (stopped that day). 曾家镇 had none.
    cg, zj, _ = figures(units, period=Period.range(d(3, 1), d(3, 17)))
    assert (cg.overdue, zj.overdue) == (1, 0)
    cg, _, _ = figures(units, period=Period.range(d(3, 1), d(3, 20)))
    assert cg.overdue == 0
    # The same seen on 03-17 itself, within the month.
    cg, _, _ = figures(units, today=d(3, 17))
    assert cg.overdue == 1


def test_a_clock_not_yet_due_is_left_out_of_the_rate(month, units):
    # Seen on 03-22: cg5's clock (due 03-27) may still be met, so it is not counted.
    cg, _, _ = figures(units, today=d(3, 22))
    assert cg.timely_acceptance == Rate(2, 2)


def test_rates_over_fewer_than_five_are_marked():
    assert Rate(2, 4).few and not Rate(2, 5).few
    assert Rate(0, 0).value is None and Rate(0, 0).percent == "—"
    assert Rate(1, 3).percent == "33.3%"


def test_quarter_and_year_sum_the_monthly_targets(month, units):
    cg, zj, _ = figures(units, period=Period.quarter(2025, 1))
    # 城关镇: Jan 1 + Feb 1 + Mar 5 = 7; 曾家镇: Jan 1 + Feb 2 + Mar 2 = 5.
    assert (cg.target, zj.target) == (7, 5)
    # Q1 2025: 城关镇 cg1..cg6 = 6; 曾家镇 zj1, zj2 = 2.
    assert (cg.proxied, zj.proxied) == (6, 2)
    cg, zj, _ = figures(units, period=Period.year(2025))
    # 城关镇: 2×1 + 10×5 = 52; 曾家镇: 1 + 2 + 2 + 9×3 = 32.
    assert (cg.target, zj.target) == (52, 32)


def test_target_defaults_to_one_and_the_latest_change_wins(units, bureau_user):
    cg = units["chengguan"]
    assert selectors.targets_by_month([cg.pk], [d(3, 1)]) == {cg.pk: {d(3, 1): 1}}
    actions.set_target(unit=cg, monthly_target=2, effective_from=d(3, 17), by=bureau_user)  # → from 03-01
    actions.set_target(unit=cg, monthly_target=4, effective_from=d(3, 1), by=bureau_user)  # same month, later
    months = [d(2, 1), d(3, 1), d(4, 1)]
    assert selectors.targets_by_month([cg.pk], months) == {cg.pk: {d(2, 1): 1, d(3, 1): 4, d(4, 1): 4}}


def test_only_bureau_staff_set_targets(units, head_cg):
    with pytest.raises(Refused):
        actions.set_target(unit=units["chengguan"], monthly_target=3, effective_from=d(3, 1), by=head_cg)
    with pytest.raises(Refused):
        actions.save_tallies(month=d(3, 1), counts={(units["chengguan"].pk, "visit"): 1}, by=head_cg)
    refusals = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, actor=head_cg)
    assert [row.detail["capability"] for row in refusals] == ["manage_targets"] * 2
    assert not UnitTarget.objects.exists() and not ChannelTally.objects.exists()


def test_situation_by_category_and_town_largest_rise_first(month, units):
    situation = selectors.situation(MARCH, [units["chengguan"], units["zengjia"]])
    # March vs February (zj2, 城乡建设, 曾家镇): 教育 2/0, 城乡建设 2/1, 农村农业 1/0.
    assert [(c.name, c.now, c.before, c.change) for c in situation["categories"]] == [
        ("教育", 2, 0, 2),
        ("城乡建设", 2, 1, 1),
        ("农村农业", 1, 0, 1),
    ]
    # 城关镇 cg3, cg4, cg5 vs 0; cg6 without a town; 曾家镇 zj1 vs zj2.
    assert [(c.name, c.now, c.before) for c in situation["towns"]] == [
        ("城关镇", 3, 0),
        ("未填写事发镇", 1, 0),
        ("曾家镇", 1, 1),
    ]
    assert situation["towns"][0].rate == "新增" and situation["towns"][2].rate == "+0%"


def test_previous_periods():
    assert Period.month(2025, 1).previous() == Period.month(2024, 12)
    assert Period.quarter(2025, 1).previous() == Period.quarter(2024, 4)
    assert Period.year(2025).previous() == Period.year(2024)
    assert Period.range(d(3, 11), d(3, 20)).previous() == Period.range(d(3, 1), d(3, 10))
    assert Period.range(d(3, 15), d(4, 14)).months == [d(3, 1), d(4, 1)]


def test_trends_per_month(month, units):
    points = selectors.trends(d(3, 1), [units["chengguan"], units["zengjia"]])
    assert len(points) == 12 and points[-1].month == d(3, 1) and points[0].month == datetime.date(2024, 4, 1)
    by_month = {p.month: p for p in points}
    # January: cg1, cg2; February: zj2 (and 城关镇 来访100); March: 5 proxied, as above.
    assert by_month[d(1, 1)].proxied == 2
    # No channel was entered for January: its share is unknown (无数据), not 2 ÷ 2 = 100%.
    assert by_month[d(1, 1)].online.value is None and by_month[d(1, 1)].online.percent == "—"
    assert by_month[d(2, 1)].proxied == 1 and by_month[d(2, 1)].online == Rate(1, 101)
    assert by_month[d(3, 1)].proxied == 5 and by_month[d(3, 1)].online == Rate(7, 20)
    assert by_month[d(3, 1)].satisfaction == Rate(2, 3)


def test_query_count_does_not_grow_with_the_units(month, units):
    two = [units["chengguan"], units["zengjia"]]
    six = two + [Unit.objects.create(name=f"测试单位{i}", kind=UnitKind.DEPARTMENT) for i in range(4)]

    def count(call) -> int:
        with CaptureQueriesContext(connection) as queries:
            call()
        return len(queries)

    # The current month: one aggregate query each for cases by submission, by delivery (ratings
    # joined), by status, deadlines due in the period, ever-late deadlines, tallies, targets.
    current = Period.current_month(TODAY)
    assert count(lambda: selectors.unit_figures(current, two, today=TODAY)) == 7
    assert count(lambda: selectors.unit_figures(current, six, today=TODAY)) == 7
    # March is over: its counts are computed and kept for the units not kept yet (the same
    # number of queries for two units and for four more), then read back in two queries.
    cold = count(lambda: selectors.unit_figures(MARCH, two, today=TODAY))
    assert count(lambda: selectors.unit_figures(MARCH, six, today=TODAY)) == cold
    assert count(lambda: selectors.unit_figures(MARCH, six, today=TODAY)) == 6
    # Kept: March and February for 形势 (with the names), the twelve months of the trend (with the tallies).
    selectors.situation(MARCH, six), selectors.trends(d(3, 1), six)  # February, and the year before, kept
    assert (
        count(lambda: selectors.situation(MARCH, two)) == count(lambda: selectors.situation(MARCH, six)) == 4
    )
    assert count(lambda: selectors.trends(d(3, 1), two)) == count(lambda: selectors.trends(d(3, 1), six)) == 3
    rows = selectors.unit_figures(MARCH, six, today=TODAY)
    assert [r.proxied for r in rows] == [4, 1, 0, 0, 0, 0]
    assert [r.target for r in rows] == [5, 2, 1, 1, 1, 1]


def test_the_trend_shows_no_data_for_months_without_tallies(month, units):
    points = selectors.trends(d(3, 1), [units["chengguan"], units["zengjia"]])
    svg = charts.line([(p.label, p.online) for p in points], title="网上投诉占比")
    # Ten months without any tally, then February and March drawn: 无数据 where nothing is known.
    assert svg.count("无数据") == 10 and svg.count("<circle") == 2
    assert ">100</text>" not in svg
