"""The import pages over HTTP: upload, the dry run in Chinese, the mapping saved, the corrected
file, the streamed import, the template; another unit's batch is a 404."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from xinfang.cases.models import Case
from xinfang.imports.models import BatchStatus, ColumnMapping, ImportBatch
from xinfang.imports.tests.messy import messy_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def streamed_page(response) -> str:
    assert isinstance(response, StreamingHttpResponse), response
    return b"".join(response.streaming_content).decode()  # type: ignore[arg-type]


def selects(page: str) -> dict[str, tuple[str, str]]:
    """The mapping form as the browser would post it: each select's label and selected value."""
    found = {}
    for name, label in re.findall(r'<label for="id_(h\d+)">(.*?)</label>', page):
        select = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        chosen = re.search(r'<option value="([^"]*)" selected>', select)
        found[name] = (label, chosen.group(1) if chosen else "")
    return found


def upload(client, content: bytes, **data):
    file = SimpleUploadedFile("城关镇台账.xlsx", content)
    return client.post(reverse("imports:home"), {"file": file, **data})


def test_upload_dry_run_fix_and_import(agent_cg, units):
    client = logged_in(agent_cg)
    page = client.get(reverse("cases:list")).content.decode()
    assert reverse("imports:home") in page and "导入原有台账" in page

    response = upload(client, messy_workbook(bad_id=True))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("imports:batch", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert (
        "将新建 <strong>3</strong> 件事项" in page and '发现 <strong class="error">1</strong> 个问题' in page
    )
    assert "工作表“2024年”第7行“身份证号”列（C列）：身份证号校验位不正确" in page
    assert "确认导入" not in page and "上传改正后的文件并重新检查" in page

    # Confirming anyway is refused before anything is written.
    response = client.post(reverse("imports:run", args=[batch.pk]))
    streamed = streamed_page(response)
    assert "导入没有完成，一行也没有导入：检查发现1个问题" in streamed and Case.objects.count() == 0

    fixed = SimpleUploadedFile("城关镇台账（改）.xlsx", messy_workbook())
    response = client.post(reverse("imports:replace", args=[batch.pk]), {"file": fixed})
    assert response.status_code == 302
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "将新建 <strong>4</strong> 件事项" in page and "确认导入 4 件" in page

    response = client.post(reverse("imports:run", args=[batch.pk]))
    assert response["Content-Type"] == "text/html; charset=utf-8"
    streamed = streamed_page(response)
    assert "正在导入台账" in streamed and "已导入 4 / 4 件（100%）" in streamed
    assert "导入完成：新建 4 件事项" in streamed and "不再发送超期提醒" in streamed
    assert Case.objects.filter(unit=units["chengguan"]).count() == 4
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.file is None

    page = client.get(reverse("cases:list")).content.decode()
    assert page.count('class="badge badge-imported"') == 4
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "新建 4 件事项" in page
    case = Case.objects.get(title="道路硬化后排水沟堵塞")
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "从原有台账导入" in page and f"原台账（导入批次{batch.pk}）：工作表“2024年”第5行" in page


def test_the_mapping_is_saved_for_the_unit(agent_cg, units):
    client = logged_in(agent_cg)
    book = load_workbook(io.BytesIO(messy_workbook()))
    book["2025年"]["A1"] = "收件日"  # a header nobody guesses
    out = io.BytesIO()
    book.save(out)
    upload(client, out.getvalue())
    batch = ImportBatch.objects.get()
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "工作表“2025年”：没有找到“接待日期”列" in page
    form = selects(page)
    corrected = next(name for name, (label, _) in form.items() if label == "收件日")
    posted = {name: value for name, (_, value) in form.items()} | {corrected: "received_on"}
    response = client.post(reverse("imports:mapping", args=[batch.pk]), posted)
    assert response.status_code == 302
    assert ColumnMapping.objects.get(unit=units["chengguan"]).columns["收件日"] == "received_on"


def test_another_units_batch_is_not_found(agent_cg, agent_zj, units):
    upload(logged_in(agent_cg), messy_workbook())
    batch = ImportBatch.objects.get()
    client = logged_in(agent_zj)
    assert client.get(reverse("imports:batch", args=[batch.pk])).status_code == 404
    assert client.post(reverse("imports:run", args=[batch.pk])).status_code == 404
    assert Case.objects.count() == 0


def test_bureau_staff_choose_the_unit(bureau_user, agent_cg, units):
    client = logged_in(bureau_user)
    page = client.get(reverse("imports:home")).content.decode()
    assert "导入到单位" in page and "城关镇" in page and "县信访局</option>" not in page
    response = upload(client, messy_workbook(), unit=units["zengjia"].pk)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "曾家镇还没有代理员账户" in page


def test_the_template_downloads(agent_cg, units):
    response = logged_in(agent_cg).get(reverse("imports:template"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["台账", "填写说明"]
    assert [c.value for c in book["台账"][1]][:5] == ["接待日期", "代理员", "信访人", "证件类型", "身份证号"]


def test_cancel_discards_the_file(agent_cg, units, django_capture_on_commit_callbacks):
    client = logged_in(agent_cg)
    upload(client, messy_workbook())
    batch = ImportBatch.objects.get()
    stored = batch.file
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:cancel", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CANCELLED and batch.file is None
    assert not type(stored).objects.filter(pk=stored.pk).exists()


def test_an_upload_left_unconfirmed_is_not_kept(agent_cg, units, django_capture_on_commit_callbacks):
    import datetime

    from django.utils import timezone

    client = logged_in(agent_cg)
    upload(client, messy_workbook())
    old = ImportBatch.objects.get()
    stored = old.file
    ImportBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, messy_workbook())
    old.refresh_from_db()
    assert old.status == BatchStatus.CANCELLED and old.file is None
    assert not type(stored).objects.filter(pk=stored.pk).exists()
    assert ImportBatch.objects.filter(status=BatchStatus.DRAFT).count() == 1
