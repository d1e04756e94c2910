"""The one registry of a case's steps (环节): each is declared once, here, and the rest derives.

A step is what an agent records on a case. Its row says: its name (code), the label of its button
and page, the words of its entry in the history, the statuses it may follow and the one it leads
to, its form, its action, whether it carries a date, whether citizens see it on the public page,
the clocks it starts and stops by default, and its row in the capability table (``case_<name>``,
area 办理环节, granted to the agents of the case's unit). Derived from this table:

- the transition checks (``workflow.check``, ``allows``, ``available``);
- the buttons of the case page, in this table's order (``selectors.case_buttons``);
- the page of every step with a form (``views_steps.step``) and what it records (``actions.take_step``);
- the words of the history (``history.event_label``);
- ``DATED`` (dates that may not go backwards), ``PUBLIC`` (the public page's timeline),
  ``CLOCK_STEPS`` (the steps a clock may start or stop at), the seeded clocks' start and stop
  steps (``clock_steps_of``, read by ``xinfang.deadlines.seeds.CLOCKS``);
- the demo's path (``xinfang.demo.plans.REACHED_BY``) and the permission test's exercises.

Pages that record nothing but belong to some statuses (判断代理范围, 打印授权委托书, 填报内容) are
rows too, without an event: their buttons and status checks come from here as well. README, "How
to add a legal step", says how to add one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from django.urls import reverse

from xinfang.access import policy
from xinfang.access.models import Reach, Role
from xinfang.cases import forms_people
from xinfang.cases import forms_steps as forms
from xinfang.cases import step_rules as rules
from xinfang.cases.models import (
    FINAL_STATUSES,
    HANDLING_STATUSES,
    FileKind,
    NotAcceptAgainGround,
    NotAcceptGround,
)
from xinfang.cases.models import CaseStatus as S
from xinfang.cases.step_rules import TransitionError as TransitionError  # where callers find it
from xinfang.cases.step_rules import check_date_order as check_date_order

AREA = policy.STEPS_AREA
AGENTS_OF_THE_UNIT: Mapping[str, str] = MappingProxyType({Role.AGENT: Reach.UNIT})
# Who moves a case to another agent: the unit's head, and bureau staff for every unit.
SUPERVISORS: Mapping[str, str] = MappingProxyType({Role.UNIT_HEAD: Reach.UNIT, Role.BUREAU: Reach.COUNTY})


@dataclass(frozen=True)
class Step:
    name: str
    label: str  # its button and its page's title: 登记受理
    event: str = ""  # its words in the history: 受理. "" for a page that records nothing
    sources: frozenset[str] = frozenset()  # the statuses it may follow
    target: str | None = None  # the status it leads to; None: the status stays
    form: type | None = None  # the form of its page (``forms_steps``); default: a date only
    action: str = ""  # a function of ``xinfang.cases.actions`` for a step of its own shape
    dated: bool = False  # it carries the day it happened; later steps may not be dated before it
    public: bool = False  # citizens see it on the public progress page
    public_label: str = ""  # its words there, where not those of the history
    starts: tuple[str, ...] = ()  # clocks (codes) it starts, as seeded; the clocks are data
    stops: tuple[str, ...] = ()  # clocks it stops, as seeded
    extends: tuple[str, ...] = ()  # running clocks it lengthens by its ``days``
    pauses: tuple[str, ...] = ()  # running clocks that do not count its days, ``on`` to ``ended_on``
    window: str = ""  # the clock (code) of the request window it closes: late, it needs a reason
    once: bool = False  # taken at most once on a case (its button goes once it is)
    sets: Mapping[str, str] = field(default_factory=dict)  # case field ← form field
    records: tuple[str, ...] = ()  # form fields written to the event: never personal values
    document: str = ""  # the FileKind under which the form's ``document`` is kept
    rule: Callable[..., None] | None = None  # more checks on the locked case; raises TransitionError
    url_name: str = "cases:step"  # its page
    title: str = ""  # its page's heading, where not the label
    shown: frozenset[str] | None = None  # where its button shows; None: wherever it may be taken
    danger: bool = False  # a button that ends the case (red)
    leads: bool = False  # a page that leads on to the next status (its button may be the main one)
    links: tuple[tuple[str, str], ...] = ()  # more buttons beside its own: (label, url name)
    done: str = ""  # the message once recorded; ``{count}`` is the number of things it made
    capability: str = ""  # "" for its own row ``case_<name>``; else the code of an existing row
    duty: str = ""  # its row's words on the page 谁能做什么, where not the label
    grants: Mapping[str, str] = field(default_factory=lambda: dict(AGENTS_OF_THE_UNIT))

    @property
    def records_event(self) -> bool:
        return bool(self.event)

    @property
    def page_title(self) -> str:
        return self.title or self.label

    @property
    def done_message(self) -> str:
        return self.done or f"已{self.label}。"

    @property
    def date_label(self) -> str:
        return f"{self.label.removeprefix('登记')}日期"

    def shows_in(self, status: str) -> bool:
        return status in (self.sources if self.shown is None else self.shown)

    def url(self, case) -> str:
        args = [case.pk, self.name] if self.url_name == "cases:step" else [case.pk]
        return reverse(self.url_name, args=args)


STEPS: dict[str, Step] = {}


def declare(step: Step) -> Step:
    """Add a step, and its row to the capability table unless it borrows another one's (a test
    checks that every borrowed row exists)."""
    if step.name in STEPS:
        raise ValueError(f"step {step.name!r} declared twice")
    if not step.capability:
        code = f"case_{step.name}"
        policy.declare(code, area=AREA, label=step.duty or step.label, grants=step.grants)
        step = replace(step, capability=code)
    STEPS[step.name] = step
    return step


def withdraw_step(name: str) -> None:
    """Take a step out again, with the row it declared (tests that declare a step of their own)."""
    step = STEPS.pop(name)
    if step.capability == f"case_{name}":
        policy.CAPABILITIES.pop(step.capability, None)


def form_for(step: Step) -> type:
    return step.form or forms.dated_form(step.date_label)


class Names:
    """A live, ordered selection of step names: a step declared later is in it too."""

    def __init__(self, keep: Callable[[Step], bool]):
        self._keep = keep

    def __iter__(self) -> Iterator[str]:
        return iter([s.name for s in STEPS.values() if self._keep(s)])

    def __contains__(self, name: object) -> bool:
        step = STEPS.get(name) if isinstance(name, str) else None
        return step is not None and self._keep(step)

    def __len__(self) -> int:
        return len(list(iter(self)))

    def __repr__(self) -> str:
        return f"Names({list(self)!r})"


DATED = Names(lambda s: s.dated)
PUBLIC = Names(lambda s: s.public)
RECORDED = Names(lambda s: s.records_event)
# The dated steps of the handling after submission (《信访工作条例》第22-36条), and withdrawal.
HANDLING_STEPS = Names(lambda s: s.dated and bool(s.sources & HANDLING_STATUSES))
# The steps a clock may start or stop at: those that carry their day.
CLOCK_STEPS = DATED


def clock_steps_of(code: str) -> tuple[str, tuple[str, ...]]:
    """The step that starts the clock ``code`` as seeded, and the steps that stop it."""
    starts = [s.name for s in STEPS.values() if code in s.starts]
    if len(starts) != 1:
        raise LookupError(f"clock {code!r}: {len(starts)} steps start it, one should")
    return starts[0], tuple(s.name for s in STEPS.values() if code in s.stops)


def reaching(status: str) -> list[Step]:
    """The steps that lead to ``status``."""
    return [s for s in STEPS.values() if s.target == status]


# --- The table ----------------------------------------------------------------------------------

INTAKE_PHASE = frozenset({S.INTAKE, S.IN_SCOPE, S.AUTHORIZED})
NOWHERE: frozenset[str] = frozenset()
ACCEPTANCE_CLOCKS = ("accept_notice", "competence_objection")

for _step in (
    # Reception and proxying (seed 附件 三(一)-(三)).
    Step(
        "open",
        "登记新事项",
        event="登记",
        target=S.INTAKE,
        action="open_case",
        dated=True,
        url_name="cases:new",
    ),
    Step(
        "edit",
        "修改登记信息",
        event="修改登记信息",
        sources=INTAKE_PHASE,
        action="update_case",
        url_name="cases:edit",
        shown=NOWHERE,  # in the page's head
    ),
    Step(
        "reopen_scope",
        "重新判断代理范围",
        event="因修改内容，重新判断代理范围",
        sources=frozenset({S.IN_SCOPE, S.AUTHORIZED}),
        target=S.INTAKE,
        url_name="",  # taken by ``update_case`` when an answer that bears on scope changes
        capability="case_edit",
    ),
    Step(
        "add_petitioner",
        "添加联名信访人",
        event="添加联名信访人",
        sources=frozenset({S.INTAKE, S.IN_SCOPE}),
        form=forms_people.CoPetitionerForm,
        action="add_co_petitioner",
        shown=NOWHERE,  # in the card of the petitioners
        done="已添加联名信访人。",
    ),
    Step(
        "remove_petitioner",
        "移除联名信访人",
        event="移除联名信访人",
        sources=frozenset({S.INTAKE, S.IN_SCOPE}),
        form=forms_people.RemoveCoPetitionerForm,
        action="remove_co_petitioner",
        shown=NOWHERE,  # in the card of the petitioners
        capability="case_add_petitioner",
    ),
    Step(
        "decide_scope",
        "判断代理范围",
        sources=frozenset({S.INTAKE}),
        url_name="cases:scope",
        leads=True,
        capability="case_accept_scope",
    ),
    Step(
        "accept_scope",
        "属于代理范围",
        event="确认属于代理范围",
        sources=frozenset({S.INTAKE}),
        target=S.IN_SCOPE,
        action="accept_scope",
        url_name="cases:scope",
        shown=NOWHERE,
        duty="判断代理范围：确认属于代理范围",
    ),
    Step(
        "refer",
        "引导走法定途径",
        event="引导信访人走法定途径",
        sources=frozenset({S.INTAKE, S.IN_SCOPE}),
        target=S.REFERRED,
        action="refer_case",
        url_name="cases:scope",
        shown=NOWHERE,
        duty="判断代理范围：引导信访人走诉讼、仲裁、行政复议等法定途径",
    ),
    Step(
        "print_authorization",
        "打印授权委托书",
        # Until the case ends: after a handover the letter is printed again for the new agent.
        sources=frozenset(S.values) - FINAL_STATUSES - {S.INTAKE},
        url_name="cases:authorization",
        shown=frozenset({S.IN_SCOPE}),
        links=(("下载 Word 版", "cases:authorization_docx"),),
        capability="print_authorization",
    ),
    Step(
        "authorize",
        "登记授权委托",
        event="登记授权委托",
        sources=frozenset({S.IN_SCOPE}),
        target=S.AUTHORIZED,
        form=forms.AuthorizationForm,
        action="record_authorization",
        dated=True,
        rule=rules.signed_after_reception,
        done="已登记授权委托。下一步：上传诉求附件（如有），按填报内容在平台上提交。",
    ),
    Step(
        "prepare",
        "网上投诉填报内容",
        sources=frozenset({S.AUTHORIZED, S.SUBMITTED}),
        url_name="cases:prepared",
        capability="case_submit",
    ),
    Step(
        "attach",
        "上传附件",
        event="上传附件",
        sources=frozenset({S.INTAKE, S.IN_SCOPE, S.AUTHORIZED, S.SUBMITTED}),
        form=forms.AttachmentForm,
        action="attach_files",
        title="上传诉求附件",
        shown=frozenset({S.AUTHORIZED}),  # and in the card of the case's files
        done="已上传 {count} 个附件。",
    ),
    Step(
        "submit",
        "登记网上提交",
        event="登记网上提交",
        sources=frozenset({S.AUTHORIZED}),
        target=S.SUBMITTED,
        form=forms.SubmissionForm,
        action="record_submission",
        dated=True,
        public=True,
        public_label="网上提交投诉",
        starts=("forward",),
        done="已登记网上提交。请按时跟踪办理进展。",
    ),
    # The handling body's steps (《信访工作条例》第22-36条), each a form with its date.
    Step(
        "forward",
        "登记转送交办",
        event="转送、交办有权处理机关",
        sources=frozenset({S.SUBMITTED}),
        target=S.FORWARDED,
        form=forms.ForwardForm,
        dated=True,
        public=True,
        stops=("forward",),
        sets={"forward_mode": "mode", "handling_body": "handling_body", "forwarded_on": "on"},
        records=("mode",),
    ),
    Step(
        "receive",
        "登记有权处理机关收到",
        event="有权处理机关收到",
        sources=frozenset({S.FORWARDED}),
        target=S.RECEIVED,
        form=forms.ReceiveForm,
        dated=True,
        public=True,
        starts=ACCEPTANCE_CLOCKS,
        sets={"body_received_on": "on"},
        rule=rules.received_after_forwarding,
    ),
    Step(
        "accept",
        "登记受理",
        event="受理",
        sources=frozenset({S.RECEIVED}),
        target=S.ACCEPTED,
        form=forms.AcceptForm,
        dated=True,
        public=True,
        starts=("conclude",),
        stops=ACCEPTANCE_CLOCKS,
        sets={"accepted_on": "on"},
    ),
    # 不予受理 / 不再受理: the written notice reaches the petitioner, who rates it like any reply.
    Step(
        "not_accept",
        "登记不予受理",
        event="不予受理",
        sources=frozenset({S.RECEIVED}),
        target=S.NOT_ACCEPTED,
        form=forms.NotAcceptForm,
        rule=rules.grounds_of(NotAcceptGround),
        dated=True,
        public=True,
        stops=ACCEPTANCE_CLOCKS,
        sets={"delivered_on": "on"},
        records=("grounds", "reason"),
        document=FileKind.REFUSAL,
    ),
    Step(
        "not_accept_again",
        "登记不再受理",
        event="不再受理",
        sources=frozenset({S.RECEIVED}),
        target=S.NOT_ACCEPTED_AGAIN,
        form=forms.NotAcceptAgainForm,
        rule=rules.grounds_of(NotAcceptAgainGround),
        dated=True,
        public=True,
        stops=ACCEPTANCE_CLOCKS,
        sets={"delivered_on": "on"},
        records=("grounds", "reason"),
        document=FileKind.REFUSAL,
    ),
    # 管辖异议 (第二十三条): the body finds the matter outside its powers within its window, and the
    # matter goes to another body, whose receipt starts the acceptance clocks again.
    Step(
        "object",
        "登记管辖异议",
        event="有权处理机关提出管辖异议，改送其他机关",
        sources=frozenset({S.RECEIVED}),
        target=S.FORWARDED,
        form=forms.ObjectionForm,
        action="record_objection",
        dated=True,
        public=True,
        public_label="有权处理机关认为不属于其职权范围，已改送其他机关",
        stops=ACCEPTANCE_CLOCKS,
        window="competence_objection",
        done="已登记管辖异议，事项已改送新的有权处理机关。新机关收到后，请登记收到日期。",
    ),
    Step(
        "extend",
        "登记延期",
        event="延期",
        sources=frozenset({S.ACCEPTED}),
        form=forms.ExtendForm,
        dated=True,
        public=True,
        extends=("conclude",),
        records=("days", "approver", "reason", "told_on"),
        rule=rules.one_extension,
        once=True,
    ),
    Step(
        "conclude",
        "登记办结",
        event="办结",
        sources=frozenset({S.ACCEPTED}),
        target=S.CONCLUDED,
        form=forms.ConcludeForm,
        dated=True,
        public=True,
        stops=("conclude",),
        sets={"concluded_on": "on", "handling_opinion": "opinion"},
        records=("opinion",),
        document=FileKind.REPLY,
    ),
    Step(
        "deliver",
        "登记答复送达",
        event="答复送达信访人",
        sources=frozenset({S.CONCLUDED}),
        target=S.DELIVERED,
        form=forms.DeliverForm,
        dated=True,
        public=True,
        starts=("review_request",),
        sets={"delivered_on": "on"},
    ),
    Step(
        "request_review",
        "登记申请复查",
        event="申请复查",
        sources=frozenset({S.DELIVERED}),
        target=S.REVIEW_REQUESTED,
        form=forms.RequestReviewForm,
        dated=True,
        public=True,
        starts=("review_opinion",),
        stops=("review_request",),
        records=("reviewing_body",),
        window="review_request",
    ),
    Step(
        "review",
        "登记复查意见",
        event="复查意见",
        sources=frozenset({S.REVIEW_REQUESTED}),
        target=S.REVIEWED,
        form=forms.ReviewForm,
        dated=True,
        public=True,
        stops=("review_opinion",),
        records=("outcome",),
        document=FileKind.REVIEW,
    ),
    Step(
        "deliver_review",
        "登记复查意见送达",
        event="复查意见送达信访人",
        sources=frozenset({S.REVIEWED}),
        form=forms.DeliverReviewForm,
        dated=True,
        public=True,
        starts=("re_review_request",),  # 第三十六条: the 复核 window runs from the receipt
        sets={"review_delivered_on": "on"},
        once=True,
        leads=True,
    ),
    Step(
        "request_re_review",
        "登记申请复核",
        event="申请复核",
        sources=frozenset({S.REVIEWED}),
        target=S.RE_REVIEW_REQUESTED,
        form=forms.RequestReReviewForm,
        dated=True,
        public=True,
        starts=("re_review_opinion",),
        stops=("re_review_request",),
        records=("reviewing_body",),
        window="re_review_request",
    ),
    # 听证 in 复核 (第三十六条): "听证所需时间不计算在前款规定的期限内".
    Step(
        "hear",
        "登记听证",
        event="举行听证",
        sources=frozenset({S.RE_REVIEW_REQUESTED}),
        form=forms.HearingForm,
        dated=True,
        public=True,
        pauses=("re_review_opinion",),
        records=("ended_on",),
        rule=rules.hearing_period,
    ),
    Step(
        "re_review",
        "登记复核意见",
        event="复核意见（终结）",
        sources=frozenset({S.RE_REVIEW_REQUESTED}),
        target=S.RE_REVIEWED,
        form=forms.ReReviewForm,
        dated=True,
        public=True,
        stops=("re_review_opinion",),
        records=("outcome",),
        document=FileKind.RE_REVIEW,
        rule=rules.after_the_hearings,
    ),
    Step(
        "withdraw",
        "撤回委托",
        event="信访人撤回委托",
        sources=INTAKE_PHASE | HANDLING_STATUSES,
        target=S.WITHDRAWN,
        form=forms.WithdrawForm,
        dated=True,
        public=True,
        records=("reason",),
        document=FileKind.WITHDRAWAL,
        shown=HANDLING_STATUSES,
        danger=True,
    ),
    # The case's people: related cases (集体访 and its members' cases), and the agent holding it.
    Step(
        "link",
        "关联事项",
        event="关联事项",
        sources=frozenset(S.values) - FINAL_STATUSES,
        form=forms_people.LinkForm,
        action="link_case",
        shown=NOWHERE,  # in the card of related cases
        done="已关联。",
        grants={Role.AGENT: Reach.UNIT, Role.BUREAU: Reach.COUNTY},
    ),
    Step(
        "hand_over",
        "移交代理员",
        event="移交代理员",
        sources=frozenset(S.values) - FINAL_STATUSES,
        form=forms_people.HandOverForm,
        action="hand_over",
        done="已移交，新的代理员继续办理。",
        duty="移交事项给本单位另一名代理员",
        grants=SUPERVISORS,
    ),
    # 跟踪督办 (seed 附件 三(四)): dated by the agent, but not a step of the handling itself.
    Step(
        "follow_up",
        "记录跟踪督办",
        event="跟踪督办",
        sources=HANDLING_STATUSES,
        form=forms.FollowUpForm,
        action="record_follow_up",
    ),
):
    declare(_step)
