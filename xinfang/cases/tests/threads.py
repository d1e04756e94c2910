"""Threads released at the same instant, each with its own database connection."""

from __future__ import annotations

import threading

from django.db import connections


def run_together(work, count: int = 8) -> list[BaseException]:
    """Run ``work(index)`` in ``count`` threads released at the same instant; their errors."""
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def target(index: int) -> None:
        try:
            start.wait()
            work(index)
        except BaseException as exc:  # reported by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
