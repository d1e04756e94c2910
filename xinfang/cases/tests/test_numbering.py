"""Case numbers under concurrency: no duplicates and no gaps, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections
from django.utils import timezone

from conftest import complaint_data, petitioner_data
from xinfang.cases import actions
from xinfang.cases.models import Case

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
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            start.wait()
            for n in range(PER_WORKER):
                actions.open_case(
                    by=agents[index % 2],
                    token=uuid.uuid4(),
                    petitioner=petitioner_data(index * 100 + n),
                    complaint=complaint,
                )
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    seqs = sorted(Case.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, WORKERS * PER_WORKER + 1)), f"{connection.vendor}: {seqs}"
    year = timezone.localdate().year
    assert Case.objects.filter(number=f"城关镇-{year}-{WORKERS * PER_WORKER:04d}").exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_creates_one_case(agent_cg):
    token = uuid.uuid4()
    complaint = complaint_data()
    start = threading.Barrier(4)
    results: list = []

    def work() -> None:
        try:
            start.wait()
            results.append(
                actions.open_case(by=agent_cg, token=token, petitioner=petitioner_data(), complaint=complaint)
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Case.objects.count() == 1
    assert len(results) == 4 and len({case.pk for case, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Case.objects.get().seq == 1
