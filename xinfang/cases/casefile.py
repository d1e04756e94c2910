"""A case's file (归档): one .zip with every paper of the case, for the archive or for 督察.

Inside one folder named after the case, in the order of the case's life:

1. ``01-授权委托书``: the 授权委托书 as .docx, made now from the case, and the signed scans;
   then one folder per kind of the case's files (``FOLDERS``): the registration page, the
   attachments, the refusal notices, the replies, the 复查 and 复核 opinions, the withdrawal;
2. the folders the apps above add (``hooks.case_papers``): the 反馈表 (.docx and its scan);
3. ``事项信息与办理记录.xlsx``: the case, every petitioner (联名: all of them), the history, the
   follow-ups and the sheets the apps above add (``hooks.case_sheets``: the clocks, the rating);
4. ``清单.txt``, every file with its size and SHA-256, and ``SHA256SUMS`` for ``sha256sum -c``.

Masked unless ``full``: in the documents and the workbook made now, ID numbers, phones,
addresses, platform user names and 查询码 are partly hidden and the complaint's content is left
out; the scans and attachments are the papers as kept (a scan cannot be masked). The platform
password is never in it. The .zip is written as it is sent: stored files are decrypted one at a
time, nothing decrypted touches the disk, and memory holds one file at a time.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from django.utils import timezone

from xinfang.cases import documents, hooks, selectors, workflow
from xinfang.cases.casefile_sheets import history_xlsx
from xinfang.cases.hooks import Paper
from xinfang.cases.models import Case, FileKind
from xinfang.core import files

FOLDERS = {
    FileKind.AUTHORIZATION: "01-授权委托书",
    FileKind.REGISTRATION: "02-平台注册成功页",
    FileKind.ATTACHMENT: "03-诉求附件",
    FileKind.REFUSAL: "04-不予受理（不再受理）告知书",
    FileKind.REPLY: "05-答复意见书",
    FileKind.REVIEW: "06-复查意见书",
    FileKind.RE_REVIEW: "07-复核意见书",
    FileKind.WITHDRAWAL: "08-撤回委托材料",
}
WORKBOOK = "事项信息与办理记录.xlsx"
MANIFEST, SUMS = "清单.txt", "SHA256SUMS"
ZIP = "application/zip"
# Already compressed: stored as they are rather than deflated again.
STORED_SUFFIXES = (".docx", ".xlsx", ".jpg", ".jpeg", ".png")
UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')  # not allowed in a Windows file name


def safe_name(name: str) -> str:
    """A file name every system unpacks: no path, no character Windows refuses, not too long."""
    name = UNSAFE.sub("_", name).strip().strip(".")
    stem, dot, suffix = name.rpartition(".")
    if dot and len(suffix) <= 5:
        return f"{stem[:80]}.{suffix}" if stem else f"文件.{suffix}"
    return name[:80] or "文件"


@dataclass(frozen=True)
class Entry:
    """A file as written into the .zip: its path there, what it is, its size and SHA-256."""

    path: str
    title: str
    size: int
    sha256: str


@dataclass(frozen=True)
class CaseFile:
    case: Case
    full: bool
    papers: list[Paper]
    made_by: str
    reason: str = ""

    @property
    def root(self) -> str:
        return safe_name(f"案卷-{self.case.number}{'（完整）' if self.full else ''}")

    @property
    def filename(self) -> str:
        return f"{self.root}.zip"


def _authorization(case: Case, *, full: bool) -> list[Paper]:
    if not (case.authorization_mode or workflow.allows(case.status, "print_authorization")):
        return []  # referred, or not yet in scope: no letter was ever printed
    return [
        Paper(
            folder=FOLDERS[FileKind.AUTHORIZATION],
            name=f"授权委托书-{case.number}.docx",
            title="授权委托书（按本事项现有登记信息生成" + ("）" if full else "，住址和电话已部分隐去）"),
            read=partial(documents.authorization_docx, case, masked=not full),
        )
    ]


def _stored(case: Case) -> list[Paper]:
    """The case's own files, kind by kind, each named as it was uploaded."""
    papers = []
    grouped = selectors.files_by_kind(case)
    for kind, folder in FOLDERS.items():
        for case_file in grouped[kind]:
            stored = case_file.file
            papers.append(
                Paper(
                    folder=folder,
                    name=files.download_name(stored),
                    title=f"{FileKind(kind).label}（{_cn(timezone.localtime(case_file.created_at))}上传）",
                    read=partial(files.read, stored),
                )
            )
    return papers


def _numbered(papers: list[Paper]) -> list[Paper]:
    """The apps' folders numbered after the case's own (09-反馈表), in the order they come."""
    numbers: dict[str, str] = {}
    renamed = []
    for paper in papers:
        if paper.folder not in numbers:
            numbers[paper.folder] = f"{len(FOLDERS) + len(numbers) + 1:02d}-{paper.folder}"
        renamed.append(Paper(numbers[paper.folder], paper.name, paper.title, paper.read))
    return renamed


def case_file(case: Case, *, full: bool, made_by: str, reason: str = "") -> CaseFile:
    """What the case file of ``case`` holds. Reads the list of papers, not their contents."""
    papers = _authorization(case, full=full) + _stored(case)
    papers += _numbered(hooks.case_papers(case, full=full))
    papers.append(
        Paper(
            folder="",
            name=WORKBOOK,
            title="事项信息、信访人、办理记录、跟踪督办等（Excel）",
            read=partial(history_xlsx, case, full=full),
        )
    )
    return CaseFile(case=case, full=full, papers=papers, made_by=made_by, reason=reason)


# --- Writing the .zip as it is sent ------------------------------------------------------------------------


class _Pipe(io.RawIOBase):
    """Where ``zipfile`` writes: the bytes wait here until the next chunk is sent. Not seekable,
    so ``zipfile`` writes each entry's sizes after its data (a data descriptor)."""

    def __init__(self):
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def _info(path: str, when: datetime.datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=when.timetuple()[:6])
    stored = path.lower().endswith(STORED_SUFFIXES)
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def _unique(path: str, taken: set[str]) -> str:
    stem, dot, suffix = path.rpartition(".")
    candidate, n = path, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}（{n}）.{suffix}" if dot else f"{path}（{n}）"
    taken.add(candidate)
    return candidate


def zip_chunks(case_file: CaseFile) -> Iterator[bytes]:
    """The .zip, entry by entry: each paper read (a stored file decrypted and checked against its
    SHA-256) when its turn comes, then the manifest of what was written."""
    when = timezone.localtime()
    pipe, entries, taken = _Pipe(), [], set[str]()
    with zipfile.ZipFile(pipe, "w") as archive:
        for paper in case_file.papers:
            name = "/".join(part for part in (paper.folder, safe_name(paper.name)) if part)
            path = _unique(name, taken)
            content = paper.read()
            archive.writestr(_info(f"{case_file.root}/{path}", when), content)
            entries.append(Entry(path, paper.title, len(content), hashlib.sha256(content).hexdigest()))
            del content
            yield pipe.take()
        archive.writestr(_info(f"{case_file.root}/{MANIFEST}", when), manifest(case_file, entries, when))
        sums = "".join(f"{e.sha256}  {e.path}\n" for e in entries)
        archive.writestr(_info(f"{case_file.root}/{SUMS}", when), sums.encode())
    yield pipe.take()


def _cn(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def manifest(case_file: CaseFile, entries: list[Entry], when: datetime.datetime) -> bytes:
    """清单.txt: the case, who made the file and when, masked or why not, then every file with
    its size and SHA-256, and how to check them. UTF-8 with a BOM and CRLF, for Notepad."""
    case = case_file.case
    people = case.petitioners()
    names = "、".join(p.name for p in people)
    count = f"（共{case.people_count}人）" if case.people_count > 1 else ""
    if case_file.full:
        version = f"完整（用途：{case_file.reason}；已记入审计日志）"
    else:
        version = (
            "脱敏（身份证号、电话、住址、平台用户名和查询码已部分隐去，不含诉求内容；扫描件和附件为原件）"
        )
    lines = [
        "网上投诉代理事项案卷清单",
        "",
        f"编号：{case.number}",
        f"诉求标题：{case.title}",
        f"单位：{case.unit.name}　代理员：{case.agent.full_name}　接待日期：{_cn(case.received_on)}",
        f"信访人：{names}{count}",
        f"状态：{case.get_status_display()}",
        f"版本：{version}",
        f"生成时间：{_cn(when)} {when:%H:%M}　生成人：{case_file.made_by}",
        "",
        "序号\t文件\t说明\t大小（字节）\tSHA-256",
    ]
    lines += [f"{i}\t{e.path}\t{e.title}\t{e.size}\t{e.sha256}" for i, e in enumerate(entries, start=1)]
    lines += [
        "",
        f"共{len(entries)}个文件。平台密码不在案卷中。",
        "核对方法：Windows 在本文件夹中执行 certutil -hashfile 文件名 SHA256，与上表比对；"
        f"Linux 执行 sha256sum -c {SUMS}。",
    ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
