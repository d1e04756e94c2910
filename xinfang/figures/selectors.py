"""The figures of 两增加三提升 (seed 二; MISSION.md 'Targets and figures'), as SQL aggregates.

``unit_figures`` runs one aggregate query per figure's indexed column, grouped by unit, whatever
the number of units, so that a month reads a month's rows and not every case: cases (by
submission, by delivery with their ratings, by status), deadlines (due in the period; ever late),
channel tallies, and one plain read of the targets. ``situation`` and ``trends`` add their own few
queries. Nothing loops over units with a query inside.

Every rate comes with its numerator and denominator (``Rate``); a rate over fewer than
``FEW_CASES`` cases is marked 样本少, since it says little.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import BooleanField, Count, F, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from xinfang.access import rules
from xinfang.access.models import Reach
from xinfang.accounts.models import Unit
from xinfang.cases.models import COLLECTIVE_FROM, Case
from xinfang.cases.models import CaseStatus as S
from xinfang.deadlines.models import CaseDeadline, ClockKind
from xinfang.figures import counting, series, stored
from xinfang.figures.counting import ACCEPT_CLOCK as ACCEPT_CLOCK  # the clocks and steps of the rates
from xinfang.figures.counting import ACCEPT_STEPS as ACCEPT_STEPS
from xinfang.figures.counting import CONCLUDE_CLOCK as CONCLUDE_CLOCK
from xinfang.figures.counting import CONCLUDE_STEPS as CONCLUDE_STEPS
from xinfang.figures.models import (
    DEFAULT_MONTHLY_TARGET,
    ONLINE_CHANNELS,
    Channel,
    ChannelTally,
    CountyFigure,
    CountyTarget,
    UnitTarget,
)
from xinfang.figures.periods import Period, first_of_month, month_end
from xinfang.figures.rows import FEW_CASES, Rate, UnitFigures
from xinfang.figures.rows import county_totals as county_totals  # the sum of the rows read here
from xinfang.figures.series import Change, MonthPoint
from xinfang.oversight.models import ReportKind
from xinfang.oversight.selectors import report_counts

VIEW = "view_figures"  # the capability that shows the figures, and of which units

# The clocks and steps of the two timeliness rates: see ``counting``.
# 在办: a body owes the next act (the handling body, or the reviewing body). A delivered reply
# or a review opinion waits on the petitioner, and a final status on no one.
OPEN_STATUSES = (
    S.SUBMITTED,
    S.FORWARDED,
    S.RECEIVED,
    S.ACCEPTED,
    S.CONCLUDED,
    S.REVIEW_REQUESTED,
    S.RE_REVIEW_REQUESTED,
)

DEFINITIONS = (
    ("代理件数", "本期在网上提交的代理投诉件数（按网上提交时间，北京时间）。"),
    (
        "代理目标与达标",
        "每个单位每月代理目标默认1件（县政府办通知 二：每月代理网上投诉不低于1件），县信访局可按单位调整；"
        "本期目标为本期所含各月目标之和，代理件数不低于目标即为达标。自定义区间按其涉及的各整月计算目标。",
    ),
    (
        "网上投诉占比",
        "网上投诉件数 ÷ 信访总量。网上投诉 = 本期代理件数 + 渠道台账中“网上自投”件数；"
        "信访总量 = 网上投诉 + 渠道台账中来信、来访、电话、其他件数。渠道台账按月登记，自定义区间按其涉及的各整月计算。",
    ),
    (
        "全县网上投诉占比目标",
        "县政府办通知 二：2017年阶段性目标为全县网上投诉数占信访总量的50%；县信访局可在“代理目标”中调整。"
        "全县的网上投诉占比不低于本期最后一个月适用的目标即为达标，低于为未达标；信访总量为0的不作判断。",
    ),
    ("参评率", "已评价件数 ÷ 本期答复送达的件数（按答复送达日期）。"),
    (
        "满意率",
        "（满意 + 基本满意）÷ 已评价件数，统计本期答复送达的事项；旁列“满意”单项的比例。"
        "按信访人对有权处理机关处理意见的评价（反馈表第三项）计算。",
    ),
    (
        "及时受理率",
        "届满日在本期内的受理告知期限（《信访工作条例》第23条，15日）中，在届满日当天或之前告知受理、"
        "不予受理或不再受理的比例。告知不予受理也是依法按时作出的受理告知，计为及时。尚未届满仍在计时的、"
        "届满前已撤回委托的不计入。",
    ),
    (
        "按期办结率",
        "届满日在本期内的办结期限（第34条，60日，经批准延期的按延期后的届满日）中，"
        "在届满日当天或之前办结的比例。尚未届满仍在计时的、届满前已撤回委托的不计入。",
    ),
    (
        "在办件数",
        "当前处于已提交、转送交办、有权处理机关已收到、已受理、已办结待送达、复查或复核办理中的事项。",
    ),
    ("超期件数", "截至本期最后一天（当期截至今天），有办理期限已过届满日仍未完成的事项件数。"),
    ("样本少", f"分母少于{FEW_CASES}件的比率标注“样本少”，仅供参考。"),
)


# --- Who sees which units ---------------------------------------------------------------------------


def figure_units(user) -> QuerySet[Unit]:
    """Units whose figures this user sees (``view_figures``): every active unit for those who
    see the county, the own unit (active or not) for those who see their unit's, else none."""
    units = rules.scoped_units(Unit.objects.order_by("sort_order", "id"), user, VIEW)
    return units.filter(active=True) if sees_county(user) else units


def sees_county(user) -> bool:
    return rules.reach(user, VIEW) == Reach.COUNTY


def units_or_404(user) -> list[Unit]:
    units = list(figure_units(user))
    if not units:
        raise Http404
    return units


# --- Targets ----------------------------------------------------------------------------------------


def targets_by_month(
    unit_ids: Sequence[int], months: Sequence[datetime.date]
) -> dict[int, dict[datetime.date, int]]:
    """The monthly target in force for each unit and month: the latest ``effective_from`` on or
    before that month (the latest row on a tie); ``DEFAULT_MONTHLY_TARGET`` where none. One query."""
    result = {uid: dict.fromkeys(months, DEFAULT_MONTHLY_TARGET) for uid in unit_ids}
    if not months:
        return result
    rows = (
        UnitTarget.objects.filter(unit_id__in=unit_ids, effective_from__lte=max(months))
        .order_by("unit_id", "effective_from", "id")
        .values_list("unit_id", "effective_from", "monthly_target")
    )
    history: dict[int, list[tuple[datetime.date, int]]] = defaultdict(list)
    for unit_id, effective_from, target in rows:
        history[unit_id].append((effective_from, target))
    for unit_id, changes in history.items():
        for month in months:
            in_force = [target for effective_from, target in changes if effective_from <= month]
            if in_force:
                result[unit_id][month] = in_force[-1]
    return result


def current_targets(units: Iterable[Unit], today: datetime.date | None = None) -> dict[int, int]:
    month = first_of_month(today or timezone.localdate())
    ids = [u.pk for u in units]
    return {uid: by_month[month] for uid, by_month in targets_by_month(ids, [month]).items()}


def county_target(figure: str, month: datetime.date) -> CountyTarget | None:
    """The county's target for ``figure`` in force in ``month``: the latest ``effective_from`` on
    or before it (the latest row on a tie), or None before the first. One query."""
    return (
        CountyTarget.objects.filter(figure=figure, effective_from__lte=first_of_month(month))
        .order_by("-effective_from", "-id")
        .first()
    )


def online_share_target(period: Period) -> CountyTarget | None:
    """The 网上投诉占比 target a period is judged against: the one in force in its last month."""
    return county_target(CountyFigure.ONLINE_SHARE, period.months[-1])


def county_target_history() -> QuerySet[CountyTarget]:
    return CountyTarget.objects.select_related("set_by").order_by("figure", "-effective_from", "-id")


# --- The per-unit figures ---------------------------------------------------------------------------


def _per_unit(queryset: QuerySet, key: str = "unit_id", **aggregates) -> dict[int, dict]:
    """``aggregates`` grouped by unit: {unit id: {name: value}}. One query."""
    return {row[key]: row for row in queryset.order_by().values(key).annotate(**aggregates)}


# A deadline ever overdue: stopped after its due date, or not stopped. Only these can be 超期 on a
# given day; a partial index (deadlines.CaseDeadline.Meta.indexes, "casedeadline_late") holds just
# them, so the overdue count reads a small share of the deadlines whatever the period.
EVER_LATE = Q(stopped_on__isnull=True) | Q(stopped_on__gt=F("due_on"))


def unit_figures(
    period: Period, units: Sequence[Unit], *, today: datetime.date | None = None
) -> list[UnitFigures]:
    """Each unit's figures for the period, in the order of ``units``. Definitions:

    1. 代理件数: cases whose ``submitted_at`` (local time) falls in the period.
    2. 目标: the sum over the period's months of the monthly target in force (default 1);
       达标 = 代理件数 ≥ 目标.
    3. 网上投诉占比 = (代理件数 + tallies 网上自投) ÷ (that + tallies 来信、来访、电话、其他).
    4. 参评率 = cases rated ÷ cases whose ``delivered_on`` falls in the period.
    5. 满意率 = (满意 + 基本满意) ÷ rated, by ``body_satisfaction`` (the handling body's result),
       among the same cases; 满意 alone beside it.
    6. 及时受理率 / 按期办结率: see ``counting.due_rate_counts``.
    7. 在办: cases now in ``OPEN_STATUSES``; 超期: cases with a 办理期限 clock past its due date
       and not stopped, as of the period's last day or today, whichever is earlier.

    Queries: one per figure's own index — cases by ``submitted_at``, by ``delivered_on`` (ratings
    joined) and by ``(unit, status)``; deadlines by ``due_on`` and the ever-late ones for 超期 —
    then tallies and targets: seven, for any number of units. The first three families of the
    period's closed months are kept (``counting.period_counts``, ``stored``): two queries read
    them, and only the days after them are counted live (four more to count and keep months
    not kept yet or changed since).
    """
    today = today or timezone.localdate()
    as_of = period.as_of(today)
    ids = [u.pk for u in units]
    counts, _ = counting.period_counts(period, ids, today)
    cases = Case.objects.filter(unit_id__in=ids)
    still_open = _per_unit(cases.filter(status__in=OPEN_STATUSES), n=Count("*"))
    deadlines = CaseDeadline.objects.filter(unit_id__in=ids)  # carrying their case's unit
    overdue = _per_unit(
        deadlines.filter(EVER_LATE).filter(
            Q(stopped_on__isnull=True) | Q(stopped_on__gt=as_of),
            clock__kind=ClockKind.DEADLINE,
            due_on__lt=as_of,
            started_on__lte=as_of,
        ),
        n=Count("case_id", distinct=True),
    )
    tallies: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        ChannelTally.objects.filter(unit_id__in=ids, month__in=period.months)
        .order_by()
        .values("unit_id", "channel")
        .annotate(n=Sum("count"))
    ):
        tallies[row["unit_id"]][row["channel"]] = row["n"] or 0
    targets = targets_by_month(ids, period.months)

    return [_row(unit, counts, still_open, overdue, tallies, targets) for unit in units]


def _row(unit: Unit, counts, still_open, overdue, tallies, targets) -> UnitFigures:
    """One unit's figures from the per-unit aggregates of ``unit_figures``."""
    c = d = counts.get(unit.pk, {})
    t = tallies.get(unit.pk, {})
    n_proxied = c.get("proxied", 0)
    online = n_proxied + sum(t.get(ch, 0) for ch in ONLINE_CHANNELS)
    offline = sum(n for ch, n in t.items() if ch not in ONLINE_CHANNELS)
    rated, content = c.get("rated", 0), c.get("satisfied", 0) + c.get("basically", 0)
    return UnitFigures(
        unit=unit,
        name=unit.name,
        proxied=n_proxied,
        target=sum(targets[unit.pk].values()),
        online=Rate(online, online + offline),
        tallies={ch: t.get(ch, 0) for ch in Channel.values},
        participation=Rate(rated, c.get("delivered", 0)),
        satisfaction=Rate(content, rated),
        satisfied=Rate(c.get("satisfied", 0), rated),
        timely_acceptance=Rate(d.get("accept_met", 0), d.get("accept_due", 0)),
        timely_conclusion=Rate(d.get("conclude_met", 0), d.get("conclude_due", 0)),
        open=still_open.get(unit.pk, {}).get("n", 0),
        overdue=overdue.get(unit.pk, {}).get("n", 0),
    )


# --- Risk and trend reports ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    name: str
    counts: tuple[int, ...]  # in the order of oversight.models.ReportKind

    @property
    def total(self) -> int:
        return sum(self.counts)


def report_rows(
    period: Period, units: Sequence[Unit], *, county: bool, frozen: dict | None = None
) -> tuple[list[ReportRow], ReportRow | None]:
    """Risk reports filed in the period, per unit and kind (units with none left out), and the
    total of the units shown when ``county``. ``frozen``: a published month's figures, whose
    report counts are shown instead of today's. One query (none when frozen)."""
    if frozen is not None:
        counts = {row["unit_id"]: row.get("reports", {}) for row in frozen["units"]}
    else:
        counts = report_counts(period.start, period.end)
    rows = [
        ReportRow(unit.name, tuple(counts.get(unit.pk, {}).get(kind, 0) for kind in ReportKind.values))
        for unit in units
    ]
    rows = [row for row in rows if row.total]
    if not county:
        return rows, None
    return rows, ReportRow(
        "全县合计", tuple(sum(r.counts[i] for r in rows) for i in range(len(ReportKind.values)))
    )


# --- 形势: what complaints are about and where they come from ----------------------------------------


def situation(period: Period, units: Sequence[Unit]) -> dict[str, list[Change]]:
    """形势网上判: proxied complaints submitted in the period by 内容分类 and by 事发地 (town),
    each against the previous period of the same kind and length (``Period.previous``),
    largest rise first. Counted per unit and summed (``series``), closed months from their kept
    counts (``stored``): at most six queries."""
    ids = [u.pk for u in units]
    today = timezone.localdate()
    months = [m for part in (period, period.previous()) for m in stored.split(part, today)[0]]
    kept = stored.month_counts(ids, months, counting.month_counts)
    return series.fold_situation(series.situation_counts(period, ids, today=today, kept=kept), ids)


# Five or more people, as the partial index "figures_case_collective" (migration figures.0003) says
# it: both databases then read only the rare 集体访 of the period.
COLLECTIVE = RawSQL(  # noqa: S611 — a fixed condition, an integer constant, no value from outside
    f'"cases_case"."people_count" >= {int(COLLECTIVE_FROM)}', (), output_field=BooleanField()
)


def collective_cases(period: Period, units: Sequence[Unit]) -> list[Case]:
    """集体访 received in the period (five or more people, 《信访工作条例》第二十条), oldest first:
    the bureau watches each of them. Only the columns the list shows are read."""
    return list(
        Case.objects.filter(
            COLLECTIVE,
            unit__in=units,
            received_on__gte=period.start,
            received_on__lte=period.end,
        )
        .select_related("unit")
        .only("id", "number", "title", "status", "received_on", "people_count", "unit__name")
        .order_by("received_on", "id")
    )


# --- Twelve months ----------------------------------------------------------------------------------


def trends(end_month: datetime.date, units: Sequence[Unit], months: int = 12) -> list[MonthPoint]:
    """The county's (or the units') proxied count, online share and 满意率 per month, for the
    ``months`` months ending with ``end_month``, with the definitions above. Counted per unit and
    summed (``series``), closed months from their kept counts (``stored``): at most five
    queries, each reading one range of an indexed column (no per-row date function, which no
    index answers)."""
    ids = [u.pk for u in units]
    today = timezone.localdate()
    closed = [m for m in series.trend_months(end_month, months) if month_end(m) < today]
    kept = stored.month_counts(ids, closed, counting.month_counts)
    return series.fold_trend(series.trend_counts(end_month, ids, months, kept=kept), ids)


# --- Pages of the bureau ----------------------------------------------------------------------------


def target_history(units: Sequence[Unit]) -> QuerySet[UnitTarget]:
    return (
        UnitTarget.objects.filter(unit_id__in=[u.pk for u in units])
        .select_related("unit", "set_by")
        .order_by("unit__sort_order", "unit_id", "-effective_from", "-id")
    )


def tallies_for_month(month: datetime.date, units: Sequence[Unit]) -> dict[tuple[int, str], int]:
    """The counts entered for one month: {(unit id, channel): count}. One query."""
    return {
        (unit_id, channel): count
        for unit_id, channel, count in ChannelTally.objects.filter(
            month=first_of_month(month), unit_id__in=[u.pk for u in units]
        ).values_list("unit_id", "channel", "count")
    }


def tally_units() -> QuerySet[Unit]:
    """Units whose channel tallies bureau staff enter: every active unit."""
    return Unit.objects.filter(active=True).order_by("sort_order", "id")
