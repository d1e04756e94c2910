"""Cases holding every kind of personal data, built with the real actions, and the values they
hold, so that a test can look for each of them afterwards."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from conftest import make_id_number, petitioner_data
from xinfang.cases import actions
from xinfang.cases.models import Case, ReferralChannel, query_code_key
from xinfang.core import files
from xinfang.oversight.actions import file_report
from xinfang.public.models import LookupAttempt
from xinfang.ratings.actions import record_rating, save_feedback_form
from xinfang.ratings.tests.factories import feedback_data
from xinfang.reference.models import SubmissionPlatform


def ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def scan(name: str, marker: str) -> files.Checked:
    """A PDF whose content is unique to the test (found nowhere else if it survives)."""
    return files.Checked(content=f"%PDF-1.4\n{marker}\n".encode(), content_type=files.PDF, name=name)


@dataclass
class Held:
    """A case and the personal values it was given."""

    case: Case
    values: dict[str, str] = field(default_factory=dict)

    @property
    def secrets(self) -> list[str]:
        return list(self.values.values())


def person(serial: int, *, name: str, mobile: str, address: str, born=datetime.date(1971, 9, 3)) -> dict:
    return petitioner_data(
        serial,
        name=name,
        id_number=make_id_number(serial, born),
        mobile=mobile,
        address=address,
        work_unit="镇坪县某某合作社",
    )


def full_case(agent, make_case, *, serial: int, delivered_ago: int = 40, **people) -> Held:
    """A case taken to 答复送达 ``delivered_ago`` days ago (its 复查 window has run out when that is
    over 30), holding a value of each kind: particulars, account and 查询码, content, follow-up,
    rating and 反馈表 comments, scans, a risk report naming the petitioner, a look-up try."""
    particulars = (
        person(serial, **people)
        if people
        else person(
            serial,
            name=f"鲍梓涵{'甲乙丙丁戊'[serial % 5]}",
            mobile=f"1597731{serial:04d}",
            address=f"镇坪县华坪镇桂花村五组{serial}号",
        )
    )
    v = {
        "name": particulars["name"],
        "id_number": particulars["id_number"],
        "mobile": particulars["mobile"],
        "address": particulars["address"],
        "work_unit": particulars["work_unit"],
        "title": f"宅基地边界纠纷第{serial}号",
        "content": f"邻居占用宅基地约三十平方米，编号鹤{serial}鸣",
        "username": f"bai{serial}yunze",
        "password": f"Pw-{serial}-secret",
        "query_code": f"ZPX{serial:05d}",
        "follow_up": f"电话催办，对方称月底答复，记号雁{serial}",
        "rating_comment": f"希望尽快落实，记号燕{serial}",
        "feedback_comment": f"处理不公，记号鹊{serial}",
        "report": f"扬言到市里上访，记号鹂{serial}",
        "scan": f"scan-marker-{serial}-authorization",
        "reply": f"scan-marker-{serial}-reply",
        "feedback_scan": f"scan-marker-{serial}-feedback",
    }
    start = delivered_ago + 14
    case = make_case(
        agent, petitioner=particulars, received_on=ago(start + 1), title=v["title"], content=v["content"]
    )
    actions.accept_scope(case, by=agent)
    actions.record_authorization(
        case, by=agent, mode="signed", on=ago(start), scan=scan("委托书.pdf", v["scan"])
    )
    moment = timezone.make_aware(datetime.datetime.combine(ago(start - 1), datetime.time(10)))
    case = actions.record_submission(
        case,
        by=agent,
        platform=SubmissionPlatform.objects.first(),
        username=v["username"],
        password=v["password"],
        query_code=v["query_code"],
        on=moment,
    )
    case = actions.take_step(
        case, "forward", by=agent, on=ago(start - 2), mode="assign", handling_body="县住建局"
    )
    case = actions.take_step(case, "receive", by=agent, on=ago(start - 3))
    case = actions.take_step(case, "accept", by=agent, on=ago(start - 4))
    actions.record_follow_up(
        case, by=agent, on=ago(start - 5), means="phone", contact="住建局", content=v["follow_up"]
    )
    reply = scan("答复意见书.pdf", v["reply"])
    case = actions.take_step(
        case, "conclude", by=agent, on=ago(start - 10), opinion="explain", document=reply
    )
    case = actions.take_step(case, "deliver", by=agent, on=ago(delivered_ago))
    record_rating(
        case,
        channel="platform",
        office_satisfaction="satisfied",
        body_satisfaction="unsatisfied",
        comment=v["rating_comment"],
        by=agent,
        rated_on=ago(delivered_ago),
    )
    data = feedback_data(
        body_comment=v["feedback_comment"], delivered_at=ago(delivered_ago), signed_on=ago(delivered_ago)
    )
    save_feedback_form(case, by=agent, data=data, signed_scan=scan("反馈表.pdf", v["feedback_scan"]))
    file_report(
        by=agent,
        kind="escalation",
        urgency="normal",
        happened_on=ago(start - 6),
        description=v["report"],
        case=case,
    )
    LookupAttempt.objects.create(code_hash=query_code_key(v["query_code"]), at=timezone.now(), success=True)
    return Held(Case.objects.get(pk=case.pk), v)


def referred(agent, make_case, *, serial: int, closed_years_ago: int = 0, **petitioner) -> Case:
    """A case closed as 引导 (final at once), its closing day moved back if asked."""
    case = make_case(agent, serial=serial, petitioner=petitioner or None)
    case = actions.refer_case(
        case, by=agent, channel=ReferralChannel.LITIGATION, note=f"已告知起诉，记号{serial}"
    )
    if closed_years_ago:
        today = timezone.localdate()
        Case.objects.filter(pk=case.pk).update(closed_on=today.replace(year=today.year - closed_years_ago))
    return Case.objects.get(pk=case.pk)
