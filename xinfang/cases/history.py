"""A case's history (办理记录): the one function that writes it, and the words it is read in.

Every app that adds to a case's history (the steps here, the clocks, ratings and feedback, the
password wipe) calls ``record_event``; every action that changes a case first takes ``locked``.
An event carries dates, choices, codes and field names, never a personal value.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Model

from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.steps import STEPS

# Events that are not steps of the registry: who writes them, and their words in the history.
OTHER_EVENTS = {
    "deadline_recomputed": "期限重新计算",  # xinfang.deadlines: the official calendar changed
    "deadline_applied": "按调整后的期限规则起算期限",  # xinfang.deadlines: a clock's kinds of matter
    "deadline_withdrawn": "期限不再适用，已撤销",  # changed (Clock.petition_types)
    "password_wiped": "平台密码已按期清除",  # xinfang.notify.remind: the retention period ran out
    "rate": "信访人评价",  # xinfang.ratings
    "feedback": "填写反馈表",  # xinfang.ratings
}


def event_label(action: str) -> str:
    step = STEPS.get(action)
    if step is not None and step.event:
        return step.event
    return OTHER_EVENTS.get(action, action)


def known(action: str) -> bool:
    step = STEPS.get(action)
    return (step is not None and step.records_event) or action in OTHER_EVENTS


def locked(case: Case, *, fields: Iterable[str] | None = None) -> Case:
    """The case again, its row locked until the transaction ends (PostgreSQL; SQLite's writers
    go one at a time). Only the case row: locking its unit too would queue every new case of the
    unit. With ``fields``, only those columns are read, so nothing personal is decrypted."""
    rows = Case.objects.select_for_update(of=("self",))
    if fields is not None:
        return rows.only(*fields).get(pk=case.pk)
    return rows.select_related("unit", "petitioner").get(pk=case.pk)


def record_event(
    case: Case | int,
    *,
    by: Model | int,
    action: str,
    on: datetime.date | None = None,
    from_status: str = "",
    to_status: str = "",
    **data: Any,
) -> CaseEvent:
    """Append one event to the case's history. ``action`` must be a step of the registry or one
    of ``OTHER_EVENTS``, so that every event has its words."""
    if not known(action):
        raise ValueError(f"no words for the event {action!r}: declare a step or add it to OTHER_EVENTS")
    return CaseEvent.objects.create(
        case_id=getattr(case, "pk", case),
        by_id=getattr(by, "pk", by),
        action=action,
        on=on,
        from_status=from_status,
        to_status=to_status,
        data=data,
    )
