"""The reminder run behind ``xinfang remind``, safe to start from cron every few minutes.

1. Deadlines (《信访工作条例》第22、23、34-36条 clocks of kind "deadline"; application windows
   are the petitioner's to use and are not reminded): an open clock of a case that is not
   final is *overdue* when its due date has passed (notice and message to the case's agent
   and to every active bureau staff member), and *due soon* when it falls due today or
   within the next 3 workdays of the official calendar (notice and message to the agent).
2. Follow-ups (跟踪督办): when the latest follow-up of a live case planned the next one for
   today or earlier, the agent gets an in-app notice.
3. Platform passwords (个人信息保护法 第19条: kept no longer than needed): a final case's
   password is wiped ``XINFANG_PASSWORD_RETENTION_DAYS`` days (default 180) after it was
   closed, with a case event and an audit row.

Each reminder is made once per case, clock and level: its key is unique in ``Reminder`` and
is inserted in the same transaction as its notices, so two overlapping runs cannot both
notify. Messages leave through the configured sender after that transaction commits.
Texts name the case by its number, never a person.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xinfang.access import rules
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.cases import export_jobs
from xinfang.cases.history import record_event
from xinfang.core import files
from xinfang.core.templatetags.xinfang import cn_date
from xinfang.deadlines import calendar as official
from xinfang.deadlines.compute import Calendar, add_workdays
from xinfang.notify import selectors
from xinfang.notify.actions import notify
from xinfang.notify.models import Reminder, ReminderLevel

logger = logging.getLogger("xinfang.notify")

DUE_SOON_WORKDAYS = 3
DEFAULT_RETENTION_DAYS = 180
SYSTEM_ACTOR = "(xinfang remind)"


@dataclass
class Summary:
    today: datetime.date
    due_soon: int = 0
    overdue: int = 0
    follow_up: int = 0
    notices: int = 0
    messages: int = 0
    wiped: int = 0
    orphan_files: int = 0
    old_exports: int = 0

    def __str__(self) -> str:
        return (
            f"{cn_date(self.today)}提醒：即将到期 {self.due_soon} 件，已超期 {self.overdue} 件，"
            f"跟踪督办 {self.follow_up} 件；新建站内提醒 {self.notices} 条，发送消息 {self.messages} 条；"
            f"清除平台密码 {self.wiped} 件。"
            + (f"清理无主文件 {self.orphan_files} 个。" if self.orphan_files else "")
            + (f"删除过期台账导出 {self.old_exports} 个。" if self.old_exports else "")
        )


def retention_days() -> int:
    return int(getattr(settings, "XINFANG_PASSWORD_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def run_reminders(*, today: datetime.date | None = None, now: datetime.datetime | None = None) -> Summary:
    """Make the reminders due on ``today`` (default: the local date of ``now``, or of the clock)."""
    if today is None:
        today = timezone.localdate(now or timezone.now())
    summary = Summary(today=today)
    remind_deadlines(today=today, calendar=official.load(), summary=summary)
    remind_follow_ups(today=today, summary=summary)
    summary.wiped = wipe_platform_passwords(today=today)
    summary.orphan_files = files.sweep_orphans()
    summary.old_exports = export_jobs.prune(now)
    return summary


def _remind_once(
    *, key: str, level: str, case, recipients: list, text: str, send: bool, summary: Summary
) -> bool:
    """Make the reminder ``key`` unless it exists; True when it was made now."""
    with transaction.atomic():
        # get_or_create retries the read after a unique-key conflict, so a concurrent run
        # that inserted the key first wins and this one notifies nobody.
        _, created = Reminder.objects.get_or_create(key=key, defaults={"level": level, "case_id": case.pk})
        if not created:
            return False
        notices = notify(recipients=recipients, case=case, level=level, text=text, send=send)
    summary.notices += len(notices)
    if send:
        summary.messages += len(notices)
    return True


# Whom the agent should press, by clock code; the handling body unless named here.
# 转送、交办 is the petition bureau's step (《信访工作条例》第22条), not the handling body's.
URGE = {"forward": "请联系信访工作机构及时转送、交办"}
URGE_DEFAULT = "请督促有权处理机关"


def _clock_label(name: str) -> str:
    return name if name.endswith("期限") else f"{name}期限"


def deadline_text(deadline, level: str, today: datetime.date) -> str:
    number = deadline.case.number
    clock = _clock_label(deadline.clock.name)
    due = cn_date(deadline.due_on)
    days = (deadline.due_on - today).days
    urge = URGE.get(deadline.clock.code, URGE_DEFAULT)
    if level == ReminderLevel.OVERDUE:
        text = f"{number} {clock}已于{due}届满（超期{-days}天），{urge}"
    elif days == 0:
        text = f"{number} {clock}于今日（{due}）届满，{urge}"
    else:
        text = f"{number} {clock}将于{due}届满（还有{days}天），{urge}"
    if deadline.provisional:
        text += "（届满日暂按周末计算，节假日安排录入后可能变化）"
    return text


def agents_to_tell(case, agents_by_unit: dict) -> list:
    """The case's own agent while they still work its unit's cases; otherwise the unit's agents,
    so that a deactivated or moved account does not leave a clock unwatched."""
    agent = case.agent
    if rules.can(agent, selectors.WORKS_CASES, case.unit_id):
        return [agent]
    return agents_by_unit.get(case.unit_id, [])


def deadline_key(pk: int, level: str) -> str:
    return f"deadline:{pk}:{level}"


def settle_past(case_ids: list[int], *, today: datetime.date) -> int:
    """The clocks of cases brought in from an old ledger (``xinfang.imports``) that ran out before
    the platform knew them: their overdue reminders count as made, so that ``xinfang remind``
    sends nobody a reminder of the past. The worklist still shows them overdue. Returns how many."""
    settled = 0
    for start in range(0, len(case_ids), selectors.KEY_CHUNK):
        chunk = case_ids[start : start + selectors.KEY_CHUNK]
        past = selectors.open_deadlines_due_by(today - datetime.timedelta(days=1)).filter(case_id__in=chunk)
        made = [
            Reminder(
                key=deadline_key(pk, ReminderLevel.OVERDUE), level=ReminderLevel.OVERDUE, case_id=case_id
            )
            for pk, case_id in past.values_list("pk", "case_id")
        ]
        Reminder.objects.bulk_create(made, ignore_conflicts=True)
        settled += len(made)
    return settled


def remind_deadlines(*, today: datetime.date, calendar: Calendar, summary: Summary) -> None:
    horizon = add_workdays(today, DUE_SOON_WORKDAYS, calendar)
    candidates = []
    for deadline in selectors.open_deadlines_due_by(horizon):
        level = ReminderLevel.OVERDUE if deadline.due_on < today else ReminderLevel.DUE_SOON
        candidates.append((deadline_key(deadline.pk, level), level, deadline))
    done = selectors.existing_keys([key for key, _, _ in candidates])
    pending = [c for c in candidates if c[0] not in done]
    staff = selectors.bureau_staff() if any(level == ReminderLevel.OVERDUE for _, level, _ in pending) else []
    agents = selectors.unit_agents(d.case.unit_id for _, _, d in pending) if pending else {}
    for key, level, deadline in pending:
        recipients = agents_to_tell(deadline.case, agents)
        if level == ReminderLevel.OVERDUE:
            recipients += staff
        made = _remind_once(
            key=key,
            level=level,
            case=deadline.case,
            recipients=recipients,
            text=deadline_text(deadline, level, today),
            send=True,
            summary=summary,
        )
        if made and level == ReminderLevel.OVERDUE:
            summary.overdue += 1
        elif made:
            summary.due_soon += 1


def follow_up_text(follow_up, today: datetime.date) -> str:
    number = follow_up.case.number
    if follow_up.next_on == today:
        return f"{number} 今日（{cn_date(today)}）应跟踪督办，请联系有权处理机关并记录跟踪情况"
    return f"{number} 原定于{cn_date(follow_up.next_on)}跟踪督办，尚未记录跟踪情况，请及时跟踪"


def remind_follow_ups(*, today: datetime.date, summary: Summary) -> None:
    follow_ups = list(selectors.pending_follow_ups(today))
    done = selectors.existing_keys([f"followup:{f.pk}" for f in follow_ups])
    agents = selectors.unit_agents(f.case.unit_id for f in follow_ups) if follow_ups else {}
    for follow_up in follow_ups:
        key = f"followup:{follow_up.pk}"
        if key in done:
            continue
        # In-app only: the follow-up is the agent's own plan, not a statutory clock.
        if _remind_once(
            key=key,
            level=ReminderLevel.FOLLOW_UP,
            case=follow_up.case,
            recipients=agents_to_tell(follow_up.case, agents),
            text=follow_up_text(follow_up, today),
            send=False,
            summary=summary,
        ):
            summary.follow_up += 1


def wipe_platform_passwords(*, today: datetime.date, days: int | None = None) -> int:
    """Wipe the platform password of final cases closed ``days`` or more days before ``today``.

    1. Find the cases in one query, without decrypting anything.
    2. Per case, in one transaction: empty the column with a conditional UPDATE (the
       conditions are checked again, so a concurrent run or a reopened case is left alone),
       write a ``password_wiped`` CaseEvent and a WIPE audit row.

    CaseEvent needs a user: the event is attributed to the case's agent, whose case it is,
    with ``automatic: true`` in its data; the audit row has no actor, only the name of this
    run. Neither holds the password.
    """
    days = retention_days() if days is None else days
    cutoff = today - datetime.timedelta(days=days)
    wiped = 0
    for case in list(selectors.passwords_to_wipe(cutoff)):
        with transaction.atomic():
            changed = (
                selectors.passwords_to_wipe(cutoff)
                .filter(pk=case.pk)
                .update(platform_password="", updated_at=timezone.now())
            )
            if not changed:
                continue
            record_event(
                case, by=case.agent_id, on=today, action="password_wiped", automatic=True, retention_days=days
            )
            record(
                AuditAction.WIPE,
                target=case,
                actor_name=SYSTEM_ACTOR,
                field="platform_password",
                retention_days=days,
                closed_on=case.closed_on.isoformat() if case.closed_on else "request window ran out",
            )
        wiped += 1
    if wiped:
        logger.info("wiped the platform password of %d final case(s), %d days after closing", wiped, days)
    return wiped
