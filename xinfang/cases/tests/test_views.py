"""The agent's journey over HTTP, steps 1-8 of the foundation issue."""

from __future__ import annotations

import datetime
import io
import re
import uuid
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import make_id_number, scan_file
from xinfang.audit.models import AuditEntry
from xinfang.cases import export_jobs
from xinfang.cases.models import Case, CaseStatus, LedgerExport
from xinfang.cases.tests.test_ledger_search import ledger_query, ledger_url
from xinfang.reference.models import ContentCategory, SubmissionPlatform


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


def new_case_post(**overrides):
    data = {
        "token": str(uuid.uuid4()),
        "received_on": timezone.localdate().isoformat(),
        "p-name": "李某某",
        "p-id_number": make_id_number(7),
        "p-mobile": "13912345678",
        "p-landline": "",
        "p-address": "镇坪县城关镇文彩村三组12号",
        "p-work_unit": "无",
        "c-respondent_kind": "administrative",
        "c-respondent_name": "城关镇人民政府",
        "c-petition_type": "claim",
        "c-category": str(ContentCategory.objects.get(name="城乡建设").pk),
        "c-incident_town": "",
        "c-incident_place": "文彩村",
        "c-allow_public": "0",
        "c-court_accepted": "0",
        "c-reconsideration_done": "0",
        "c-arbitration_accepted": "0",
        "c-has_review_opinion": "0",
        "c-title": "排水沟堵塞",
        "c-content": "道路硬化后排水沟被堵，雨天积水进屋。",
    }
    data.update(overrides)
    return data


def test_new_case_form_shows_the_sections(client, agent_cg):
    client.force_login(agent_cg)
    response = client.get(reverse("cases:new"))
    text = response.content.decode()
    assert response.status_code == 200
    for label in (
        "信访人基本情况",
        "证件号码",
        "居民身份证",
        "信访人数",
        "法院是否已受理",
        "内容分类",
        "诉求内容",
        "农村农业",
        "纪检监察",
    ):
        assert label in text


def test_wrong_check_digit_is_explained_and_nothing_is_lost(client, agent_cg):
    client.force_login(agent_cg)
    good = make_id_number(7)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    response = client.post(reverse("cases:new"), new_case_post(**{"p-id_number": wrong}))
    text = response.content.decode()
    assert response.status_code == 200
    assert f"最后一位应为 {good[17]}" in text
    assert "排水沟堵塞" in text and "道路硬化后排水沟被堵" in text and wrong in text
    assert Case.objects.count() == 0


def test_the_id_number_error_is_shown_once_at_its_field(client, agent_cg):
    """The page shows the error at the field; the history, loaded with the page, shows only earlier
    cases; a live check (the number changed) puts its message at the field too, replacing the
    one shown (htmx out-of-band), never a second time under the form's last fields."""
    client.force_login(agent_cg)
    good = make_id_number(7)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    page = client.post(reverse("cases:new"), new_case_post(**{"p-id_number": wrong})).content.decode()
    message = f"最后一位应为 {good[17]}"
    assert page.count(message) == 1
    assert re.search(
        rf'<div id="id-number-check"><div id="id_p-id_number_error"><p class="error" role="alert">[^<]*{message}',
        page,
    )
    on_load = client.post(reverse("cases:history"), {"p-id_number": wrong, "initial": "1"}).content.decode()
    assert message not in on_load and "id-number-check" not in on_load
    live = client.post(reverse("cases:history"), {"p-id_number": wrong}).content.decode()
    assert live.count(message) == 1 and '<div id="id-number-check" hx-swap-oob="true">' in live
    cleared = client.post(reverse("cases:history"), {"p-id_number": good}).content.decode()
    assert '<div id="id-number-check" hx-swap-oob="true"></div>' in cleared and "校验通过" in cleared


def test_unanswered_yes_no_questions_are_required(client, agent_cg):
    client.force_login(agent_cg)
    response = client.post(reverse("cases:new"), new_case_post(**{"c-court_accepted": ""}))
    assert "请选择“是”或“否”" in response.content.decode()
    assert Case.objects.count() == 0


def test_double_post_creates_one_case(client, agent_cg):
    client.force_login(agent_cg)
    data = new_case_post()
    first = client.post(reverse("cases:new"), data)
    second = client.post(reverse("cases:new"), data)
    assert Case.objects.count() == 1
    assert first.url == second.url == reverse("cases:detail", args=[Case.objects.get().pk])


def test_history_shows_other_units_without_contents(client, agent_cg, agent_zj, make_case):
    make_case(agent_zj, serial=9, title="曾家镇的秘密标题")
    client.force_login(agent_cg)
    response = client.post(reverse("cases:history"), {"p-id_number": make_id_number(9)})
    text = response.content.decode()
    assert "此前已有 1 件" in text and "曾家镇" in text
    assert "曾家镇的秘密标题" not in text
    wrong = client.post(reverse("cases:history"), {"p-id_number": "123"}).content.decode()
    assert "18位" in wrong


def test_journey_from_first_form_to_submission(client, agent_cg):
    client.force_login(agent_cg)
    response = client.post(reverse("cases:new"), new_case_post())
    case = Case.objects.get()
    assert response.url == reverse("cases:detail", args=[case.pk])
    detail = client.get(response.url).content.decode()
    assert case.number in detail and "判断代理范围" in detail
    assert make_id_number(7) not in detail  # masked until revealed

    response = client.post(
        reverse("cases:scope", args=[case.pk]), {"decision": "in_scope", "channel": "", "note": ""}
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_SCOPE

    letter = client.get(reverse("cases:authorization", args=[case.pk]))
    assert letter.status_code == 200
    docx = client.get(reverse("cases:authorization_docx", args=[case.pk]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"

    response = client.post(
        reverse("cases:step", args=[case.pk, "authorize"]),
        {"mode": "confirmed", "on": timezone.localdate().isoformat(), "scan": scan_file()},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.AUTHORIZED, response.content.decode()[:2000]

    response = client.post(
        reverse("cases:step", args=[case.pk, "attach"]),
        {"uploads": [scan_file("a.pdf"), scan_file("b.png", b"\x89PNG\r\n\x1a\n....")]},
    )
    assert case.files.filter(kind="attachment").count() == 2

    prepared = client.get(reverse("cases:prepared", args=[case.pk])).content.decode()
    assert "【城关镇网上投诉代理员王某某，13800000000】，代李某某反映：道路硬化后" in prepared
    order = [
        prepared.index(label)
        for label in (
            "信访类型",
            "是否允许公开",
            "法院是否已受理",
            "是否已经行政复议",
            "仲裁机构是否已受理",
            "是否已有复查复核意见书",
            "事发地",
            "内容分类",
            "诉求标题",
            "诉求内容",
            "电话号码",
        )
    ]
    assert order == sorted(order)

    response = client.post(reverse("cases:reveal", args=[case.pk, "id_number"]))
    assert response.json() == {"value": make_id_number(7)}
    assert AuditEntry.objects.filter(action="reveal", detail__field="id_number").count() == 1

    response = client.post(
        reverse("cases:step", args=[case.pk, "submit"]),
        {
            "platform": SubmissionPlatform.objects.first().pk,
            "username": "li13912345678",
            "password": "Pw-9x!k",
            "query_code": "ZP 2026 AB12",
            "on": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "registration_scan": scan_file("reg.png", b"\x89PNG\r\n\x1a\nxx"),
        },
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.query_code == "ZP2026AB12"

    found = client.post(reverse("cases:find"), {"query_code": "ZP2026AB12"})
    assert found.url == reverse("cases:detail", args=[case.pk])
    assert client.get(ledger_url(client, q="ZP2026AB12")).context["page"].paginator.count == 0
    ledger = client.get(ledger_url(client, q="李某某")).content.decode()
    assert case.number in ledger and "Pw-9x!k" not in ledger
    assert "610***********" in ledger and "139****5678" in ledger


def test_submission_refuses_future_time_and_keeps_input(client, agent_cg, make_case):
    from xinfang.cases import actions
    from xinfang.core import files

    case = make_case(agent_cg)
    actions.accept_scope(case, by=agent_cg)
    actions.record_authorization(
        case,
        by=agent_cg,
        mode="signed",
        on=timezone.localdate(),
        scan=files.Checked(content=b"%PDF-1.4", content_type=files.PDF, name="x.pdf"),
    )
    client.force_login(agent_cg)
    future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("cases:step", args=[case.pk, "submit"]),
        {
            "platform": SubmissionPlatform.objects.first().pk,
            "username": "li139",
            "password": "pw",
            "query_code": "QC77",
            "on": future,
        },
    )
    text = response.content.decode()
    assert "不能晚于今天" in text and "QC77" in text and "li139" in text
    case.refresh_from_db()
    assert case.status == CaseStatus.AUTHORIZED


def test_referred_case_page_explains_the_channel(client, agent_cg, make_case):
    case = make_case(agent_cg, court_accepted=True)
    client.force_login(agent_cg)
    refused = client.post(reverse("cases:scope", args=[case.pk]), {"decision": "in_scope"})
    assert "不属于网上投诉代理范围" in refused.content.decode()
    client.post(
        reverse("cases:scope", args=[case.pk]), {"decision": "refer", "channel": "litigation", "note": ""}
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REFERRED
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "人民法院" in page and "登记网上提交" not in page
    response = client.get(reverse("cases:step", args=[case.pk, "submit"]))
    assert "不能登记网上提交" in response.content.decode()


def test_uploads_refuse_wrong_type_and_size(client, agent_cg, make_case, settings):
    case = make_case(agent_cg)
    client.force_login(agent_cg)
    response = client.post(
        reverse("cases:step", args=[case.pk, "attach"]), {"uploads": [scan_file("evil.pdf", b"MZ\x90\x00")]}
    )
    assert "按文件内容判断" in response.content.decode()
    settings.UPLOAD_MAX_BYTES = 1024
    response = client.post(
        reverse("cases:step", args=[case.pk, "attach"]),
        {"uploads": [scan_file("big.pdf", b"%PDF-" + b"0" * 2000)]},
    )
    assert "超过了" in response.content.decode()
    assert case.files.count() == 0


def test_ledger_filters_and_export_are_masked(client, agent_cg, agent_zj, make_case):
    mine = make_case(agent_cg, serial=1, title="路灯不亮")
    make_case(agent_cg, serial=2, title="低保评定", category=ContentCategory.objects.get(name="民政与应急"))
    make_case(agent_zj, serial=3, title="曾家镇事项")
    client.force_login(agent_cg)
    page = client.get(reverse("cases:list")).content.decode()
    assert "路灯不亮" in page and "低保评定" in page and "曾家镇事项" not in page
    page = client.get(
        reverse("cases:list"), {"category": ContentCategory.objects.get(name="民政与应急").pk}
    ).content.decode()
    assert "低保评定" in page and "路灯不亮" not in page
    page = client.get(reverse("cases:list"), {"month": "1999-13"}).content.decode()
    assert "月份格式" in page

    response = client.get(reverse("cases:export") + "?" + ledger_query(client, q="路灯"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.values)
    assert rows[0][0] == "编号"
    assert [r[0] for r in rows[1:]] == [mine.number]
    flat = " ".join(str(v) for v in rows[1])
    assert make_id_number(1) not in flat and "13912345678" not in flat
    assert AuditEntry.objects.filter(action="export").count() == 1


def submitted_case(agent, make_case, *, serial: int, title: str, password: str, query_code: str):
    from xinfang.cases import actions
    from xinfang.core import files

    case = actions.accept_scope(make_case(agent, serial=serial, title=title), by=agent)
    scan = files.Checked(content=b"%PDF-1.4\nsigned\n", content_type=files.PDF, name="委托书.pdf")
    actions.record_authorization(case, by=agent, mode="signed", on=timezone.localdate(), scan=scan)
    return actions.record_submission(
        case,
        by=agent,
        platform=SubmissionPlatform.objects.first(),
        username=f"user{serial}x",
        password=password,
        query_code=query_code,
        on=timezone.now(),
    )


def test_bureau_exports_the_full_ledger_on_a_reason(
    client, bureau_user, agent_cg, agent_zj, make_case, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    mine = submitted_case(
        agent_cg, make_case, serial=1, title="路灯不亮", password="Secret-Pw-1", query_code="ZPQ0001"
    )
    submitted_case(
        agent_zj, make_case, serial=2, title="曾家镇事项", password="Secret-Pw-2", query_code="ZPQ0002"
    )
    client.force_login(bureau_user)
    assert "导出完整台账" in client.get(reverse("cases:list")).content.decode()
    url = reverse("cases:export_full") + "?" + ledger_query(client, q="路灯")
    page = client.get(url)
    assert page.status_code == 200 and "导出用途" in page.content.decode()

    # The reason is required, and at least four characters.
    for reason in ("", "  ", "核对"):
        response = client.post(url, {"reason": reason})
        assert response.status_code == 400 and "用途" in response.content.decode()
    assert not AuditEntry.objects.filter(action="export").exists()

    # Made in the background: the answer is the page with its progress, then the file.
    response = client.post(url, {"reason": "按纪委函件核对信访人身份"})
    job = LedgerExport.objects.get()
    assert response.status_code == 302 and response.url == reverse("cases:export_job", kwargs={"job": job.pk})
    assert job.full and job.rows_total == 1
    export_jobs.run(job.pk)
    response = client.get(reverse("cases:export_job_file", kwargs={"job": job.pk}))
    assert response.status_code == 200 and quote("完整") in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][:2] == ("单位", "编号") and [r[1] for r in rows[1:]] == [mine.number]  # the filter applies
    flat = " ".join(str(v) for v in rows[1])
    assert make_id_number(1) in flat and "13912345678" in flat and "ZPQ0001" in flat and "user1x" in flat
    assert "Secret-Pw-1" not in " ".join(str(v) for row in rows for v in row)

    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == bureau_user and entry.target_type == "ledger"
    assert entry.detail["masked"] is False and entry.detail["reason"] == "按纪委函件核对信访人身份"
    assert entry.detail["rows"] == 1 and entry.detail["filters"]["search"] is True
    assert make_id_number(1) not in str(entry.detail)


def test_the_download_cookie_carries_only_a_well_formed_token(client, agent_cg, make_case):
    make_case(agent_cg, serial=1)
    client.force_login(agent_cg)
    for token, expected in (
        ("abcdef12", "abcdef12"),
        ("", None),
        ("short", None),
        ("<script>x</script>", None),
    ):
        response = client.get(reverse("cases:export"), {"download_token": token} if token else {})
        assert response.status_code == 200
        cookie = response.cookies.get("xinfang_download")
        assert (cookie.value if cookie else None) == expected


@pytest.mark.parametrize("who", ["agent_cg", "head_cg", "leader"])
def test_only_bureau_staff_export_the_full_ledger(request, client, who, make_case, agent_cg):
    make_case(agent_cg, serial=1)
    client.force_login(request.getfixturevalue(who))
    assert "导出完整台账" not in client.get(reverse("cases:list")).content.decode()
    assert client.get(reverse("cases:export_full")).status_code == 404
    assert client.post(reverse("cases:export_full"), {"reason": "按纪委函件核对"}).status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()
    assert AuditEntry.objects.filter(action="access_denied").exists()


def test_bureau_sees_every_unit_but_cannot_write(client, bureau_user, agent_cg, agent_zj, make_case):
    a, b = make_case(agent_cg, serial=1), make_case(agent_zj, serial=2)
    client.force_login(bureau_user)
    page = client.get(reverse("cases:list")).content.decode()
    assert a.number in page and b.number in page
    assert client.get(reverse("cases:detail", args=[a.pk])).status_code == 200
    assert client.get(reverse("cases:edit", args=[a.pk])).status_code == 404
    assert client.post(reverse("cases:reveal", args=[a.pk, "id_number"])).status_code == 404


def test_ledger_query_count_does_not_grow_with_rows(
    client, agent_cg, make_case, django_assert_max_num_queries
):
    for serial in range(3):
        make_case(agent_cg, serial=serial)
    client.force_login(agent_cg)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("cases:list"))
    for serial in range(3, 30):
        make_case(agent_cg, serial=serial)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("cases:list"))


def test_a_resubmitted_form_opens_the_first_case_and_says_so(client, agent_cg):
    client.force_login(agent_cg)
    data = new_case_post()
    client.post(reverse("cases:new"), data)
    response = client.post(reverse("cases:new"), {**data, "p-name": "另一个人"}, follow=True)
    assert "已经提交过" in response.content.decode()
    assert Case.objects.count() == 1


def test_opening_the_edit_form_is_a_logged_reveal(client, agent_cg, make_case):
    case = make_case(agent_cg)
    client.force_login(agent_cg)
    client.get(reverse("cases:edit", args=[case.pk]))
    assert AuditEntry.objects.filter(action="reveal", detail__field="petitioner_edit_form").count() == 1


def test_odd_numbers_in_posts_do_not_break_pages(client, agent_cg):
    client.force_login(agent_cg)
    response = client.post(reverse("cases:history"), {"p-id_number": make_id_number(1), "case": "²"})
    assert response.status_code == 200
