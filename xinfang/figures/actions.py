"""What changes state here: a unit's monthly target, the county's targets, and the channel
tallies of a month.

Each asks the capability table first (``manage_targets``: bureau staff), so that a refusal
changes nothing and is logged, and writes one audit row (``POLICY``): targets and tallies
decide what the figures say.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.db import transaction

from xinfang.access import rules
from xinfang.accounts.models import Unit
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.core.errors import DomainError
from xinfang.figures.models import (
    SEED_COUNTY_TARGETS,
    Channel,
    ChannelTally,
    CountyFigure,
    CountyTarget,
    UnitTarget,
)
from xinfang.figures.periods import first_of_month

MAX_MONTHLY_TARGET = 999
MAX_TALLY = 100000


MANAGE = "manage_targets"


class FiguresError(DomainError):
    """A target or tally the rules refuse; ``field`` names the form field."""


def set_target(
    *, unit: Unit, monthly_target: int, effective_from: datetime.date, by, request=None
) -> UnitTarget:
    """From the month of ``effective_from`` on, the unit's monthly target is ``monthly_target``.

    A new row each time: months before keep the target they had (figures of the past do not
    change when a target does).
    """
    rules.check(by, MANAGE, unit=unit, request=request)
    if monthly_target is None or not 1 <= monthly_target <= MAX_MONTHLY_TARGET:
        raise FiguresError(f"每月代理目标应为1至{MAX_MONTHLY_TARGET}之间的整数。", "monthly_target")
    with transaction.atomic():
        target = UnitTarget.objects.create(
            unit=unit, monthly_target=monthly_target, effective_from=first_of_month(effective_from), set_by=by
        )
        record(
            AuditAction.POLICY,
            by=by,
            request=request,
            target=target,
            kind="unit_target",
            unit=unit.pk,
            monthly_target=monthly_target,
            effective_from=target.effective_from.isoformat(),
        )
    return target


def set_county_target(
    *, figure: str, percent: int, effective_from: datetime.date, by, basis: str = "", request=None
) -> CountyTarget:
    """From the month of ``effective_from`` on, the county's target for ``figure`` is ``percent``.

    A new row each time, as for a unit's target: months before are judged against the target
    they had. ``basis`` says where the figure comes from (a notice, a meeting's decision).
    """
    rules.check(by, MANAGE, request=request)
    if figure not in CountyFigure.values:
        raise FiguresError("没有这个全县指标。", "figure")
    if percent is None or not 1 <= percent <= 100:
        raise FiguresError("目标应为1至100之间的整数（百分比）。", "percent")
    with transaction.atomic():
        target = CountyTarget.objects.create(
            figure=figure,
            percent=percent,
            effective_from=first_of_month(effective_from),
            basis=basis.strip()[:200],
            set_by=by,
        )
        record(
            AuditAction.POLICY,
            by=by,
            request=request,
            target=target,
            kind="county_target",
            figure=figure,
            percent=percent,
            effective_from=target.effective_from.isoformat(),
        )
    return target


def seed_county_targets(target_model=CountyTarget) -> int:
    """Enter the seed's county targets where a figure has none yet (the data migration and
    tests, whose flushes empty the table). Returns how many rows were added."""
    added = 0
    for figure, percent, effective_from, basis in SEED_COUNTY_TARGETS:
        if not target_model.objects.filter(figure=figure).exists():
            target_model.objects.create(
                figure=figure,
                percent=percent,
                effective_from=datetime.date.fromisoformat(effective_from),
                basis=basis,
            )
            added += 1
    return added


def save_tallies(
    *,
    month: datetime.date,
    counts: Mapping[tuple[int, str], int | None],
    by,
    source: str = "form",
    request=None,
) -> dict[str, int]:
    """Store a month's counts: {(unit id, channel): count}; None (a blank cell) removes the entry.

    All or nothing: any bad value refuses the whole lot. Returns how many entries were saved
    and removed.
    """
    rules.check(by, MANAGE, request=request)
    month = first_of_month(month)
    unit_ids = set(Unit.objects.filter(pk__in={uid for uid, _ in counts}).values_list("pk", flat=True))
    for unit_id in sorted(unit_ids):
        rules.check(by, MANAGE, unit=unit_id, request=request)
    for (unit_id, channel), count in counts.items():
        if unit_id not in unit_ids:
            raise FiguresError("没有这个单位。")
        if channel not in Channel.values:
            raise FiguresError(f"没有“{channel}”这个渠道。")
        if count is not None and not (isinstance(count, int) and 0 <= count <= MAX_TALLY):
            raise FiguresError(f"件数应为0至{MAX_TALLY}之间的整数。")
    saved = removed = 0
    with transaction.atomic():
        existing = {
            (t.unit_id, t.channel): t
            for t in ChannelTally.objects.select_for_update().filter(month=month, unit_id__in=unit_ids)
        }
        for key, count in counts.items():
            row = existing.get(key)
            if count is None:
                if row is not None:
                    row.delete()
                    removed += 1
            elif row is None:
                ChannelTally.objects.create(
                    unit_id=key[0], channel=key[1], month=month, count=count, entered_by=by
                )
                saved += 1
            elif row.count != count:
                row.count, row.entered_by = count, by
                row.save(update_fields=["count", "entered_by", "updated_at"])
                saved += 1
        record(
            AuditAction.POLICY,
            by=by,
            request=request,
            target_type="figures.ChannelTally",
            target_id=month.strftime("%Y-%m"),
            kind="channel_tally",
            source=source,
            saved=saved,
            removed=removed,
        )
    return {"saved": saved, "removed": removed}
