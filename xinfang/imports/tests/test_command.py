"""``xinfang import ledger FILE --unit 城关镇 [--dry-run]``: the same checks and import as the page,
from the server's shell."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.cases.models import Case, CaseEvent
from xinfang.imports.tests.messy import messy_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "files"


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_dry_run_lists_the_rows_and_writes_nothing(agent_cg, tmp_path):
    ledger = tmp_path / "台账.xlsx"
    ledger.write_bytes(messy_workbook())
    out, _ = run("ledger", str(ledger), "--unit", "城关镇", "--dry-run")
    assert "工作表“2024年”第5行 李某某 2024-03-01 道路硬化后排水沟堵塞：新建事项（已办结）" in out
    assert "共读取 4 行：将新建 4 件，跳过 0 行，问题 0 个。" in out and "试导入" in out
    assert Case.objects.count() == 0


def test_problems_exit_with_status_1(agent_cg, tmp_path):
    ledger = tmp_path / "台账.xlsx"
    ledger.write_bytes(messy_workbook(bad_id=True))
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import", "ledger", str(ledger), "--unit", "城关镇", stdout=io.StringIO(), stderr=err)
    assert exit_.value.code == 1
    assert "问题：工作表“2024年”第7行“身份证号”列（C列）" in err.getvalue()
    assert "没有导入任何一行" in err.getvalue() and Case.objects.count() == 0


def test_the_import_from_the_shell(agent_cg, tmp_path):
    ledger = tmp_path / "台账.xlsx"
    ledger.write_bytes(messy_workbook())
    out, err = run("ledger", str(ledger), "--unit", "城关镇")
    assert "已导入 4 / 4 件（100%）" in err and "已为城关镇导入 4 件事项" in out
    assert Case.objects.filter(agent=agent_cg).count() == 4
    assert set(CaseEvent.objects.filter(action="imported").values_list("by", flat=True)) == {agent_cg.pk}
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert entry.actor_name == "(command line)" and entry.detail["created"] == 4
    out, _ = run("ledger", str(ledger), "--unit", "城关镇")  # again: nothing new
    assert "没有需要新建的事项" in out and Case.objects.count() == 4


def test_an_unknown_unit_or_file(agent_cg, tmp_path):
    with pytest.raises(CommandError, match="没有名为“东城镇”的单位"):
        run("ledger", str(tmp_path / "x.xlsx"), "--unit", "东城镇")
    with pytest.raises(CommandError, match="无法读取文件"):
        run("ledger", str(tmp_path / "x.xlsx"), "--unit", "城关镇")
