"""Uploaded scans: checked by content, limited to 10 MB, stored encrypted under random names."""

from __future__ import annotations

import hashlib
import os
import re
import stat

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from xinfang.core import crypto, files, keys
from xinfang.core.models import StoredFile

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + b"\x00" * 32
)
MB = 1024 * 1024


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    # The browser's content type is whatever the client says: give a misleading one on purpose.
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def error(exc: pytest.ExceptionInfo[ValidationError]) -> tuple[str, str]:
    return exc.value.error_list[0].code, " ".join(exc.value.messages)


# --- check_upload -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("scan.pdf", PDF, files.PDF), ("photo.jpg", JPEG, files.JPEG), ("photo.png", PNG, files.PNG)],
)
def test_pdf_jpeg_png_are_accepted(name, content, content_type):
    checked = files.check_upload(upload(name, content))
    assert (checked.content_type, checked.content, checked.name) == (content_type, content, name)


def test_type_comes_from_the_content_not_the_name():
    checked = files.check_upload(upload("scan.pdf", PNG))
    assert checked.content_type == files.PNG


def test_jpeg_without_extension_is_accepted_as_jpeg():
    assert files.check_upload(upload("IMG0001", JPEG)).content_type == files.JPEG


@pytest.mark.parametrize(
    "content",
    [
        b"just some text, not a scan\n",
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        b"PK\x03\x04" + b"\x00" * 40,  # a .docx or .zip
        b"<html><script>alert(1)</script></html>",
        b"MZ\x90\x00" + b"\x00" * 40,  # a Windows program
    ],
)
def test_other_content_named_pdf_is_refused(content):
    with pytest.raises(ValidationError) as exc:
        files.check_upload(upload("scan.pdf", content))
    code, message = error(exc)
    assert code == "bad_type"
    assert "按文件内容判断" in message
    assert "scan.pdf" in message


def test_allowed_kinds_can_be_narrowed_to_images():
    with pytest.raises(ValidationError) as exc:
        files.check_upload(upload("photo.pdf", PDF), allowed=files.IMAGES)
    code, message = error(exc)
    assert code == "bad_type"
    assert "JPEG、PNG" in message
    assert "PDF" not in message.replace("photo.pdf", "")


def test_limit_is_ten_megabytes(settings):
    assert settings.UPLOAD_MAX_BYTES == 10 * MB


def test_file_of_exactly_ten_megabytes_is_accepted(settings):
    content = PDF + b"\x00" * (settings.UPLOAD_MAX_BYTES - len(PDF))
    assert files.check_upload(upload("big.pdf", content)).content_type == files.PDF


def test_file_over_ten_megabytes_is_refused_with_its_size(settings):
    content = PDF + b"\x00" * (12 * MB - len(PDF))
    with pytest.raises(ValidationError) as exc:
        files.check_upload(upload("big.pdf", content))
    code, message = error(exc)
    assert code == "too_large"
    assert "12.0 MB" in message
    assert "10.0 MB" in message
    assert "big.pdf" in message


def test_file_one_byte_over_the_limit_is_not_shown_as_equal_to_it(settings):
    """“大小为 10.0 MB，超过了 10.0 MB 的上限” would leave the agent puzzled."""
    content = PDF + b"\x00" * (settings.UPLOAD_MAX_BYTES + 1 - len(PDF))
    with pytest.raises(ValidationError) as exc:
        files.check_upload(upload("big.pdf", content))
    sizes = re.findall(r"(\d+\.\d) MB", error(exc)[1])
    assert len(sizes) == 2
    assert float(sizes[0]) > float(sizes[1])


def test_empty_file_is_refused():
    with pytest.raises(ValidationError) as exc:
        files.check_upload(upload("scan.pdf", b""))
    code, message = error(exc)
    assert code == "empty"
    assert "空文件" in message


def test_path_in_the_name_is_dropped():
    checked = files.check_upload(upload("../../etc/scan.pdf", PDF))
    assert checked.name == "scan.pdf"


# --- store and read -----------------------------------------------------------------------------


@pytest.fixture
def private_dir(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "files"
    return settings.PRIVATE_FILES_DIR


def stored_paths(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def test_store_writes_an_encrypted_file_under_a_random_name(private_dir, agent_cg):
    stored = files.store(files.check_upload(upload("李某某身份证.pdf", PDF)), by=agent_cg)
    assert re.fullmatch(r"[0-9a-f]{40}", stored.storage_name)
    paths = stored_paths(private_dir)
    assert len(paths) == 1
    path = paths[0]
    assert path.name == stored.storage_name
    assert path.is_relative_to(private_dir)
    on_disk = path.read_bytes()
    assert PDF not in on_disk
    assert b"%PDF" not in on_disk
    assert "李某某".encode() not in on_disk
    assert len(on_disk) == len(PDF) + 1 + 4 + crypto.NONCE_BYTES + crypto.TAG_BYTES


def test_store_uses_a_new_name_each_time(private_dir, agent_cg):
    checked = files.check_upload(upload("scan.pdf", PDF))
    names = {files.store(checked, by=agent_cg).storage_name for _ in range(5)}
    assert len(names) == 5
    assert len(stored_paths(private_dir)) == 5


def test_stored_file_is_readable_by_its_owner_only(private_dir, agent_cg):
    files.store(files.check_upload(upload("scan.pdf", PDF)), by=agent_cg)
    (path,) = stored_paths(private_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0


def test_store_records_sha256_size_type_and_uploader(private_dir, agent_cg):
    stored = files.store(files.check_upload(upload("scan.pdf", PNG)), by=agent_cg)
    stored = StoredFile.objects.get(pk=stored.pk)
    assert stored.sha256 == hashlib.sha256(PNG).hexdigest()
    assert stored.size == len(PNG)
    assert stored.content_type == files.PNG
    assert stored.original_name == "scan.pdf"
    assert stored.uploaded_by == agent_cg


def test_original_name_is_encrypted_in_the_database(private_dir, agent_cg):
    stored = files.store(files.check_upload(upload("李某某身份证.pdf", PDF)), by=agent_cg)
    with connection.cursor() as cursor:
        cursor.execute("SELECT original_name FROM core_storedfile WHERE id = %s", [stored.pk])
        (raw,) = cursor.fetchone()
    assert raw.startswith(crypto.PREFIX)
    assert "李某某" not in raw


@pytest.mark.parametrize("cipher", ["aes-256-gcm", "sm4-gcm"])
def test_read_round_trips(settings, private_dir, agent_cg, cipher):
    settings.DATA_CIPHER = cipher
    stored = files.store(files.check_upload(upload("photo.jpg", JPEG)), by=agent_cg)
    assert files.read(StoredFile.objects.get(pk=stored.pk)) == JPEG


def test_tampered_file_on_disk_does_not_read(private_dir, agent_cg):
    stored = files.store(files.check_upload(upload("scan.pdf", PDF)), by=agent_cg)
    (path,) = stored_paths(private_dir)
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 0x01
    path.write_bytes(bytes(blob))
    with pytest.raises(crypto.DecryptionError):
        files.read(stored)


def test_file_swapped_for_another_stored_file_does_not_read(private_dir, agent_cg):
    """Each file is bound to its own name: copying one encrypted file over another is detected."""
    first = files.store(files.check_upload(upload("a.pdf", PDF)), by=agent_cg)
    second = files.store(files.check_upload(upload("b.png", PNG)), by=agent_cg)
    first_path = private_dir / first.storage_name[:2] / first.storage_name
    second_path = private_dir / second.storage_name[:2] / second.storage_name
    second_path.write_bytes(first_path.read_bytes())
    with pytest.raises(crypto.DecryptionError):
        files.read(second)


def test_file_under_another_data_key_does_not_read(settings, private_dir, agent_cg):
    stored = files.store(files.check_upload(upload("scan.pdf", PDF)), by=agent_cg)
    (path,) = stored_paths(private_dir)
    settings.DATA_KEY = os.urandom(32)
    # The key check refuses the other key before anything is read with it ...
    with pytest.raises(keys.DataKeyError, match="XINFANG_DATA_KEY"):
        files.read(stored)
    # ... and the cipher itself would not open the file either.
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_bytes(path.read_bytes(), f"file:{stored.storage_name}")


@pytest.mark.parametrize(
    ("original", "content_type", "expected"),
    [
        ("授权委托书.pdf", files.PDF, "授权委托书.pdf"),
        ("扫描件", files.JPEG, "扫描件.jpg"),
        ("x", files.PNG, "x.png"),
    ],
)
def test_download_name_keeps_or_adds_the_extension(original, content_type, expected):
    assert files.download_name(StoredFile(original_name=original, content_type=content_type)) == expected


def test_sweep_deletes_only_old_files_that_no_row_refers_to(db, settings, tmp_path):
    import os
    import time

    from xinfang.core import files as core_files

    settings.PRIVATE_FILES_DIR = tmp_path
    kept = core_files.store(core_files.Checked(b"%PDF-1.4 kept", core_files.PDF, "a.pdf"), by=None)
    lost = core_files.store(core_files.Checked(b"%PDF-1.4 lost", core_files.PDF, "b.pdf"), by=None)
    young = core_files.store(core_files.Checked(b"%PDF-1.4 young", core_files.PDF, "c.pdf"), by=None)
    paths = {f: tmp_path / f.storage_name[:2] / f.storage_name for f in (kept, lost, young)}
    old = time.time() - 7200
    for f in (kept, lost):
        os.utime(paths[f], (old, old))
    type(lost).objects.filter(pk__in=[lost.pk, young.pk]).delete()  # as if rolled back
    assert core_files.sweep_orphans() == 1
    assert paths[kept].exists() and not paths[lost].exists() and paths[young].exists()
