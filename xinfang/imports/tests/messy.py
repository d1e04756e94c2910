"""A deliberately messy 台账, as units keep them: built here, in the test, with openpyxl.

- a sheet of notes without a header (passed over);
- 「2024年」: a title merged across the top, a blank row, a header of two rows (「信访人」 merged
  over 姓名/身份证号/联系电话, 「办理情况」 over 状态/受理日期/办结日期, 接待日期 and 诉求标题 merged
  down both rows), a day as Excel's day number in a cell not formatted as a date, 2024.3.4,
  2024年4月20日, 3/6/2024, full-width digits, an ID number with spaces and a lower-case x, a
  phone with dashes, one with +86, blank rows, a 合计 row;
- 「2025年」: a one-row header in other words (来访日期, 反映问题, 办理状态, 提交日期, 处理机关),
  real Excel dates and times, a landline, a known person with another phone.
"""

from __future__ import annotations

import datetime
import io

from openpyxl import Workbook

from conftest import make_id_number


def id_with_x() -> str:
    """An ID number whose check character is X (serial 5 of the test numbers born 1970-01-01)."""
    for serial in range(1, 200):
        number = make_id_number(serial, datetime.date(1970, 1, 1))
        if number.endswith("X"):
            return number
    raise AssertionError("no test ID number ends in X")


def spaced(number: str) -> str:
    """As typed by hand: groups with spaces, a lower-case x."""
    return f"{number[:6]} {number[6:14]} {number[14:]}".lower()


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def excel_serial(day: datetime.date) -> int:
    return (day - datetime.date(1899, 12, 30)).days


# The rows of the workbook as the tests expect to find them.
X_PERSON = id_with_x()
PEOPLE = {
    "李某某": X_PERSON,
    "王某华": make_id_number(301),
    "赵某平": make_id_number(302),
    "钱某": make_id_number(303),
}


def messy_workbook(*, bad_id: bool = False, extra_rows: int = 0) -> bytes:
    """The workbook as bytes. ``bad_id``: 王某华's ID number with a wrong check digit (the dry run
    must name its row and column). ``extra_rows``: that many more plain rows on 「2025年」."""
    book = Workbook()
    notes = book.active
    notes.title = "填表说明"
    notes["A1"] = "本台账由城关镇网上投诉代理办公室填写。"
    notes["A2"] = "身份证号请填18位。"

    old = book.create_sheet("2024年")
    old["A1"] = "城关镇网上投诉代理台账（2024年）"
    old.merge_cells("A1:K1")
    old.append([])
    old.append(
        ["序号", "信访人", None, None, "接待日期", "诉求标题", "办理情况", None, None, "查询码", "备注"]
    )
    old.append([None, "姓名", "身份证号", "联系电话", None, None, "状态", "受理日期", "办结日期", None, None])
    old.merge_cells("B3:D3")
    old.merge_cells("G3:I3")
    for column in "AEFJK":
        old.merge_cells(f"{column}3:{column}4")
    wang = PEOPLE["王某华"]
    if bad_id:
        wang = wang[:-1] + ("0" if wang[-1] != "0" else "1")
    old.append(
        [
            1,
            "李某某",
            spaced(X_PERSON),
            "139-1234-5678",
            excel_serial(datetime.date(2024, 3, 1)),
            "道路硬化后排水沟堵塞",
            "已办结",
            "2024.3.4",
            "2024年4月20日",
            fullwidth("SX20240001"),
            "",
        ]
    )
    old.append([])
    old.append(
        [
            2,
            "王某华",
            wang,
            "+86 138 0013 8000",
            fullwidth("2024-03-05"),
            "低保资格认定有误",
            "已受理",
            "3/6/2024",
            None,
            "SX20240002",
            "电话回访",
        ]
    )
    old.append([None, "合计", None, None, None, None, None, None, None, None, "2件"])

    new = book.create_sheet("2025年")
    new.append(
        [
            "来访日期",
            "姓名",
            "身份证号码",
            "电话",
            "反映问题",
            "内容分类",
            "办理状态",
            "提交日期",
            "处理机关",
            "送达日期",
            "查询码",
        ]
    )
    new.append(
        [
            datetime.datetime(2025, 1, 6, 9, 30),
            "赵某平",
            PEOPLE["赵某平"],
            "0915-8822560",
            "小区电梯长期故障",
            "房产物业",
            "已送达答复",
            datetime.datetime(2025, 1, 7, 10, 15),
            "县住房和城乡建设局",
            datetime.date(2025, 2, 20),
            "SX20250001",
        ]
    )
    new.append(
        [
            datetime.date(2025, 2, 3),
            "李某某",
            X_PERSON,
            "13700001111",
            "排水沟再次堵塞",
            "城乡建设",
            "已网上提交",
            "2025-02-04",
            None,
            None,
            "SX20250002",
        ]
    )
    for n in range(extra_rows):
        received = datetime.date(2025, 3, 1) + datetime.timedelta(days=n % 200)
        new.append(
            [
                received,
                f"钱某{'甲乙丙丁戊己庚辛壬癸'[n % 10]}",
                make_id_number(400 + n % 500, datetime.date(1960 + n // 500 % 40, 1 + n % 12, 1 + n % 28)),
                f"1391234{n % 10000:04d}",
                f"诉求{n}",
                "城乡建设",
                ("已送达答复", "已网上提交", "已办结")[n % 3],
                f"{received + datetime.timedelta(days=1):%Y-%m-%d}",
                "县住房和城乡建设局",
                received + datetime.timedelta(days=40) if n % 3 == 0 else None,
                f"BULK{n:06d}",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
