"""A case's file (归档): the .zip of its papers, masked or whole, from the case page and from
``xinfang export case-file``; every file listed with its SHA-256."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from conftest import make_id_number
from xinfang.audit.models import AuditEntry
from xinfang.cases import casefile
from xinfang.cases.models import Case
from xinfang.cases.tests.filed import (
    ATTACHMENT,
    AUTHORIZATION,
    FEEDBACK,
    REGISTRATION,
    REPLY,
    SECOND,
    ago,
    filed_case,
)
from xinfang.core.models import StoredFile

FIRST_ID, SECOND_ID = make_id_number(1), make_id_number(51)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "files"


@pytest.fixture
def case(agent_cg, make_case):
    return filed_case(agent_cg, make_case)


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def download(client, url, **post) -> tuple[Any, dict[str, bytes]]:
    response = client.post(url, post) if post else client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response.streaming and response["Content-Type"] == "application/zip"
    chunks = list(response.streaming_content)
    assert len(chunks) > 1  # sent file by file (and the manifest last), not built whole first
    return response, unzip(b"".join(chunks))


def inside(files: dict[str, bytes], root: str) -> dict[str, bytes]:
    assert all(name.startswith(root + "/") for name in files)
    return {name.removeprefix(root + "/"): content for name, content in files.items()}


def xml_text(document: bytes) -> str:
    """Every part of a .docx or .xlsx, as the text of its XML."""
    with zipfile.ZipFile(io.BytesIO(document)) as archive:
        return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())


def test_one_click_gives_the_masked_case_file_with_a_manifest(client, agent_cg, case):
    client.force_login(agent_cg)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:case_file", args=[case.pk]) in page and "导出案卷（.zip）" in page
    assert "导出完整案卷" not in page  # only bureau staff
    response, files = download(client, reverse("cases:case_file", args=[case.pk]))
    root = f"案卷-{case.number}"
    assert unquote(response["Content-Disposition"]).endswith(f"filename*=UTF-8''{root}.zip")
    files = inside(files, root)
    assert sorted(files) == sorted(
        [
            f"01-授权委托书/授权委托书-{case.number}.docx",
            "01-授权委托书/委托书扫描.pdf",
            "02-平台注册成功页/注册成功页.pdf",
            "03-诉求附件/现场照片.pdf",
            "05-答复意见书/答复意见书.pdf",
            f"09-反馈表/反馈表-{case.number}.docx",
            "09-反馈表/反馈表签字扫描件.pdf",
            "事项信息与办理记录.xlsx",
            "清单.txt",
            "SHA256SUMS",
        ]
    )
    # The stored files are encrypted on disk; the case file holds them decrypted, as uploaded.
    for path, scan in (
        ("01-授权委托书/委托书扫描.pdf", AUTHORIZATION),
        ("02-平台注册成功页/注册成功页.pdf", REGISTRATION),
        ("03-诉求附件/现场照片.pdf", ATTACHMENT),
        ("05-答复意见书/答复意见书.pdf", REPLY),
        ("09-反馈表/反馈表签字扫描件.pdf", FEEDBACK),
    ):
        assert files[path] == scan.content
    assert not any(scan.content in blob for blob in stored_blobs())

    # Every file in the manifest and in SHA256SUMS, with its own SHA-256; nothing else.
    listed = dict(line.split("  ", 1)[::-1] for line in files["SHA256SUMS"].decode().splitlines())
    assert set(listed) == set(files) - {"清单.txt", "SHA256SUMS"}
    assert all(hashlib.sha256(files[path]).hexdigest() == digest for path, digest in listed.items())
    manifest = files["清单.txt"].decode("utf-8-sig")
    assert manifest.startswith("网上投诉代理事项案卷清单\r\n")
    assert "信访人：李某某、张某某（共2人）" in manifest and "版本：脱敏" in manifest
    for path, digest in listed.items():
        assert re.search(rf"\t{re.escape(path)}\t[^\t]+\t{len(files[path])}\t{digest}\r\n", manifest)

    # Made now and masked: the letter lists both petitioners, their phones and addresses hidden.
    letter = xml_text(files[f"01-授权委托书/授权委托书-{case.number}.docx"])
    assert "李某某" in letter and "张某某" in letter and "139****5678" in letter and "138****0002" in letter
    assert "13912345678" not in letter and SECOND["address"] not in letter
    assert "排水沟仍未疏通" in xml_text(files[f"09-反馈表/反馈表-{case.number}.docx"])
    made_now = "".join(xml_text(files[p]) for p in files if p.endswith((".docx", ".xlsx")))
    for secret in (FIRST_ID, SECOND_ID, "13912345678", "pt-user-7", "QC7788", "pw-secret-7", "文彩村三组"):
        assert secret not in made_now

    entry = AuditEntry.objects.get(action="export", target_type="cases.Case")
    assert entry.target_id == str(case.pk)
    assert entry.detail == {"document": "case_file", "masked": True, "files": 8}


def stored_blobs() -> list[bytes]:
    from django.conf import settings

    return [p.read_bytes() for p in settings.PRIVATE_FILES_DIR.rglob("*") if p.is_file()]


def test_the_workbook_lists_every_petitioner_the_history_and_the_clocks(client, agent_cg, case):
    client.force_login(agent_cg)
    _, files = download(client, reverse("cases:case_file", args=[case.pk]))
    book = load_workbook(io.BytesIO(files[f"案卷-{case.number}/事项信息与办理记录.xlsx"]))
    assert book.sheetnames == ["事项信息", "信访人", "办理记录", "跟踪督办", "法定期限", "评价与反馈"]
    people = list(book["信访人"].values)
    assert [row[1] for row in people[1:]] == ["李某某", "张某某"]
    assert people[1][3] == FIRST_ID[:3] + "*" * 11 + FIRST_ID[-4:] and people[2][4] == "138****0002"
    particulars = dict(book["事项信息"].iter_rows(min_row=2, values_only=True))
    assert particulars["诉求内容"] == "（脱敏版本不含诉求内容）" and particulars["查询码"] == "••••••"
    assert particulars["信访人数"] == "2人"
    history = [row[1] for row in book["办理记录"].iter_rows(min_row=2, values_only=True)]
    assert history[0] == "登记" and "添加联名信访人" in history and "填写反馈表" in history
    assert len(list(book["跟踪督办"].iter_rows(min_row=2))) == 2
    clocks = {row[0]: row[-1] for row in book["法定期限"].iter_rows(min_row=2, values_only=True)}
    assert clocks["受理告知"] == "已完成（逾期）"
    ratings = [row[1:] for row in book["评价与反馈"].iter_rows(min_row=2, values_only=True)]
    assert ("评价方式", "信访人凭查询码在网上信访平台评价，代理员登记结果") in ratings
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.print_title_rows == "$1:$1"
        assert sheet.page_setup.orientation == "landscape" and sheet.oddHeader.center.text.startswith(
            case.number
        )


def test_bureau_staff_export_the_full_case_file_on_a_reason(client, bureau_user, case):
    client.force_login(bureau_user)
    url = reverse("cases:case_file_full", args=[case.pk])
    assert "导出完整案卷" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    form = client.get(url)
    assert form.status_code == 200 and "完整案卷含信访人的敏感个人信息" in form.content.decode()
    refused = client.post(url, {"reason": "查"})
    assert refused.status_code == 400 and "用途至少写4个字。" in refused.content.decode()
    assert not AuditEntry.objects.filter(action="export").exists()
    response, files = download(client, url, reason="县纪委监委调阅  案卷")
    root = f"案卷-{case.number}（完整）"
    assert unquote(response["Content-Disposition"]).endswith(f"{root}.zip")
    files = inside(files, root)
    workbook = xml_text(files["事项信息与办理记录.xlsx"])
    letter = xml_text(files[f"01-授权委托书/授权委托书-{case.number}.docx"])
    for value in (FIRST_ID, SECOND_ID, "pt-user-7", "QC7788"):
        assert value in workbook
    assert "13912345678" in letter and SECOND["address"] in letter
    assert "pw-secret-7" not in workbook + letter  # the platform password never
    assert "用途：县纪委监委调阅 案卷" in files["清单.txt"].decode("utf-8-sig")
    entry = AuditEntry.objects.get(action="export")
    assert entry.detail == {
        "document": "case_file",
        "masked": False,
        "files": 8,
        "reason": "县纪委监委调阅 案卷",
    }


@pytest.mark.parametrize("who", ["agent_zj", "leader", "auditor"])
def test_nobody_else_gets_the_case_file(request, client, who, case):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("cases:case_file", args=[case.pk])).status_code == 404
    assert client.get(reverse("cases:case_file_full", args=[case.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()
    assert AuditEntry.objects.filter(action="access_denied").count() == 2


def test_agents_and_heads_never_get_the_full_copy(client, agent_cg, head_cg, case):
    for user in (agent_cg, head_cg):
        client.force_login(user)
        url = reverse("cases:case_file_full", args=[case.pk])
        assert client.post(url, {"reason": "归档需要完整信息"}).status_code == 404
    client.force_login(head_cg)
    assert client.get(reverse("cases:case_file", args=[case.pk])).status_code == 200


def test_a_case_just_registered_has_only_its_workbook(client, agent_cg, make_case):
    new = make_case(agent_cg, serial=5)
    client.force_login(agent_cg)
    _, files = download(client, reverse("cases:case_file", args=[new.pk]))
    assert sorted(inside(files, f"案卷-{new.number}")) == [
        "SHA256SUMS",
        "事项信息与办理记录.xlsx",
        "清单.txt",
    ]


def test_names_are_safe_and_unique_in_the_zip():
    assert casefile.safe_name('a/b\\c:"d"?.pdf') == "a_b_c__d__.pdf"
    assert casefile.safe_name("..") == "文件"
    assert len(casefile.safe_name("长" * 300 + ".pdf")) == 84
    taken: set[str] = set()
    assert [casefile._unique("x/扫描.pdf", taken) for _ in range(3)] == [
        "x/扫描.pdf",
        "x/扫描（2）.pdf",
        "x/扫描（3）.pdf",
    ]


# --- xinfang export case-file ----------------------------------------------------------------------------


def test_the_command_writes_the_case_file_by_number_or_id(case, tmp_path, monkeypatch):
    out = tmp_path / "out.zip"
    call_command("export", "case-file", "--case", case.number, "-o", str(out))
    files = inside(unzip(out.read_bytes()), f"案卷-{case.number}")
    assert "生成人：命令行（xinfang export case-file）" in files["清单.txt"].decode("utf-8-sig")
    assert FIRST_ID not in xml_text(files["事项信息与办理记录.xlsx"])
    monkeypatch.chdir(tmp_path)
    call_command("export", "case-file", "--case", str(case.pk))
    assert (tmp_path / f"案卷-{case.number}.zip").exists()  # named after the case by default
    entries = AuditEntry.objects.filter(action="export", actor_name="(command line)")
    assert [e.detail["masked"] for e in entries] == [True, True]


def test_the_command_gives_the_full_copy_only_with_a_reason(case, tmp_path):
    out = tmp_path / "full.zip"
    with pytest.raises(CommandError, match="--reason"):
        call_command("export", "case-file", "--case", case.number, "--full", "-o", str(out))
    call_command(
        "export", "case-file", "--case", case.number, "--full", "--reason", "督察调阅", "-o", str(out)
    )
    files = inside(unzip(out.read_bytes()), f"案卷-{case.number}（完整）")
    assert FIRST_ID in xml_text(files["事项信息与办理记录.xlsx"])
    assert AuditEntry.objects.get(action="export").detail["reason"] == "督察调阅"


def test_the_command_says_which_case_it_cannot_tell(case, agent_cg, make_case, tmp_path):
    with pytest.raises(CommandError, match="需要 --case"):
        call_command("export", "case-file")
    with pytest.raises(CommandError, match="没有编号或 id"):
        call_command("export", "case-file", "--case", "城关镇-1999-0001")
    twin = make_case(agent_cg, serial=6, received_on=ago(2))
    Case.objects.filter(pk=twin.pk).update(number=case.number)  # a renamed unit's old number
    with pytest.raises(CommandError, match=rf"id：{case.pk}、{twin.pk}"):
        call_command("export", "case-file", "--case", case.number, "-o", str(tmp_path / "x.zip"))
    with pytest.raises(CommandError, match="--from、--to 和 -o"):
        call_command("export", "ledger")
    assert not AuditEntry.objects.filter(action="export").exists()
    assert StoredFile.objects.count() == 5
