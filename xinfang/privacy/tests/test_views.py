"""The two pages over HTTP, and ``xinfang retention`` from the shell."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from conftest import make_id_number
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.cases.models import Case, Petitioner
from xinfang.privacy import selectors
from xinfang.privacy.models import DataKind, DataRequest, RetentionRule, RetentionRun
from xinfang.privacy.tests.factories import full_case, referred

REASON = "信访人本人到局申请，已核验居民身份证原件"
LATIN = re.compile(r">[^<]*\b(?!SHA|Excel|VACUUM|FULL|xinfang|retention|dry|run|compact)[A-Za-z]{4,}\b[^<]*<")


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


@pytest.fixture
def bureau(client, bureau_user):
    client.force_login(bureau_user)
    return client


def chinese_only(html: str) -> None:
    """Text between tags is Chinese (names of commands and formats aside)."""
    body = html.split("<main", 1)[1]
    assert not LATIN.findall(body), LATIN.findall(body)[:3]


def test_the_retention_page_lists_what_is_due_and_runs_on_confirmation(bureau, agent_cg, make_case):
    old = referred(agent_cg, make_case, serial=1, closed_years_ago=6)
    page = bureau.get(reverse("privacy:retention"))
    assert page.status_code == 200
    html = page.content.decode()
    chinese_only(html)
    assert old.number in html and "到期清单" in html and "执行到期删除" in html
    digest = selectors.due().digest

    unconfirmed = bureau.post(reverse("privacy:retention_run"), {"digest": digest})
    assert unconfirmed.status_code == 302 and selectors.due().count(DataKind.CONTENT) == 1

    done = bureau.post(reverse("privacy:retention_run"), {"digest": digest, "confirm": "on"}, follow=True)
    assert "已删除（匿名化）：1件事项" in done.content.decode()
    assert selectors.due().empty and RetentionRun.objects.count() == 1
    assert Petitioner.objects.get(pk=old.petitioner_id).id_number == ""


def test_bureau_staff_set_a_period_on_the_page(bureau):
    response = bureau.post(
        reverse("privacy:retention_rule"), {"kind": "files", "years": "2", "basis": "会议纪要"}
    )
    assert response.status_code == 302
    assert RetentionRule.objects.get(kind="files").years == 2
    refused = bureau.post(reverse("privacy:retention_rule"), {"kind": "files", "years": "99"})
    assert refused.status_code == 400 and "保存年限" in refused.content.decode()


def test_the_request_page_finds_copies_and_deletes(bureau, agent_cg, make_case):
    case = referred(agent_cg, make_case, serial=5)
    number = make_id_number(5)
    page = bureau.get(reverse("privacy:person"))
    assert page.status_code == 200
    chinese_only(page.content.decode())

    data = {"id_kind": "resident", "id_number": number.lower(), "received_on": "2026-11-30", "reason": REASON}
    found = bureau.post(reverse("privacy:person"), data)
    html = found.content.decode()
    assert found.status_code == 200 and case.number in html and "李某某" in html
    assert "可删除" in html and "办理规则" in html
    chinese_only(html)
    assert number not in found.wsgi_request.get_full_path()

    copy = bureau.post(reverse("privacy:person_export"), {f"copy-{k}": v for k, v in data.items()})
    assert copy["Content-Type"] == "application/zip"
    assert "个人信息.xlsx" in zipfile.ZipFile(io.BytesIO(copy.content)).namelist()

    unconfirmed = bureau.post(reverse("privacy:person_erase"), {f"erase-{k}": v for k, v in data.items()})
    assert unconfirmed.status_code == 400 and "请勾选确认后再删除" in unconfirmed.content.decode()
    assert Case.objects.get(pk=case.pk).content

    erased = bureau.post(
        reverse("privacy:person_erase"), {**{f"erase-{k}": v for k, v in data.items()}, "erase-confirm": "on"}
    )
    assert erased.status_code == 200 and "已删除（匿名化）：1件事项" in erased.content.decode()
    assert Case.objects.get(pk=case.pk).content == ""
    assert list(DataRequest.objects.order_by("handled_at").values_list("kind", flat=True)) == [
        "view",
        "copy",
        "delete",
    ]


def test_a_wrong_number_is_told_at_its_field(bureau):
    response = bureau.post(
        reverse("privacy:person"),
        {
            "id_kind": "resident",
            "id_number": "610927196805170011",
            "received_on": "2026-11-30",
            "reason": REASON,
        },
    )
    assert response.status_code == 400 and "校验位" in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()


def test_the_case_page_says_how_long_its_data_is_kept(client, agent_cg, make_case):
    case = referred(agent_cg, make_case, serial=6)
    client.force_login(agent_cg)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "个人信息保存" in html and f"{case.closed_on.year + 5}年" in html


def test_the_case_page_lists_what_was_erased(client, agent_cg, make_case):
    old = referred(agent_cg, make_case, serial=8, closed_years_ago=6)
    call_command("retention", stdout=io.StringIO())
    client.force_login(agent_cg)
    html = client.get(reverse("cases:detail", args=[old.pk])).content.decode()
    assert "个人信息保存" in html and "已删除：" in html
    assert f"{old.closed_on.year + 5}年" in html  # kept until, counted from the day it ended


@pytest.mark.parametrize(("delivered_ago", "ended"), [(2, False), (40, True)])
def test_the_case_page_counts_from_the_end_of_the_review_window(
    client, agent_cg, make_case, delivered_ago, ended
):
    held = full_case(agent_cg, make_case, serial=9, delivered_ago=delivered_ago)
    window = held.case.deadlines.get(clock__code="review_request")
    client.force_login(agent_cg)
    html = client.get(reverse("cases:detail", args=[held.case.pk])).content.decode()
    said = f"事项于{window.due_on.year}年{window.due_on.month}月{window.due_on.day}日终结"
    assert (said in html) is ended
    assert ("事项终结后起算保存期限" in html) is not ended


def test_the_command_lists_then_erases(agent_cg, make_case):
    old = referred(agent_cg, make_case, serial=7, closed_years_ago=6)
    out = io.StringIO()
    call_command("retention", "--dry-run", stdout=out)
    assert old.number in out.getvalue() and "试运行" in out.getvalue()
    assert "李某某" not in out.getvalue() and make_id_number(7) not in out.getvalue()
    assert Case.objects.get(pk=old.pk).content
    out = io.StringIO()
    call_command("retention", stdout=out)
    assert "已删除（匿名化）：1件事项" in out.getvalue()
    run = RetentionRun.objects.get()
    assert run.by is None
    assert AuditEntry.objects.filter(action=AuditAction.WIPE, actor_name="(command line)").exists()
