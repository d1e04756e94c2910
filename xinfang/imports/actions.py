"""Bringing in a unit's old 台账: the upload, the saved mapping, the import, the cancellation.

Each action checks its actor against the capability table (``import_ledger``: a unit's agents
for their unit, bureau staff for every unit) before it changes anything. ``by`` None is the
server's shell (``xinfang import ledger``), run by whoever runs the server.

The import itself, all rows or none:

1. ``prepare_import`` checks the actor, reads the stored file and runs the dry run again
   (``selectors.dry_run``): any problem refuses the import, nothing is written;
2. ``run_import`` brings the rows in, ``CHUNK`` at a time through the cases' own door
   (``cases.actions.record_past_cases``), inside one transaction, and says after each chunk how
   far it is (the page and the command show it); then the overdue reminders of the past are
   settled (``notify.remind.settle_past``: nobody is reminded of what ran out before), the batch
   is marked done, the audit log gets one row, and the uploaded file is discarded on commit;
3. a failure anywhere, or a page closed before the end, rolls everything back.
"""

from __future__ import annotations

import datetime
import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from xinfang.access import rules
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.cases import actions as cases
from xinfang.cases.actions_past import PastCase
from xinfang.core import files
from xinfang.core.errors import DomainError
from xinfang.imports import columns, selectors, workbook
from xinfang.imports.models import BatchStatus, ColumnMapping, ImportBatch
from xinfang.notify import remind

IMPORT = selectors.IMPORT
CHUNK = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 20 * 1024 * 1024
COMMAND_LINE = "(command line)"
KEPT_DAYS = 7  # an upload waiting for its confirmation


class ImportFailed(DomainError):
    """What stops an upload or an import; the message says what to do."""


def _check(by, unit, request=None) -> None:
    if by is not None:
        rules.check(by, IMPORT, unit=unit, request=request)


def check_upload(upload) -> files.Checked:
    """An uploaded workbook: not too big, and an .xlsx by its content (``workbook.check_archive``)."""
    name = os.path.basename(upload.name or "台账.xlsx")
    if upload.size > MAX_BYTES:
        raise ImportFailed(
            f"文件“{name}”大小为 {files.human_size(upload.size)}，超过 {files.human_size(MAX_BYTES)}，请只保留台账的工作表后再上传。",
            "file",
        )
    upload.seek(0)
    content = upload.read()
    try:
        workbook.check_archive(content)
    except workbook.UnreadableWorkbook as exc:
        raise ImportFailed(str(exc), "file") from None
    return files.Checked(content=content, content_type=XLSX, name=name)


def start_import(*, by, unit, upload, request=None) -> ImportBatch:
    """Keep the uploaded workbook (encrypted) for its dry run. Uploads left unconfirmed for
    ``KEPT_DAYS`` are cancelled and their files deleted on the way (``_sweep``)."""
    _check(by, unit, request)
    checked = check_upload(upload)
    with transaction.atomic():
        _sweep()
        stored = files.store(checked, by=by)
        return ImportBatch.objects.create(
            unit=unit, uploaded_by=by, file=stored, file_name=checked.name, sha256=stored.sha256
        )


def replace_file(batch: ImportBatch, *, by, upload, request=None) -> ImportBatch:
    """The corrected workbook in place of the one uploaded before (the dry run's “fix” step)."""
    _check(by, batch.unit_id, request)
    checked = check_upload(upload)
    with transaction.atomic():
        batch = _draft(batch)
        old = batch.file
        batch.file = files.store(checked, by=by)
        batch.file_name, batch.sha256 = checked.name, batch.file.sha256
        batch.save(update_fields=["file", "file_name", "sha256"])
        if old is not None:
            transaction.on_commit(lambda: files.discard(old))
        return batch


def cancel_import(batch: ImportBatch, *, by, request=None) -> ImportBatch:
    _check(by, batch.unit_id, request)
    with transaction.atomic():
        batch = _draft(batch)
        old = batch.file
        batch.status, batch.file = BatchStatus.CANCELLED, None
        batch.finished_at, batch.finished_by = timezone.now(), by
        batch.save(update_fields=["status", "file", "finished_at", "finished_by"])
        if old is not None:
            transaction.on_commit(lambda: files.discard(old))
        return batch


def save_mapping(unit, *, by, mapping: dict[str, str], request=None) -> ColumnMapping:
    """Save the unit's headers and the columns they mean (``""``: leave the column out)."""
    _check(by, unit, request)
    unknown = {code for code in mapping.values() if code and code not in columns.BY_CODE}
    if unknown:
        raise ImportFailed(f"没有这些列：{'、'.join(sorted(unknown))}。")
    with transaction.atomic():
        saved, _ = ColumnMapping.objects.select_for_update().get_or_create(unit_id=getattr(unit, "pk", unit))
        saved.columns = {**saved.columns, **{key[:100]: code for key, code in mapping.items()}}
        saved.updated_by = by
        saved.save()
        return saved


def _sweep() -> int:
    """An old ledger holds every petitioner's particulars: an upload nobody confirmed or cancelled
    is not kept longer than ``KEPT_DAYS``."""
    cutoff = timezone.now() - datetime.timedelta(days=KEPT_DAYS)
    stale = list(
        ImportBatch.objects.select_for_update().filter(status=BatchStatus.DRAFT, created_at__lt=cutoff)
    )
    for batch in stale:
        if batch.file is not None:
            transaction.on_commit(functools.partial(files.discard, batch.file))
        batch.status, batch.file, batch.finished_at = BatchStatus.CANCELLED, None, timezone.now()
        batch.save(update_fields=["status", "file", "finished_at"])
    return len(stale)


def _draft(batch: ImportBatch) -> ImportBatch:
    rows = ImportBatch.objects.select_for_update(of=("self",)).select_related("unit", "file")
    batch = rows.get(pk=batch.pk)
    if batch.status != BatchStatus.DRAFT:
        raise ImportFailed(f"这个文件{batch.get_status_display()}，不能再更改；如需导入，请重新上传。")
    return batch


@dataclass
class Prepared:
    batch: ImportBatch
    by: Any  # the user, or None for the server's shell
    entries: list[PastCase]
    rows: int
    skipped: int
    today: datetime.date


@dataclass
class Progress:
    done: int
    total: int
    finished: bool = False
    settled: int = 0  # overdue clocks of the past, not reminded

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.done * 100 // self.total


def prepare_import(batch: ImportBatch, *, by, request=None, today: datetime.date | None = None) -> Prepared:
    """Step 1 of the module's docstring: raises ``ImportFailed`` when the file has problems."""
    _check(by, batch.unit_id, request)
    if batch.status != BatchStatus.DRAFT or batch.file is None:
        raise ImportFailed(f"这个文件{batch.get_status_display()}，没有再次导入。")
    today = today or timezone.localdate()
    try:
        report = selectors.dry_run(files.read(batch.file), unit=batch.unit, by=by, today=today)
    except workbook.UnreadableWorkbook as exc:
        raise ImportFailed(str(exc)) from None
    if not report.ok:
        raise ImportFailed(f"检查发现{len(report.problems)}个问题，没有导入任何一行。请改正后重新检查。")
    order = {sheet.sheet.name: n for n, sheet in enumerate(report.sheets)}
    rows = sorted(report.to_create, key=lambda r: (r.entry.received_on, order[r.sheet], r.number))  # type: ignore[union-attr]
    for row in rows:
        row.entry.origin["batch"] = batch.pk  # type: ignore[union-attr]
    return Prepared(
        batch=batch,
        by=by,
        entries=[row.entry for row in rows if row.entry is not None],
        rows=len(report.rows),
        skipped=len(report.skipped),
        today=today,
    )


def run_import(prepared: Prepared, *, request=None) -> Iterator[Progress]:
    """Step 2 and 3: yields the progress after each chunk, the last time with ``finished``."""
    by, total = prepared.by, len(prepared.entries)
    with transaction.atomic():
        batch = _draft(prepared.batch)
        made: list[int] = []
        for start in range(0, total, CHUNK):
            chunk = prepared.entries[start : start + CHUNK]
            made += [case.pk for case in cases.record_past_cases(chunk, by=by, unit=batch.unit)]
            yield Progress(len(made), total)
        settled = remind.settle_past(made, today=prepared.today)
        old = batch.file
        batch.status, batch.file = BatchStatus.DONE, None
        batch.finished_at, batch.finished_by = timezone.now(), by
        batch.rows, batch.created, batch.skipped = prepared.rows, len(made), prepared.skipped
        batch.save()
        record(
            AuditAction.IMPORT,
            by=by,
            request=request,
            target=batch,
            actor_name="" if by is not None else COMMAND_LINE,
            unit=batch.unit.name,
            rows=batch.rows,
            created=batch.created,
            skipped=batch.skipped,
            sha256=batch.sha256,
        )
        if old is not None:
            transaction.on_commit(lambda: files.discard(old))
    yield Progress(len(made), total, finished=True, settled=settled)


def import_batch(batch: ImportBatch, *, by, request=None, today: datetime.date | None = None) -> Progress:
    """The whole import at once (the permission test, and callers that need no progress)."""
    steps = list(run_import(prepare_import(batch, by=by, request=request, today=today), request=request))
    return steps[-1]
