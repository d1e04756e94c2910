"""Checked, encrypted storage of uploaded files.

A file is accepted by its content (magic bytes), never by its name. It is stored under
``PRIVATE_FILES_DIR`` with a random name, encrypted with the data key, and its SHA-256
(of the plain content) recorded. It is only ever served through a view that has first
checked the user's right to the object it belongs to.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from xinfang.core import crypto, keys
from xinfang.core.models import StoredFile

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
SIGNATURES = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
IMAGES = frozenset({JPEG, PNG})
DOCUMENTS = frozenset({PDF, JPEG, PNG})


@dataclass(frozen=True)
class Checked:
    content: bytes
    content_type: str
    name: str


def sniff(head: bytes) -> str | None:
    for magic, content_type in SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        # Rounded up: a file just over the limit must not read as equal to it.
        tenths = -(-size * 10 // (1024 * 1024))
        return f"{tenths / 10:.1f} MB"
    return f"{max(size, 1) // 1024 or 1} KB"


def check_upload(upload, allowed: frozenset[str] = DOCUMENTS) -> Checked:
    """Validate one uploaded file; raise ValidationError with a message the agent can act on."""
    limit = settings.UPLOAD_MAX_BYTES
    name = os.path.basename(upload.name or "file")
    if upload.size > limit:
        raise ValidationError(
            "文件“%(n)s”大小为 %(s)s，超过了 %(l)s 的上限（省网上信访大厅附件不大于10M），请压缩或分拆后再上传。",
            code="too_large",
            params={"n": name, "s": human_size(upload.size), "l": human_size(limit)},
        )
    if upload.size == 0:
        raise ValidationError("文件“%(n)s”是空文件。", code="empty", params={"n": name})
    upload.seek(0)
    content = upload.read()
    content_type = sniff(content[:16])
    if content_type not in allowed:
        kinds = "、".join(sorted({"PDF" if t == PDF else "JPEG" if t == JPEG else "PNG" for t in allowed}))
        raise ValidationError(
            "文件“%(n)s”不是 %(k)s 格式（按文件内容判断，而非文件名），请转换后再上传。",
            code="bad_type",
            params={"n": name, "k": kinds},
        )
    return Checked(content=content, content_type=content_type, name=name)


def _path(storage_name: str) -> str:
    return os.path.join(settings.PRIVATE_FILES_DIR, storage_name[:2], storage_name)


def _context(storage_name: str) -> str:
    return f"file:{storage_name}"


def store(checked: Checked, *, by) -> StoredFile:
    keys.ensure_verified()
    storage_name = secrets.token_hex(20)
    path = _path(storage_name)
    os.makedirs(settings.PRIVATE_FILES_DIR, mode=0o700, exist_ok=True)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    blob = crypto.encrypt_bytes(checked.content, _context(storage_name))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(blob)
    return StoredFile.objects.create(
        storage_name=storage_name,
        sha256=hashlib.sha256(checked.content).hexdigest(),
        size=len(checked.content),
        content_type=checked.content_type,
        original_name=checked.name,
        uploaded_by=by,
    )


def read(stored: StoredFile) -> bytes:
    keys.ensure_verified()
    with open(_path(stored.storage_name), "rb") as fh:
        content = crypto.decrypt_bytes(fh.read(), _context(stored.storage_name))
    if hashlib.sha256(content).hexdigest() != stored.sha256:
        raise crypto.DecryptionError("file content does not match its recorded SHA-256")
    return content


def discard(stored: StoredFile) -> None:
    """Delete a stored file nothing needs any more: its row, then its encrypted content. Call it
    after the transaction that let go of the file has committed (``transaction.on_commit``)."""
    path = _path(stored.storage_name)
    StoredFile.objects.filter(pk=stored.pk).delete()
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def stored_key_id(storage_name: str) -> bytes | None:
    """The id of the data key a stored file is encrypted with (None if the file is missing)."""
    try:
        with open(_path(storage_name), "rb") as fh:
            head = fh.read(crypto.HEADER_BYTES)
    except FileNotFoundError:
        return None
    return head[1:] if len(head) == crypto.HEADER_BYTES else None


def reencrypt(storage_name: str) -> bool:
    """Encrypt a stored file again under the newest key (``xinfang keys rotate``). The new
    content goes to a temporary file that replaces the old one atomically: a reader, a crash or
    a kill at any moment finds either file whole, and both read with the keyring. Returns
    whether the file was rewritten (False: already under the newest key, or missing)."""
    key_id = stored_key_id(storage_name)
    if key_id is None or key_id == crypto.current().id:
        return False
    path = _path(storage_name)
    with open(path, "rb") as fh:
        blob = fh.read()
    plain = crypto.decrypt_bytes(blob, _context(storage_name))
    temporary = f"{path}.rotating"
    if os.path.exists(temporary):  # left by a rotation killed mid-file
        os.unlink(temporary)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(crypto.encrypt_bytes(plain, _context(storage_name)))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temporary, path)
    folder = os.open(os.path.dirname(path), os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return True


def destroy(storage_name: str) -> bool:
    """Remove a stored file for good (its row is deleted by the caller): overwritten with zeros
    first, so that its encrypted blocks are not left for the file system to hand out again
    (best effort: a copy-on-write file system or an SSD may keep old blocks; they hold only
    ciphertext). Returns whether a file was there."""
    path = _path(storage_name)
    try:
        size = os.path.getsize(path)
        with open(path, "r+b") as fh:
            fh.write(b"\0" * size)
            fh.flush()
            os.fsync(fh.fileno())
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def download_name(stored: StoredFile) -> str:
    base, ext = os.path.splitext(stored.original_name)
    return base + (ext if ext else EXTENSIONS.get(stored.content_type, ""))


def sweep_orphans(*, older_than_seconds: int = 3600) -> int:
    """Delete stored files that no row refers to: written before a transaction that then
    rolled back. Only files older than ``older_than_seconds`` (a transaction in flight may
    still be about to commit its row). Returns how many were deleted."""
    import time

    root = settings.PRIVATE_FILES_DIR
    if not os.path.isdir(root):
        return 0
    cutoff = time.time() - older_than_seconds
    on_disk = {}
    for folder in os.listdir(root):
        path = os.path.join(root, folder)
        if len(folder) == 2 and os.path.isdir(path):
            for name in os.listdir(path):
                full = os.path.join(path, name)
                if os.path.getmtime(full) < cutoff:
                    on_disk[name] = full
    known = set(
        StoredFile.objects.filter(storage_name__in=list(on_disk)).values_list("storage_name", flat=True)
    )
    orphans = [full for name, full in on_disk.items() if name not in known]
    for full in orphans:
        os.unlink(full)
    return len(orphans)
