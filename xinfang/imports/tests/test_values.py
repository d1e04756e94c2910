"""The cells of an old ledger, read: every way of writing a day, an ID number and a phone that
the issue lists, and the messages for what cannot be read."""

from __future__ import annotations

import datetime

import pytest

from conftest import make_id_number
from xinfang.imports import columns, values, workbook
from xinfang.imports.tests.messy import excel_serial, fullwidth, spaced

TODAY = datetime.date(2026, 6, 1)
MARCH_4 = datetime.date(2025, 3, 4)


@pytest.mark.parametrize(
    "cell",
    [
        excel_serial(MARCH_4),
        float(excel_serial(MARCH_4)),
        str(excel_serial(MARCH_4)),
        "2025.3.4",
        "2025-03-04",
        "2025/3/4",
        "2025年3月4日",
        "2025 年 3 月 4 日",
        "3/4/2025",
        "20250304",
        fullwidth("2025-03-04"),
        "２０２５年３月４日",
        datetime.date(2025, 3, 4),
        datetime.datetime(2025, 3, 4, 0, 0),
        " 2025-03-04 ",
    ],
)
def test_a_day_written_every_way(cell):
    assert values.day(cell, TODAY) == MARCH_4


def test_a_moment_keeps_its_time():
    assert values.moment("2025-03-04 10:15", TODAY) == (MARCH_4, datetime.time(10, 15))
    assert values.moment(excel_serial(MARCH_4) + 0.5, TODAY) == (MARCH_4, datetime.time(12, 0))
    assert values.moment(datetime.datetime(2025, 3, 4, 9, 30), TODAY)[1] == datetime.time(9, 30)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("2025-02-30", "“2025-02-30”不是有效日期"),
        ("下周一", "“下周一”不是有效日期"),
        ("1999-12-31", "不在2000年至2100年之间"),
        ("2027-01-01", "晚于今天"),
    ],
)
def test_days_that_cannot_be_read_say_why(cell, message):
    with pytest.raises(ValueError, match=message):
        values.day(cell, TODAY)


def test_id_numbers_with_spaces_lower_case_x_and_full_width_digits():
    number = make_id_number(5, datetime.date(1970, 1, 1))
    assert values.document_number(spaced(number), "resident") == number
    assert values.document_number(fullwidth(number), "resident") == number
    x_number = next(
        make_id_number(n, datetime.date(1970, 1, 1))
        for n in range(200)
        if make_id_number(n, datetime.date(1970, 1, 1)).endswith("X")
    )
    assert values.document_number(x_number.lower(), "resident") == x_number
    with pytest.raises(ValueError, match="被 Excel 存成了数字"):
        values.document_number(6.10927197001010e17, "resident")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("139-1234-5678", ("13912345678", "")),
        ("+86 139 1234 5678", ("13912345678", "")),
        ("+86-13912345678", ("13912345678", "")),
        ("0086 13912345678", ("13912345678", "")),
        ("8613912345678", ("13912345678", "")),
        (13912345678, ("13912345678", "")),
        (fullwidth("13912345678"), ("13912345678", "")),
        ("0915-8822560", ("", "0915-8822560")),
        ("(0915)8822560", ("", "0915-8822560")),
        ("", ("", "")),
    ],
)
def test_phones_with_dashes_and_country_codes(cell, expected):
    assert values.phones(cell) == expected


def test_a_phone_that_is_none_says_so():
    with pytest.raises(ValueError, match="“12345”"):
        values.phones("12345")


def test_headers_are_matched_whatever_their_dress():
    assert columns.guess("身份证号码（18位）*") == "id_number"
    assert columns.guess(" 来访\n日期 ") == "received_on"
    assert columns.guess("联系电话：") == "mobile"
    assert columns.guess("备注") == ""


def test_no_header_name_means_two_columns():
    codes: dict[str, str] = {}
    for column in columns.COLUMNS:
        for name in column.names:
            key = columns.header_key(name)
            assert codes.setdefault(key, column.code) == column.code, name


def test_a_two_row_header_with_merged_cells():
    upper = ("序号", "信访人", None, None, "接待日期", "办理情况", None)
    lower = (None, "姓名", "身份证号", "联系电话", None, "状态", "日期")
    found = [(h.letter, h.text) for h in workbook.headers(upper, lower)]
    assert found == [
        ("A", "序号"),
        ("B", "姓名"),
        ("C", "身份证号"),
        ("D", "联系电话"),
        ("E", "接待日期"),
        ("F", "状态"),
        ("G", "日期"),
    ]
    assert columns.guess("办理情况日期") == ""  # a group's name joined only where that means a column


def test_a_file_that_is_no_workbook():
    with pytest.raises(workbook.UnreadableWorkbook, match="另存为"):
        workbook.read(b"\xd0\xcf\x11\xe0" + bytes(600))
    with pytest.raises(workbook.UnreadableWorkbook, match="不是 .xlsx"):
        workbook.read(b"just text")
