"""The checks of single steps that a row of the registry cannot say (``Step.rule``), and the
one error a refused step raises. Each rule takes the locked case and the step's form fields
(``on`` its day) and raises ``TransitionError`` with a message for the user, and the field it
belongs to where there is one.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from xinfang.cases.models import EXTENSION_LIMIT_DAYS
from xinfang.core.errors import DomainError


class TransitionError(DomainError):
    """A step that the case's status, its dates or a rule of the law does not allow; the message
    is for the user."""


def check_date_order(earlier: datetime.date | None, later: datetime.date, what: str, after: str) -> None:
    """A date entered after the fact may not precede the step it follows, nor lie in the future."""
    if later > timezone.localdate():
        raise TransitionError(f"{what}不能晚于今天。")
    if earlier is not None and later < earlier:
        raise TransitionError(f"{what}不能早于{after}（{earlier:%Y-%m-%d}）。")


def signed_after_reception(case, *, on: datetime.date, **_: Any) -> None:
    check_date_order(case.received_on, on, "签字日期", "接待日期")


def one_extension(case, *, on: datetime.date, days: int, told_on: datetime.date, **_: Any) -> None:
    """延期 is approved once, for at most ``EXTENSION_LIMIT_DAYS`` (第34条), and told afterwards."""
    if not 1 <= days <= EXTENSION_LIMIT_DAYS:
        raise TransitionError(f"延期天数应为1至{EXTENSION_LIMIT_DAYS}日。")
    if case.events.filter(action="extend").exists():
        raise TransitionError("该事项已经延期一次，不能再次延期。")
    if told_on < on:
        raise TransitionError("告知信访人的日期不能早于批准延期的日期。")
    check_date_order(on, told_on, "告知日期", "批准日期")


def grounds_of(choices) -> Callable[..., None]:
    """A refusal's ground is one of ``choices`` (the 条例's, and 其他); 其他 needs its words."""

    def rule(case, *, grounds: str = "other", reason: str = "", **_: Any) -> None:
        if grounds not in choices.values:
            raise TransitionError("依据不对，请从列出的依据中选择。", "grounds")
        if grounds == "other" and not (reason or "").strip():
            raise TransitionError("选择“其他理由”的，请写明理由。", "reason")

    return rule


def received_after_forwarding(case, *, on: datetime.date, **_: Any) -> None:
    """After a 管辖异议 the matter reaches the new body on or after the day it was sent there,
    which may be days after the objection (the step before)."""
    if case.events.filter(action="object").exists():
        check_date_order(case.forwarded_on, on, "有权处理机关收到日期", "改送日期")


def hearing_period(case, *, on: datetime.date, ended_on: datetime.date, **_: Any) -> None:
    """A hearing ends on or after the day it starts, and not after today."""
    check_date_order(on, ended_on, "听证结束日期", "听证开始日期")


def after_the_hearings(case, *, on: datetime.date, **_: Any) -> None:
    """The 复核意见 follows the hearings held on the request: not before the last one ended."""
    ends = [e.data.get("ended_on") for e in case.events.filter(action="hear")]
    last = max((datetime.date.fromisoformat(d) for d in ends if d), default=None)
    if last is not None and on < last:
        raise TransitionError(f"复核意见日期不能早于听证结束日期（{last:%Y-%m-%d}）。", "on")
