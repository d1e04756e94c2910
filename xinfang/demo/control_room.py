"""The control room's demo data: ratings, publicity, targets, channel tallies, risk reports
and inspections."""

from __future__ import annotations

import datetime
import random

from xinfang.accounts.models import Unit, User
from xinfang.cases.models import (
    CaseStatus,
)
from xinfang.demo.people import SEED, UNITS, first_agent
from xinfang.demo.plans import local_time
from xinfang.oversight.models import Finding, ReportKind, Urgency

# Ratings of delivered replies, in order of delivery: one entered from the platform, one on the
# petitioner's spoken word, one 不满意 (which alerts the bureau); the rest stay unrated, so the
# public lookup page offers its rating form.
RATINGS = [
    ("platform", "satisfied", "satisfied", "", ""),
    ("agent", "satisfied", "basically", "phone", "电话回访时信访人表示问题基本解决。"),
    ("agent", "basically", "unsatisfied", "in_person", "信访人认为补偿标准偏低，已告知可在期限内申请复查。"),
    ("platform", "satisfied", "basically", "", ""),
]


def build_ratings(today: datetime.date) -> int:
    from xinfang.cases.models import Case
    from xinfang.ratings import actions as ratings

    delivered = list(
        Case.objects.filter(delivered_on__isnull=False)
        .exclude(status=CaseStatus.WITHDRAWN)
        .select_related("agent")
        .order_by("delivered_on", "pk")
    )
    made = 0
    for case, (channel, office, body, means, comment) in zip(delivered, RATINGS, strict=False):
        assert case.delivered_on is not None  # the query asked for delivered cases
        rated_on = min(today, case.delivered_on + datetime.timedelta(days=3))
        ratings.record_rating(
            case,
            channel=channel,
            office_satisfaction=office,
            body_satisfaction=body,
            comment=comment,
            by=case.agent,
            instruction_means=means,
            instructed_at=local_time(rated_on, 10, 30) if channel == "agent" else None,
            rated_on=rated_on,
        )
        made += 1
    return made


PUBLICITY = [
    ("chengguan", 40, "城关镇便民服务大厅", "card", 35, "发放代理员联系卡"),
    ("chengguan", 12, "文彩村村委会", "demo", 18, "现场演示网上投诉流程"),
    ("zengjia", 25, "曾家镇集镇", "flyer", 60, "赶集日发放宣传页"),
    ("renshe", 8, "县人社局服务窗口", "flyer", 22, "向来访群众发放宣传页"),
    ("bureau", 5, "县信访接待中心", "demo", 9, "接待来访群众时演示网上投诉"),
]


def build_publicity(units: dict[str, Unit], users: dict[str, User], today: datetime.date) -> int:
    from xinfang.public.actions import record_publicity

    for unit_key, days_ago, place, kind, people, note in PUBLICITY:
        record_publicity(
            by=users[first_agent(unit_key)],
            unit=units[unit_key],
            on=today - datetime.timedelta(days=days_ago),
            place=place,
            kind=kind,
            people=people,
            note=note,
        )
    return len(PUBLICITY)


# ── Control room: targets, channel tallies, risk reports, inspections ────────────────────
# Set by the bureau user; the figures of the months before keep the default target of 1.
BUREAU_USERNAME = "xinfangju"
TARGETS = [("chengguan", 2), ("renshe", 2), ("zengjia", 2)]
TARGETS_MONTHS_AGO = 3

# Channel tallies (渠道台账) for the current month and the two before, for every unit. The
# online share of the county (proxied + 网上自投 ÷ all) is nudged into this band: around half,
# as the seed's 2017 target of 50% would have it.
TALLY_MONTHS = 3
ONLINE_SHARE = (0.45, 0.55)
# Units that receive more petitions than a small town: the bureau's reception centre above all.
TALLY_WEIGHT = {"bureau": 3, "chengguan": 2}


def _tally_counts(unit_key: str, month: datetime.date) -> dict[str, int]:
    from xinfang.figures.models import Channel

    rng = random.Random(f"{SEED}:tally:{month:%Y-%m}:{unit_key}")
    weight = TALLY_WEIGHT.get(unit_key, 1)
    return {
        Channel.ONLINE_SELF: rng.randint(1, 3) * weight,
        Channel.LETTER: rng.randint(0, 2) * weight,
        Channel.VISIT: rng.randint(1, 3) * weight,
        Channel.PHONE: rng.randint(0, 2),
        Channel.OTHER: rng.randint(0, 1),
    }


def _proxied_in(month: datetime.date) -> int:
    from xinfang.cases.models import Case
    from xinfang.figures.periods import add_months, local_midnight

    return Case.objects.filter(
        submitted_at__gte=local_midnight(month), submitted_at__lt=local_midnight(add_months(month, 1))
    ).count()


def build_targets(units: dict[str, Unit], users: dict[str, User], today: datetime.date) -> int:
    from xinfang.figures.actions import set_target
    from xinfang.figures.periods import add_months, first_of_month

    since = add_months(first_of_month(today), -TARGETS_MONTHS_AGO)
    for unit_key, monthly in TARGETS:
        set_target(
            unit=units[unit_key], monthly_target=monthly, effective_from=since, by=users[BUREAU_USERNAME]
        )
    return len(TARGETS)


def build_tallies(units: dict[str, Unit], users: dict[str, User], today: datetime.date) -> int:
    """Small, plausible counts per unit and channel; then, one unit at a time in a fixed order,
    one more 来访 (share too high) or 网上自投 (too low) until the county share is in the band."""
    from xinfang.figures.actions import save_tallies
    from xinfang.figures.models import ONLINE_CHANNELS, Channel
    from xinfang.figures.periods import add_months, first_of_month

    keys = [key for key, *_ in UNITS]
    low, high = ONLINE_SHARE
    saved = 0
    for back in range(TALLY_MONTHS - 1, -1, -1):
        month = add_months(first_of_month(today), -back)
        counts = {key: _tally_counts(key, month) for key in keys}
        proxied = _proxied_in(month)
        for turn in range(10_000):
            online = proxied + sum(c[ch] for c in counts.values() for ch in ONLINE_CHANNELS)
            total = sum(sum(c.values()) for c in counts.values()) + proxied
            share = online / total
            if low <= share <= high:
                break
            key = keys[turn % len(keys)]
            counts[key][Channel.VISIT if share > high else Channel.ONLINE_SELF] += 1
        result = save_tallies(
            month=month,
            by=users[BUREAU_USERNAME],
            source="demo",
            counts={(units[key].pk, ch): n for key, row in counts.items() for ch, n in row.items()},
        )
        saved += result["saved"]
    return saved


# unit, kind, urgency, happened (days ago), petitioner, the title of a case of the unit (or ""),
# what the agent reports, and the bureau's disposal ("" leaves the report as it came in).
REPORTS = [
    (
        "zengjia",
        ReportKind.ESCALATION,
        Urgency.URGENT,
        6,
        "雷某春",
        "村委会经手的土地流转租金三年未付",
        "信访人雷某春收到不予受理告知书后，多次到镇综治中心表示不申请仲裁，准备近日到市里、省里上访，"
        "要求村委会先行垫付三年租金。代理员已解释仲裁途径和时限，信访人情绪仍较激动。",
        "县信访局会同曾家镇、县农业农村局约见信访人，由县农村土地承包仲裁委员会现场讲解仲裁程序并协助"
        "准备申请材料，信访人表示同意先申请仲裁；曾家镇落实专人跟踪。",
    ),
    (
        "chengguan",
        ReportKind.TREND,
        Urgency.NORMAL,
        2,
        "",
        "",
        "近一个月城关镇新华社区、金岸社区居民反映老旧小区电梯维修、物业服务问题的来访有所增多（共5人次），"
        "多涉及维修资金使用和物业企业更换，存在联名反映的可能，建议县住建局提前介入。",
        "",
    ),
    (
        "niutoudian",
        ReportKind.EXTREME,
        Urgency.URGENT,
        0,
        "冯某贵",
        "龙河村河道有人私自采砂，举报后未制止",
        "信访人冯某贵今日上午到镇便民服务中心，称河道采砂问题举报多次无人制止，扬言如本周内再不处理，"
        "将到采砂现场阻拦挖机，“出了事自己负责”。代理员已稳定其情绪并报告镇主要负责人，请县信访局协调县水利局尽快处置。",
        "",
    ),
]


def build_reports(units: dict[str, Unit], users: dict[str, User], today: datetime.date) -> int:
    from xinfang.cases.models import Case
    from xinfang.oversight import actions as oversight

    bureau = users[BUREAU_USERNAME]
    for unit_key, kind, urgency, days_ago, name, title, description, disposal in REPORTS:
        case = Case.objects.filter(unit=units[unit_key], title=title).first() if title else None
        report = oversight.file_report(
            by=users[first_agent(unit_key)],
            kind=kind,
            urgency=urgency,
            happened_on=today - datetime.timedelta(days=days_ago),
            description=description,
            case=case,
            petitioner_name=name,
        )
        if disposal:
            report = oversight.acknowledge_report(report, by=bureau)
            oversight.record_disposal(report, by=bureau, disposal=disposal)
    return len(REPORTS)


# unit, inspected (days ago), findings, note, what must be put right, rectify by (days from the
# inspection), rectified (days ago; None: not yet). The first is due within a few days.
INSPECTIONS = [
    (
        "shuping",
        45,
        [Finding.IRREGULAR],
        "两件代理事项的授权委托书未扫描留存，台账未登记查询码。",
        "补齐授权委托书扫描件和查询码，一周内完成台账自查。",
        15,
        33,
    ),
    ("huaping", 20, [], "", "", None, None),
    (
        "zhongbao",
        9,
        [Finding.IRREGULAR],
        "新任代理员未经培训即开展代理，联系方式未公示；一件代理事项未记录跟踪督办情况。",
        "组织代理员参加县信访局业务培训，公示代理员联系方式，补记跟踪督办记录。",
        12,
        None,
    ),
]
INSPECTORS = "卢艺、涂元明"


def build_inspections(units: dict[str, Unit], users: dict[str, User], today: datetime.date) -> int:
    from xinfang.oversight import actions as oversight

    bureau = users[BUREAU_USERNAME]
    for unit_key, days_ago, findings, note, rectification, within, rectified_ago in INSPECTIONS:
        inspected_on = today - datetime.timedelta(days=days_ago)
        inspection = oversight.record_inspection(
            by=bureau,
            unit=units[unit_key],
            inspected_on=inspected_on,
            inspectors=INSPECTORS,
            findings=findings,
            findings_note=note,
            no_problems=not findings,
            rectification=rectification,
            rectify_by=inspected_on + datetime.timedelta(days=within) if within else None,
        )
        if rectified_ago is not None:
            oversight.record_rectification(
                inspection,
                by=bureau,
                rectified_on=today - datetime.timedelta(days=rectified_ago),
                note="已补齐授权委托书扫描件和查询码，县信访局复核无误。",
            )
    return len(INSPECTIONS)
