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


HANDLING = frozenset(
    {
        S.SUBMITTED,
        S.FORWARDED,
        S.RECEIVED,
        S.ACCEPTED,
        S.CONCLUDED,
        S.DELIVERED,
        S.REVIEW_REQUESTED,
        S.REVIEWED,
        S.RE_REVIEW_REQUESTED,
    }
)
FINAL = frozenset({S.REFERRED, S.WITHDRAWN, S.RE_REVIEWED, S.NOT_ACCEPTED, S.NOT_ACCEPTED_AGAIN})

STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step("edit", "修改登记信息", frozenset({S.INTAKE, S.IN_SCOPE, S.AUTHORIZED}), None, "cases:edit"),
        Step("decide_scope", "判断代理范围", frozenset({S.INTAKE}), None, "cases:scope"),
        Step("accept_scope", "属于代理范围", frozenset({S.INTAKE}), S.IN_SCOPE, "cases:scope"),
        Step("refer", "引导走法定途径", frozenset({S.INTAKE, S.IN_SCOPE}), S.REFERRED, "cases:scope"),
        Step(
            "reopen_scope", "重新判断代理范围", frozenset({S.IN_SCOPE, S.AUTHORIZED}), S.INTAKE, "cases:edit"
        ),
        Step(
            "print_authorization",
            "打印授权委托书",
            frozenset({S.IN_SCOPE, S.AUTHORIZED, S.SUBMITTED}),
            None,
            "cases:authorization",
        ),
        Step("authorize", "登记授权委托", frozenset({S.IN_SCOPE}), S.AUTHORIZED, "cases:authorize"),
        Step(
            "attach",
            "上传附件",
            frozenset({S.INTAKE, S.IN_SCOPE, S.AUTHORIZED, S.SUBMITTED}),
            None,
            "cases:attach",
        ),
        Step("prepare", "网上投诉填报内容", frozenset({S.AUTHORIZED, S.SUBMITTED}), None, "cases:prepared"),
        Step("submit", "登记网上提交", frozenset({S.AUTHORIZED}), S.SUBMITTED, "cases:submit"),
        # After submission: the steps of 《信访工作条例》第22-36条, each a form with its date.
        Step("forward", "登记转送交办", frozenset({S.SUBMITTED}), S.FORWARDED, "cases:step"),
        Step("receive", "登记有权处理机关收到", frozenset({S.FORWARDED}), S.RECEIVED, "cases:step"),
        Step("accept", "登记受理", frozenset({S.RECEIVED}), S.ACCEPTED, "cases:step"),
        Step("not_accept", "登记不予受理", frozenset({S.RECEIVED}), S.NOT_ACCEPTED, "cases:step"),
        Step("not_accept_again", "登记不再受理", frozenset({S.RECEIVED}), S.NOT_ACCEPTED_AGAIN, "cases:step"),
        Step("extend", "登记延期", frozenset({S.ACCEPTED}), None, "cases:step"),
        Step("conclude", "登记办结", frozenset({S.ACCEPTED}), S.CONCLUDED, "cases:step"),
        Step("deliver", "登记答复送达", frozenset({S.CONCLUDED}), S.DELIVERED, "cases:step"),
        Step("request_review", "登记申请复查", frozenset({S.DELIVERED}), S.REVIEW_REQUESTED, "cases:step"),
        Step("review", "登记复查意见", frozenset({S.REVIEW_REQUESTED}), S.REVIEWED, "cases:step"),
        Step(
            "request_re_review", "登记申请复核", frozenset({S.REVIEWED}), S.RE_REVIEW_REQUESTED, "cases:step"
        ),
        Step("re_review", "登记复核意见", frozenset({S.RE_REVIEW_REQUESTED}), S.RE_REVIEWED, "cases:step"),
        Step("follow_up", "记录跟踪督办", HANDLING, None, "cases:follow_up"),
        Step(
            "withdraw",
            "撤回委托",
            frozenset({S.INTAKE, S.IN_SCOPE, S.AUTHORIZED}) | HANDLING,
            S.WITHDRAWN,
            "cases:step",
        ),
    )
}

# The handling steps a user takes with a dated form, in the order shown on the case page.
HANDLING_STEPS = (
    "forward",
    "receive",
    "accept",
    "not_accept",
    "not_accept_again",
    "extend",
    "conclude",
    "deliver",
    "request_review",
    "review",
    "request_re_review",
    "re_review",
    "withdraw",
)

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
    "forward": "转送、交办有权处理机关",
    "receive": "有权处理机关收到",
    "accept": "受理",
    "not_accept": "不予受理",
    "not_accept_again": "不再受理",
    "extend": "延期",
    "conclude": "办结",
    "deliver": "答复送达信访人",
    "request_review": "申请复查",
    "review": "复查意见",
    "request_re_review": "申请复核",
    "re_review": "复核意见（终结）",
    "withdraw": "信访人撤回委托",
    "follow_up": "跟踪督办",
    "deadline_recomputed": "期限重新计算",
    "password_wiped": "平台密码已按期清除",
    "rate": "信访人评价",
    "feedback": "填写反馈表",
}
