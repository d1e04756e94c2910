"""What the demo's tests share: the paths cases take, and readers of the built data."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.db import connection

from xinfang import demo
from xinfang.accounts.models import AgentProfile, Unit, User
from xinfang.cases import workflow
from xinfang.cases.models import (
    Case,
    CaseEvent,
    CaseFile,
    CaseStatus,
    FollowUp,
    Petitioner,
)
from xinfang.core.models import StoredFile
from xinfang.deadlines import calendar as official
from xinfang.deadlines.actions import CLOCKS
from xinfang.deadlines.calendar import SEED_YEARS, official_days
from xinfang.deadlines.compute import Calendar, add_workdays
from xinfang.deadlines.models import CaseDeadline, ClockKind

TOWNS = {
    "610927100": "城关镇",
    "610927101": "曾家镇",
    "610927102": "牛头店镇",
    "610927103": "钟宝镇",
    "610927105": "上竹镇",
    "610927106": "华坪镇",
    "610927108": "曙坪镇",
}


# The steps each status is reached by, in order (CaseEvent.action; "attach", "follow_up",
# "extend" and "hear" may come in between; "withdrawn" is any of the others, then "withdraw").
_SUBMITTED = ["open", "accept_scope", "authorize", "submit"]


_RECEIVED = [*_SUBMITTED, "forward", "receive"]


_CONCLUDED = [*_RECEIVED, "accept", "conclude"]


_REVIEWED = [*_CONCLUDED, "deliver", "request_review", "review", "deliver_review"]


PATHS = {
    CaseStatus.INTAKE: ["open"],
    CaseStatus.IN_SCOPE: ["open", "accept_scope"],
    CaseStatus.REFERRED: ["open", "refer"],
    CaseStatus.AUTHORIZED: ["open", "accept_scope", "authorize"],
    CaseStatus.SUBMITTED: _SUBMITTED,
    CaseStatus.FORWARDED: [*_SUBMITTED, "forward"],
    CaseStatus.RECEIVED: _RECEIVED,
    CaseStatus.ACCEPTED: [*_RECEIVED, "accept"],
    CaseStatus.NOT_ACCEPTED: [*_RECEIVED, "not_accept"],
    CaseStatus.NOT_ACCEPTED_AGAIN: [*_RECEIVED, "not_accept_again"],
    CaseStatus.CONCLUDED: _CONCLUDED,
    CaseStatus.DELIVERED: [*_CONCLUDED, "deliver"],
    CaseStatus.REVIEW_REQUESTED: [*_CONCLUDED, "deliver", "request_review"],
    CaseStatus.REVIEWED: _REVIEWED,
    CaseStatus.RE_REVIEW_REQUESTED: [*_REVIEWED, "request_re_review"],
    CaseStatus.RE_REVIEWED: [*_REVIEWED, "request_re_review", "re_review"],
}
# A second way to a status: back at 已转送交办 after a 管辖异议 (第二十三条).
OTHER_PATHS = [[*_RECEIVED, "object"]]


# The steps whose date (CaseEvent.on) is the day something happened, in the order they happened.
DATED = {"open", "authorize", "submit", *workflow.HANDLING_STEPS}


MAX_AGE = datetime.timedelta(days=200)  # reception dates: the last six months or so


# The 办理期限 clocks: the step that starts each, the steps that stop it.
DEADLINES = {
    "forward": ("submit", ("forward",)),
    "accept_notice": ("receive", ("accept", "not_accept", "not_accept_again", "object")),
    "conclude": ("accept", ("conclude",)),
    "review_opinion": ("request_review", ("review",)),
    "re_review_opinion": ("request_re_review", ("re_review",)),
}


# Events beside a case's path: papers, follow-ups, an extension, and its people.
BESIDE_THE_PATH = frozenset(
    {
        "attach",
        "follow_up",
        "extend",
        "hear",
        "add_petitioner",
        "remove_petitioner",
        "petitioner_changed",
        "link",
        "hand_over",
    }
)


def steps_of(case: Case) -> list[str]:
    return [e.action for e in case.events.all() if e.action not in BESIDE_THE_PATH]


def expected_steps(steps: list[str]) -> bool:
    """The events are one of the paths above (a withdrawn case: a path, then 'withdraw';
    a rated case: a path with 'rate' recorded after delivery)."""
    steps = [step for step in steps if step != "rate"]
    if steps and steps[-1] == "withdraw":
        steps = steps[:-1]
    return steps in PATHS.values() or steps in OTHER_PATHS


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Unit,
            User,
            AgentProfile,
            Petitioner,
            Case,
            CaseEvent,
            CaseFile,
            StoredFile,
            FollowUp,
            CaseDeadline,
        )
    }


def secrets_in_database() -> list[str]:
    """Every demo petitioner's name, ID number, mobile and address; every platform account and
    query code; every agent's mobile; the names on risk reports. Read back through the ORM, so
    they are the values actually stored."""
    from xinfang.oversight.models import RiskReport

    values = set()
    for p in Petitioner.objects.all():
        values |= {p.name, p.id_number, p.mobile, p.address}
    values |= {report.petitioner_name for report in RiskReport.objects.all()}
    for c in Case.objects.filter(submitted_at__isnull=False):
        values |= {c.platform_password, c.platform_username, c.query_code}
    values |= {profile.mobile for profile in AgentProfile.objects.all()}
    values.discard("")
    return sorted(values)


def offline_clocks() -> demo.Clocks:
    """The official calendar of chinesecalendar and the seeded clocks, without the database."""
    holidays, workdays = official_days()
    calendar = Calendar(holidays=holidays, workdays=workdays, years=frozenset(SEED_YEARS))
    return demo.Clocks(calendar=calendar, lengths={c.code: (c.length, c.day_count) for c in CLOCKS})


def assert_clocks_as_planned(today: datetime.date) -> None:
    """Overdue clocks of each kind the demo places, others due within three workdays, an extension,
    follow-ups due today; and no other clock met late or passed."""
    live = CaseDeadline.objects.filter(stopped_on__isnull=True, clock__kind=ClockKind.DEADLINE).exclude(
        case__status__in=workflow.FINAL
    )
    overdue = live.filter(due_on__lt=today)
    assert {"forward", "accept_notice", "conclude"} <= set(overdue.values_list("clock__code", flat=True))
    assert overdue.filter(clock__code="forward", case__status=CaseStatus.SUBMITTED).count() >= 2
    timed = {s.title for s in demo.CASES if s.due_in is not None and s.due_in < 0}
    assert set(overdue.values_list("case__title", flat=True)) == timed
    soon_until = add_workdays(today, 3, official.load())
    assert live.filter(due_on__gte=today, due_on__lte=soon_until).count() >= 2
    late = [
        d
        for d in CaseDeadline.objects.filter(stopped_on__isnull=False, clock__kind=ClockKind.DEADLINE)
        if d.stopped_on > d.due_on
    ]
    assert late == []

    extended = CaseDeadline.objects.filter(clock__code="conclude", extension_days__gt=0)
    assert extended.filter(stopped_on__isnull=True).exists()  # still running under its extension
    assert extended.filter(stopped_by="conclude").exists()  # concluded within it
    assert CaseEvent.objects.filter(action="extend").count() == extended.count()

    # The latest follow-up of a live case, the next one due today: what the worklist shows.
    latest = {}
    for follow_up in FollowUp.objects.exclude(case__status__in=workflow.FINAL).order_by("created_at", "id"):
        latest[follow_up.case_id] = follow_up
    assert sum(1 for f in latest.values() if f.next_on == today) >= 3
    assert any(f.next_on and f.next_on < today for f in latest.values())  # one not done when planned
    assert not FollowUp.objects.filter(case__submitted_at__isnull=True).exists()
    assert FollowUp.objects.filter(next_on__isnull=True).exists()  # progress notes along the way


# --- Nothing personal in clear -------------------------------------------------------------------


def all_cells():
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 -- table names come from the database
            for row in cursor.fetchall():
                for cell in row:
                    if isinstance(cell, bytes | memoryview):
                        yield table, bytes(cell).decode("utf-8", "replace")
                    elif cell is not None:
                        yield table, str(cell)


def reseed_reference_data():
    """Earlier transactional tests empty every table, the migrations' reference data (content
    categories, platforms) included: put it back as the seed migration does."""
    from xinfang.reference.models import CONTENT_CATEGORIES, PLATFORMS, ContentCategory, SubmissionPlatform

    for order, name in enumerate(CONTENT_CATEGORIES, start=1):
        ContentCategory.objects.get_or_create(name=name, defaults={"sort_order": order * 10})
    for order, (name, url) in enumerate(PLATFORMS, start=1):
        SubmissionPlatform.objects.get_or_create(name=name, defaults={"url": url, "sort_order": order * 10})
