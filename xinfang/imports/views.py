"""The pages that bring in an old 台账: upload, the dry run with the mapping and the fix, and the
import with its progress. Who may (``import_ledger``) and for which units is the capability
table's answer; a batch of another unit is a 404 like any missing page.

The import runs in the request that confirms it, in one transaction: its page is streamed, so
the browser shows each chunk's progress as it is done (no background worker, no polling), and
the last lines say how it ended. A page closed before the end rolls the import back.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from xinfang.access.views import requires
from xinfang.cases.exports import XLSX, attachment_header
from xinfang.core import files
from xinfang.core.errors import DomainError, add_to_form
from xinfang.imports import actions, selectors
from xinfang.imports.forms import MappingForm, ReplaceForm, UploadForm
from xinfang.imports.models import BatchStatus
from xinfang.imports.template import FILENAME, template_xlsx
from xinfang.imports.workbook import UnreadableWorkbook

IMPORT = selectors.IMPORT
ROWS_PER_PAGE = 100
PROBLEMS_SHOWN = 500
PROGRESS_MARK = "<!--progress-->"
logger = logging.getLogger("xinfang.imports")


@requires(IMPORT)
def home(request):
    units = selectors.units_for(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            batch = actions.start_import(
                by=request.user, unit=form.chosen_unit(), upload=form.cleaned_data["file"], request=request
            )
        except actions.ImportFailed as exc:
            add_to_form(form, exc)
        else:
            return redirect("imports:batch", pk=batch.pk)
    batches = selectors.batches_for(request.user)[:30]
    return render(request, "imports/home.html", {"form": form, "batches": batches, "nav": "imports"})


@requires(IMPORT)
def template(request):
    response = HttpResponse(template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = attachment_header(FILENAME)
    return response


def _report(request, batch):
    """The dry run of the batch's file, or the message that says why it cannot be read."""
    try:
        return selectors.dry_run(files.read(batch.file), unit=batch.unit, by=request.user), ""
    except UnreadableWorkbook as exc:
        return None, str(exc)


@requires(IMPORT)
def batch(request, pk, *, replace_form=None, status=200):
    batch = selectors.get_batch_for(request, pk)
    context = {"batch": batch, "nav": "imports", "draft": batch.status == BatchStatus.DRAFT}
    if batch.status == BatchStatus.DRAFT and batch.file is not None:
        report, unreadable = _report(request, batch)
        context.update(unreadable=unreadable, replace=replace_form or ReplaceForm())
        if report is not None:
            context.update(
                report=report,
                problems=report.problems[:PROBLEMS_SHOWN],
                more_problems=max(0, len(report.problems) - PROBLEMS_SHOWN),
                mapping=MappingForm(headers=report.headers),
                page=Paginator(report.rows, ROWS_PER_PAGE).get_page(request.GET.get("page")),
                earlier=selectors.imported_before(batch),
                creates=len(report.to_create),
                skips=len(report.skipped),
            )
    return render(request, "imports/batch.html", context, status=status)


@require_POST
@requires(IMPORT)
def mapping(request, pk):
    batch = selectors.get_batch_for(request, pk)
    report, unreadable = _report(request, batch) if batch.file is not None else (None, "")
    if report is None:
        messages.error(request, unreadable or "这个文件已导入或已取消。")
        return redirect("imports:batch", pk=batch.pk)
    form = MappingForm(request.POST, headers=report.headers)
    if form.is_valid():
        try:
            actions.save_mapping(batch.unit, by=request.user, mapping=form.mapping(), request=request)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已保存{batch.unit.name}的表头对应关系，并按新的对应关系重新检查。")
    return redirect(reverse("imports:batch", args=[batch.pk]) + "#report")


@require_POST
@requires(IMPORT)
def replace(request, pk):
    batch_ = selectors.get_batch_for(request, pk)
    form = ReplaceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.replace_file(batch_, by=request.user, upload=form.cleaned_data["file"], request=request)
        except actions.ImportFailed as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, "已换上改正后的文件，并重新检查。")
            return redirect(reverse("imports:batch", args=[batch_.pk]) + "#report")
    return batch(request, pk, replace_form=form, status=400)


@require_POST
@requires(IMPORT)
def cancel(request, pk):
    batch = selectors.get_batch_for(request, pk)
    try:
        actions.cancel_import(batch, by=request.user, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已取消这次导入，上传的文件已删除。")
    return redirect("imports:home")


@require_POST
@requires(IMPORT)
def run(request, pk):
    """Confirm the import: the page streams the file's second check, then the progress (see the
    module's docstring); a problem found on the second check stops it before anything is written."""
    batch = selectors.get_batch_for(request, pk)
    if batch.status != BatchStatus.DRAFT:
        messages.error(request, f"这个文件{batch.get_status_display()}，没有再次导入。")
        return redirect("imports:batch", pk=batch.pk)
    response = StreamingHttpResponse(_progress_page(request, batch), content_type="text/html; charset=utf-8")
    response["X-Accel-Buffering"] = "no"  # nginx passes each line on as it comes
    return response


def _progress_page(request, batch):
    context = {"batch": batch, "nav": "imports"}
    head, tail = render_to_string("imports/run.html", context, request=request).split(PROGRESS_MARK)
    yield head
    yield render_to_string("imports/_checking.html")
    try:
        prepared = actions.prepare_import(batch, by=request.user, request=request)
        yield render_to_string("imports/_progress.html", {"step": actions.Progress(0, len(prepared.entries))})
        for step in actions.run_import(prepared, request=request):
            yield render_to_string("imports/_progress.html", {"step": step})
    except DomainError as exc:
        yield render_to_string("imports/_failed.html", {"message": exc.message})
    except DatabaseError:
        logger.exception("the import of batch %s failed", batch.pk)
        message = "数据库出错（可能有人同时在登记同一信访人），请稍后重新导入。"
        yield render_to_string("imports/_failed.html", {"message": message})
    except Exception:  # the page has begun: say how it ended rather than break off
        logger.exception("the import of batch %s failed", batch.pk)
        message = "系统出错，请联系系统管理员后重新导入。"
        yield render_to_string("imports/_failed.html", {"message": message})
    yield tail
