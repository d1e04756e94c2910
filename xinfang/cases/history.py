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

from xinfang.cases import hooks
from xinfang.cases.intake import COMPARED
from xinfang.cases.models import Case, CaseEvent, NotAcceptAgainGround, NotAcceptGround
from xinfang.cases.steps import STEPS

# Events that are not steps of the registry: who writes them, and their words in the history.
OTHER_EVENTS = {
    "deadline_recomputed": "期限重新计算",  # xinfang.deadlines: the official calendar changed
    "deadline_applied": "按调整后的期限规则起算期限",  # xinfang.deadlines: a clock's kinds of matter
    "deadline_withdrawn": "期限不再适用，已撤销",  # changed (Clock.petition_types)
    "password_wiped": "平台密码已按期清除",  # xinfang.notify.remind: the retention period ran out
    "erased": "个人信息已删除（匿名化）",  # xinfang.privacy: the retention period ran out, or a request
    "petitioner_changed": "信访人信息与此前登记不同，经核对按本次登记",  # cases.actions.open_case
    "rate": "信访人评价",  # xinfang.ratings
    "feedback": "填写反馈表",  # xinfang.ratings
    "imported": "从原有台账导入",  # cases.actions_past: the steps before it are the old ledger's
}


def event_label(action: str) -> str:
    step = STEPS.get(action)
    if step is not None and step.event:
        return step.event
    return OTHER_EVENTS.get(action, action)


def _day(iso: str) -> str:
    """「2027年1月5日」 for an ISO date kept in an event; what is not a date is shown as kept."""
    try:
        day = datetime.date.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def _clock(code: str) -> str:
    """A clock by its name as bureau staff keep it (法定期限规则: “办结” → “办结期限”), never by
    its code."""
    name = hooks.clock_names().get(code) or "法定"
    return name if name.endswith("期限") else f"{name}期限"


def _clock_notes(action: str, d: dict[str, Any]) -> list[str]:
    """A clock recomputed (the calendar changed), added or withdrawn (its kinds of matter changed)."""
    if action == "deadline_recomputed" and d.get("old") and d.get("new"):
        if d["old"] == d["new"]:
            state = "暂定" if d.get("provisional") else "已按录入的日历确定"
            return [f"{_clock(d.get('clock', ''))}：届满日仍为{_day(d['new'])}，{state}"]
        new = _day(d["new"]) + ("（暂定）" if d.get("provisional") else "")
        return [f"{_clock(d.get('clock', ''))}：届满日由{_day(d['old'])}改为{new}"]
    if action in ("deadline_applied", "deadline_withdrawn"):
        started = _day(d["started_on"]) if d.get("started_on") else "—"
        due = _day(d["due"]) if d.get("due") else "—"
        return [f"{_clock(d.get('clock', ''))}：{started}起算，届满日{due}（{d.get('reason', '')}）"]
    return []


GROUNDS = {**dict(NotAcceptGround.choices), **dict(NotAcceptAgainGround.choices)}


def event_notes(event: CaseEvent) -> list[str]:
    """What an event's data says, in words, line by line, for the history on the case page: the
    ground and reason of a refusal, the two bodies of a 管辖异议, the two agents of a handover, a hearing's days, a request
    recorded late with its window's end and reason, a clock recomputed, added or withdrawn."""
    d, notes = event.data or {}, []
    if d.get("grounds") in GROUNDS and d["grounds"] != "other":
        notes.append(f"依据：{GROUNDS[d['grounds']]}")
    if d.get("reason") and event.action not in ("deadline_applied", "deadline_withdrawn"):
        notes.append(f"理由：{d['reason']}")
    if d.get("days"):
        notes.append(f"延长{d['days']}日，批准人 {d.get('approver', '')}")
    if d.get("reviewing_body"):
        notes.append(d["reviewing_body"])
    if d.get("old_body") or d.get("new_body"):
        sent = f"（{_day(d['forwarded_on'])}）" if d.get("forwarded_on") else ""
        notes.append(f"原机关：{d.get('old_body') or '—'} → 改送：{d.get('new_body')}{sent}")
    if d.get("from_agent") or d.get("to_agent"):
        notes.append(f"原代理员：{d.get('from_agent', '')} → 现代理员：{d.get('to_agent', '')}")
    if d.get("other"):
        notes.append(f"关联事项：{d['other']}")
    if event.action == "petitioner_changed":
        changed = "、".join(COMPARED.get(f, f) for f in d.get("fields", []))
        notes.append(f"与此前登记不同的项目：{changed}（此前的事项保留原登记信息）")
    if d.get("ended_on"):
        notes.append(f"听证至{_day(d['ended_on'])}，听证所需时间不计入复核期限")
    if d.get("window_end"):
        notes.append(f"逾期提出：期限已于{_day(d['window_end'])}届满；逾期理由：{d.get('late_reason', '')}")
    if event.action == "imported":
        notes.extend(_origin(d))
    return notes + _clock_notes(event.action, d)


def _origin(d: dict[str, Any]) -> list[str]:
    """Where an imported case's row was: the file, the sheet and row, the old number, and the
    steps the old ledger gave no day for."""
    batch = f"（导入批次{d['batch']}）" if d.get("batch") else ""
    place = f"工作表“{d.get('sheet', '')}”第{d.get('row', '')}行"
    notes = [f"原台账{batch}：{place}" + (f"，原编号 {d['number']}" if d.get("number") else "")]
    if d.get("undated"):
        notes.append("原台账未记载日期的环节：" + "、".join(event_label(a) for a in d["undated"]))
    return notes


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


def record_new_version(case: Case, saved: Any, *, by: Model | int) -> None:
    """A confirmed change of a known person's particulars (``intake.Saved`` with ``changed``) is
    an event of the case that made it: the fields' names and the versions, never the values."""
    if saved.changed:
        record_event(
            case,
            by=by,
            action="petitioner_changed",
            fields=list(saved.changed),
            from_version=saved.from_version,
            to_version=saved.petitioner.version,
        )
