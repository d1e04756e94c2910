"""Writers at the same moment: the chain never forks and has no gap, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from xinfang.audit import actions
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction, AuditEntry

WORKERS = 8
PER_WORKER = 12


def run_workers(work) -> list[BaseException]:
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def guarded(index: int) -> None:
        try:
            start.wait()
            work(index)
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_records_make_one_unbroken_chain(agent_cg):
    def work(index: int) -> None:
        for n in range(PER_WORKER):
            record(AuditAction.REVEAL, by=agent_cg, target_type="cases.Case", target_id=index, n=n)

    assert not run_workers(work)
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, WORKERS * PER_WORKER + 1)), f"{connection.vendor}: {seqs}"
    report = actions.verify_log()
    assert report.ok and report.rows == WORKERS * PER_WORKER, report.findings


class Abandon(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_concurrent_transactions_that_roll_back_leave_no_gap(agent_cg):
    """Each worker's transactions write a row and then some other work; every third fails."""
    committed = []

    def work(index: int) -> None:
        for n in range(PER_WORKER):
            try:
                with transaction.atomic():
                    record(AuditAction.EXPORT, by=agent_cg, target_type="ledger", worker=index, n=n)
                    if n % 3 == 0:
                        raise Abandon
                committed.append((index, n))
            except Abandon:
                pass

    assert not run_workers(work)
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(committed) + 1)), f"{connection.vendor}: {seqs}"
    assert len(committed) == WORKERS * (PER_WORKER - PER_WORKER // 3)
    report = actions.verify_log()
    assert report.ok, report.findings
