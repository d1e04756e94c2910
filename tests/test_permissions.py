"""Generated from the capability table: every capability, tried as every persona.

For each exercise (``tests/permissions.py``; one or more per capability, in each app's
``tests/exercises.py``) and each persona, the table says whether the persona may do it to the
data of 城关镇 (or at all, for county-wide capabilities). Allowed: it succeeds. Not allowed: it
raises ``Refused``, nothing in the database changed, and one refusal was written to the audit log.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import make_user
from tests.permissions import EXERCISES, PERSONAS, World, load_exercises, snapshot
from xinfang.access import policy, rules
from xinfang.access.models import Role
from xinfang.audit.models import AuditAction, AuditEntry

load_exercises()


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """Exercises keep scans and documents: in the test's own folder, not the data directory."""
    settings.PRIVATE_FILES_DIR = tmp_path


@pytest.fixture
def world(units, agent_cg, agent_zj, head_cg, bureau_user, leader, auditor):
    people = {
        "agent_cg": agent_cg,
        "agent_zj": agent_zj,
        "head_cg": head_cg,
        "head_zj": make_user("head_zj", Role.UNIT_HEAD, units["zengjia"], "曾主任"),
        "bureau": bureau_user,
        "leader": leader,
        "sysadmin": make_user("sysadmin1", Role.SYSADMIN, None, "系统管理员"),
        "auditor": auditor,
    }
    return World(units=units, people=people, today=timezone.localdate())


def test_every_capability_of_the_table_is_exercised():
    exercised = {e.code for e in EXERCISES}
    missing = set(policy.CAPABILITIES) - exercised
    assert not missing, f"capabilities without an exercise: {sorted(missing)}"
    assert not exercised - set(policy.CAPABILITIES), "exercises of codes not in the table"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_allowed_exactly_where_the_table_says(world, exercise, persona):
    by = world.people[persona]
    allowed = rules.can(by, exercise.code, None if exercise.county else world.unit)
    act = exercise.prepare(world)
    world.log_in(by)  # a login writes: before anything is compared
    if allowed:
        act(by)
        return
    before = snapshot()
    denials = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, actor=by).count()
    with pytest.raises(rules.Refused):
        act(by)
    assert snapshot() == before, "a refused action changed the database"
    assert AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, actor=by).count() == denials + 1


def test_the_snapshot_sees_any_changed_row(agent_cg, make_case):
    from xinfang.cases.models import Petitioner
    from xinfang.deadlines.models import Clock

    case = make_case(agent_cg)
    first = snapshot()
    assert snapshot() == first
    Clock.objects.filter(code="forward").update(length=16)
    second = snapshot()
    assert second != first
    person = Petitioner.objects.get(pk=case.petitioner_id)
    person.address = "另一个地址"  # an encrypted column
    person.save(update_fields=["address"])
    assert snapshot() != second
