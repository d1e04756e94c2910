from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from conftest import make_id_number
from xinfang.audit.models import AuditEntry


def rows_of(path):
    return list(load_workbook(path).active.values)


def test_ledger_export_by_period_and_unit_masked_by_default(agent_cg, agent_zj, make_case, tmp_path):
    today = timezone.localdate()
    inside = make_case(agent_cg, serial=1, received_on=today - datetime.timedelta(days=3))
    make_case(agent_cg, serial=2, received_on=today - datetime.timedelta(days=40))
    other = make_case(agent_zj, serial=3, received_on=today - datetime.timedelta(days=3))
    out = tmp_path / "ledger.xlsx"
    start = (today - datetime.timedelta(days=10)).isoformat()
    call_command("export", "ledger", "--from", start, "--to", today.isoformat(), "-o", str(out))
    rows = rows_of(out)
    assert rows[0][:2] == ("单位", "编号")
    # Chinese fonts for WPS and Excel: a bold 宋体 header, 宋体 cells, the header row frozen.
    sheet = load_workbook(out).active
    assert (sheet["A1"].font.name, sheet["A1"].font.b) == ("宋体", True)
    assert (sheet["B2"].font.name, sheet["B2"].font.b) == ("宋体", False)
    assert sheet.freeze_panes == "A2"
    assert sheet["C2"].value == inside.received_on.isoformat() or sheet["C2"].is_date
    assert {r[1] for r in rows[1:]} == {inside.number, other.number}
    assert make_id_number(1) not in str(rows) and "13912345678" not in str(rows)
    call_command(
        "export", "ledger", "--from", start, "--to", today.isoformat(), "--unit", "城关镇", "-o", str(out)
    )
    assert [r[0] for r in rows_of(out)[1:]] == [inside.number]
    assert AuditEntry.objects.filter(action="export", detail__masked=True).count() == 2


def test_full_ledger_export_needs_a_reason_and_is_logged(agent_cg, make_case, tmp_path):
    make_case(agent_cg, serial=1)
    today = timezone.localdate().isoformat()
    out = tmp_path / "full.xlsx"
    with pytest.raises(CommandError, match="--reason"):
        call_command("export", "ledger", "--from", today, "--to", today, "--full", "-o", str(out))
    call_command(
        "export", "ledger", "--from", today, "--to", today, "--full", "--reason", "县纪委调阅", "-o", str(out)
    )
    assert make_id_number(1) in str(rows_of(out))
    entry = AuditEntry.objects.get(action="export", detail__masked=False)
    assert entry.detail["reason"] == "县纪委调阅" and entry.detail["rows"] == 1
