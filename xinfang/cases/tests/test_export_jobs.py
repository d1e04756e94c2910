"""The ledger export from the page: made in the background, with its progress (rows written of
rows in all), then a link that only the asking user may follow; the file under the data folder
readable by the platform alone, removed after a day; the audit row as for a direct download."""

from __future__ import annotations

import datetime
import io
import os
import stat

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import make_id_number
from xinfang.audit.models import AuditEntry
from xinfang.cases import export_jobs
from xinfang.cases.models import ExportStatus, LedgerExport
from xinfang.cases.tests.test_ledger_search import ledger_query


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def start(client, **filters):
    query = ledger_query(client, **filters) if filters else ""
    response = client.post(reverse("cases:export_start") + (f"?{query}" if query else ""))
    assert response.status_code == 302
    return LedgerExport.objects.get(), response.url


def test_an_agent_exports_in_the_background_and_downloads_the_masked_file(
    client, agent_cg, agent_zj, make_case
):
    mine = make_case(agent_cg, serial=1, title="路灯不亮")
    make_case(agent_cg, serial=2, title="低保评定")
    make_case(agent_zj, serial=3, title="曾家镇事项")
    client.force_login(agent_cg)
    job, url = start(client, q="路灯")
    assert url == reverse("cases:export_job", kwargs={"job": job.pk})
    assert (job.status, job.rows_total, job.rows_done) == (ExportStatus.RUNNING, 1, 0)
    assert "路灯" not in str(job.filters)  # the search words are kept sealed
    entry = AuditEntry.objects.get(action="export")
    assert entry.detail["masked"] is True and entry.detail["filters"]["search"] is True

    page = client.get(url).content.decode()
    assert "正在生成：已写入 0 / 1 件" in page
    card = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in card and "<html" not in card
    assert client.get(reverse("cases:export_job_file", kwargs={"job": job.pk})).status_code == 404

    export_jobs.run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.rows_done) == (ExportStatus.DONE, 1)
    path = export_jobs.path_of(job)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    card = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in card and "下载 Excel" in card

    response = client.get(reverse("cases:export_job_file", kwargs={"job": job.pk}))
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][0] == "编号" and [r[0] for r in rows[1:]] == [mine.number]
    assert make_id_number(1) not in " ".join(str(v) for v in rows[1])


def test_no_one_else_sees_or_downloads_the_job(client, agent_cg, bureau_user, make_case):
    make_case(agent_cg, serial=1)
    client.force_login(agent_cg)
    job, url = start(client)
    export_jobs.run(job.pk)
    client.force_login(bureau_user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("cases:export_job_file", kwargs={"job": job.pk})).status_code == 404
    assert AuditEntry.objects.filter(action="access_denied").count() == 2


def test_a_job_not_heard_from_reads_as_failed(client, agent_cg, make_case):
    make_case(agent_cg, serial=1)
    client.force_login(agent_cg)
    job, url = start(client)
    LedgerExport.objects.filter(pk=job.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=10))
    assert "生成失败" in client.get(url).content.decode()


def test_old_jobs_and_their_files_are_removed(client, agent_cg, make_case):
    make_case(agent_cg, serial=1)
    client.force_login(agent_cg)
    job, _ = start(client)
    export_jobs.run(job.pk)
    path = export_jobs.path_of(job)
    assert path.exists()
    assert export_jobs.prune() == 0 and path.exists()
    assert export_jobs.prune(timezone.now() + export_jobs.KEEP + datetime.timedelta(minutes=1)) == 1
    assert not path.exists() and not LedgerExport.objects.exists()
