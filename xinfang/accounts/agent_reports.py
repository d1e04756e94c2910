"""Agents reported to the bureau within 5 workdays (seed 通知 二、2: 代理员的姓名、职务、照片、联系方式
等信息要予以公开，并在5个工作日内将代理员信息报县信访局).

An account becomes a unit's agent when it is created as an active agent, activated, given the
agent's role, or moved to another unit (``account_changed``, called by the account actions inside
their transaction, after they checked the actor). That starts an ``AgentReport``: the unit has
5 workdays of the official calendar to report the agent, which the platform takes as done when
the agent's public profile is published. The clock stops when the profile is published, or when
the account is no longer that unit's agent.

Workdays are counted by the deadlines app's calendar, which sits above accounts: it hands its
due-date function to ``use_calendar`` when it starts (``DeadlinesConfig.ready``), and calls
``recompute_due`` when a year's schedule changes.

Every start, stop and recomputed due date is an audit row (``account``, change ``agent_report_*``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from xinfang.access import rules
from xinfang.access.policy import PROFILE_ROLES
from xinfang.accounts.models import (
    AGENT_REPORT_WORKDAYS,
    AgentProfile,
    AgentReport,
    AgentReportOutcome,
    AgentReportReason,
    Unit,
    User,
)
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction

# --- The calendar, handed down by the deadlines app -------------------------------------------------


@dataclass(frozen=True)
class Due:
    due_on: datetime.date
    provisional: bool = False
    reason: str = ""


# The deadlines app's ``due``: anything with ``due_on``, ``provisional`` and ``reason``.
_due: Callable[[datetime.date, int], Any] | None = None


def use_calendar(due: Callable[[datetime.date, int], object]) -> None:
    """``due(start, workdays)``: the deadlines app's due date, an object with ``due_on``,
    ``provisional`` and ``reason`` (``deadlines.compute.DueDate``)."""
    global _due
    _due = due


def due_after(start: datetime.date, workdays: int) -> Due:
    if _due is None:
        raise ImproperlyConfigured("xinfang.deadlines is not installed: workdays cannot be counted.")
    result = _due(start, workdays)
    return Due(result.due_on, bool(result.provisional), (result.reason or "")[:200])


# --- Who is a unit's agent -------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """What decides whether an account is a unit's agent, before or after a change."""

    role: str
    unit_id: int | None
    is_active: bool

    @classmethod
    def of(cls, account: User) -> Standing:
        return cls(account.role, account.unit_id, account.is_active)

    @property
    def agent_of(self) -> int | None:
        """The unit whose agent this is: an active account of a role with a public profile."""
        if self.is_active and self.unit_id and rules.has_public_profile(self):
            return self.unit_id
        return None


def _reason(before: Standing | None) -> str:
    if before is None:
        return AgentReportReason.APPOINTED
    if not rules.has_public_profile(before):
        return AgentReportReason.ROLE
    if not before.is_active:
        return AgentReportReason.REACTIVATED
    return AgentReportReason.MOVED


# --- Starting and stopping ---------------------------------------------------------------------------


def account_changed(
    account: User, *, before: Standing | None, by, request=None, on: datetime.date | None = None
) -> AgentReport | None:
    """After an account was created (``before`` None) or changed, inside the action's transaction.

    1. An open report for another unit than the one the account is now agent of (or for any, if
       it is no agent now) stops: 不再担任该单位代理员.
    2. An account that became a unit's agent by this change starts a report for that unit:
       due 5 workdays after ``on`` (today), on the official calendar.
    3. The open report stops as reported when the agent's profile is published, whether it was
       published by this change or before it (an agent moved with a published profile).
    Returns the report open or stopped here, if any.
    """
    on = on or timezone.localdate()
    now = Standing.of(account).agent_of
    report = AgentReport.objects.select_for_update().filter(agent=account, stopped_on__isnull=True).first()
    if report is not None and report.unit_id != now:
        _stop(report, AgentReportOutcome.ENDED, on=on, by=by, request=request)
        report = None
    if now is not None and report is None and (before is None or before.agent_of != now):
        report = start(account, reason=_reason(before), on=on, by=by, request=request)
    if report is not None and report.stopped_on is None and _published(account):
        _stop(report, AgentReportOutcome.REPORTED, on=on, by=by, request=request)
    return report


def start(account: User, *, reason: str, on: datetime.date, by, request=None) -> AgentReport:
    """Open the account's report for its unit, due ``AGENT_REPORT_WORKDAYS`` workdays after ``on``."""
    due = due_after(on, AGENT_REPORT_WORKDAYS)
    assert account.unit_id is not None, "an agent belongs to a unit"
    report = AgentReport.objects.create(
        unit_id=account.unit_id,
        agent=account,
        reason=reason,
        appointed_on=on,
        workdays=AGENT_REPORT_WORKDAYS,
        due_on=due.due_on,
        provisional=due.provisional,
        provisional_reason=due.reason,
        started_by=by,
    )
    record(
        AuditAction.ACCOUNT,
        request=request,
        by=by,
        target=report,
        change="agent_report_start",
        unit=report.unit_id,
        agent=account.pk,
        reason=reason,
        due_on=report.due_on.isoformat(),
    )
    return report


def _stop(report: AgentReport, outcome: str, *, on: datetime.date, by, request=None) -> None:
    report.stopped_on, report.outcome = on, outcome
    report.save(update_fields=["stopped_on", "outcome"])
    record(
        AuditAction.ACCOUNT,
        request=request,
        by=by,
        target=report,
        change=f"agent_report_{outcome}",
        unit=report.unit_id,
        agent=report.agent_id,
        late=on > report.due_on,
    )


def _published(account: User) -> bool:
    return AgentProfile.objects.filter(user=account, published=True).exists()


def recompute_due(*, by, reason: str, request=None) -> int:
    """Recompute every open report's due date on the current calendar (a year's schedule was
    entered or changed). Each change is an audit row. Part of keeping the calendar
    (``manage_calendar``). Returns how many changed."""
    rules.check(
        by, "manage_calendar", request=request, target_type="accounts.AgentReport", target_id="recompute"
    )
    changed = 0
    with transaction.atomic():
        for report in AgentReport.objects.select_for_update().filter(stopped_on__isnull=True).order_by("id"):
            due = due_after(report.appointed_on, report.workdays)
            old = report.due_on
            if (due.due_on, due.provisional, due.reason) == (
                old,
                report.provisional,
                report.provisional_reason,
            ):
                continue
            report.due_on, report.provisional, report.provisional_reason = (
                due.due_on,
                due.provisional,
                due.reason,
            )
            report.save(update_fields=["due_on", "provisional", "provisional_reason"])
            if due.due_on != old:
                record(
                    AuditAction.ACCOUNT,
                    request=request,
                    by=by,
                    target=report,
                    change="agent_report_recomputed",
                    old=old.isoformat(),
                    new=due.due_on.isoformat(),
                    reason=reason,
                )
                changed += 1
    return changed


# --- What the bureau reads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentDuty:
    """The agents' side of the units shown: reports still open (overdue first) and the units
    without an active agent."""

    today: datetime.date
    open_reports: list[AgentReport]
    units_without_agent: list[Unit]

    @property
    def overdue(self) -> list[AgentReport]:
        return [r for r in self.open_reports if r.due_on < self.today]

    @property
    def pending(self) -> list[AgentReport]:
        return [r for r in self.open_reports if r.due_on >= self.today]


def agent_duty(units: Iterable[Unit], today: datetime.date | None = None) -> AgentDuty:
    """For the dashboard: the open reports of these units (each marked overdue or not by
    ``today``) and those of them with no active agent. Two queries."""
    today = today or timezone.localdate()
    units = list(units)
    ids = [u.pk for u in units]
    reports = list(
        AgentReport.objects.filter(unit_id__in=ids, stopped_on__isnull=True)
        .select_related("unit", "agent")
        .order_by("due_on", "unit__sort_order", "id")
    )
    staffed = set(
        User.objects.filter(unit_id__in=ids, is_active=True, role__in=PROFILE_ROLES).values_list(
            "unit_id", flat=True
        )
    )
    return AgentDuty(today, reports, [u for u in units if u.pk not in staffed])
