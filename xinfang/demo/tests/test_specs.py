"""The demo's cases and people as declared: consistent, complete, valid, on any day."""

from __future__ import annotations

import datetime

import pytest

from xinfang import demo
from xinfang.accounts.models import UnitKind
from xinfang.cases import scope, workflow
from xinfang.cases.models import (
    CaseStatus,
)
from xinfang.core import files
from xinfang.core.identity import IdKind, validate_document
from xinfang.core.validators import validate_landline, validate_mobile
from xinfang.deadlines.compute import add_workdays
from xinfang.demo.tests.helpers import DEADLINES, MAX_AGE, TOWNS, offline_clocks

# --- The generated details are the kind the forms accept ----------------------------------------


def test_generated_people_have_valid_id_numbers_and_mobiles():
    people = [demo.person(name) for name in demo.PERSONS]
    for who in people:
        assert validate_document(who.id_kind, who.id_number) == who.id_number
        assert who.id_number.startswith("610927") or who.id_kind != IdKind.RESIDENT
        assert validate_mobile(who.mobile) == who.mobile
    assert len({who.id_number for who in people}) == len(people)
    assert len({who.mobile for who in people}) == len(people)
    # The same every time.
    assert demo.person("李某华") == demo.person("李某华")
    for username, *_ in demo.ACCOUNTS:
        assert validate_mobile(demo.agent_mobile(username))


def test_unit_phones_are_valid_landlines_and_towns_have_their_codes():
    for _key, name, kind, code, address, phone in demo.UNITS:
        assert validate_landline(phone) == phone and phone.startswith("0915-")
        assert address
        if kind == UnitKind.TOWN:
            assert TOWNS[code] == name
    assert {code for _, _, kind, code, _, _ in demo.UNITS if kind == UnitKind.TOWN} == set(TOWNS)


def test_every_case_spec_is_consistent_with_the_scope_rules():
    for spec in demo.CASES:
        assert spec.status in demo.STATUSES
        assert spec.person in demo.PERSONS
        assessment = scope.assess(
            respondent_kind=spec.kind,
            court_accepted="court_accepted" in spec.flags,
            arbitration_accepted="arbitration_accepted" in spec.flags,
            reconsideration_done="reconsideration_done" in spec.flags,
            has_review_opinion="has_review_opinion" in spec.flags,
        )
        if spec.status == "referred":
            assert spec.channel
            # Where the answers rule proxying out, the channel is the one they require.
            assert assessment.required_channel in ("", spec.channel)
        else:
            assert assessment.in_scope, spec.title


def test_every_case_spec_is_complete_for_its_status():
    assert set(demo.STATUSES) == set(CaseStatus.values)
    for spec in demo.CASES:
        steps = demo.spec_steps(spec)
        if "forward" in steps:
            assert spec.body, spec.title
        if spec.status in (CaseStatus.NOT_ACCEPTED, CaseStatus.NOT_ACCEPTED_AGAIN, CaseStatus.WITHDRAWN):
            assert spec.reason, spec.title
        if spec.status == CaseStatus.WITHDRAWN:
            assert spec.withdrawn_from and spec.withdrawn_from not in workflow.FINAL
        else:
            assert not spec.withdrawn_from
        if spec.extension:
            assert 1 <= spec.extension <= 30 and spec.reason and "extend" in steps, spec.title
        if spec.due_in is not None:
            assert spec.status in demo.TIMED and spec.due_in <= 3, spec.title
        if spec.follow:
            assert spec.follow in demo.FOLLOW_MODES
            assert spec.status in workflow.HANDLING, spec.title
    # The overdue cases the brief asks for, and some due within three workdays.
    timed = [(s.status, s.due_in) for s in demo.CASES if s.due_in is not None]
    assert sum(1 for status, due in timed if status == CaseStatus.SUBMITTED and due < 0) >= 2
    assert (CaseStatus.RECEIVED, True) in {(status, due < 0) for status, due in timed}
    assert (CaseStatus.ACCEPTED, True) in {(status, due < 0) for status, due in timed}
    assert sum(1 for _, due in timed if 0 <= due <= 3) >= 2
    assert any(s.extension and s.due_in is not None and s.due_in >= 0 for s in demo.CASES)


@pytest.mark.parametrize("year", [2025, 2026, 2027])  # 2027: a year the calendar does not cover yet
def test_planned_dates_fit_whatever_the_day(year):
    """Every third day of a year: dates in order, none in the future, receptions in the last six
    months, every clock met except the ones placed to be overdue, which are, and the due-soon ones."""
    clocks = offline_clocks()
    day = datetime.date(year, 1, 1)
    while day.year == year:
        today = day
        soon_until = add_workdays(today, 3, clocks.calendar)
        for index, spec in enumerate(demo.CASES):
            plan = demo.plan_case(spec, index, today=today, clocks=clocks)
            chain = [plan.dates[step] for step in ("open", *plan.steps)]
            assert chain == sorted(chain), (today, spec.title)
            assert today - MAX_AGE <= plan.received_on and plan.last_on <= today, (today, spec.title)
            if "extend" in plan.steps:
                assert plan.dates["extend"] <= plan.told_on <= today
            previous = plan.last_on
            for on, next_on, _stage in plan.follow_ups:
                assert plan.dates["submit"] <= on <= today and (next_on is None or next_on > on)
            if plan.follow_ups:
                on, next_on, stage = plan.follow_ups[-1]
                if spec.follow == "today":
                    assert stage == "last" and previous <= on < today and next_on == today, (
                        today,
                        spec.title,
                    )
            for code, (start, stops) in DEADLINES.items():
                if start not in plan.dates or (
                    spec.due_in is not None and start == demo.TIMED[spec.status][0]
                ):
                    continue
                due = clocks.due(code, plan.dates[start], plan.extension if code == "conclude" else 0)
                stopped = [plan.dates[step] for step in stops if step in plan.dates]
                if stopped:
                    assert stopped[0] <= due, (today, spec.title, code)  # met in time
                elif spec.status not in workflow.FINAL:
                    assert today <= due, (today, spec.title, code)  # running, not passed
            if spec.due_in is not None:
                step, code = demo.TIMED[spec.status]
                due = clocks.due(code, plan.dates[step], plan.extension)
                assert 0 < spec.extension - plan.extension + 1 <= 15 if spec.extension else not plan.extension
                if spec.due_in < 0:
                    assert due < today, (today, spec.title)
                else:
                    assert today <= due <= soon_until, (today, spec.title, due)
        day += datetime.timedelta(days=3)


def test_scans_are_accepted_by_content():
    import random

    assert files.sniff(demo.pdf(["DEMO"])[:16]) == files.PDF
    assert files.sniff(demo.png(random.Random(1))[:16]) == files.PNG


def test_the_demo_s_timing_tables_name_only_steps_of_the_registry():
    """The demo keeps its own timings (days between steps); the steps themselves are the registry's."""
    from xinfang.cases import steps
    from xinfang.demo import plans

    named = set(plans.HANDLING_PATH) | set(plans.REFUSALS.values()) | {s for s, _ in plans.TIMED.values()}
    named |= {plans.GAP_VARIANTS.get(name, name) for name in plans.GAPS}
    named |= set(plans.FOLLOWED_BY) | set(plans.FOLLOWED_BY.values())
    assert named <= set(steps.STEPS), named - set(steps.STEPS)
    for status, (step, clock) in plans.TIMED.items():
        assert steps.STEPS[step].target == status and clock in steps.STEPS[step].starts
