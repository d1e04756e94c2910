"""Case numbers under concurrency: no duplicates and no gaps, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.utils import timezone

from conftest import complaint_data, petitioner_data
from xinfang.cases import actions
from xinfang.cases.models import Case
from xinfang.cases.tests.threads import run_together

WORKERS = 8
PER_WORKER = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_agents_get_distinct_consecutive_numbers(agent_cg, units):
    from xinfang.accounts.models import Role, User

    second = User.objects.create_user(
        username="wang2", password="x" * 12, role=Role.AGENT, unit=units["chengguan"], full_name="王二"
    )
    agents = [agent_cg, second]
    complaint = complaint_data()

    def work(index: int) -> None:
        for n in range(PER_WORKER):
            actions.open_case(
                by=agents[index % 2],
                token=uuid.uuid4(),
                petitioner=petitioner_data(index * 100 + n),
                complaint=complaint,
            )

    errors = run_together(work, WORKERS)
    assert not errors, errors
    seqs = sorted(Case.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, WORKERS * PER_WORKER + 1)), f"{connection.vendor}: {seqs}"
    year = timezone.localdate().year
    assert Case.objects.filter(number=f"城关镇-{year}-{WORKERS * PER_WORKER:04d}").exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_creates_one_case(agent_cg):
    token = uuid.uuid4()
    complaint = complaint_data()
    results: list = []

    def work(index: int) -> None:
        results.append(
            actions.open_case(by=agent_cg, token=token, petitioner=petitioner_data(), complaint=complaint)
        )

    assert run_together(work, 4) == []
    assert Case.objects.count() == 1
    assert len(results) == 4 and len({case.pk for case, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Case.objects.get().seq == 1


@pytest.mark.django_db
def test_the_double_submit_look_up_walks_the_token_index():
    """An equality on the unique token and nothing to sort: no planner, with statistics or on a
    fresh database without, can prefer another index (the unit's, or the order of creation)."""
    from xinfang.cases import intake

    sql, params = intake.earlier_post_query(uuid.uuid4()).query.sql_with_params()
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "ORDER BY" not in sql
    assert "intake_token" in plan, plan
    assert "unit" not in plan and "created_at" not in plan, plan
