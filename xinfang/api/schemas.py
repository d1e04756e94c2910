"""What the API answers, as schemas (they make the OpenAPI document, and every answer is checked
against them). Personal values are masked as on the ledger; ``POST /cases/{id}/reveal`` shows
one whole, logged like the page's.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from xinfang.cases.models import CaseStatus

if TYPE_CHECKING:
    Status = str
else:
    Status = Literal[tuple(CaseStatus.values)]  # a case's status: one of these


class Ref(Schema):
    id: int
    name: str


class CaseRow(Schema):
    """A row of the ledger: the name whole, the ID number and the phone masked."""

    id: int
    number: str
    unit: Ref
    status: Status
    status_label: str
    received_on: datetime.date
    title: str
    category: Ref
    petition_type: str
    people_count: int
    petitioner_name: str
    id_number_masked: str
    phone_masked: str
    agent: Ref
    submitted_at: datetime.datetime | None
    accepted_on: datetime.date | None
    concluded_on: datetime.date | None
    delivered_on: datetime.date | None
    closed_on: datetime.date | None
    late_requests: int = Field(description="逾期提出并写明理由的申请数")


class CasePage(Schema):
    items: list[CaseRow]
    next_cursor: str | None = Field(description="下一页的游标；没有下一页时为 null")


class Person(Schema):
    position: int | None = Field(description="联名信访人的顺序；第一信访人为 null")
    name: str
    id_kind: str
    id_number_masked: str
    phone_masked: str
    address_masked: str
    work_unit: str
    reveal: list[str] = Field(description="可用 POST /cases/{id}/reveal 查看完整值的字段名")


class Event(Schema):
    id: int
    at: datetime.datetime
    on: datetime.date | None
    action: str
    label: str
    by: str
    from_status: str
    to_status: str
    notes: list[str]


class Deadline(Schema):
    clock: str
    name: str
    kind: str
    started_on: datetime.date
    due_on: datetime.date
    stopped_on: datetime.date | None
    state: str
    overdue: bool
    days_left: int | None
    provisional: bool


class RatingOut(Schema):
    channel: str
    office_satisfaction: str
    body_satisfaction: str
    rated_on: datetime.date
    comment: str


class FileOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    size: int
    content_type: str
    sha256: str
    created_at: datetime.datetime


class FollowUpOut(Schema):
    id: int
    on: datetime.date
    means: str
    contact: str
    content: str
    next_on: datetime.date | None
    by: str


class LateRequest(Schema):
    label: str
    window_end: datetime.date
    reason: str


class CaseDetail(CaseRow):
    """A case with its people, complaint, handling, events, clocks, rating, files and follow-ups."""

    petitioners: list[Person]
    respondent_kind: str
    respondent_name: str
    incident_town: Ref | None
    incident_place: str
    allow_public: bool
    court_accepted: bool
    reconsideration_done: bool
    arbitration_accepted: bool
    has_review_opinion: bool
    content: str
    referral_channel: str
    scope_note: str
    authorization_mode: str
    authorized_on: datetime.date | None
    platform: Ref | None
    platform_username_masked: str
    query_code_masked: str
    handling_body: str
    forward_mode: str
    forwarded_on: datetime.date | None
    body_received_on: datetime.date | None
    handling_opinion: str
    review_delivered_on: datetime.date | None
    late: list[LateRequest]
    steps_available: list[str] = Field(
        description="本账户现在可以办理的环节（POST /cases/{id}/steps/{name}）"
    )
    related: list[str] = Field(description="关联事项的编号（本账户可见的）")
    events: list[Event]
    deadlines: list[Deadline]
    rating: RatingOut | None
    files: list[FileOut]
    follow_ups: list[FollowUpOut]


class Revealed(Schema):
    field: str
    value: str


class RevealIn(Schema):
    model_config = ConfigDict(extra="forbid", strict=True)
    field: Literal[
        "id_number", "mobile", "landline", "address", "platform_username", "platform_password", "query_code"
    ]
    position: int | None = Field(
        default=None, ge=2, le=100, description="联名信访人的顺序（只用于证件号码、电话、住址）"
    )


class Me(Schema):
    id: int
    username: str
    name: str
    role: str
    role_label: str
    unit: Ref | None
    capabilities: dict[str, str] = Field(description="本账户可做的事及范围（unit 本单位 / county 全县）")
    token: str = Field(description="本次请求所用令牌的开头")
    token_expires_at: datetime.datetime
    requests_per_minute: int


# --- Risk reports ------------------------------------------------------------------------------------


class ReportRow(Schema):
    id: int
    unit: Ref
    kind: str
    kind_label: str
    urgency: str
    status: str
    happened_on: datetime.date
    created_at: datetime.datetime
    case_number: str | None


class ReportDetail(ReportRow):
    description: str
    petitioner_name: str
    reported_by: str
    acknowledged_at: datetime.datetime | None
    disposal: str
    disposed_at: datetime.datetime | None


class ReportPage(Schema):
    items: list[ReportRow]
    next_cursor: str | None


class ReportIn(Schema):
    model_config = ConfigDict(extra="forbid", strict=True)
    kind: Literal["escalation", "extreme", "collective", "repeated", "trend"]
    urgency: Literal["urgent", "normal"]
    happened_on: str = Field(json_schema_extra={"format": "date"}, max_length=10)
    description: str = Field(min_length=1, max_length=4000)
    petitioner_name: str = Field(default="", max_length=30)
    case: int | None = Field(default=None, ge=1, le=2**53)


class DisposalIn(Schema):
    model_config = ConfigDict(extra="forbid", strict=True)
    disposal: str = Field(min_length=1, max_length=4000)


# --- Figures, calendar, public look-up -------------------------------------------------------------------


class RateOut(Schema):
    numerator: int
    denominator: int
    value: float | None
    few: bool


class FigureRow(Schema):
    unit: Ref | None
    name: str
    proxied: int
    target: int
    met: bool
    online: RateOut
    online_target: int | None
    online_met: bool | None
    tallies: dict[str, int]
    participation: RateOut
    satisfaction: RateOut
    satisfied: RateOut
    timely_acceptance: RateOut
    timely_conclusion: RateOut
    open: int
    overdue: int


class Figures(Schema):
    period: str
    kind: str
    start: datetime.date
    end: datetime.date
    as_of: datetime.date
    frozen: bool = Field(description="本期为已发布通报的月份：数字按发布时冻结")
    bulletin: str | None
    units: list[FigureRow]
    county: FigureRow | None


class Day(Schema):
    date: datetime.date
    name: str


class CalendarOut(Schema):
    year: int
    entered: bool = Field(description="该年的放假安排已录入；未录入的年份只按周末计算，期限为暂定")
    holidays: list[Day]
    workdays: list[Day]


class DueOut(Schema):
    start: datetime.date
    length: int
    day_count: str
    due_on: datetime.date
    provisional: bool
    steps: list[str]


class TrackIn(Schema):
    model_config = ConfigDict(extra="forbid", strict=True)
    code: str = Field(min_length=1, max_length=60, description="查询码")
    last4: str = Field(min_length=1, max_length=8, description="手机号（或固定电话）后四位")


class PublicStep(Schema):
    label: str
    on: datetime.date | None


class PublicDeadline(Schema):
    name: str
    due_on: datetime.date
    state: str


class Progress(Schema):
    number: str
    status: Status
    status_label: str
    steps: list[PublicStep]
    deadlines: list[PublicDeadline]
    delivered: bool
    rated: bool
