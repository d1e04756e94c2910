"""The transition checks, read from the step registry (``steps``): which step may follow which.

Actions enforce them; the case page builds its buttons from the same table.
"""

from __future__ import annotations

from xinfang.cases.models import FINAL_STATUSES, HANDLING_STATUSES
from xinfang.cases.models import CaseStatus as S
from xinfang.cases.steps import HANDLING_STEPS, STEPS, Step, TransitionError

__all__ = [
    "FINAL",
    "HANDLING",
    "HANDLING_STEPS",
    "STEPS",
    "Step",
    "TransitionError",
    "allows",
    "available",
    "check",
]

HANDLING = HANDLING_STATUSES
FINAL = FINAL_STATUSES

REFUSALS: dict[str, str] = {
    S.REFERRED: "该事项已引导信访人通过法定途径解决，不能再办理代理手续。",
    S.SUBMITTED: "该事项已在网上提交。",
}


def allows(status: str, step_name: str) -> bool:
    return status in STEPS[step_name].sources


def refusal(status: str, step_name: str) -> TransitionError:
    """Why ``step_name`` may not follow ``status``, as the error to show or raise."""
    step = STEPS[step_name]
    reason = REFUSALS.get(status, f"当前状态为“{S(status).label}”。")
    return TransitionError(f"不能{step.label}：{reason}")


def check(status: str, step_name: str) -> Step:
    """Return the step, or raise TransitionError with a message that says why not."""
    step = STEPS[step_name]
    if status in step.sources:
        return step
    raise refusal(status, step_name)


def available(status: str) -> list[Step]:
    return [step for step in STEPS.values() if status in step.sources]
