"""A unit's figures for a period (``UnitFigures``, each rate a ``Rate``), the county's sum, and
their JSON form: what a published month freezes (``as_json``, ``from_json``, ``figures_json``)
and how a frozen form differs from another (``compare``).

The JSON form belongs to the figures: the bulletins app stores it when it publishes a month, and
the dashboard compares it with the live figures. It holds counts, numerators and denominators,
targets, unit names and ids: no personal data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from xinfang.accounts.models import Unit
from xinfang.figures.models import Channel
from xinfang.oversight.models import ReportKind

FEW_CASES = 5
RATES = ("online", "participation", "satisfaction", "satisfied", "timely_acceptance", "timely_conclusion")


@dataclass(frozen=True)
class Rate:
    """numerator ÷ denominator, with both kept: value is None when there is nothing to divide."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def few(self) -> bool:
        return self.denominator < FEW_CASES

    @property
    def percent(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.1f}%"

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.numerator + other.numerator, self.denominator + other.denominator)


@dataclass
class UnitFigures:
    """One row of the dashboard: a unit's figures for the period, or the county's (unit None)."""

    unit: Unit | None
    name: str
    proxied: int = 0
    target: int = 0
    online: Rate = Rate(0, 0)
    tallies: dict[str, int] = field(default_factory=dict)
    participation: Rate = Rate(0, 0)
    satisfaction: Rate = Rate(0, 0)
    satisfied: Rate = Rate(0, 0)
    timely_acceptance: Rate = Rate(0, 0)
    timely_conclusion: Rate = Rate(0, 0)
    open: int = 0
    overdue: int = 0
    # The county's 网上投诉占比 target in per cent (``figures.CountyTarget``): on the county's
    # row only, None elsewhere and where no target was in force.
    online_target: int | None = None

    @property
    def met(self) -> bool:
        """月度达标: 代理件数 ≥ the target of the period."""
        return self.proxied >= self.target

    @property
    def online_met(self) -> bool | None:
        """网上投诉占比 against the county's target: True 达标, False 未达标, None where there
        is no target or nothing to divide. Compared in whole numbers: 50/100 meets 50%."""
        if self.online_target is None or not self.online.denominator:
            return None
        return self.online.numerator * 100 >= self.online_target * self.online.denominator

    @property
    def tally_total(self) -> int:
        return sum(self.tallies.values())

    def as_json(self, reports: Mapping[str, int] | None = None) -> dict[str, Any]:
        """The row as frozen, with the unit's risk reports by kind (kinds with none left out)."""
        reports = reports or {}
        row: dict[str, Any] = {
            "unit_id": self.unit.pk if self.unit else None,
            "name": self.name,
            "proxied": self.proxied,
            "target": self.target,
            "met": self.met,
            "open": self.open,
            "overdue": self.overdue,
            "tallies": dict(self.tallies),
            "reports": {kind: reports[kind] for kind in ReportKind.values if reports.get(kind)},
        }
        for name in RATES:
            rate = getattr(self, name)
            row[name] = [rate.numerator, rate.denominator]
        if self.online_target is not None:
            row["online_target"] = self.online_target
            row["online_met"] = self.online_met
        return row

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> UnitFigures:
        """A frozen row in the dashboard's shape (``unit`` None: the name is what was frozen)."""
        return cls(
            unit=None,
            name=row["name"],
            proxied=row["proxied"],
            target=row["target"],
            tallies={ch: row["tallies"].get(ch, 0) for ch in Channel.values},
            open=row["open"],
            overdue=row["overdue"],
            online_target=row.get("online_target"),  # absent from months frozen before targets
            **{name: Rate(*row[name]) for name in RATES},
        )


def county_totals(rows: Sequence[UnitFigures], *, online_target: int | None = None) -> UnitFigures:
    """全县合计: every count and every rate's numerator and denominator summed over the units;
    ``online_target``: the county's 网上投诉占比 target (per cent) the sum is judged against."""
    total = UnitFigures(
        unit=None, name="全县合计", tallies=dict.fromkeys(Channel.values, 0), online_target=online_target
    )
    for row in rows:
        total.proxied += row.proxied
        total.target += row.target
        for name in RATES:
            setattr(total, name, getattr(total, name) + getattr(row, name))
        for ch, n in row.tallies.items():
            total.tallies[ch] += n
        total.open += row.open
        total.overdue += row.overdue
    return total


def figures_json(
    rows: Sequence[UnitFigures],
    reports: Mapping[int, Mapping[str, int]],
    *,
    online_target: int | None = None,
) -> dict[str, Any]:
    """The units' rows and the county's, as frozen: ``reports`` are the risk reports per unit
    and kind (``oversight.selectors.report_counts``); the county row counts them all and is
    judged against ``online_target`` (the county's 网上投诉占比 target, per cent)."""
    by_kind: dict[str, int] = {}
    for counts in reports.values():
        for kind, n in counts.items():
            by_kind[kind] = by_kind.get(kind, 0) + n
    return {
        "units": [row.as_json(reports.get(row.unit.pk, {}) if row.unit else {}) for row in rows],
        "county": county_totals(rows, online_target=online_target).as_json(by_kind),
        "reports": {"by_kind": by_kind, "total": sum(by_kind.values())},
    }


# --- Differences between two frozen forms ---------------------------------------------------------

# The figures compared. 在办 is left out: it is the state now, not a figure of the month.
COMPARED = (
    ("proxied", "代理件数"),
    ("target", "目标"),
    ("met", "是否达标"),
    ("online", "网上投诉占比"),
    ("online_target", "全县网上投诉占比目标"),
    ("online_met", "网上投诉占比是否达到全县目标"),
    ("participation", "参评率"),
    ("satisfaction", "满意率"),
    ("satisfied", "满意"),
    ("timely_acceptance", "及时受理率"),
    ("timely_conclusion", "按期办结率"),
    ("overdue", "超期件数"),
)


# Figures a month frozen before they existed does not hold: compared only where it does.
ADDED_LATER = frozenset({"online_target", "online_met"})


@dataclass(frozen=True)
class Difference:
    unit: str
    figure: str
    old: str
    new: str


def _text(key: str, value) -> str:
    if value is None:
        return "—"
    if key in ("met", "online_met"):
        return "达标" if value else "未达标"
    if key == "online_target":
        return f"{value}%"
    if isinstance(value, list | tuple):
        return f"{Rate(*value).percent}（{value[0]}/{value[1]}）"
    return str(value)


def _flat(row: Mapping[str, Any]) -> dict[str, tuple[str, Any]]:
    flat = {key: (label, row.get(key)) for key, label in COMPARED if key in row or key not in ADDED_LATER}
    for ch, label in Channel.choices:
        flat[f"tally:{ch}"] = (f"渠道台账{label}", row.get("tallies", {}).get(ch, 0))
    for kind, label in ReportKind.choices:
        flat[f"report:{kind}"] = (f"风险报告{label}", row.get("reports", {}).get(kind, 0))
    return flat


def _norm(value):
    return list(value) if isinstance(value, list | tuple) else value


def compare(
    frozen: Mapping[str, Any], live: Mapping[str, Any], *, unit_ids=None, county: bool = True
) -> list[Difference]:
    """Per unit (and the county), each figure whose live value is not the frozen one: old → new.
    ``unit_ids`` limits the units compared (a unit head sees the own unit only)."""

    def keyed(snap):
        rows = {row["unit_id"]: row for row in snap["units"]}
        if county:
            rows["county"] = snap["county"]
        return rows

    old_rows, new_rows = keyed(frozen), keyed(live)
    order = list(old_rows) + [k for k in new_rows if k not in old_rows]
    if county and "county" in order:
        order.remove("county")
        order.append("county")
    result = []
    for key in order:
        if unit_ids is not None and key != "county" and key not in unit_ids:
            continue
        old, new = old_rows.get(key), new_rows.get(key)
        name = (old or new)["name"]
        if old is None or new is None:
            result.append(
                Difference(name, "单位", "—" if old is None else "列入", "—" if new is None else "列入")
            )
            continue
        old_flat, new_flat = _flat(old), _flat(new)
        for field_key, (label, value) in old_flat.items():
            new_value = new_flat.get(field_key, (label, None))[1]
            if _norm(value) != _norm(new_value):
                result.append(Difference(name, label, _text(field_key, value), _text(field_key, new_value)))
    return result
