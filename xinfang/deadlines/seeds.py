"""The clocks of the 《信访工作条例》 (2022) as the platform first knows them.

Which steps start and stop each is said by the steps themselves (``xinfang.cases.steps``:
``starts`` and ``stops``); bureau staff may change all of it afterwards
(``actions.update_clock``). The migrations seed from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from xinfang.cases.models import PetitionType
from xinfang.cases.steps import clock_steps_of
from xinfang.deadlines.models import ALL_PETITION_TYPES, Clock, ClockKind, DayCount


@dataclass(frozen=True)
class ClockSeed:
    """A clock as the platform first knows it. Which steps start and stop it is said by the steps
    themselves (``xinfang.cases.steps``: ``starts`` and ``stops``); bureau staff may change all
    of it afterwards (``update_clock``)."""

    code: str
    name: str
    length: int
    day_count: str
    kind: str
    legal_basis: str
    petition_types: str = ALL_PETITION_TYPES  # the kinds of matter it runs for

    @property
    def start_action(self) -> str:
        return clock_steps_of(self.code)[0]

    @property
    def stop_actions(self) -> str:
        return ",".join(clock_steps_of(self.code)[1])


CLOCKS = (
    ClockSeed("forward", "转送交办", 15, DayCount.CALENDAR, ClockKind.DEADLINE, "《信访工作条例》第22条"),
    ClockSeed(
        "accept_notice", "受理告知", 15, DayCount.CALENDAR, ClockKind.DEADLINE, "《信访工作条例》第23条"
    ),
    ClockSeed(
        "competence_objection", "管辖异议", 5, DayCount.WORKDAYS, ClockKind.WINDOW, "《信访工作条例》第23条"
    ),
    # 第三十四条: 60 days for "本条例第三十一条第六项规定的信访事项" — 申诉求决类 matters answered with
    # a 信访处理意见书. 建议意见类 and 检举控告类 matters (第二十九条、第三十条) have no such clock.
    ClockSeed(
        "conclude",
        "办结",
        60,
        DayCount.CALENDAR,
        ClockKind.DEADLINE,
        "《信访工作条例》第34条",
        petition_types=PetitionType.CLAIM.value,
    ),
    ClockSeed(
        "review_request", "申请复查", 30, DayCount.CALENDAR, ClockKind.WINDOW, "《信访工作条例》第35条"
    ),
    ClockSeed(
        "review_opinion", "复查意见", 30, DayCount.CALENDAR, ClockKind.DEADLINE, "《信访工作条例》第35条"
    ),
    ClockSeed(
        "re_review_request", "申请复核", 30, DayCount.CALENDAR, ClockKind.WINDOW, "《信访工作条例》第36条"
    ),
    ClockSeed(
        "re_review_opinion",
        "复核意见",
        30,
        DayCount.CALENDAR,
        ClockKind.DEADLINE,
        "《信访工作条例》第36条（听证时间不计算在内）",
    ),
)


def seed_clocks(clock_model=Clock) -> int:
    """Create the seeded clocks where missing (by code). Used by the migrations (with the model as
    it was then: a column it has not got yet is left out) and by tests."""
    columns = {f.name for f in clock_model._meta.get_fields()}
    created = 0
    for order, seed in enumerate(CLOCKS, start=1):
        defaults = {
            "name": seed.name,
            "start_action": seed.start_action,
            "stop_actions": seed.stop_actions,
            "length": seed.length,
            "day_count": seed.day_count,
            "kind": seed.kind,
            "legal_basis": seed.legal_basis,
            "petition_types": seed.petition_types,
            "sort_order": order * 10,
        }
        _, made = clock_model.objects.get_or_create(
            code=seed.code, defaults={k: v for k, v in defaults.items() if k in columns}
        )
        created += made
    return created
