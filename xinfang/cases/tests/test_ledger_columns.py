"""The ledger's columns for 督察 (the 反馈表, the rating, the follow-ups, the clocks passed), in
the .xlsx and in the monthly print view; the workbook's print setup and used range; a constant
number of queries however many rows."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from conftest import make_id_number
from xinfang.audit.models import AuditEntry
from xinfang.cases import actions, exports, selectors
from xinfang.cases.tests.filed import AUTHORIZATION, ago, at, filed_case
from xinfang.reference.models import SubmissionPlatform

ADDED = [
    "反馈表送达日期",
    "评价日期",
    "评价方式",
    "对信访机构满意度",
    "对有权处理机关满意度",
    "跟踪督办次数",
    "最近跟踪日期",
    "超期期限",
]


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


def workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def by_header(sheet) -> dict[str, dict[str, Any]]:
    rows = list(sheet.values)
    return {row[rows[0].index("编号")]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def test_the_xlsx_ledger_has_what_a_supervisor_asks_for(client, agent_cg, make_case):
    case = filed_case(agent_cg, make_case)
    plain = make_case(agent_cg, serial=2, received_on=ago(1))
    client.force_login(agent_cg)
    sheet = workbook(client.get(reverse("cases:export"))).active
    header = next(sheet.values)
    assert list(header[-len(ADDED) :]) == ADDED
    rows = by_header(sheet)
    row = rows[case.number]
    assert row["信访人"] == "李某某等2人"  # 联名: the first petitioner stands for the case
    assert row["反馈表送达日期"].date() == ago(4)
    assert row["评价日期"].date() == ago(3)
    assert row["评价方式"] == "网上信访平台（凭查询码）"
    assert (row["对信访机构满意度"], row["对有权处理机关满意度"]) == ("满意", "基本满意")
    assert row["跟踪督办次数"] == 2 and row["最近跟踪日期"].date() == ago(12)
    accept_due = ago(36 - 15)
    assert (
        row["超期期限"]
        == f"受理告知（{accept_due.year}年{accept_due.month}月{accept_due.day}日届满，逾期6日完成）"
    )
    empty = rows[plain.number]
    assert empty["跟踪督办次数"] == 0
    assert [empty[name] for name in ADDED if name != "跟踪督办次数"] == [None] * (len(ADDED) - 1)
    assert make_id_number(1) not in str(list(sheet.values))


def test_a_clock_still_running_past_its_day_reads_as_overdue(client, agent_cg, make_case):
    case = make_case(agent_cg, received_on=ago(30))
    actions.accept_scope(case, by=agent_cg)
    actions.record_authorization(case, by=agent_cg, mode="signed", on=ago(29), scan=AUTHORIZATION)
    actions.record_submission(
        case,
        by=agent_cg,
        platform=SubmissionPlatform.objects.first(),
        username="u",
        password="p",
        query_code="Q1",
        on=at(ago(28)),
    )
    client.force_login(agent_cg)
    row = by_header(workbook(client.get(reverse("cases:export"))).active)[case.number]
    due = ago(28 - 15)
    assert row["超期期限"] == f"转送交办（{due.year}年{due.month}月{due.day}日届满，已超期13日）"


def test_the_xlsx_prints_landscape_with_its_header_repeated_and_says_its_used_range(
    client, bureau_user, agent_cg, make_case
):
    filed_case(agent_cg, make_case)
    client.force_login(bureau_user)
    data = b"".join(client.get(reverse("cases:export")).streaming_content)
    columns = len(exports.ledger_columns(show_unit=True))
    used = f"A1:{get_column_letter(columns)}2"
    # Read as Excel and WPS read it: the <dimension> the file states, not counted from the cells.
    assert load_workbook(io.BytesIO(data), read_only=True).active.calculate_dimension() == used
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.dimensions == used
    assert sheet.freeze_panes == "A2" and sheet.print_title_rows == "$1:$1"
    assert sheet.print_title_cols == "$A:$B"  # 单位 and 编号 on the pages to the right
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("landscape", 9)
    assert sheet.auto_filter.ref == sheet.dimensions


def test_the_export_sends_as_many_queries_for_many_rows_as_for_few(agent_cg, bureau_user, make_case):
    def queries() -> int:
        cases = selectors.ledger(bureau_user, selectors.LedgerFilter())
        with CaptureQueriesContext(connection) as captured:
            b"".join(exports.ledger_xlsx(cases, show_unit=True))
        return len(captured.captured_queries)

    filed_case(agent_cg, make_case, serial=1)
    few = queries()
    for serial in (2, 3, 4):
        filed_case(agent_cg, make_case, serial=serial)
    assert queries() == few == 2  # the ledger with its joins and subqueries; the clocks passed


# --- The monthly print view --------------------------------------------------------------------------------


def test_an_agent_prints_the_month_of_the_own_unit(client, agent_cg, agent_zj, make_case):
    case = filed_case(agent_cg, make_case)
    other = make_case(agent_zj, serial=9, received_on=case.received_on)
    client.force_login(agent_cg)
    month = f"{case.received_on:%Y-%m}"
    response = client.get(reverse("cases:ledger_print"), {"month": month})
    assert response.status_code == 200
    page = response.content.decode()
    assert "cases/ledger-print.css" in page and "城关镇网上投诉代理台账" in page
    assert f"接待月份：{case.received_on.year}年{case.received_on.month}月" in page
    table = response.context["printed"]
    assert table.headers[:3] == ["编号", "接待日期", "信访人"]
    for header in (
        "反馈表送达",
        "评价方式",
        "信访机构满意度",
        "处理机关满意度",
        "跟踪督办",
        "最近跟踪",
        "超期期限",
    ):
        assert header in table.headers
    row = dict(zip(table.headers, table.rows[0], strict=True))
    assert row["编号"] == case.number and row["信访人"] == "李某某等2人"
    assert row["评价方式"] == "网上信访平台（凭查询码）" and row["跟踪督办"] == "2"
    assert "逾期6日完成" in row["超期期限"]
    assert other.number not in page and make_id_number(1) not in page and "13912345678" not in page
    entry = AuditEntry.objects.get(action="print", target_type="ledger")
    assert entry.detail == {"document": "ledger_month", "month": month, "unit": "城关镇", "rows": 1}
    # The own unit only: no unit to choose; a month that is none is said at its field.
    response = client.get(reverse("cases:ledger_print"), {"month": "2026-13", "unit": other.unit_id})
    assert response.context["printed"] is None and "unit" not in response.context["form"].fields
    assert (
        "月份格式应为 2026-11。" in response.content.decode() and "请选择月份。" in response.content.decode()
    )


def test_bureau_staff_choose_the_unit_and_a_bad_month_is_said(client, bureau_user, agent_cg, make_case):
    case = filed_case(agent_cg, make_case)
    client.force_login(bureau_user)
    response = client.get(reverse("cases:ledger_print"))
    assert response.context["printed"] is None and "请选择单位和月份" in response.content.decode()
    assert not AuditEntry.objects.filter(action="print").exists()
    response = client.get(
        reverse("cases:ledger_print"), {"month": f"{case.received_on:%Y-%m}", "unit": case.unit_id}
    )
    assert [r[0] for r in response.context["printed"].rows] == [case.number]
    response = client.get(reverse("cases:ledger_print"), {"month": "2026-13", "unit": case.unit_id})
    assert response.context["printed"] is None and "月份格式应为 2026-11。" in response.content.decode()


def test_only_those_who_export_the_ledger_print_it(client, leader, auditor):
    for user in (leader, auditor):
        client.force_login(user)
        assert client.get(reverse("cases:ledger_print")).status_code == 404
