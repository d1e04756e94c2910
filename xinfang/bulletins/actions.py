"""Drafting and publishing the monthly bulletin (通报).

Each action asks the capability table first (``publish_bulletins``: bureau staff), before it
opens its transaction, so that a refusal changes nothing and is logged. A month has
at most one bulletin in force: the publication freezes its figures (``Bulletin.figures``), which
the dashboard shows for that month from then on. A wrong bulletin is withdrawn (``withdraw_bulletin``)
or corrected (``publish_bulletin(replaces=…)``): never edited, never deleted.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from xinfang.access import rules
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.bulletins import documents, selectors
from xinfang.bulletins.models import DEFAULT_PREFIX, Bulletin
from xinfang.core import files
from xinfang.core.errors import DomainError
from xinfang.core.locks import serialize
from xinfang.figures.periods import first_of_month, month_end

MAX_SUMMARY = 2000
MIN_REASON, MAX_REASON = 4, 500
NUMBERING_LOCK = "bulletins.issue_number"
ISSUE_NUMBER = re.compile(r"^(\S{1,20})〔(\d{4})〕(\d{1,4})号$")


PUBLISH = "publish_bulletins"


class BulletinError(DomainError):
    """A draft, publication, correction or withdrawal the rules refuse."""


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


def format_issue_number(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}〔{year}〕{sequence}号"


def next_issue_number(*, year: int | None = None, prefix: str = DEFAULT_PREFIX) -> tuple[int, str]:
    """The next number of the year's sequence (1, 2, …), whatever the prefix."""
    year = year or timezone.localdate().year
    last = Bulletin.objects.filter(year=year).aggregate(n=Max("sequence"))["n"] or 0
    return last + 1, format_issue_number(prefix, year, last + 1)


def draft_bulletin(
    month: datetime.date, *, by=None, summary: str = "", today: datetime.date | None = None
) -> Draft:
    """The month's bulletin as it would be published now, marked 征求意见稿. Stores nothing.
    ``by`` None is the command line (run by the server's operator)."""
    if by is not None:
        rules.check(by, PUBLISH)
    today = today or timezone.localdate()
    month = first_of_month(month)
    figures = selectors.snapshot(month, today=today)
    _, number = next_issue_number(year=today.year)
    title = documents.bulletin_title(month)
    content = documents.bulletin_docx(
        figures, title=title, issue_number=number, summary=summary, issued_on=today, draft=True
    )
    return Draft(month, title, number, figures, content)


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise BulletinError(f"请写明原因（至少{MIN_REASON}个字），它会记入通报记录和审计日志。", "reason")
    if len(reason) > MAX_REASON:
        raise BulletinError(f"原因不超过{MAX_REASON}字。", "reason")
    return reason


def _in_force(bulletin: Bulletin) -> Bulletin:
    """The bulletin re-read under a row lock; refused if it has been withdrawn meanwhile."""
    locked = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if locked.withdrawn_at is not None:
        replacement = Bulletin.objects.filter(replaces=locked).first()
        also = f"，已由{replacement.issue_number}更正" if replacement else ""
        raise BulletinError(
            f"{locked.issue_number}已于{timezone.localtime(locked.withdrawn_at):%Y年%m月%d日}撤回{also}。"
        )
    return locked


def _mark_withdrawn(bulletin: Bulletin, *, by, reason: str) -> None:
    bulletin.withdrawn_at, bulletin.withdrawn_by, bulletin.withdrawal_reason = timezone.now(), by, reason
    bulletin.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])


def withdraw_bulletin(bulletin: Bulletin, *, by, reason: str, request=None) -> Bulletin:
    """Withdraw (撤回) a published bulletin: its month is no longer frozen, and the dashboard
    shows the live figures again until another bulletin for it is published. The row and its
    document stay, marked withdrawn with who, when and why. Bureau staff only; audit-logged."""
    rules.check(by, PUBLISH, target=bulletin, request=request)
    reason = _clean_reason(reason)
    with transaction.atomic():
        locked = _in_force(bulletin)
        _mark_withdrawn(locked, by=by, reason=reason)
        record(
            AuditAction.PUBLICATION,
            by=by,
            request=request,
            target=locked,
            kind="bulletin_withdraw",
            month=locked.month.isoformat(),
            issue_number=locked.issue_number,
        )
    return locked


def _issue_number(given: str | None, *, prefix: str, year: int) -> tuple[str, int, int, str]:
    """(代字, year, sequence, 文号): the given number, checked, or the year's next. Inside the
    numbering lock."""
    if not (given and given.strip()):
        sequence, number = next_issue_number(year=year, prefix=prefix)
        return prefix, year, sequence, number
    number = given.strip()
    match = ISSUE_NUMBER.match(number)
    if not match:
        raise BulletinError("文号格式应为“镇网代〔2026〕10号”。", "issue_number")
    prefix, year, sequence = match.group(1), int(match.group(2)), int(match.group(3))
    if Bulletin.objects.filter(year=year, sequence=sequence).exists():
        raise BulletinError(f"{year}年第{sequence}号已被使用。", "issue_number")
    return prefix, year, sequence, number


def _check_not_published(month: datetime.date, replaces: Bulletin | None) -> None:
    """Refused while the month has a bulletin in force other than the one being corrected."""
    existing = Bulletin.objects.select_for_update().filter(month=month, withdrawn_at__isnull=True).first()
    if existing is not None and existing != replaces:
        raise BulletinError(
            f"{month.year}年{month.month}月的通报已于{timezone.localtime(existing.published_at):%Y年%m月%d日}"
            f"发布（{existing.issue_number}），不能重复发布；如有错误，请在通报列表中更正或撤回。",
            "month",
        )


def _record_publication(bulletin: Bulletin, *, by, request=None) -> None:
    """The audit rows of a publication: a correction also withdraws the bulletin it replaces."""
    replaces, month, number = bulletin.replaces, bulletin.month, bulletin.issue_number
    if replaces is not None:
        record(
            AuditAction.PUBLICATION,
            by=by,
            request=request,
            target=replaces,
            kind="bulletin_withdraw",
            month=month.isoformat(),
            issue_number=replaces.issue_number,
            corrected_by=number,
        )
    record(
        AuditAction.PUBLICATION,
        by=by,
        request=request,
        target=bulletin,
        kind="bulletin_correct" if replaces else "bulletin_publish",
        month=month.isoformat(),
        issue_number=number,
        **({"corrects": replaces.issue_number} if replaces else {}),
    )


def publish_bulletin(
    *,
    month: datetime.date,
    by,
    issue_number: str | None = None,
    summary: str = "",
    prefix: str = "",
    today: datetime.date | None = None,
    request=None,
    replaces: Bulletin | None = None,
    reason: str = "",
) -> Bulletin:
    """Publish the month's bulletin and freeze its figures.

    1. Bureau staff only; the month must have ended (a bulletin reports a whole month).
    2. Refused if the month already has a bulletin in force: its figures stay as published.
       A correction (``replaces``, with ``reason``) withdraws that bulletin and publishes the
       new one in the same transaction; the new document names the one it corrects.
    3. The issue number is the next of the year's sequence (``镇网代〔2026〕10号``; a correction
       keeps the 代字 of the bulletin it corrects) unless given; a given one must have the form
       代字〔年份〕序号号 and not be taken (withdrawn numbers stay taken). Publications run one
       at a time, so two at once cannot take the same number.
    4. The figures are computed (``selectors.snapshot``), the document written from them and
       stored, the row saved and an audit row written, all in one transaction.
    """
    rules.check(by, PUBLISH, request=request)
    today = today or timezone.localdate()
    if replaces is not None:
        month = replaces.month
        reason = _clean_reason(reason)
        prefix = prefix or replaces.prefix  # a correction keeps the issuing office's 代字
    month = first_of_month(month)
    if month_end(month) >= today:
        raise BulletinError(f"{month.year}年{month.month}月尚未结束，月度通报在月末之后发布。", "month")
    summary = (summary or "").strip()
    if len(summary) > MAX_SUMMARY:
        raise BulletinError(f"总体情况说明不超过{MAX_SUMMARY}字。", "summary")
    prefix = (prefix or DEFAULT_PREFIX).strip()
    with transaction.atomic():
        # Publications queue up: two at once would both take the year's next number.
        serialize(NUMBERING_LOCK)
        if replaces is not None:
            replaces = _in_force(replaces)
        _check_not_published(month, replaces)
        prefix, year, sequence, number = _issue_number(issue_number, prefix=prefix, year=today.year)
        title = documents.bulletin_title(month)
        figures = selectors.snapshot(month, today=today)
        content = documents.bulletin_docx(
            figures,
            title=title,
            issue_number=number,
            summary=summary,
            issued_on=today,
            corrects=replaces.issue_number if replaces else None,
        )
        if replaces is not None:
            _mark_withdrawn(replaces, by=by, reason=reason)
        name = f"通报-{month:%Y-%m}.docx"
        stored = files.store(files.Checked(content=content, content_type=documents.DOCX, name=name), by=by)
        try:
            with transaction.atomic():
                bulletin = Bulletin.objects.create(
                    month=month,
                    year=year,
                    sequence=sequence,
                    prefix=prefix,
                    issue_number=number,
                    title=title,
                    summary=summary,
                    figures=figures,
                    published_at=timezone.now(),
                    published_by=by,
                    document=stored,
                    replaces=replaces,
                )
        except IntegrityError:
            raise BulletinError(
                f"{month.year}年{month.month}月的通报或文号“{number}”已存在，不能重复发布。", "month"
            ) from None
        _record_publication(bulletin, by=by, request=request)
    return bulletin


def read_document(bulletin: Bulletin) -> bytes:
    return files.read(bulletin.document)
