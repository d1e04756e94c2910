"""The transition table: the single source of which step may follow which.

Actions enforce it; the case page builds its buttons from it. Later issues add the
handling steps (转送, 受理, 办结, …) as rows here.
"""

from __future__ import annotations

from dataclasses import dataclass

from xinfang.cases.models import CaseStatus as S


class TransitionError(Exception):
    """A step that the case's current status does not allow; the message is for the user."""


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: frozenset[str]
    target: str | None  # None: the step does not change the status
    url_name: str


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step("edit", "修改登记信息", frozenset({S.INTAKE, S.IN_SCOPE, S.AUTHORIZED}), None, "cases:edit"),
        Step("decide_scope", "判断代理范围", frozenset({S.INTAKE}), None, "cases:scope"),
        Step("accept_scope", "属于代理范围", frozenset({S.INTAKE}), S.IN_SCOPE, "cases:scope"),
        Step("refer", "引导走法定途径", frozenset({S.INTAKE, S.IN_SCOPE}), S.REFERRED, "cases:scope"),
        Step("reopen_scope", "重新判断代理范围", frozenset({S.IN_SCOPE, S.AUTHORIZED}), S.INTAKE, "cases:edit"),
        Step(
            "print_authorization", "打印授权委托书",
            frozenset({S.IN_SCOPE, S.AUTHORIZED, S.SUBMITTED}), None, "cases:authorization",
        ),
        Step("authorize", "登记授权委托", frozenset({S.IN_SCOPE}), S.AUTHORIZED, "cases:authorize"),
        Step(
            "attach", "上传附件",
            frozenset({S.INTAKE, S.IN_SCOPE, S.AUTHORIZED, S.SUBMITTED}), None, "cases:attach",
        ),
        Step("prepare", "网上投诉填报内容", frozenset({S.AUTHORIZED, S.SUBMITTED}), None, "cases:prepared"),
        Step("submit", "登记网上提交", frozenset({S.AUTHORIZED}), S.SUBMITTED, "cases:submit"),
    )
}

FINAL = frozenset({S.REFERRED})

REFUSALS = {
    S.REFERRED: "该事项已引导信访人通过法定途径解决，不能再办理代理手续。",
    S.SUBMITTED: "该事项已在网上提交。",
}


def allows(status: str, step_name: str) -> bool:
    return status in STEPS[step_name].sources


def check(status: str, step_name: str) -> Step:
    """Return the step, or raise TransitionError with a message that says why not."""
    step = STEPS[step_name]
    if status in step.sources:
        return step
    reason = REFUSALS.get(status, f"当前状态为“{S(status).label}”。")
    raise TransitionError(f"不能{step.label}：{reason}")


def available(status: str) -> list[Step]:
    return [step for step in STEPS.values() if status in step.sources]

EVENT_LABELS = {
    "open": "登记",
    "edit": "修改登记信息",
    "accept_scope": "确认属于代理范围",
    "refer": "引导信访人走法定途径",
    "reopen_scope": "因修改内容，重新判断代理范围",
    "authorize": "登记授权委托",
    "attach": "上传附件",
    "submit": "登记网上提交",
}
