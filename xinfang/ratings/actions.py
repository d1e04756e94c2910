"""What changes ratings and feedback forms (seed 附件 三(五) 反馈评价).

Each action checks the acting user against the capability table and the case's unit first
(``record_rating``, ``record_feedback``), then runs in one transaction: lock the case row, check
the case's status and the rules below, save, and write one event in the case's history
(``xinfang.cases.history``: action ``rate`` or ``feedback``) that carries codes, dates and field
names, never what the petitioner said or who they are.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from xinfang.access import rules
from xinfang.cases import workflow
from xinfang.cases.history import locked, record_event
from xinfang.cases.models import Case
from xinfang.cases.models import CaseStatus as S
from xinfang.core import files
from xinfang.notify.actions import notify
from xinfang.notify.selectors import bureau_staff
from xinfang.ratings.models import (
    AgentRating,
    BodyReason,
    FeedbackForm,
    InstructionMeans,
    OfficeReason,
    Rating,
    RatingChannel,
    Satisfaction,
)


class RatingError(workflow.TransitionError):
    """A rating or feedback form that the rules refuse; the message is for the user.

    A ``DomainError`` (through TransitionError, which callers that show a refused step of the
    case, such as the public page, catch).
    """


# Rated once the written reply has reached the petitioner (第35条: the review window opens then),
# or the written notice of 不予受理 / 不再受理: an outcome like any other (附件2 question 2 asks
# whether it was told in time).
REFUSED = frozenset({S.NOT_ACCEPTED, S.NOT_ACCEPTED_AGAIN})
RATEABLE = (
    frozenset({S.DELIVERED, S.REVIEW_REQUESTED, S.REVIEWED, S.RE_REVIEW_REQUESTED, S.RE_REVIEWED}) | REFUSED
)
# The 反馈表 goes with the reply: from 办结 on (it is filled when the reply is delivered), and
# with the notice of a refusal.
FEEDBACK_STATUSES = frozenset({S.CONCLUDED}) | RATEABLE

ALREADY_RATED = "该事项已评价，不能重复评价。"
UNSATISFIED_LEVEL = "warning"
MIN_DELIVERERS = 2  # 附件2: 送达人（至少2名工作人员）
NAME_SEPARATORS = re.compile(r"[、，,;；\s]+")

FEEDBACK_FIELDS = (
    "documents",
    "document_count",
    "truthful",
    "notified_in_time",
    "forwarded_in_time",
    "agent_rating",
    "office_satisfaction",
    "office_reasons",
    "office_comment",
    "body_satisfaction",
    "body_reasons",
    "body_comment",
    "delivered_by",
    "delivered_at",
    "petitioner_signed",
    "signed_on",
)
REASONS = {"office_reasons": OfficeReason, "body_reasons": BodyReason}
SATISFACTION_OF = {"office_reasons": "office_satisfaction", "body_reasons": "body_satisfaction"}
COMMENT_OF = {"office_reasons": "office_comment", "body_reasons": "body_comment"}


# Only the columns the rules read: the public page's call never decrypts personal data.
LOCKED_FIELDS = ("id", "number", "status", "agent_id", "unit_id", "concluded_on", "delivered_on")


# --- Who may do what, and when ----------------------------------------------------------------------


def rating_refusal(case: Case, *, rated: bool | None = None) -> str | None:
    """Why the case cannot be rated now, or None. One rating per case (``rated``: whether it
    has one, where the caller has just read it; else asked here)."""
    if case.status == S.WITHDRAWN:
        return "该事项已撤回委托，不再登记评价。"
    if case.status not in RATEABLE or case.delivered_on is None:
        return f"书面答复送达信访人后才能评价（当前状态为“{S(case.status).label}”）。"
    if rated is None:
        rated = Rating.objects.filter(case_id=case.pk).exists()
    if rated:
        return ALREADY_RATED
    return None


def feedback_refusal(case: Case) -> str | None:
    """Why the 反馈表 cannot be filled or changed now, or None."""
    if case.status == S.WITHDRAWN:
        return "该事项已撤回委托，不再填写反馈表。"
    if case.status not in FEEDBACK_STATUSES:
        return f"事项不予受理、不再受理或办结后才能填写反馈表（当前状态为“{S(case.status).label}”）。"
    return None


# --- Ratings --------------------------------------------------------------------------------------------


def _choice(choices, value: str, message: str) -> str:
    try:
        return choices(value).value
    except ValueError:
        raise RatingError(message) from None


def _who_rated(channel: str, by, means: str, instructed_at: datetime.datetime | None):
    """The instruction's means and time where the agent rated for the petitioner, else none."""
    if channel == RatingChannel.PUBLIC:
        if by is not None:
            raise RatingError("“信访人在本平台查询页评价”只能由信访人本人提交，工作人员请选择其他评价方式。")
    elif by is None:
        raise RatingError("代理员登记评价时应记录登记人。")
    if channel != RatingChannel.AGENT:
        return "", None
    means = _choice(InstructionMeans, means, "代为评价的，请选择信访人表达意见的方式（电话或当面）。")
    if instructed_at is None:
        raise RatingError("代为评价的，请填写信访人表达意见的日期和时间。")
    return means, instructed_at


def _rating_day(
    case: Case, rated_on: datetime.date | None, instructed_at: datetime.datetime | None
) -> datetime.date:
    """The day of the rating (today unless given): after the reply's delivery and the
    petitioner's instruction, not in the future."""
    delivered_on = case.delivered_on
    assert delivered_on is not None  # rating_refusal came first
    today = timezone.localdate()
    rated_on = rated_on or today
    if rated_on > today:
        raise RatingError("评价日期不能晚于今天。")
    if rated_on < delivered_on:
        raise RatingError(f"评价日期不能早于答复送达日期（{delivered_on:%Y-%m-%d}）。")
    if instructed_at is not None:
        if instructed_at > timezone.now():
            raise RatingError("信访人表达意见的时间不能晚于现在。")
        instructed_on = timezone.localtime(instructed_at).date()
        if instructed_on < delivered_on:
            raise RatingError(f"信访人表达意见的时间不能早于答复送达日期（{delivered_on:%Y-%m-%d}）。")
        if rated_on < instructed_on:
            raise RatingError("评价日期不能早于信访人表达意见的日期。")
    return rated_on


def rating_problems(case: Case, data: dict[str, Any]) -> dict[str, str]:
    """What is wrong with a rating to be entered by staff, by field (``channel``, ``rated_on``,
    ``instruction_means``, ``instructed_at``); empty when ``record_rating`` will take it. The
    forms show these at their fields; the action checks the same again."""
    problems: dict[str, str] = {}
    channel = data.get("channel")
    if channel not in (RatingChannel.PLATFORM, RatingChannel.AGENT):
        problems["channel"] = "请选择评价方式。"
    delivered_on, today = case.delivered_on, timezone.localdate()
    rated_on = data.get("rated_on")
    if isinstance(rated_on, datetime.date):
        if rated_on > today:
            problems["rated_on"] = "评价日期不能晚于今天。"
        elif delivered_on and rated_on < delivered_on:
            problems["rated_on"] = f"评价日期不能早于答复送达日期（{delivered_on:%Y-%m-%d}）。"
    if channel != RatingChannel.AGENT:
        return problems
    if data.get("instruction_means") not in InstructionMeans.values:
        problems["instruction_means"] = "代为评价的，请选择信访人是通过电话还是当面表达的意见。"
    instructed_at = data.get("instructed_at")
    if not isinstance(instructed_at, datetime.datetime):
        problems["instructed_at"] = "代为评价的，请填写信访人表达意见的日期和时间。"
        return problems
    instructed_on = timezone.localtime(instructed_at).date()
    if instructed_at > timezone.now():
        problems["instructed_at"] = "信访人表达意见的时间不能晚于现在。"
    elif delivered_on and instructed_on < delivered_on:
        problems["instructed_at"] = f"信访人表达意见的时间不能早于答复送达日期（{delivered_on:%Y-%m-%d}）。"
    elif isinstance(rated_on, datetime.date) and rated_on < instructed_on and "rated_on" not in problems:
        problems["rated_on"] = "评价日期不能早于信访人表达意见的日期。"
    return problems


def record_rating(
    case: Case,
    *,
    channel: str,
    office_satisfaction: str,
    body_satisfaction: str,
    comment: str = "",
    by=None,
    instruction_means: str = "",
    instructed_at: datetime.datetime | None = None,
    rated_on: datetime.date | None = None,
    request=None,
) -> Rating:
    """Record the petitioner's 满意度评价 of the petition office and of the handling body.

    1. The written reply must have been delivered (the rating is of the handling's result)
       and the case not yet rated: one rating per case, checked under the case's row lock
       and backed by the one-to-one column.
    2. The channel says who entered it (seed 附件 三(五)): ``platform``, the petitioner rated
       on the provincial platform with the query code and the agent records what was given;
       ``public``, the petitioner on this platform's public page (``by`` is None); ``agent``,
       the agent rated for a petitioner who cannot use a computer, on the petitioner's own
       spoken instruction, whose means (电话/当面) and time are recorded.
    3. 不满意 on either count alerts every active bureau staff user and the case's agent, who
       is then shown the guidance to ask for 复查 within its window (《信访工作条例》第35条;
       the seed's 三、3 二: the agent explains the policy or guides the petitioner to review).

    Staff entering a rating must be allowed to (``record_rating``, the case's unit), checked
    before anything else; the petitioner on the public page has proved the 查询码 instead.
    ``request`` goes with a refusal to the audit log.
    """
    if by is not None:
        rules.check(by, "record_rating", target=case, request=request)
    channel = _choice(RatingChannel, channel, "请选择评价方式。")
    office_satisfaction = _choice(Satisfaction, office_satisfaction, "请选择对信访机构的满意度评价。")
    body_satisfaction = _choice(Satisfaction, body_satisfaction, "请选择对有权处理机关的满意度评价。")
    instruction_means, instructed_at = _who_rated(channel, by, instruction_means, instructed_at)

    with transaction.atomic():
        case = locked(case, fields=LOCKED_FIELDS)
        refusal = rating_refusal(case)
        if refusal:
            raise RatingError(refusal)
        rated_on = _rating_day(case, rated_on, instructed_at)
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    case=case,
                    channel=channel,
                    office_satisfaction=office_satisfaction,
                    body_satisfaction=body_satisfaction,
                    comment=comment.strip(),
                    instruction_means=instruction_means,
                    instructed_at=instructed_at,
                    entered_by=by,
                    rated_on=rated_on,
                )
        except IntegrityError:
            # Two submissions at once on a database without row locks: the second loses.
            if Rating.objects.filter(case_id=case.pk).exists():
                raise RatingError(ALREADY_RATED) from None
            raise
        # CaseEvent.by may not be empty. The public page has no staff user, so the event is
        # put under the case's agent (the person answerable for the case) and ``channel``
        # says that the petitioner rated; Rating.entered_by stays empty, so the record and
        # the figures stay true.
        record_event(
            case,
            by=by or case.agent_id,
            action="rate",
            from_status=case.status,
            to_status=case.status,
            on=rated_on,
            channel=channel,
            office=office_satisfaction,
            body=body_satisfaction,
            means=instruction_means,
        )
        if rating.is_unsatisfied:
            _alert_unsatisfied(case, rating)
        return rating


def _alert_unsatisfied(case: Case, rating: Rating) -> None:
    """Tell the bureau and the agent at once; the text names the case by number only."""
    which = "、".join(
        name
        for name, value in (
            ("信访机构", rating.office_satisfaction),
            ("有权处理机关", rating.body_satisfaction),
        )
        if value == Satisfaction.UNSATISFIED
    )
    text = (
        f"事项 {case.number} 的满意度评价为“不满意”（{which}）。请做好政策解释和思想疏导，"
        "引导信访人在法定期限内依法申请复查；执意越级上访或扬言采取过激行为的，及时报告县信访局。"
    )
    recipients = [*bureau_staff()]
    agent = case.agent
    if agent.is_active:
        recipients.append(agent)
    notify(recipients=recipients, case=case, level=UNSATISFIED_LEVEL, text=text)


# --- The 反馈表 -------------------------------------------------------------------------------------------


def split_names(text: str) -> list[str]:
    """The delivering staff's names, separated by 、，, or spaces; repeats dropped, order kept."""
    names: list[str] = []
    for name in NAME_SEPARATORS.split(text or ""):
        if name and name not in names:
            names.append(name)
    return names


def _reason_codes(values: Iterable[str] | None, choices) -> list[str]:
    """Known codes in the form's order: the printed form ticks them in that order anyway."""
    given = set(values or ())
    return [code for code in choices.values if code in given]


def feedback_problems(case: Case, data: dict[str, Any]) -> dict[str, str]:
    """What is wrong with a 反馈表, by field; empty when it may be saved.

    Reasons are 不满意原因 on the paper form: they are refused with 满意 or 基本满意 rather than
    dropped, because the agent typed them for a reason and the printed form would contradict
    itself. With 不满意, at least one reason is asked for (on 附件2, ticking the reasons is how
    不满意 is marked), and 其他 needs its words in 具体意见内容.
    """
    problems: dict[str, str] = {}
    today = timezone.localdate()
    if not (data.get("documents") or "").strip():
        problems["documents"] = "请填写转送的答复意见书。"
    count = data.get("document_count")
    if not isinstance(count, int) or count < 1:
        problems["document_count"] = "件数至少为1。"
    for field in ("truthful", "notified_in_time", "forwarded_in_time"):
        if not isinstance(data.get(field), bool):
            problems[field] = "请选择“是”或“不是”。"
    if data.get("agent_rating") not in AgentRating.values:
        problems["agent_rating"] = "请选择对代理工作的评价。"
    for reasons_field, choices in REASONS.items():
        satisfaction = data.get(SATISFACTION_OF[reasons_field])
        if satisfaction not in Satisfaction.values:
            problems[SATISFACTION_OF[reasons_field]] = "请选择满意度评价。"
            continue
        given = list(data.get(reasons_field) or ())
        unknown = [code for code in given if code not in choices.values]
        if unknown:
            problems[reasons_field] = "不满意原因中有无法识别的选项。"
        elif satisfaction != Satisfaction.UNSATISFIED and given:
            problems[reasons_field] = (
                f"选择“{Satisfaction(satisfaction).label}”时不勾选不满意原因；信访人有不满意之处的，请选择“不满意”。"
            )
        elif satisfaction == Satisfaction.UNSATISFIED and not given:
            problems[reasons_field] = "选择“不满意”的，请至少勾选一项不满意原因。"
        elif "other" in given and not (data.get(COMMENT_OF[reasons_field]) or "").strip():
            problems[COMMENT_OF[reasons_field]] = "勾选了“其他”原因的，请在具体意见内容中写明。"
    if len(split_names(data.get("delivered_by") or "")) < MIN_DELIVERERS:
        problems["delivered_by"] = "送达人至少为2名工作人员，姓名之间用顿号、逗号或空格分隔。"
    delivered_at = data.get("delivered_at")
    if not isinstance(delivered_at, datetime.date):
        problems["delivered_at"] = "请填写送达时间。"
    elif delivered_at > today:
        problems["delivered_at"] = "送达时间不能晚于今天。"
    elif case.concluded_on and delivered_at < case.concluded_on:
        problems["delivered_at"] = f"送达时间不能早于办结日期（{case.concluded_on:%Y-%m-%d}）。"
    elif case.status in REFUSED and case.delivered_on and delivered_at < case.delivered_on:
        problems["delivered_at"] = f"送达时间不能早于书面告知信访人的日期（{case.delivered_on:%Y-%m-%d}）。"
    if data.get("petitioner_signed"):
        signed_on = data.get("signed_on")
        if not isinstance(signed_on, datetime.date):
            problems["signed_on"] = "信访人已签字的，请填写签字日期。"
        elif signed_on > today:
            problems["signed_on"] = "签字日期不能晚于今天。"
        elif isinstance(delivered_at, datetime.date) and signed_on < delivered_at:
            problems["signed_on"] = "签字日期不能早于送达时间。"
    return problems


def save_feedback_form(
    case: Case, *, by, data: dict[str, Any], signed_scan: files.Checked | None = None
) -> FeedbackForm:
    """Fill in or correct the 反馈表 (seed 附件2) of a concluded case; keep the signed scan.

    ``data`` holds the fields of ``FEEDBACK_FIELDS``. A new scan replaces the one shown;
    the earlier file stays stored, and each event names the scan it added.
    """
    rules.check(by, "record_feedback", target=case)
    with transaction.atomic():
        case = locked(case, fields=LOCKED_FIELDS)
        refusal = feedback_refusal(case)
        if refusal:
            raise RatingError(refusal)
        problems = feedback_problems(case, data)
        if problems:
            raise RatingError("反馈表未保存：" + "；".join(problems.values()))
        values: dict[str, Any] = {field: data.get(field) for field in FEEDBACK_FIELDS}
        values["documents"] = values["documents"].strip()
        values["office_comment"] = (values["office_comment"] or "").strip()
        values["body_comment"] = (values["body_comment"] or "").strip()
        values["delivered_by"] = "、".join(split_names(values["delivered_by"]))
        values["petitioner_signed"] = bool(values["petitioner_signed"])
        if not values["petitioner_signed"]:
            values["signed_on"] = None
        for reasons_field, choices in REASONS.items():
            values[reasons_field] = _reason_codes(values[reasons_field], choices)

        form = FeedbackForm.objects.select_for_update().filter(case_id=case.pk).first()
        created = form is None
        if form is None:
            form = FeedbackForm(case=case, filled_by=by)
        changed = [field for field, value in values.items() if created or getattr(form, field) != value]
        for field, value in values.items():
            setattr(form, field, value)
        scan_hash = ""
        if signed_scan is not None:
            stored = files.store(signed_scan, by=by)
            form.signed_scan = stored
            scan_hash = stored.sha256
            changed.append("signed_scan")
        if not changed:
            return form
        form.save()
        record_event(
            case,
            by=by,
            action="feedback",
            from_status=case.status,
            to_status=case.status,
            on=values["delivered_at"],
            created=created,
            fields=[] if created else changed,
            scan=scan_hash,
        )
        return form


# --- In batches: the 反馈表 and the rating of many cases at once ------------------------------------------


@dataclass(frozen=True)
class BatchRow:
    """One case of a batch: its 反馈表 (``FEEDBACK_FIELDS``) and its rating (``record_rating``'s
    keyword arguments: channel, the two satisfactions, rated_on, instruction_means, instructed_at)."""

    case: Case
    feedback: dict[str, Any]
    rating: dict[str, Any]


class BatchError(RatingError):
    """A row of a batch the rules refuse: nothing of the batch was saved. ``row`` is its index."""

    def __init__(self, row: int, error: RatingError):
        super().__init__(error.message, error.field)
        self.row = row


def record_batch(rows: list[BatchRow], *, by, request=None) -> int:
    """Enter the 反馈表 results and ratings of many cases at once (after a round of deliveries):
    all or nothing.

    1. The actor may fill the 反馈表 and enter the rating of every case (``record_feedback``,
       ``record_rating``), checked for each before anything is written, so that a refusal
       changes nothing and its audit row stays.
    2. In one transaction, each row as on the case's own pages: ``save_feedback_form`` (its
       event ``feedback`` when something changed) and ``record_rating`` (its event ``rate``, and
       the alert when 不满意). The first row the rules refuse undoes the whole batch and raises
       ``BatchError`` with its index; notices of 不满意 go out only once the batch is saved.

    Returns the number of cases rated.
    """
    for row in rows:
        rules.check(by, "record_feedback", target=row.case, request=request)
        rules.check(by, "record_rating", target=row.case, request=request)
    with transaction.atomic():
        for index, row in enumerate(rows):
            try:
                save_feedback_form(row.case, by=by, data=row.feedback)
                record_rating(row.case, by=by, request=request, **row.rating)
            except RatingError as error:
                raise BatchError(index, error) from error
    return len(rows)
