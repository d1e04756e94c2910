"""Cases brought to 办结 and 答复送达 with the real actions, dates in the past and in order."""

from __future__ import annotations

import datetime

from django.utils import timezone

from xinfang.cases import actions
from xinfang.core import files
from xinfang.reference.models import SubmissionPlatform

PDF = files.Checked(content=b"%PDF-1.4\nreply\n", content_type=files.PDF, name="答复意见书.pdf")


def ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def advance(case, agent, *, to: str = "delivered", delivered_ago: int = 2):
    """Take a new case through every step up to 办结 or 答复送达 (``delivered_ago`` days ago)."""
    start = delivered_ago + 12
    actions.accept_scope(case, by=agent)
    actions.record_authorization(case, by=agent, mode="signed", on=ago(start), scan=PDF)
    submitted_at = timezone.make_aware(datetime.datetime.combine(ago(start - 1), datetime.time(10)))
    case = actions.record_submission(
        case,
        by=agent,
        platform=SubmissionPlatform.objects.first(),
        username="u",
        password="pw-1",
        query_code="Q1",
        on=submitted_at,
    )
    case = actions.take_step(
        case, "forward", by=agent, on=ago(start - 2), mode="assign", handling_body="县住建局"
    )
    case = actions.take_step(case, "receive", by=agent, on=ago(start - 3))
    case = actions.take_step(case, "accept", by=agent, on=ago(start - 4))
    case = actions.take_step(case, "conclude", by=agent, on=ago(start - 10), opinion="explain", document=PDF)
    if to == "concluded":
        return case
    return actions.take_step(case, "deliver", by=agent, on=ago(delivered_ago))


def feedback_data(**overrides) -> dict:
    data = {
        "documents": "（城住建复〔2026〕3号）",
        "document_count": 1,
        "truthful": True,
        "notified_in_time": True,
        "forwarded_in_time": False,
        "agent_rating": "fair",
        "office_satisfaction": "satisfied",
        "office_reasons": [],
        "office_comment": "",
        "body_satisfaction": "unsatisfied",
        "body_reasons": ["unresolved", "attitude"],
        "body_comment": "排水沟仍未疏通",
        "delivered_by": "张某某、刘某某",
        "delivered_at": ago(2),
        "petitioner_signed": True,
        "signed_on": ago(2),
    }
    data.update(overrides)
    return data
