"""The log reads in Chinese (issue 12): the object as 代理事项 城关镇-2026-0001, not ``cases.Case
52``; the details as words, not a Python dict; the auditor filters by day and exports .xlsx."""

from __future__ import annotations

import ast
import datetime
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from xinfang.audit import words
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.audit.words import KEY_LABELS, VALUE_LABELS

pytestmark = pytest.mark.django_db

XINFANG = Path(__file__).resolve().parents[2]
ASCII_WORD = re.compile(r"[A-Za-z_]{3,}")


def read(entry: AuditEntry) -> words.ReadEntry:
    return words.read([entry])[0]


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor)
    return client


def test_objects_are_named_as_the_office_names_them(agent_cg, make_case, units):
    case = make_case(agent_cg)
    printed = record(AuditAction.PRINT, by=agent_cg, target=case, document="feedback", format="docx")
    assert read(printed).target == f"代理事项 {case.number}"
    assert read(printed).detail == "文书：反馈表；格式：Word 文档"
    revealed = record(
        AuditAction.REVEAL,
        by=agent_cg,
        target_type="cases.Case.field",
        target_id=case.pk,
        field="id_number-2",
    )
    assert read(revealed).target == f"事项的完整个人信息 {case.number}"
    assert read(revealed).detail == "信息项：证件号码（第2信访人）"
    account = record(AuditAction.ACCOUNT, by=agent_cg, target=agent_cg, change="create", role="agent", unit=units["chengguan"].pk, active=True, profile=["title", "mobile"])  # fmt: skip
    assert read(account).target == f"用户 {agent_cg.username}（{agent_cg.full_name}）"
    assert (
        read(account).detail
        == "变更：新建账户；角色：代理员；单位：城关镇；启用：是；修改的代理员信息：职务、手机号码"
    )
    refused = record(AuditAction.ACCESS_DENIED, by=agent_cg, target_type="capability", target_id="read_audit", capability="read_audit")  # fmt: skip
    assert read(refused).target == "权限“查看审计日志”"
    assert read(refused).detail == "所需权限：查看审计日志"
    page = record(AuditAction.ACCESS_DENIED, by=agent_cg, target_type="view", target_id="audit:log")
    assert read(page).target == "页面"
    ledger = record(AuditAction.EXPORT, actor_name="(command line)", target_type="ledger", masked=False, start="2026-01-01", end="2026-10-31", filters={"status": "delivered", "unit": units["chengguan"].pk, "search": False})  # fmt: skip
    assert read(ledger).actor == "服务器命令行" and read(ledger).target == "台账"
    assert read(ledger).detail == (
        "隐去中间位：否；起始日期：2026年1月1日；截止日期：2026年10月31日；"
        "筛选条件：单位：城关镇，状态：已送达答复，按姓名等查找：否"
    )


def test_a_clock_change_lists_its_fields_in_words(bureau_user):
    from xinfang.deadlines.models import Clock

    clock = Clock.objects.get(code="conclude")
    entry = record(
        AuditAction.POLICY,
        by=bureau_user,
        target=clock,
        change="clock",
        code="conclude",
        fields={"day_count": {"old": "calendar", "new": "workdays"}, "petition_types": {"old": "claim", "new": "suggestion,claim"}},
    )  # fmt: skip
    reading = read(entry)
    assert reading.target == "法定期限 办结"
    assert reading.detail == (
        "变更：修改法定期限规则；期限：办结；修改的项目：计算方式由“日（自然日）”改为“工作日”，"
        "适用的信访类型由“申诉求决类”改为“建议意见类、申诉求决类”"
    )


def test_nothing_unknown_is_hidden():
    entry = record(AuditAction.POLICY, target_type="somewhere.Else", target_id="x1", brand_new="value")
    assert read(entry).target == "somewhere.Else（编号 x1）"
    assert read(entry).detail == "brand_new：value"


def _recorded() -> dict[str, set[str]]:
    """Every keyword the platform passes to ``record`` and the literal texts it passes with it."""
    found: dict[str, set[str]] = {}
    for path in XINFANG.rglob("*.py"):
        if {"tests", "migrations"} & set(path.relative_to(XINFANG).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(getattr(node, "func", None), "id", None) or getattr(
                getattr(node, "func", None), "attr", ""
            )
            if not (isinstance(node, ast.Call) and name == "record"):
                continue
            for keyword in node.keywords:
                if keyword.arg in (None, "by", "request", "target", "target_type", "target_id", "actor_name"):
                    continue
                found.setdefault(keyword.arg, set()).update(_literals(keyword.value))
    return found


def _literals(node) -> list[str]:
    """The texts a value can be: a literal, or either branch of ``a if … else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return []


def test_every_detail_the_platform_writes_has_its_words():
    """A new ``record(..., key="code")`` needs the key's words (``KEY_LABELS``) and, for a code
    written as a value, the code's (``VALUE_LABELS``): the auditor reads no identifiers."""
    missing = []
    for key, texts in _recorded().items():
        if key not in KEY_LABELS:
            missing.append(key)
        for text in texts:
            if ASCII_WORD.fullmatch(text) and text not in VALUE_LABELS.get(key, {}):
                missing.append(f"{key}={text}")
    assert missing == []


def test_the_auditor_filters_by_day_and_sees_words(auditor_client, agent_cg, make_case):
    case = make_case(agent_cg)
    record(AuditAction.PRINT, by=agent_cg, target=case, document="authorization", format="html")
    today = timezone.localdate()
    page = auditor_client.get(
        reverse("audit:log"), {"start": today.isoformat(), "end": today.isoformat()}
    ).text
    assert f"代理事项 {case.number}" in page and "文书：授权委托书；格式：网页打印" in page
    assert "cases.Case" not in page and "{&#x27;" not in page
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert f"代理事项 {case.number}" not in auditor_client.get(reverse("audit:log"), {"start": tomorrow}).text
    wrong = auditor_client.get(reverse("audit:log"), {"start": tomorrow, "end": today.isoformat()}).text
    assert "截止日期不能早于起始日期。" in wrong


def test_the_auditor_exports_what_the_filters_select_and_the_export_is_logged(
    auditor_client, auditor, agent_cg, make_case
):
    case = make_case(agent_cg)
    record(AuditAction.PRINT, by=agent_cg, target=case, document="authorization", format="docx")
    record(AuditAction.LOGIN, by=agent_cg)
    response = auditor_client.get(reverse("audit:export"), {"action": "print"})
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"].lower()
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("序号", "时间", "账号", "动作", "对象", "IP地址", "地址", "详情", "哈希")
    printed = [row for row in rows[1:] if row[3] == "打印或生成文书"]
    assert len(printed) == len(rows) - 1 and printed[-1][4] == f"代理事项 {case.number}"
    assert printed[-1][7] == "文书：授权委托书；格式：Word 文档"
    export = AuditEntry.objects.filter(action=AuditAction.EXPORT, actor=auditor).get()
    assert read(export).detail == f"格式：Excel 表格；条数：{len(rows) - 1}；筛选条件：动作：打印或生成文书"


def test_only_the_auditor_exports(client, bureau_user):
    client.force_login(bureau_user)
    assert client.get(reverse("audit:export")).status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, actor=bureau_user).exists()
