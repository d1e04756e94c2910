"""The template workbook (导入模板): one sheet with the columns' headers and an example row, and a
sheet 填写说明 saying what each column takes. Real ledgers need not follow it: the headers are
matched by name and the mapping can be corrected."""

from __future__ import annotations

import io

from openpyxl.styles import Font

from xinfang.core import xlsx
from xinfang.imports.columns import COLUMNS

FILENAME = "网上投诉代理台账导入模板.xlsx"
SKIPPED = {"unit", "number"}
TEXT_ROWS = 500


def template_xlsx() -> bytes:
    book = xlsx.workbook()
    sheet = book.active
    sheet.title = "台账"
    shown = [c for c in COLUMNS if c.code not in SKIPPED]
    sheet.append(xlsx.row([c.label for c in shown]))
    for cell in sheet[1]:
        cell.font = xlsx.font(bold=True)
    sheet.append(xlsx.row([c.example for c in shown]))
    for index, column in enumerate(shown, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(10, len(column.label) * 2 + 4)
        if column.code in ("id_number", "mobile", "query_code"):
            for row in range(2, TEXT_ROWS + 2):  # text: an 18-digit number would lose its last digits
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    notes.append(xlsx.row(["列名", "是否必填", "也可以叫", "填写说明"]))
    for cell in notes[1]:
        cell.font = Font(name=xlsx.SHEET_FONT, bold=True)
    for column in COLUMNS:
        notes.append(
            xlsx.row(
                [column.label, "必填" if column.required else "", "、".join(column.aliases), column.help]
            )
        )
    for letter, width in zip("ABCD", (16, 10, 40, 80), strict=True):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
