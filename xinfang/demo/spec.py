"""``Spec``: what one demo case is (where, who, how far it went, what about), and the bodies
that review it."""

from __future__ import annotations

from dataclasses import dataclass

REVIEWER = "镇坪县人民政府"
RE_REVIEWER = "安康市人民政府"


@dataclass(frozen=True)
class Spec:
    """One demo case: where, who, how far it went, and what it is about."""

    unit: str
    person: str
    status: str  # a CaseStatus value
    # Days before today of the step that gave the case its status (the reception for 登记中、
    # 待委托、已引导; the signature for 已委托; the submission, 转送, 受理, 办结 … after that).
    # The earlier steps are placed before it at realistic intervals. Ignored when ``due_in`` is set.
    days_ago: int
    category: str
    kind: str
    respondent: str
    ptype: str
    title: str
    content: str
    place: str = ""
    town: str = ""  # incident town; defaults to the unit when it is a town, else the person's town
    flags: tuple[
        str, ...
    ] = ()  # court_accepted, arbitration_accepted, reconsideration_done, has_review_opinion
    channel: str = ""  # referral channel for status "referred"
    note: str = ""
    platform: str = "陕西省网上信访大厅"
    confirmed: bool = False  # the agent filled in the authorization and the petitioner confirmed
    attachments: int = 0  # photos added to the complaint
    agent: str = ""  # username; defaults to the unit's first agent
    allow_public: bool = False
    # After submission (《信访工作条例》第22-36条).
    body: str = ""  # 有权处理机关, from 转送交办 on
    assign: bool = False  # 交办 rather than 转送
    # Place the case by its running statutory clock instead of ``days_ago``: the clock falls due
    # this many days from today (negative: overdue by that many days; 0-3: due within 3 workdays).
    due_in: int | None = None
    extension: int = 0  # 延期 days approved by the body's head (≤ 30, once)
    opinion: str = ""  # 处理意见 at 办结 (HandlingOpinion); 支持 by default
    outcome: str = ""  # 复查、复核 outcome (ReviewOutcome); 维持 by default
    reason: str = ""  # why 不予受理、不再受理, 撤回委托 or 延期
    grounds: str = ""  # the ground of 不予受理 / 不再受理 (NotAcceptGround …); 其他 by default
    # 管辖异议 (第二十三条): the first body objects with this reason, and the matter goes to
    # ``new_body``; the case waits for the new body's receipt (status 已转送交办).
    objection: str = ""
    new_body: str = ""
    hearing_days: int = 0  # a 复核 hearing of this many days (第三十六条), after the request
    late_reason: str = ""  # the 复查 request comes after its 30 days, for this reason
    withdrawn_from: str = ""  # for "withdrawn": the status the case had when the petitioner withdrew
    # The people of the case: more petitioners (联名; in a 集体访 its representatives), the count
    # of people (five or more: 集体访), the agent it was handed over to by the unit head (a
    # username), and the title of a case of the same unit it is linked to.
    co_people: tuple[str, ...] = ()
    people_count: int = 0
    handed_to: str = ""
    link_title: str = ""
    follow: str = ""  # the last 跟踪督办: "today" (next one due today), "later", "missed" (next one passed)
