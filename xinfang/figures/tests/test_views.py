"""The pages over HTTP: who sees what, the period chooser, targets, tallies and the .xlsx round trip."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from conftest import make_user
from xinfang.accounts.models import Role, Unit, UnitKind
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.figures import workbooks
from xinfang.figures.models import ChannelTally, UnitTarget
from xinfang.figures.tests.conftest import d

MARCH = {"kind": "month", "month": "2025-03"}


def get(client, user, name="figures:dashboard", data=None):
    client.force_login(user)
    return client.get(reverse(name), data or {})


def test_bureau_sees_every_unit_and_the_county(client, bureau_user, month):
    response = get(client, bureau_user, data=MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2025年3月" in html and "城关镇" in html and "曾家镇" in html and "全县合计" in html
    # Every active unit, the bureau's reception centre too (it has agents: seed 一), target 1 by default.
    assert [row.name for row in response.context["rows"]] == ["县信访局", "城关镇", "曾家镇"]
    total = response.context["total"]
    assert (total.proxied, total.target, total.online.numerator, total.online.denominator) == (5, 8, 7, 20)
    assert "样本少" in html and "口径说明" in html and "对有权处理机关处理意见的评价" in html
    assert "<svg" in html and "<script" not in html.split("<main", 1)[1]


def test_a_unit_head_sees_only_the_own_unit(client, head_cg, month):
    response = get(client, head_cg, data=MARCH)
    assert response.status_code == 200
    assert [row.name for row in response.context["rows"]] == ["城关镇"]
    assert response.context["total"] is None
    assert response.context["rows"][0].proxied == 4
    assert "全县合计" not in response.content.decode()


def test_a_zengjia_head_cannot_see_chengguan_numbers(client, units, month):
    head_zj = make_user("head_zj", Role.UNIT_HEAD, units["zengjia"], "曾主任")
    response = get(client, head_zj, data=MARCH)
    html = response.content.decode()
    assert [row.name for row in response.context["rows"]] == ["曾家镇"]
    # 城关镇's row, its tallies and its cases are nowhere: the situation counts only 曾家镇's cases.
    assert '<th scope="row">城关镇</th>' not in html
    assert [(c.name, c.now) for c in response.context["situation"]["categories"]] == [
        ("教育", 1),
        ("城乡建设", 0),
    ]
    assert sum(p.proxied for p in response.context["trend"]) == 2  # zj1, zj2


@pytest.mark.parametrize("persona", ["agent_cg", "auditor"])
def test_agents_and_auditors_get_404(client, request, persona, units):
    user = request.getfixturevalue(persona)
    for name in ("figures:dashboard", "figures:targets", "figures:tallies", "figures:tally_template"):
        assert get(client, user, name).status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED).exists()


@pytest.mark.parametrize("name", ["figures:targets", "figures:tallies", "figures:tally_template"])
def test_leaders_and_unit_heads_do_not_manage(client, leader, head_cg, name):
    assert get(client, leader, name).status_code == 404
    assert get(client, head_cg, name).status_code == 404


def test_leaders_land_on_the_dashboard(client, leader):
    client.force_login(leader)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("figures:dashboard")
    assert client.get(response.url).status_code == 200


def test_default_period_is_the_current_month_and_bad_input_falls_back(client, bureau_user):
    response = get(client, bureau_user)
    assert response.context["period"].kind == "month"
    response = get(client, bureau_user, data={"kind": "range", "start": "2025-03-20", "end": "2025-03-01"})
    assert response.context["period"].kind == "month"
    assert "截止日期不能早于起始日期" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "label"),
    [
        ({"kind": "quarter", "year": "2025", "quarter": "1"}, "2025年第1季度"),
        ({"kind": "year", "year": "2025"}, "2025年"),
        ({"kind": "range", "start": "2025-03-01", "end": "2025-03-15"}, "2025年3月1日至2025年3月15日"),
    ],
)
def test_period_kinds(client, bureau_user, month, data, label):
    response = get(client, bureau_user, data=data)
    assert response.context["period"].label == label


def test_dashboard_queries_do_not_grow_with_the_units(client, bureau_user, month):
    client.force_login(bureau_user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("figures:dashboard"), MARCH).status_code == 200
        return len(queries)

    before = count()
    for i in range(4):
        Unit.objects.create(name=f"测试单位{i}", kind=UnitKind.DEPARTMENT)
    assert count() == before


def test_targets_page_sets_a_target(client, bureau_user, units):
    client.force_login(bureau_user)
    response = client.post(
        reverse("figures:targets"),
        {"unit": units["zengjia"].pk, "monthly_target": 3, "effective_from": "2025-04"},
    )
    assert response.status_code == 302
    target = UnitTarget.objects.get()
    assert (target.unit, target.monthly_target, target.effective_from, target.set_by) == (
        units["zengjia"],
        3,
        d(4, 1),
        bureau_user,
    )
    assert AuditEntry.objects.filter(action=AuditAction.POLICY, detail__kind="unit_target").exists()
    response = client.post(
        reverse("figures:targets"),
        {"unit": units["zengjia"].pk, "monthly_target": 0, "effective_from": "2025-04"},
    )
    assert response.status_code == 200 and UnitTarget.objects.count() == 1


def test_tally_grid_saves_and_clears(client, bureau_user, units):
    cg, zj = units["chengguan"], units["zengjia"]
    client.force_login(bureau_user)
    url = reverse("figures:tallies") + "?month=2025-03"
    response = client.post(url, {f"t_{cg.pk}_visit": "7", f"t_{zj.pk}_letter": "0"})
    assert response.status_code == 302
    assert set(ChannelTally.objects.values_list("unit__name", "channel", "count")) == {
        ("城关镇", "visit", 7),
        ("曾家镇", "letter", 0),
    }
    assert ChannelTally.objects.filter(month=d(3, 1)).count() == 2
    client.post(url, {f"t_{cg.pk}_visit": "8"})  # 曾家镇 来信 left blank: cleared
    assert list(ChannelTally.objects.values_list("unit__name", "channel", "count")) == [
        ("城关镇", "visit", 8)
    ]
    response = client.post(url, {f"t_{cg.pk}_visit": "-1"})
    assert response.status_code == 200 and "不能为负数" in response.content.decode()
    assert ChannelTally.objects.get().count == 8


def _upload(client, content: bytes, name="渠道台账.xlsx"):
    return client.post(reverse("figures:tally_upload"), {"file": SimpleUploadedFile(name, content)})


def test_xlsx_template_round_trip(client, bureau_user, units):
    cg, zj = units["chengguan"], units["zengjia"]
    client.force_login(bureau_user)
    client.post(reverse("figures:tallies") + "?month=2025-03", {f"t_{cg.pk}_visit": "7"})
    response = client.get(reverse("figures:tally_template"), {"month": "2025-03"})
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[workbooks.SHEET]
    assert sheet["B2"].value == "2025-03"
    assert [c.value for c in sheet[workbooks.HEADER_ROW]] == [
        "单位",
        "来信",
        "来访",
        "网上自投",
        "电话",
        "其他",
    ]
    assert {c.font.name for c in sheet[workbooks.HEADER_ROW]} == {"宋体"} and sheet["A1"].font.b
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=workbooks.HEADER_ROW + 1)}
    assert rows["城关镇"][2].value == 7
    rows["曾家镇"][3].value = 12  # 网上自投
    rows["城关镇"][1].value = "3"  # typed as text: still a whole number
    out = io.BytesIO()
    book.save(out)
    response = _upload(client, out.getvalue())
    assert response.status_code == 302, response.content.decode()
    assert set(ChannelTally.objects.values_list("unit__name", "channel", "count")) == {
        ("城关镇", "visit", 7),
        ("城关镇", "letter", 3),
        ("曾家镇", "online_self", 12),
    }
    assert AuditEntry.objects.filter(action=AuditAction.POLICY, detail__source="xlsx").exists()
    assert zj.pk  # both units were in the template


def _book(rows, month="2025-03") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = workbooks.SHEET
    sheet["A1"] = "渠道台账"
    sheet["A2"], sheet["B2"] = "月份", month
    sheet.append([])
    sheet.append(["单位", "来信", "来访", "网上自投", "电话", "其他"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_errors_name_the_row_and_save_nothing(client, bureau_user, units):
    client.force_login(bureau_user)
    response = _upload(
        client,
        _book(
            [
                ["城关镇", 1, 2, 3, 4, 5],
                ["牛头店镇", 1, None, None, None, None],
                ["曾家镇", -2, "三", None, 1.5, None],
                ["城关镇", 1, None, None, None, None],
            ]
        ),
    )
    assert response.status_code == 400
    errors = response.context["upload_errors"]
    assert "第6行：没有名为“牛头店镇”的单位（单位名称应与本平台一致）。" in errors
    assert any(e.startswith("第7行（曾家镇）“来信”不能为负数") for e in errors)
    assert any(e.startswith("第7行（曾家镇）“来访”应为整数") for e in errors)
    assert any(e.startswith("第7行（曾家镇）“电话”应为整数") for e in errors)
    assert "第8行：“城关镇”与第5行重复。" in errors
    assert not ChannelTally.objects.exists()
    assert "文件未导入" in response.content.decode()


def test_xlsx_bad_month_header_and_file(client, bureau_user, units):
    client.force_login(bureau_user)
    errors = _upload(client, _book([["城关镇", 1]], month="三月")).context["upload_errors"]
    assert errors == ["第2行：B2单元格应为月份，如 2026-03。"]
    errors = _upload(client, b"not a workbook").context["upload_errors"]
    assert errors == ["无法读取该文件，请上传用本页模板填写的 .xlsx 文件。"]
    response = _upload(client, b"a,b", name="台账.csv")
    assert response.status_code == 400 and "请上传 .xlsx 文件" in response.content.decode()
    assert not ChannelTally.objects.exists()


def test_the_dashboard_lists_the_periods_collective_visits(client, bureau_user, agent_cg, make_case):
    from django.utils import timezone

    today = timezone.localdate()
    collective = make_case(agent_cg, serial=31, people_count=16, title="沿河16户反映采砂")
    make_case(agent_cg, serial=32, people_count=2, title="两人联名")
    response = get(client, bureau_user, data={"kind": "month", "month": f"{today:%Y-%m}"})
    assert [c.pk for c in response.context["collective"]] == [collective.pk]
    html = response.content.decode()
    assert "沿河16户反映采砂" in html and "两人联名" not in html
    assert reverse("cases:list") + "?kind=collective" in html
