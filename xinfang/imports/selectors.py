"""The dry run (试导入): what an uploaded ledger would bring in, row by row, and every problem
with its sheet, row and column. Nothing is written here.

``dry_run(content, unit=…, by=…)``:

1. reads the workbook (``workbook.read``): each sheet's header row and rows;
2. matches each header to a column: the unit's saved mapping first, then the column table's
   names (``columns.guess``); a sheet without a required column is a problem of the sheet;
3. checks every row (``rows.check_row``);
4. passes over the rows already here: a case of the unit with the same 查询码, or, without a
   查询码, the same person received the same day with the same title (so importing the same
   file twice brings in nothing new); a row repeated in the file is passed over when it is the
   same throughout, and a problem when only its 查询码 or person, day and title are;
5. says, for a person the unit knows whose particulars differ, that a new version will be made.

Also here: the batches a user may see, and the unit's saved mapping.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from xinfang.access import rules
from xinfang.accounts.models import Unit, UnitKind
from xinfang.accounts.successors import HOLDS_CASES
from xinfang.cases.intake import COMPARED, completed, differences, latest_versions
from xinfang.cases.models import Case, query_code_keys
from xinfang.core import crypto
from xinfang.imports import columns, workbook
from xinfang.imports.models import BatchStatus, ColumnMapping, ImportBatch
from xinfang.imports.rows import Context, Problem, Row, check_row
from xinfang.notify.remind import retention_days
from xinfang.reference.models import ContentCategory, SubmissionPlatform

IMPORT = "import_ledger"
WORKS_CASES = HOLDS_CASES  # who may be a case's agent: the unit's agents
CHUNK = 500


# Columns a sheet may lack, and what is done instead (said once for the sheet).
MISSING_NOTES = {
    "petition_type": "没有“信访类型”列，全部按申诉求决类导入（办结期限按60日计算）。",
    "submitted_at": "没有“网上提交时间”列，已提交的事项按接待日期所在月份计入代理件数。",
}


@dataclass
class SheetColumns:
    sheet: workbook.Sheet
    codes: dict[int, str] = field(default_factory=dict)  # column index → column code
    notes: list[str] = field(default_factory=list)

    def header_of(self, code: str) -> workbook.Header | None:
        for header in self.sheet.headers:
            if self.codes.get(header.column) == code:
                return header
        return None


@dataclass
class Report:
    sheets: list[SheetColumns]
    rows: list[Row]
    problems: list[Problem]
    notes: list[str]

    @property
    def to_create(self) -> list[Row]:
        return [row for row in self.rows if row.entry is not None and not row.skip]

    @property
    def skipped(self) -> list[Row]:
        return [row for row in self.rows if row.skip]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def headers(self) -> list[tuple[str, str, str]]:
        """Each header of the file once: (key, as shown, the column it is taken as)."""
        seen: dict[str, tuple[str, str, str]] = {}
        for sheet in self.sheets:
            for header in sheet.sheet.headers:
                seen.setdefault(header.key, (header.key, header.text, sheet.codes.get(header.column, "")))
        return list(seen.values())


def saved_mapping(unit) -> dict[str, str]:
    mapping = ColumnMapping.objects.filter(unit=unit).first()
    return dict(mapping.columns) if mapping is not None else {}


def match_columns(sheet: workbook.Sheet, saved: dict[str, str]) -> tuple[SheetColumns, list[Problem]]:
    """Each header's column: saved first, then guessed. A column guessed twice is taken once (the
    first); a column saved for two headers of a sheet is a problem to settle on the mapping."""
    found = SheetColumns(sheet)
    problems = []
    taken: dict[str, workbook.Header] = {}
    for header in sheet.headers:
        chosen = header.key in saved
        code = saved[header.key] if chosen else columns.guess(header.text)
        if code not in columns.BY_CODE:
            continue
        if code in taken:
            first = taken[code]
            if chosen:
                problems.append(
                    Problem(
                        sheet.name,
                        None,
                        header.letter,
                        header.text,
                        f"与“{first.text}”列（{first.letter}列）都对应“{columns.BY_CODE[code].label}”，请在对应关系中改正其中一列。",
                    )
                )
            else:
                found.notes.append(
                    f"“{header.text}”列（{header.letter}列）与“{first.text}”列重复，未导入；如需导入请在对应关系中指定。"
                )
            continue
        taken[code] = header
        found.codes[header.column] = code
    for code, note in MISSING_NOTES.items():
        if code not in taken and sheet.rows:
            found.notes.append(note)
    if sheet.rows:
        for code in columns.REQUIRED:
            if code not in taken:
                problems.append(
                    Problem(
                        sheet.name,
                        None,
                        "",
                        "",
                        f"没有找到“{columns.BY_CODE[code].label}”列，请在下方“表头对应关系”中指定哪一列是{columns.BY_CODE[code].label}。",
                    )
                )
    return found, problems


def context(unit, by, today: datetime.date) -> Context:
    agents = list(rules.users_who_may(WORKS_CASES, unit=unit).order_by("pk"))
    default = by if by is not None and rules.can(by, WORKS_CASES, unit) else (agents[0] if agents else None)
    return Context(
        unit=unit,
        today=today,
        agent=default,
        agents={agent.full_name: agent for agent in agents},
        categories={c.name: c for c in ContentCategory.objects.all()},
        platforms={p.name: p for p in SubmissionPlatform.objects.all()},
        towns={t.name: t for t in Unit.objects.filter(kind=UnitKind.TOWN)},
        retention_days=retention_days(),
    )


def dry_run(content: bytes, *, unit, by, today: datetime.date | None = None) -> Report:
    """What the workbook would bring in for ``unit`` (see the module's docstring). Raises
    ``workbook.UnreadableWorkbook`` for a file that is no workbook."""
    today = today or timezone.localdate()
    sheets = workbook.read(content)
    saved = saved_mapping(unit)
    ctx = context(unit, by, today)
    report = Report(sheets=[], rows=[], problems=[], notes=[])
    if ctx.agent is None:
        report.problems.append(
            Problem(
                "",
                None,
                "",
                "",
                f"{unit.name}还没有代理员账户。请先在“账户与代理员”中建立，导入的事项要记在代理员名下。",
            )
        )
    for sheet in sheets:
        if not sheet.headers:
            report.notes.append(f"工作表“{sheet.name}”没有找到表头（姓名、身份证号、接待日期等），未导入。")
            continue
        matched, problems = match_columns(sheet, saved)
        report.sheets.append(matched)
        report.problems += problems
        report.notes += [f"工作表“{sheet.name}”：{note}" for note in matched.notes]
        report.notes += [f"工作表“{sheet.name}”第{n}行是{why}，未导入。" for n, why in sheet.passed_over]
        if problems:
            continue
        headers = {h.column: h for h in sheet.headers}
        for number, values in sheet.rows:
            cells = {code: (headers[c], values[c]) for c, code in matched.codes.items()}
            report.rows.append(check_row(Row(sheet.name, number, cells), ctx))
    if not report.sheets:
        report.problems.append(
            Problem(
                "", None, "", "", "文件中没有找到台账：没有哪个工作表有“信访人”“身份证号”“接待日期”等表头。"
            )
        )
    _already_here(report.to_create, unit)
    _repeated(report.to_create)
    _versions(report.to_create, unit)
    report.problems += [p for row in report.rows for p in row.problems]
    return report


def _already_here(rows: list[Row], unit) -> None:
    """Pass over the rows whose case the unit has already (step 4 of the module's docstring)."""
    by_code: dict[str, Row] = {}
    by_person: dict[str, list[Row]] = {}
    for row in rows:
        assert row.entry is not None
        code = row.entry.fields.get("query_code")
        if code:
            for digest in query_code_keys(code):
                by_code[digest] = row
        else:
            for digest in crypto.lookup_hashes("id_number", row.entry.petitioner["id_number"]):
                by_person.setdefault(digest, []).append(row)
    for found in _chunked(Case.objects.filter(unit=unit), "query_code_hash", list(by_code), ("number",)):
        by_code[found[0]].skip = f"已有查询码相同的事项（{found[1]}），不再导入"
    fields = ("received_on", "title", "number")
    for digest, on, title, number in _chunked(
        Case.objects.filter(unit=unit), "petitioner__id_number_hash", list(by_person), fields
    ):
        for row in by_person[digest]:
            if row.entry is not None and (row.entry.received_on, row.entry.complaint["title"]) == (on, title):
                row.skip = f"已有同一信访人同日同标题的事项（{number}），不再导入"


def _chunked(rows: QuerySet, column: str, keys: list[str], fields: tuple[str, ...]) -> list[tuple]:
    found: list[tuple] = []
    for start in range(0, len(keys), CHUNK):
        chunk = rows.filter(**{f"{column}__in": keys[start : start + CHUNK]})
        found += list(chunk.values_list(column, *fields))
    return found


def _repeated(rows: list[Row]) -> None:
    seen: dict[Any, Row] = {}
    for row in rows:
        if row.skip or row.entry is None:
            continue
        entry = row.entry
        code = entry.fields.get("query_code")
        key = (
            ("code", code)
            if code
            else ("person", entry.petitioner["id_number"], entry.received_on, entry.complaint["title"])
        )
        first = seen.setdefault(key, row)
        if first is row:
            continue
        where = f"工作表“{first.sheet}”第{first.number}行"
        if _same(first, row):
            row.skip = f"与{where}相同，只导入一次"
        else:
            column = "query_code" if code else "title"
            what = "查询码相同" if code else "信访人、接待日期和诉求标题相同"
            row.problem(column, f"与{where}{what}，但其他内容不同；请核对后删除或改正其中一行。")
            row.entry = None


def _same(a: Row, b: Row) -> bool:
    def text(row: Row) -> dict[str, str]:
        return {code: str(value) for code, (_, value) in row.cells.items()}

    return text(a) == text(b)


def _versions(rows: list[Row], unit) -> None:
    """Say where a new version of a known person will be made (step 5)."""
    rows = [row for row in rows if row.entry is not None and not row.skip]
    latest: dict[str, Any] = dict(latest_versions(unit, [row.entry.petitioner["id_number"] for row in rows]))  # type: ignore[union-attr]
    for row in rows:
        person = row.entry.petitioner  # type: ignore[union-attr]
        before = latest.get(person["id_number"])
        if before is None:
            latest[person["id_number"]] = _Version(person, 1, row)
            continue
        person = completed(before, person)
        changed = differences(before, person)
        if changed:
            words = "、".join(COMPARED[f] for f in changed)
            where = (
                f"工作表“{before.row.sheet}”第{before.row.number}行"
                if isinstance(before, _Version)
                else "平台上已有的登记"
            )
            row.notes.append(
                f"同一信访人，本行的{words}与{where}不同：将新增一版信访人信息（第{before.version + 1}版），"
                "以前的事项保留原登记"
            )
            latest[person["id_number"]] = _Version(person, before.version + 1, row)


class _Version:
    """A person's particulars as a row gives them, compared with later rows like a record."""

    def __init__(self, person: dict[str, Any], version: int, row: Row):
        self.__dict__.update(person)
        self.version, self.row = version, row


def batches_for(user) -> QuerySet[ImportBatch]:
    return rules.scoped(ImportBatch.objects.select_related("unit", "uploaded_by"), user, IMPORT)


def get_batch_for(request, pk) -> ImportBatch:
    return rules.get_or_refuse(
        ImportBatch.objects.select_related("unit", "file"), request.user, IMPORT, pk, request=request
    )


def units_for(user) -> QuerySet[Unit]:
    """The units ``user`` may bring a ledger in for (bureau staff: every unit that works cases)."""
    units = Unit.objects.filter(active=True).exclude(kind=UnitKind.BUREAU).order_by("sort_order", "id")
    return rules.scoped_units(units, user, IMPORT)


def status_counts(report: Report) -> dict[str, int]:
    return dict(Counter(row.entry.status for row in report.to_create if row.entry is not None))


def imported_before(batch: ImportBatch) -> ImportBatch | None:
    """An earlier batch of the same file for the same unit that was imported."""
    return (
        ImportBatch.objects.filter(unit=batch.unit, sha256=batch.sha256, status=BatchStatus.DONE)
        .exclude(pk=batch.pk)
        .order_by("-finished_at")
        .first()
    )
