"""Building the demo: every case through the real actions, then the control room's data;
``state()`` says whether the demo is there already."""

from __future__ import annotations

import datetime
import random
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import Unit, UnitKind, User
from xinfang.cases import actions
from xinfang.cases.models import (
    AuthorizationMode,
    CaseStatus,
    FileKind,
    ForwardMode,
    ReviewOutcome,
)
from xinfang.cases.models import HandlingOpinion as HO
from xinfang.core import files
from xinfang.deadlines.models import CaseDeadline, ClockKind
from xinfang.demo.cases_departments import DEPARTMENTS
from xinfang.demo.cases_towns import TOWNS
from xinfang.demo.control_room import (
    build_inspections,
    build_publicity,
    build_ratings,
    build_reports,
    build_tallies,
    build_targets,
)
from xinfang.demo.documents import follow_up_text, pdf, pdf_document, png
from xinfang.demo.people import (
    MARKER_USERNAME,
    PERSONS,
    SEED,
    build_agent_reports,
    build_units,
    build_users,
    enrol_second_factors,
    first_agent,
    person,
    platform_account,
    query_code,
)
from xinfang.demo.plans import REFUSALS, Clocks, Plan, local_time, plan_case
from xinfang.demo.spec import RE_REVIEWER, REVIEWER, Spec
from xinfang.reference.models import ContentCategory, SubmissionPlatform

CASES = [*TOWNS, *DEPARTMENTS]


STATUSES = tuple(CaseStatus.values)


def status_labels() -> list[tuple[str, str]]:
    return [(value, CaseStatus(value).label) for value in STATUSES]


# ── Building ─────────────────────────────────────────────────────────────────────────────


@dataclass
class Summary:
    units: int = 0
    users: int = 0
    cases: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    ratings: int = 0
    publicity: int = 0
    targets: int = 0
    tallies: int = 0
    reports: int = 0
    inspections: int = 0


def state() -> str:
    """``demo`` when the demo data is there, ``other`` when the database holds other units
    or accounts (never mixed with demo data), ``empty`` otherwise."""
    if User.objects.filter(username=MARKER_USERNAME, unit__name="城关镇").exists():
        return "demo"
    if Unit.objects.exists() or User.objects.exists():
        return "other"
    return "empty"


def _record_follow_up(
    case, spec: Spec, *, by, on: datetime.date, next_on: datetime.date | None, stage: str
) -> None:
    overdue = CaseDeadline.objects.filter(
        case=case, stopped_on__isnull=True, clock__kind=ClockKind.DEADLINE, due_on__lt=on
    ).exists()
    means, contact, content = follow_up_text(spec, case, stage, overdue)
    actions.record_follow_up(
        case, by=by, on=on, means=means, contact=contact, content=content, next_on=next_on
    )


# The papers the handling steps keep: (title inside the scan, file name).
PAPERS = {
    "conclude": ("Xinfang shixiang chuli yijianshu (reply)", "信访事项处理意见书.pdf"),
    "review": ("Xinfang shixiang fucha yijianshu (review)", "信访事项复查意见书.pdf"),
    "re_review": ("Xinfang shixiang fuhe yijianshu (re-review)", "信访事项复核意见书.pdf"),
    "withdraw": ("Chehui weituo shenqing (withdrawal)", "撤回委托申请.pdf"),
}


@dataclass
class Desk:
    """What building one case needs besides its spec and plan."""

    agent: User
    rng: random.Random
    platforms: dict
    registered: set[str]  # people already registered on the platform
    today: datetime.date
    now: datetime.datetime


def _complaint(spec: Spec, unit, units, categories) -> dict:
    units_by_name = {u.name: u for u in units.values()}
    town_name = spec.town or (unit.name if unit.kind == UnitKind.TOWN else PERSONS[spec.person][0])
    flags = set(spec.flags)
    return {
        "respondent_kind": spec.kind,
        "respondent_name": spec.respondent,
        "petition_type": spec.ptype,
        "category": categories[spec.category],
        "incident_town": units_by_name[town_name],
        "incident_place": spec.place,
        "allow_public": spec.allow_public,
        "court_accepted": "court_accepted" in flags,
        "reconsideration_done": "reconsideration_done" in flags,
        "arbitration_accepted": "arbitration_accepted" in flags,
        "has_review_opinion": "has_review_opinion" in flags,
        "title": spec.title,
        "content": spec.content,
        "people_count": spec.people_count or 1,
    }


def _authorize(case, spec: Spec, desk: Desk, on: datetime.date):
    lines = [
        "DEMO SCAN - not a real document",
        "Wangshang tousu daili shouquan weituoshu (authorization)",
        f"Case {case.unit.code or case.unit_id}-{case.year}-{case.seq:04d}",
        f"Signed on {on.isoformat()}",
    ]
    scan = files.Checked(content=pdf(lines), content_type=files.PDF, name="授权委托书（已签字）.pdf")
    mode = AuthorizationMode.CONFIRMED if spec.confirmed else AuthorizationMode.SIGNED
    return actions.record_authorization(case, by=desk.agent, mode=mode, on=on, scan=scan)


def _submit(case, spec: Spec, desk: Desk, on: datetime.date):
    # At office hours; on today only up to now.
    submitted_at = local_time(on, desk.rng.randint(9, 16), desk.rng.randint(0, 59))
    if submitted_at > desk.now:
        submitted_at = max(desk.now - datetime.timedelta(minutes=1), local_time(desk.today, 0, 0))
    account = platform_account(spec.person)
    first_time = spec.person not in desk.registered
    desk.registered.add(spec.person)
    registration = None
    if first_time and spec.platform == "陕西省网上信访大厅":
        registration = files.Checked(
            content=png(desk.rng), content_type=files.PNG, name="平台注册成功页面.png"
        )
    return actions.record_submission(
        case,
        by=desk.agent,
        platform=desk.platforms[spec.platform],
        username=account.username,
        password=account.password,
        query_code=query_code(desk.rng),
        on=submitted_at,
        registration_scan=registration,
    )


def _step_data(case, step: str, spec: Spec, plan: Plan, on: datetime.date) -> dict:
    """What the agent types into a handling step's form, for this demo case."""
    data: dict = {}
    if step in PAPERS:
        data["document"] = pdf_document(case, *PAPERS[step], on)
    if step == "forward":
        data.update(mode=ForwardMode.ASSIGN if spec.assign else ForwardMode.FORWARD, handling_body=spec.body)
    elif step in REFUSALS.values():
        data.update(grounds=spec.grounds or "other", reason=spec.reason)
    elif step == "withdraw":
        data["reason"] = spec.reason
    elif step == "object":
        mode = ForwardMode.ASSIGN if spec.assign else ForwardMode.FORWARD
        data.update(
            reason=spec.objection, handling_body=spec.new_body, mode=mode, forwarded_on=plan.reforwarded_on
        )
    elif step == "hear":
        data["ended_on"] = plan.heard_until
    elif step == "extend":
        approver = f"{spec.body}主要负责人"
        data.update(days=plan.extension, approver=approver, reason=spec.reason, told_on=plan.told_on)
    elif step == "conclude":
        data["opinion"] = spec.opinion or HO.SUPPORT
    elif step in ("request_review", "request_re_review"):
        data["reviewing_body"] = REVIEWER if step == "request_review" else RE_REVIEWER
        if step == "request_review" and spec.late_reason:
            data["late_reason"] = spec.late_reason
    elif step in ("review", "re_review"):
        data["outcome"] = spec.outcome or ReviewOutcome.UPHOLD
    return data


def _build_case(
    spec: Spec, plan: Plan, *, index: int, units, users, categories, platforms, registered, today, now
):
    """One demo case through the real actions: registered, scoped, then each step of its plan
    on its planned day, with the follow-ups between."""
    rng = random.Random(f"{SEED}:case:{index}")
    agent = users[spec.agent or first_agent(spec.unit)]
    desk = Desk(agent=agent, rng=rng, platforms=platforms, registered=registered, today=today, now=now)
    unit = units[spec.unit]
    case, _ = actions.open_case(
        by=agent,
        token=uuid.uuid4(),
        petitioner=person(spec.person).as_form(),
        complaint=_complaint(spec, unit, units, categories),
        received_on=plan.received_on,
    )
    case = _add_people(case, spec, agent)
    if spec.attachments:
        photos = [
            files.Checked(content=png(rng), content_type=files.PNG, name=f"现场照片{n}.png")
            for n in range(1, spec.attachments + 1)
        ]
        actions.attach_files(case, by=agent, uploads=photos, kind=FileKind.ATTACHMENT)
    if spec.status == CaseStatus.INTAKE:
        return case
    if spec.status == CaseStatus.REFERRED:
        return actions.refer_case(case, by=agent, channel=spec.channel, note=spec.note)
    note = spec.note or "投诉对象属于五类代理对象，未经诉讼、仲裁、行政复议，属于代理范围。"
    case = actions.accept_scope(case, by=agent, note=note)
    for step in plan.steps:
        on = plan.dates[step]
        if step == "authorize":
            case = _authorize(case, spec, desk, on)
        elif step == "submit":
            case = _submit(case, spec, desk, on)
        else:
            case = actions.take_step(case, step, by=agent, on=on, **_step_data(case, step, spec, plan, on))
        if step == "accept":
            for day, next_on, stage in plan.follow_ups:
                if stage == "progress":
                    _record_follow_up(case, spec, by=agent, on=day, next_on=next_on, stage=stage)
    for day, next_on, stage in plan.follow_ups:
        if stage == "last":
            _record_follow_up(case, spec, by=agent, on=day, next_on=next_on, stage=stage)
    return case


def _add_people(case, spec: Spec, agent):
    """The other petitioners of a 联名 case or the representatives of a 集体访, at registration."""
    for name in spec.co_people:
        case = actions.take_step(case, "add_petitioner", by=agent, **person(name).as_form())
    return case


def _after_building(built: dict, users) -> None:
    """What happens to demo cases after their steps: handovers by the unit head, and links."""
    by_title = {case.title: case for case in built.values()}
    for spec, case in built.items():
        if spec.handed_to:
            head = users[f"{spec.unit}_head"]
            actions.take_step(
                case, "hand_over", by=head, agent=users[spec.handed_to], reason="原代理员外出培训，工作交接"
            )
        if spec.link_title:
            actions.take_step(
                case,
                "link",
                by=case.agent,
                other=by_title[spec.link_title],
                note="同一村的村民反映，一并跟踪",
            )


class MissingReferenceData(Exception):
    """The content categories or platforms the migrations seed are not there."""


def plans(today: datetime.date, clocks: Clocks | None = None) -> list[Plan]:
    """The dates of every case in CASES (same order), as of ``today``."""
    clocks = clocks or Clocks.load()
    return [plan_case(spec, index, today=today, clocks=clocks) for index, spec in enumerate(CASES)]


@transaction.atomic
def build() -> Summary:
    """Create the demo units, accounts and cases. The caller checks ``state()`` first."""
    now = timezone.now()
    today = timezone.localdate(now)
    categories = {c.name: c for c in ContentCategory.objects.all()}
    platforms = {p.name: p for p in SubmissionPlatform.objects.all()}
    missing = sorted(
        {s.category for s in CASES} - set(categories) | {s.platform for s in CASES} - set(platforms)
    )
    if missing:
        raise MissingReferenceData("缺少内容分类或投诉平台：" + "、".join(missing))
    planned = plans(today)
    units = build_units()
    users = build_users(units)
    enrol_second_factors(users)
    build_agent_reports(users, today)
    registered: set[str] = set()
    summary = Summary(units=len(units), users=len(users))
    # Oldest first, so case numbers follow the reception dates.
    order = sorted(range(len(CASES)), key=lambda i: (planned[i].received_on, i))
    built = {}
    for index in order:
        case = _build_case(
            CASES[index],
            planned[index],
            index=index,
            units=units,
            users=users,
            categories=categories,
            platforms=platforms,
            registered=registered,
            today=today,
            now=now,
        )
        built[CASES[index]] = case
        summary.cases += 1
        summary.by_status[case.status] = summary.by_status.get(case.status, 0) + 1
    _after_building(built, users)
    summary.ratings = build_ratings(today)
    summary.publicity = build_publicity(units, users, today)
    summary.targets = build_targets(units, users, today)
    summary.tallies = build_tallies(units, users, today)
    summary.reports = build_reports(units, users, today)
    summary.inspections = build_inspections(units, users, today)
    return summary
