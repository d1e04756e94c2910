"""Reading ratings and feedback forms: the case page's card, the 不满意 guidance, the figures.

Views fetch the case through ``xinfang.cases.selectors.get_case_for`` (the capability table)
first; everything here takes a case the user may already see.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, ForeignObjectRel, Q, QuerySet
from django.utils import timezone

from xinfang.access import rules
from xinfang.cases.models import Case, FileKind
from xinfang.cases.models import CaseStatus as S
from xinfang.deadlines.models import CaseDeadline
from xinfang.deadlines.selectors import clock_terms
from xinfang.ratings import actions
from xinfang.ratings.models import FeedbackForm, Rating, Satisfaction

# 《信访工作条例》(2022) 第三十五条、第三十六条; the 2005 条例 第三十四、三十五条 say the same of
# 行政机关. The lengths are the clocks' (deadlines.Clock), as bureau staff keep them.
REVIEW_BASIS = "《信访工作条例》第三十五条"
REVIEW_RULE = (
    "信访人对信访处理意见不服的，可以自收到书面答复之日起{review_request}内请求原办理机关、单位的上一级机关、"
    "单位复查。收到复查请求的机关、单位应当自收到复查请求之日起{review_opinion}内提出复查意见，并予以书面答复。"
)
RE_REVIEW_BASIS = "《信访工作条例》第三十六条"
RE_REVIEW_RULE = (
    "信访人对复查意见不服的，可以自收到书面答复之日起{re_review_request}内向复查机关、单位的上一级机关、单位请求复核。"
    "信访人对复核意见不服，仍然以同一事实和理由提出投诉请求的，不再受理。"
)
# 不予受理 / 不再受理 is no 信访处理意见: 复查 and 复核 (第三十五条、第三十六条) follow those only.
REFUSED_BASIS = "《信访工作条例》第三十五条、第三十六条"
REFUSED_RULE = (
    "复查、复核针对信访处理意见和复查意见提出；不予受理、不再受理的，不适用复查程序。"
    "请向信访人说明告知书载明的理由，引导其向有权处理的机关、单位提出，或者依法通过诉讼、仲裁、行政复议等途径解决。"
)
REVIEW_UNKNOWN = "信访人不满意的，可以自收到书面答复之日起{review_request}内申请复查"
# The agent's duty when the petitioner does not accept the handling (seed 二、3 二).
AGENT_DUTY = (
    "代理员应切实做好政策解释、思想疏导工作，或引导信访人在法定期限内申请复查、复核；"
    "对不按程序提出复查复核申请而执意越级上访或扬言采取过激行为的，在做好思想疏导工作的同时，及时向县信访局报告。"
)
REVIEW_CLOCK = "review_request"
RE_REVIEW_CLOCK = "re_review_request"


# The case's rating and 反馈表 as the case page reads them with the case (``hooks.Panel``).
CASE_RELATIONS = ("rating__entered_by", "feedback_form__signed_scan", "feedback_form__filled_by")


def _read_with_case(case: Case, name: str) -> tuple[bool, Any]:
    """(True, the row or None) where the case was fetched with its relation ``name``."""
    if not cast(ForeignObjectRel, Case._meta.get_field(name)).is_cached(case):
        return False, None
    try:
        return True, getattr(case, name)
    except ObjectDoesNotExist:
        return True, None


def rating_for(case: Case) -> Rating | None:
    read, rating = _read_with_case(case, "rating")
    if read:
        return rating
    return Rating.objects.filter(case_id=case.pk).select_related("entered_by").first()


def feedback_for(case: Case) -> FeedbackForm | None:
    read, feedback = _read_with_case(case, "feedback_form")
    if read:
        return feedback
    return FeedbackForm.objects.filter(case_id=case.pk).select_related("signed_scan", "filled_by").first()


def _window(case: Case, code: str) -> CaseDeadline | None:
    return (
        CaseDeadline.objects.filter(case_id=case.pk, clock__code=code)
        .select_related("clock")
        .order_by("-started_on", "-id")
        .first()
    )


class _Terms(dict):
    def __missing__(self, code: str) -> str:
        return "法定期限"


def _guidance(state: str, title: str, text: str, basis: str, due_on=None, today=None) -> dict[str, Any]:
    return {
        "state": state,
        "title": title,
        "text": text.format_map(_Terms(clock_terms())),
        "basis": basis,
        "duty": AGENT_DUTY,
        "due_on": due_on,
        "days_left": (due_on - today).days if due_on and today else None,
    }


def rating_guidance(
    case: Case, *, today: datetime.date | None = None, rating: Rating | None = None
) -> dict[str, Any] | None:
    """What the agent should tell a petitioner who rated 不满意, with the window's due date.

    None unless the rating is 不满意. ``state`` is one of: ``open`` (复查 may still be asked
    for, until ``due_on``), ``passed`` (the window has passed), ``unknown`` (no window was
    started, e.g. the clock was switched off), ``review_requested``, ``review_not_delivered``
    (the 复核 window waits for the 复查意见's delivery), ``re_review_open``,
    ``re_review_passed``, ``re_review_requested``, ``closed`` (复核意见: not received again),
    ``refused`` (不予受理 / 不再受理: no 复查 follows).
    """
    rating = rating or rating_for(case)  # the caller's, where it has read it already
    if rating is None or not rating.is_unsatisfied:
        return None
    today = today or timezone.localdate()

    if case.status == S.RE_REVIEWED:
        return _guidance("closed", "已出具复核意见，信访事项终结", RE_REVIEW_RULE, RE_REVIEW_BASIS)
    if case.status in actions.REFUSED:
        return _guidance("refused", f"该事项{S(case.status).label}", REFUSED_RULE, REFUSED_BASIS)
    if case.status == S.RE_REVIEW_REQUESTED:
        return _guidance("re_review_requested", "信访人已申请复核", RE_REVIEW_RULE, RE_REVIEW_BASIS)
    if case.status == S.REVIEWED:
        window = _window(case, RE_REVIEW_CLOCK)
        if window is None and case.review_delivered_on is None:
            return _guidance(
                "review_not_delivered",
                "复查意见送达信访人后，请登记送达日期",
                RE_REVIEW_RULE,
                RE_REVIEW_BASIS,
            )
        if window is not None and window.stopped_on is None and window.due_on >= today:
            return _guidance(
                "re_review_open",
                f"信访人对复查意见仍不服的，可在{_cn(window.due_on)}前请求复核",
                RE_REVIEW_RULE,
                RE_REVIEW_BASIS,
                window.due_on,
                today,
            )
        if window is not None:
            return _guidance(
                "re_review_passed",
                f"请求复核的期限已于{_cn(window.due_on)}届满",
                RE_REVIEW_RULE,
                RE_REVIEW_BASIS,
                window.due_on,
                today,
            )
        return _guidance("unknown", "信访人对复查意见不服的，可以请求复核", RE_REVIEW_RULE, RE_REVIEW_BASIS)

    window = _window(case, REVIEW_CLOCK)
    # The window closed by the step that closes it (the clock's rule): review was asked for.
    asked = (
        window is not None
        and window.stopped_on is not None
        and window.stopped_by in window.clock.stop_action_list
    )
    if case.status == S.REVIEW_REQUESTED or asked:
        return _guidance("review_requested", "信访人已申请复查", REVIEW_RULE, REVIEW_BASIS)
    if window is None:
        return _guidance(
            "unknown", REVIEW_UNKNOWN.format_map(_Terms(clock_terms())), REVIEW_RULE, REVIEW_BASIS
        )
    if window.stopped_on is None and window.due_on >= today:
        return _guidance(
            "open",
            f"信访人不满意的，可在{_cn(window.due_on)}前申请复查",
            REVIEW_RULE,
            REVIEW_BASIS,
            window.due_on,
            today,
        )
    return _guidance(
        "passed",
        f"申请复查的期限已于{_cn(window.due_on)}届满",
        REVIEW_RULE,
        REVIEW_BASIS,
        window.due_on,
        today,
    )


def _cn(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Panel:
    """The case page's 评价与反馈 card."""

    shown: bool
    rating: Rating | None
    feedback: FeedbackForm | None
    guidance: dict[str, Any] | None
    rating_refusal: str | None
    feedback_refusal: str | None

    @property
    def can_rate(self) -> bool:
        return self.rating is None and self.rating_refusal is None

    @property
    def can_fill(self) -> bool:
        return self.feedback_refusal is None


def panel_for(case: Case, user) -> Panel | None:
    """The case page's card (registered in ``apps.py``), where it is shown."""
    panel = case_panel(case)
    return panel if panel.shown else None


def case_panel(case: Case) -> Panel:
    rating = rating_for(case)
    feedback = feedback_for(case)
    feedback_refusal = actions.feedback_refusal(case)
    return Panel(
        shown=bool(rating or feedback or feedback_refusal is None),
        rating=rating,
        feedback=feedback,
        guidance=rating_guidance(case, rating=rating) if rating is not None else None,
        rating_refusal=actions.rating_refusal(case, rated=False) if rating is None else actions.ALREADY_RATED,
        feedback_refusal=feedback_refusal,
    )


# --- The batch grid ------------------------------------------------------------------------------------

BATCH_ROWS = 100  # rows on the grid at once; the rest come once these are entered


def batch_cases(user) -> QuerySet[Case]:
    """The cases of the user's unit whose reply (or refusal) reached the petitioner and that are
    not rated yet, oldest delivery first, with their 反馈表 if one was filled, and how many
    replies are kept (the form's 件数 to start from). Cut by ``record_rating``."""
    replies = Count("files", filter=Q(files__kind__in=(FileKind.REPLY, FileKind.REFUSAL)))
    return (
        rules.scoped(Case.objects.all(), user, "record_rating")
        .filter(status__in=actions.RATEABLE, delivered_on__isnull=False, rating__isnull=True)
        .select_related("petitioner", "feedback_form")
        .annotate(replies=replies)
        .order_by("delivered_on", "number", "id")
    )


def rows_posted(user, ids: list[int], *, request=None) -> list[Case]:
    """The cases of a posted grid, in its order: each must be one the user may rate (else a
    refusal: a 404 page and an audit row). One rated meanwhile stays, and its row says so."""
    found = {
        case.pk: case
        for case in rules.scoped(Case.objects.all(), user, "record_rating")
        .filter(pk__in=ids)
        .select_related("petitioner", "feedback_form")
        .annotate(replies=Count("files", filter=Q(files__kind__in=(FileKind.REPLY, FileKind.REFUSAL))))
    }
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise rules.refuse(
            user, "record_rating", target_type="cases.Case", target_id=missing[0], request=request
        )
    return [found[pk] for pk in ids]


def rating_figures(cases: QuerySet[Case]) -> dict[str, Any]:
    """参评率 and 满意率 over these cases, in one query.

    The caller chooses the cases (unit, period by ``delivered_on``). 参评率 = rated ÷ delivered;
    满意率 = (满意 + 基本满意) ÷ rated, for each of the two bodies; the counts come with the
    rates, since a rate over a handful of cases says little.
    """
    counts = (
        cases.order_by()
        .filter(delivered_on__isnull=False)
        .aggregate(
            delivered=Count("pk"),
            rated=Count("rating"),
            **{
                f"{who}_{value}": Count("rating", filter=Q(**{f"rating__{who}_satisfaction": value}))
                for who in ("office", "body")
                for value in Satisfaction.values
            },
        )
    )

    def rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    figures: dict[str, Any] = dict(counts)
    figures["participation_rate"] = rate(counts["rated"], counts["delivered"])
    for who in ("office", "body"):
        content = counts[f"{who}_satisfied"] + counts[f"{who}_basically"]
        figures[f"{who}_satisfaction_rate"] = rate(content, counts["rated"])
        figures[f"{who}_satisfied_rate"] = rate(counts[f"{who}_satisfied"], counts["rated"])
    return figures
