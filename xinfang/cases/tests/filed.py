"""A case with everything a case file holds, built with the real actions: two petitioners (联名),
the signed 授权委托书, the registration page, an attachment, a 受理 past its 15 days, two
follow-ups, the reply, its delivery, a rating and a signed 反馈表."""

from __future__ import annotations

import datetime

from django.utils import timezone

from conftest import petitioner_data
from xinfang.cases import actions
from xinfang.cases.models import FileKind
from xinfang.core import files
from xinfang.ratings import actions as ratings
from xinfang.ratings.tests.factories import feedback_data
from xinfang.reference.models import SubmissionPlatform


def scan(name: str, marker: str) -> files.Checked:
    return files.Checked(content=f"%PDF-1.4\n% {marker}\n".encode(), content_type=files.PDF, name=name)


AUTHORIZATION = scan("委托书扫描.pdf", "authorization")
REGISTRATION = scan("注册成功页.pdf", "registration")
ATTACHMENT = scan("现场照片.pdf", "attachment")
REPLY = scan("答复意见书.pdf", "reply")
FEEDBACK = scan("反馈表签字.pdf", "feedback")
SECOND = {"name": "张某某", "mobile": "13812340002", "address": "镇坪县城关镇新华街8号"}


def ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def filed_case(agent, make_case, *, serial: int = 1, rated: bool = True):
    case = make_case(agent, serial=serial, received_on=ago(40), title="排水沟堵塞影响出行")
    actions.take_step(case, "add_petitioner", by=agent, **petitioner_data(serial + 50, **SECOND))
    actions.accept_scope(case, by=agent)
    actions.record_authorization(case, by=agent, mode="signed", on=ago(39), scan=AUTHORIZATION)
    case = actions.record_submission(
        case,
        by=agent,
        platform=SubmissionPlatform.objects.first(),
        username="pt-user-7",
        password="pw-secret-7",
        query_code="QC7788",
        on=at(ago(38)),
    )
    actions.attach_files(case, by=agent, uploads=[REGISTRATION], kind=FileKind.REGISTRATION)
    actions.attach_files(case, by=agent, uploads=[ATTACHMENT])
    case = actions.take_step(case, "forward", by=agent, on=ago(37), mode="assign", handling_body="县住建局")
    case = actions.take_step(case, "receive", by=agent, on=ago(36))
    actions.record_follow_up(
        case, by=agent, on=ago(20), means="phone", contact="县住建局", content="催促受理", next_on=ago(12)
    )
    case = actions.take_step(case, "accept", by=agent, on=ago(15))  # 15 days from ago(36): 6 days late
    actions.record_follow_up(
        case, by=agent, on=ago(12), means="visit", contact="县住建局", content="现场查看"
    )
    case = actions.take_step(case, "conclude", by=agent, on=ago(6), opinion="support", document=REPLY)
    case = actions.take_step(case, "deliver", by=agent, on=ago(4))
    if rated:
        ratings.record_rating(
            case,
            by=agent,
            channel="platform",
            office_satisfaction="satisfied",
            body_satisfaction="basically",
            rated_on=ago(3),
        )
        ratings.save_feedback_form(
            case, by=agent, data=feedback_data(delivered_at=ago(4), signed_on=ago(4)), signed_scan=FEEDBACK
        )
    case.refresh_from_db()
    return case
