"""The 《网上投诉代理授权委托书》 (seed 附件1): filled from the case, printed on A4 and kept as .docx."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from conftest import petitioner_data
from xinfang.accounts.models import AgentProfile, Unit, UnitKind
from xinfang.audit.models import AuditEntry
from xinfang.cases import actions, documents
from xinfang.cases.models import AuthorizationMode, Case

STATEMENT_CG = (
    "我现委托城关镇（网上投诉代理办公室）王某某作为我的信访事项代理人，代我向有关部门提出信访事项，"
    "并代我配合镇和有关部门依法处理我的信访事项。在委托代理期间，我承诺不再上访。"
)


@pytest.fixture
def case(agent_cg, make_case):
    return make_case(agent_cg)


@pytest.fixture
def printable(case, agent_cg):
    return actions.accept_scope(case, by=agent_cg)


def docx_of(case):
    return Document(io.BytesIO(documents.authorization_docx(case)))


def docx_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def body_runs(document):
    """Every run but the title's (the first paragraph)."""
    yield from (run for p in document.paragraphs[1:] for run in p.runs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from (run for p in cell.paragraphs for run in p.runs)


def east_asian_font(run) -> str | None:
    fonts = run._element.rPr.rFonts if run._element.rPr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


# --- what the letter says ----------------------------------------------------------------------------------


def test_letter_fills_the_seed_wording_with_unit_and_agent(case):
    letter = documents.authorization_letter(case)

    assert letter.title == "网上投诉代理授权委托书"
    assert letter.statement == STATEMENT_CG
    assert (letter.principal.name, letter.principal.detail, letter.principal.phone) == (
        "李某某",
        "镇坪县城关镇文彩村三组12号",
        "13912345678",
    )
    assert (letter.agent.name, letter.agent.detail, letter.agent.phone) == ("王某某", "城关镇", "13800000000")
    assert [s.role for s in letter.signatures] == ["委托人", "信访代理人"]
    assert letter.signatures[0].prompt == "签字（盖章、指印）"
    assert letter.date_blank.startswith("年") and letter.date_blank.endswith("日")


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("城关镇", UnitKind.TOWN, "城关镇（网上投诉代理办公室）"),
        ("曾家", UnitKind.TOWN, "曾家镇（网上投诉代理办公室）"),
        ("县人社局", UnitKind.DEPARTMENT, "县人社局（网上投诉代理办公室）"),
        ("县信访局", UnitKind.BUREAU, "县信访局（网上投诉代理办公室）"),
    ],
)
def test_office_name_replaces_the_whole_town_or_department_blank(name, kind, expected):
    assert documents.office_name(Unit(name=name, kind=kind)) == expected


def test_landline_follows_the_mobile(agent_cg, make_case):
    case = make_case(agent_cg, petitioner=petitioner_data(2, landline="0915-8821234"))

    principal = documents.authorization_letter(case).principal
    assert principal.phones == ("13912345678", "0915-8821234")
    assert principal.phone == "13912345678、0915-8821234"
    cell = docx_of(case).tables[0].rows[0].cells[-1]
    assert cell.text == "13912345678\n0915-8821234"


def test_agent_without_profile_leaves_the_phone_blank(case, agent_cg):
    AgentProfile.objects.filter(user=agent_cg).delete()
    case = Case.objects.get(pk=case.pk)

    assert documents.authorization_letter(case).agent.phones == ()
    assert docx_of(case).tables[0].rows[1].cells[-1].text == ""


def test_note_only_where_the_agent_filled_it_in_for_the_petitioner(case):
    assert documents.authorization_letter(case).signatures[0].note == ""

    case.authorization_mode = AuthorizationMode.SIGNED
    assert documents.authorization_letter(case).signatures[0].note == ""

    case.authorization_mode = AuthorizationMode.CONFIRMED
    assert documents.authorization_letter(case).signatures[0].note == "（代理员代为填写，经委托人确认）"
    assert "（代理员代为填写，经委托人确认）" in docx_text(docx_of(case))


# --- the .docx ---------------------------------------------------------------------------------------------


def test_docx_holds_the_filled_letter(case):
    document = docx_of(case)
    text = docx_text(document)

    title = document.paragraphs[0]
    assert title.text == "网上投诉代理授权委托书"
    assert STATEMENT_CG in text
    for value in ("李某某", "镇坪县城关镇文彩村三组12号", "13912345678", "王某某", "城关镇", "13800000000"):
        assert value in text
    assert "签字（盖章、指印）" in text and "信访代理人" in text
    assert f"编号：{case.number}" in document.sections[0].header.paragraphs[0].text


def test_docx_is_a4_with_chinese_fonts_set_as_east_asian(case):
    document = docx_of(case)
    section = document.sections[0]

    # Word stores lengths in twips: compare to the tenth of a millimetre.
    assert section.page_width.mm == pytest.approx(210, abs=0.1)
    assert section.page_height.mm == pytest.approx(297, abs=0.1)
    assert section.left_margin.cm == section.right_margin.cm == pytest.approx(2.5, abs=0.01)

    title_run = document.paragraphs[0].runs[0]
    assert east_asian_font(title_run) == "方正小标宋简体"
    assert title_run.font.size.pt == 22

    runs = [run for run in body_runs(document) if run.text]
    assert len(runs) > 10
    assert {east_asian_font(run) for run in runs} == {"仿宋_GB2312"}
    statement_run = next(run for run in runs if run.text == STATEMENT_CG)
    assert statement_run.font.size.pt == 16


def test_docx_table_has_borders(case):
    table = docx_of(case).tables[0]
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))

    assert borders is not None
    assert {b.get(qn("w:val")) for b in borders} == {"single"}
    assert len(table.rows) == 5


# --- over HTTP ---------------------------------------------------------------------------------------------


def test_print_view_shows_the_letter_and_is_audited(client, agent_cg, printable):
    client.force_login(agent_cg)

    response = client.get(reverse("cases:authorization", args=[printable.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert STATEMENT_CG in body
    assert "李某某" in body and "镇坪县城关镇文彩村三组12号" in body
    assert reverse("cases:authorization_docx", args=[printable.pk]) in body
    assert "data-print" in body and "<script>" not in body
    entry = AuditEntry.objects.get(action="print", target_id=str(printable.pk))
    assert entry.actor == agent_cg
    assert entry.detail == {"document": "authorization", "format": "html"}


def test_docx_download_is_audited(client, agent_cg, printable):
    client.force_login(agent_cg)

    response = client.get(reverse("cases:authorization_docx", args=[printable.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == documents.DOCX
    assert STATEMENT_CG in docx_text(Document(io.BytesIO(response.content)))
    assert AuditEntry.objects.filter(
        action="print", target_id=str(printable.pk), detail__format="docx"
    ).exists()


def test_agent_of_another_unit_gets_404(client, agent_zj, printable):
    client.force_login(agent_zj)

    assert client.get(reverse("cases:authorization", args=[printable.pk])).status_code == 404
    assert client.get(reverse("cases:authorization_docx", args=[printable.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action="print").exists()


def test_not_printed_before_the_scope_is_decided(client, agent_cg, case):
    client.force_login(agent_cg)

    response = client.get(reverse("cases:authorization", args=[case.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert not AuditEntry.objects.filter(action="print").exists()
