"""Each unit's 联系卡 and 宣传页 (seed 三 一): print views and .docx, for its agents and the bureau."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn

from conftest import make_user
from xinfang.accounts.models import AgentProfile, Role
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.public import documents

LOOKUP = "http://testserver/public/track/"


@pytest.fixture
def office(units, agent_cg):
    unit = units["chengguan"]
    unit.office_address = "城关镇便民服务中心二楼"
    unit.office_phone = "0915-8821234"
    unit.save()
    AgentProfile.objects.filter(user=agent_cg).update(title="党政办干部")
    hidden = make_user("sun", Role.AGENT, unit, "孙未公开", "13700000002")
    AgentProfile.objects.filter(user=hidden).update(published=False)
    return unit


def docx_text(content: bytes) -> tuple[DocxDocument, str]:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return document, "\n".join(parts)


def east_asian_fonts(document) -> set[str]:
    runs = [run for p in document.paragraphs for run in p.runs]
    for table in document.tables:
        runs += [run for row in table.rows for cell in row.cells for p in cell.paragraphs for run in p.runs]
    return {
        run._element.rPr.rFonts.get(qn("w:eastAsia"))
        for run in runs
        if run.text.strip() and "http" not in run.text
    }


@pytest.mark.parametrize("name", ["card", "flyer"])
def test_print_view_carries_agents_address_and_lookup_and_is_logged(client, office, agent_cg, name):
    client.force_login(agent_cg)
    response = client.get(reverse(f"public:{name}", args=[office.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    for text in ("王某某", "党政办干部", "13800000000", "城关镇便民服务中心二楼", LOOKUP, "免费"):
        assert text in body, text
    assert "孙未公开" not in body
    entry = AuditEntry.objects.get(action=AuditAction.PRINT)
    assert (entry.target_type, entry.target_id, entry.detail) == (
        "accounts.Unit",
        str(office.pk),
        {"document": name, "format": "html"},
    )


def test_card_sheet_holds_eight_cards(client, office, agent_cg):
    client.force_login(agent_cg)
    body = client.get(reverse("public:card", args=[office.pk])).content.decode()
    assert body.count('class="contact-card"') == documents.CARDS_PER_PAGE


@pytest.mark.parametrize("name", ["card", "flyer"])
def test_docx_opens_and_carries_agents_and_lookup_address(client, office, agent_cg, name):
    client.force_login(agent_cg)
    response = client.get(reverse(f"public:{name}_docx", args=[office.pk]))

    assert response.status_code == 200 and response["Content-Type"] == documents.DOCX
    assert "attachment" in response["Content-Disposition"] and ".docx" in response["Content-Disposition"]
    document, text = docx_text(response.content)
    for value in ("王某某", "党政办干部", "13800000000", "城关镇便民服务中心二楼", LOOKUP):
        assert value in text, value
    assert "孙未公开" not in text
    section = document.sections[0]
    assert section.page_width.mm == pytest.approx(210, abs=0.1)
    assert section.page_height.mm == pytest.approx(297, abs=0.1)
    assert east_asian_fonts(document) <= {"仿宋_GB2312", "黑体"} and "黑体" in east_asian_fonts(document)
    assert AuditEntry.objects.get(action=AuditAction.PRINT).detail == {"document": name, "format": "docx"}


def test_card_docx_is_one_sheet_of_eight_cards(office, rf):
    document, text = docx_text(documents.card_docx(documents.contact_card(office, rf.get("/"))))
    table = document.tables[0]
    assert len(table.rows) * len(table.columns) == documents.CARDS_PER_PAGE
    assert text.count("王某某") == documents.CARDS_PER_PAGE


def test_flyer_docx_says_what_the_guide_says(office, rf):
    _, text = docx_text(documents.flyer_docx(documents.flyer(office, rf.get("/"))))
    for value in documents.BODY_KINDS + (
        "我要写信",
        "http://xfonline.shaanxi.gov.cn",
        "行政复议",
        "居民身份证",
    ):
        assert value in text, value


def test_the_public_address_comes_from_the_setting(client, office, agent_cg, settings):
    settings.XINFANG_PUBLIC_URL = "https://xf.zhenping.gov.cn/"
    client.force_login(agent_cg)
    body = client.get(reverse("public:card", args=[office.pk])).content.decode()
    assert "https://xf.zhenping.gov.cn/public/track/" in body and LOOKUP not in body
    _, text = docx_text(client.get(reverse("public:flyer_docx", args=[office.pk])).content)
    assert (
        "https://xf.zhenping.gov.cn/public/track/" in text
        and "https://xf.zhenping.gov.cn/public/agents/" in text
    )


def test_bureau_prints_for_every_unit_and_agents_for_their_own(client, units, agent_cg, bureau_user):
    client.force_login(bureau_user)
    listing = client.get(reverse("public:materials")).content.decode()
    for unit in units.values():
        assert reverse("public:card", args=[unit.pk]) in listing
    assert client.get(reverse("public:flyer", args=[units["zengjia"].pk])).status_code == 200

    client.force_login(agent_cg)
    listing = client.get(reverse("public:materials")).content.decode()
    assert reverse("public:card", args=[units["chengguan"].pk]) in listing
    assert reverse("public:card", args=[units["zengjia"].pk]) not in listing


@pytest.mark.parametrize("url_name", ["card", "card_docx", "flyer", "flyer_docx"])
def test_another_units_agent_gets_404_and_a_log_row(client, units, agent_zj, url_name):
    client.force_login(agent_zj)
    response = client.get(reverse(f"public:{url_name}", args=[units["chengguan"].pk]))
    assert response.status_code == 404
    assert (
        AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, target_type="accounts.Unit").count() == 1
    )
    assert not AuditEntry.objects.filter(action=AuditAction.PRINT).exists()


def test_other_roles_get_404_and_visitors_the_login(client, units, head_cg, leader, auditor):
    url = reverse("public:card", args=[units["chengguan"].pk])
    assert client.get(url).status_code == 302
    for user in (head_cg, leader, auditor):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(reverse("public:materials")).status_code == 404
        assert client.get(reverse("public:publicity")).status_code == 404


def test_staff_navigation_links_to_cards_and_publicity(client, agent_cg, bureau_user, head_cg):
    for user, shown in ((agent_cg, True), (bureau_user, True), (head_cg, False)):
        client.force_login(user)
        body = client.get(reverse("notify:list")).content.decode()
        assert (reverse("public:materials") in body) is shown
        assert (reverse("public:publicity") in body) is shown
