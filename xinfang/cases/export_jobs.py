"""Ledger exports made in the background (``LedgerExport``): the page asks, a thread of the
serving process writes the workbook, the page shows how many rows are written of how many and
then the link to the file.

1. ``start`` (inside the asking request) saves the job with the row count and the filters (the
   search words sealed for the user), and after the commit starts a thread that runs ``run``.
2. ``run`` reads the ledger as the user may read it (``selectors.ledger`` with the job's
   capability, at the time it runs), writes it with ``exports.write_ledger`` to a file under the
   data folder opened 0600 (the rows wait in temporary files in the same 0700 folder), saving the
   rows written every ``xlsx_stream.PROGRESS_EVERY``; the file takes its name once complete.
3. ``get_for`` gives the job to the user who asked it and to no one else, through the access
   module; a job not heard from for ``STALE`` (the serving process went away) reads as failed.
4. ``prune`` removes the jobs and files older than ``KEEP``: at each new job and from
   ``xinfang remind``.

The audit row is written by the view that asks, as for a direct download.
"""

from __future__ import annotations

import datetime
import logging
import os
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from xinfang.access.models import Reach
from xinfang.access.rules import get_or_refuse, reach
from xinfang.cases import exports, selectors
from xinfang.cases.models import ExportStatus, LedgerExport
from xinfang.core import crypto

logger = logging.getLogger(__name__)

KEEP = datetime.timedelta(hours=24)
STALE = datetime.timedelta(minutes=5)
MASKED, FULL = "export_ledger", "export_ledger_full"


def code_of(job: LedgerExport) -> str:
    return FULL if job.full else MASKED


def folder() -> Path:
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def path_of(job: LedgerExport) -> Path:
    return folder() / f"{job.pk}.xlsx"


def _search_context(user_id: int) -> str:
    return f"cases.export.search:{user_id}"


def _filters(flt: selectors.LedgerFilter, user) -> dict:
    sealed = crypto.seal(flt.q, _search_context(user.pk)) if flt.q else ""
    return {
        "month": flt.month,
        "status": flt.status,
        "category": flt.category,
        "unit": flt.unit,
        "kind": flt.kind,
        "s": sealed,
    }


def filter_of(job: LedgerExport) -> selectors.LedgerFilter:
    kept = dict(job.filters)
    sealed = kept.pop("s", "")
    q = crypto.unseal(sealed, _search_context(job.by_id)) if sealed else ""
    return selectors.LedgerFilter(**kept, q=q)


def start(user, flt: selectors.LedgerFilter, *, full: bool) -> LedgerExport:
    prune()
    job = LedgerExport.objects.create(by=user, unit_id=user.unit_id, full=full, filters=_filters(flt, user))
    job.rows_total = exports.count_rows(selectors.ledger(user, flt, code=code_of(job)))
    job.save(update_fields=["rows_total"])
    transaction.on_commit(lambda: spawn(job.pk))
    return job


def spawn(job_id: uuid.UUID) -> None:
    threading.Thread(target=_in_thread, args=(job_id,), name=f"ledger-export-{job_id}", daemon=True).start()


def _in_thread(job_id: uuid.UUID) -> None:
    try:
        run(job_id)
    finally:
        connections.close_all()  # this thread's own connections


def _save(job_id: uuid.UUID, **fields) -> None:
    try:
        LedgerExport.objects.filter(pk=job_id).update(updated_at=timezone.now(), **fields)
    except DatabaseError:  # a busy SQLite file: the next report will do
        if fields.get("status"):
            raise


def run(job_id: uuid.UUID) -> None:
    job = LedgerExport.objects.select_related("by").get(pk=job_id)
    target = path_of(job)
    partial = target.with_suffix(".part")
    try:
        code = code_of(job)
        cases = selectors.ledger(job.by, filter_of(job), code=code)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            rows = exports.write_ledger(
                fh,
                cases,
                show_unit=reach(job.by, code) == Reach.COUNTY,
                full=job.full,
                tmpdir=str(folder()),
                progress=lambda done: _save(job_id, rows_done=done),
            )
        os.replace(partial, target)
    except Exception:
        logger.exception("ledger export %s failed", job_id)
        partial.unlink(missing_ok=True)
        _save(job_id, status=ExportStatus.FAILED)
        return
    _save(job_id, status=ExportStatus.DONE, rows_done=rows, rows_total=max(rows, job.rows_total))


def get_for(request, pk) -> LedgerExport:
    """The user's own job (the access module refuses, and logs, any other)."""
    own = LedgerExport.objects.filter(by=request.user)
    job = get_or_refuse(own, request.user, MASKED, pk, request=request)
    if job.full:
        get_or_refuse(own, request.user, FULL, pk, request=request)
    if job.status == ExportStatus.RUNNING and job.updated_at < timezone.now() - STALE:
        job.status = ExportStatus.FAILED
    return job


def prune(now: datetime.datetime | None = None) -> int:
    """Remove the jobs older than ``KEEP`` and their files, and a file of the folder's own
    (``<job>.xlsx`` or ``.part``) left without a job for as long. Other files (a running
    export's temporary ones) are not touched. Returns the jobs removed."""
    old = LedgerExport.objects.filter(created_at__lt=(now or timezone.now()) - KEEP)
    for job in old:
        path_of(job).unlink(missing_ok=True)
    removed, _ = old.delete()
    kept = {str(pk) for pk in LedgerExport.objects.values_list("pk", flat=True)}
    before = time.time() - KEEP.total_seconds()  # the files' own clock
    for path in folder().glob("*-*-*-*-*.*"):
        try:
            if path.suffix in (".xlsx", ".part") and path.stem not in kept and path.stat().st_mtime < before:
                path.unlink()
        except FileNotFoundError:  # removed meanwhile
            continue
    return removed
