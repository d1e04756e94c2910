"""Drafting and publishing the monthly bulletin (通报).

Only bureau staff publish (the views check the role; the action checks it again). A month is
published once: the publication freezes its figures (``Bulletin.figures``), which the dashboard
shows for that month from then on.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from xinfang.accounts.models import Role
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.bulletins import documents, selectors
from xinfang.bulletins.models import DEFAULT_PREFIX, Bulletin
from xinfang.core import files
from xinfang.figures.periods import first_of_month, month_end

MAX_SUMMARY = 2000
ISSUE_NUMBER = re.compile(r"^(\S{1,20})〔(\d{4})〕(\d{1,4})号$")


class BulletinError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Draft:
    """A bulletin computed but not stored: what publishing now would freeze."""

    month: datetime.date
    title: str
    issue_number: str
    figures: dict[str, Any]
    content: bytes

    @property
    def filename(self) -> str:
        return f"通报（征求意见稿）-{self.month:%Y-%m}.docx"


def _check_bureau(by) -> None:
    if getattr(by, "role", None) != Role.BUREAU:
        raise BulletinError("只有县信访局工作人员可以生成和发布通报。")


def format_issue_number(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}〔{year}〕{sequence}号"


def next_issue_number(*, year: int | None = None, prefix: str = DEFAULT_PREFIX) -> tuple[int, str]:
    """The next number of the year's sequence (1, 2, …), whatever the prefix."""
    year = year or timezone.localdate().year
    last = Bulletin.objects.filter(year=year).aggregate(n=Max("sequence"))["n"] or 0
    return last + 1, format_issue_number(prefix, year, last + 1)


def draft_bulletin(month: datetime.date, *, by=None, summary: str = "", today: datetime.date | None = None) -> Draft:
    """The month's bulletin as it would be published now, marked 征求意见稿. Stores nothing.
    ``by`` None is the command line (run by the server's operator)."""
    if by is not None:
        _check_bureau(by)
    today = today or timezone.localdate()
    month = first_of_month(month)
    figures = selectors.snapshot(month, today=today)
    _, number = next_issue_number(year=today.year)
    title = documents.bulletin_title(month)
    content = documents.bulletin_docx(
        figures, title=title, issue_number=number, summary=summary, issued_on=today, draft=True
    )
    return Draft(month, title, number, figures, content)


def publish_bulletin(
    *, month: datetime.date, by, issue_number: str | None = None, summary: str = "",
    prefix: str = DEFAULT_PREFIX, today: datetime.date | None = None, request=None,
) -> Bulletin:
    """Publish the month's bulletin and freeze its figures.

    1. Bureau staff only; the month must have ended (a bulletin reports a whole month).
    2. Refused if the month already has a bulletin: its figures stay as published.
    3. The issue number is the next of the year's sequence (``镇网代〔2026〕10号``) unless given;
       a given one must have the form 代字〔年份〕序号号 and not be taken.
    4. The figures are computed (``selectors.snapshot``), the document written from them and
       stored, the row saved and an audit row written, all in one transaction.
    """
    _check_bureau(by)
    today = today or timezone.localdate()
    month = first_of_month(month)
    if month_end(month) >= today:
        raise BulletinError(f"{month.year}年{month.month}月尚未结束，月度通报在月末之后发布。", "month")
    summary = (summary or "").strip()
    if len(summary) > MAX_SUMMARY:
        raise BulletinError(f"总体情况说明不超过{MAX_SUMMARY}字。", "summary")
    prefix = (prefix or DEFAULT_PREFIX).strip()
    with transaction.atomic():
        existing = Bulletin.objects.select_for_update().filter(month=month).first()
        if existing is not None:
            raise BulletinError(
                f"{month.year}年{month.month}月的通报已于{timezone.localtime(existing.published_at):%Y年%m月%d日}"
                f"发布（{existing.issue_number}），不能重复发布。", "month")
        year = today.year
        sequence, number = next_issue_number(year=year, prefix=prefix)
        if issue_number and issue_number.strip():
            number = issue_number.strip()
            match = ISSUE_NUMBER.match(number)
            if not match:
                raise BulletinError("文号格式应为“镇网代〔2026〕10号”。", "issue_number")
            prefix, year, sequence = match.group(1), int(match.group(2)), int(match.group(3))
            if Bulletin.objects.filter(year=year, sequence=sequence).exists():
                raise BulletinError(f"{year}年第{sequence}号已被使用。", "issue_number")
        title = documents.bulletin_title(month)
        figures = selectors.snapshot(month, today=today)
        content = documents.bulletin_docx(
            figures, title=title, issue_number=number, summary=summary, issued_on=today
        )
        stored = files.store(
            files.Checked(content=content, content_type=documents.DOCX, name=f"通报-{month:%Y-%m}.docx"), by=by
        )
        try:
            with transaction.atomic():
                bulletin = Bulletin.objects.create(
                    month=month, year=year, sequence=sequence, prefix=prefix, issue_number=number,
                    title=title, summary=summary, figures=figures, published_at=timezone.now(),
                    published_by=by, document=stored,
                )
        except IntegrityError:
            raise BulletinError(
                f"{month.year}年{month.month}月的通报或文号“{number}”已存在，不能重复发布。", "month") from None
        record(AuditAction.EXPORT, by=by, request=request, target=bulletin, kind="bulletin_publish",
               month=month.isoformat(), issue_number=number)
    return bulletin


def read_document(bulletin: Bulletin) -> bytes:
    return files.read(bulletin.document)
