"""Documents stay whole when what is stored holds characters XML cannot: values saved before input
was checked, or written around the forms (issue 9, defect 5). Each is written straight into the
database, then every generator that prints it is asked for its file over HTTP."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from xinfang.accounts.models import Unit, User
from xinfang.cases import actions as case_actions
from xinfang.cases import export_jobs
from xinfang.cases.models import Case, LedgerExport, Petitioner
from xinfang.ratings import actions as ratings
from xinfang.ratings.models import FeedbackForm
from xinfang.ratings.tests.factories import advance, ago, feedback_data

# NUL is left out: PostgreSQL cannot store it in text at all, so no stored value holds one.
DIRT = "\x01\x08\x0b\x0c\x1b\x7f\x85\u202e\ufffe"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


def dirty(case, agent):
    """Control characters in what the documents print of the case, written past the forms."""
    FeedbackForm.objects.filter(case=case).update(
        office_comment=f"态度很好{DIRT}[31m",
        body_comment=f"\x1b[0m{DIRT}",
        delivered_by=f"张某某{DIRT}、刘某某",
    )
    Case.objects.filter(pk=case.pk).update(title=f"排水沟{DIRT}堵塞", handling_body=f"县住建局{DIRT}")
    Petitioner.objects.filter(pk=case.petitioner_id).update(work_unit=f"无{DIRT}")
    petitioner = Petitioner.objects.get(pk=case.petitioner_id)
    petitioner.name = f"李{DIRT}某某"
    petitioner.address = f"文彩村{DIRT}三组"
    petitioner.save()
    User.objects.filter(pk=agent.pk).update(full_name=f"王{DIRT}某某")
    Unit.objects.filter(pk=agent.unit_id).update(name=f"城关镇{DIRT}")
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def dirty_case(agent_cg, make_case):
    case = advance(make_case(agent_cg, received_on=ago(14)), agent_cg)
    ratings.save_feedback_form(case, by=agent_cg, data=feedback_data())
    return dirty(case, agent_cg)


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    parts += [p.text for section in document.sections for p in section.header.paragraphs]
    return "\n".join(parts)


def assert_clean(text: str) -> None:
    assert not any(ch in text for ch in "\x01\x08\x0b\x0c\x1b\x7f\x85\u202e\ufffe")


def test_feedback_sheet_docx(client, agent_cg, dirty_case):
    client.force_login(agent_cg)
    response = client.get(reverse("ratings:feedback_docx", args=[dirty_case.pk]))
    assert response.status_code == 200
    text = docx_text(response.content)
    assert (
        "态度很好[31m" in text and "排水沟堵塞" in text and "李某某同志" in text and "张某某、刘某某" in text
    )
    assert_clean(text)
    # The print view shows the same, escaped by the template.
    assert client.get(reverse("ratings:feedback_print", args=[dirty_case.pk])).status_code == 200


def test_authorization_docx(client, agent_cg, make_case):
    case = make_case(agent_cg)
    case_actions.accept_scope(case, by=agent_cg)
    case = dirty(case, agent_cg)
    client.force_login(agent_cg)
    response = client.get(reverse("cases:authorization_docx", args=[case.pk]))
    assert response.status_code == 200
    text = docx_text(response.content)
    assert "李某某" in text and "文彩村三组" in text and "王某某" in text and "城关镇" in text
    assert_clean(text)


@pytest.mark.parametrize("view", ["cases:export"])
def test_ledger_xlsx(client, agent_cg, bureau_user, dirty_case, view):
    for user in (agent_cg, bureau_user):
        client.force_login(user)
        response = client.get(reverse(view))
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
        assert "排水沟堵塞" in values and "李某某" in values and "县住建局" in values
        assert_clean("".join(values))


def test_full_ledger_xlsx(client, bureau_user, dirty_case, settings, tmp_path):
    client.force_login(bureau_user)
    settings.DATA_DIR = tmp_path
    response = client.post(reverse("cases:export_full"), {"reason": "核对信访人身份信息"})
    job = LedgerExport.objects.get()
    assert response.status_code == 302
    export_jobs.run(job.pk)
    response = client.get(reverse("cases:export_job_file", kwargs={"job": job.pk}))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert any(c.value == "城关镇" for row in sheet.iter_rows() for c in row)


def test_bulletin_draft_docx(client, bureau_user, dirty_case):
    client.force_login(bureau_user)
    month = dirty_case.received_on.strftime("%Y-%m")
    response = client.get(reverse("bulletins:draft"), {"month": month})
    assert response.status_code == 200
    text = docx_text(response.content)
    assert "城关镇" in text
    assert_clean(text)


@pytest.mark.parametrize("view", ["public:card_docx", "public:flyer_docx"])
def test_contact_card_and_flyer_docx(client, agent_cg, dirty_case, view):
    client.force_login(agent_cg)
    response = client.get(reverse(view, args=[agent_cg.unit_id]))
    assert response.status_code == 200
    text = docx_text(response.content)
    assert_clean(text)


def test_tally_template_xlsx(client, bureau_user, dirty_case):
    client.force_login(bureau_user)
    response = client.get(reverse("figures:tally_template"), {"month": ago(40).strftime("%Y-%m")})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0].value for row in sheet.iter_rows() if row[0].value]
    assert "城关镇" in names


GENERATORS = ["cases/documents.py", "ratings/documents.py", "public/documents.py", "bulletins/documents.py"]


@pytest.mark.parametrize("path", GENERATORS)
def test_generators_write_text_only_through_the_core_helper(path):
    """python-docx takes text at ``add_run(text)``, ``run.add_text(text)`` and ``.text =``: each
    call with a value that is not a literal must pass through ``core.docx`` (``add_run`` or
    ``safe_text``), so the next document cannot forget it."""
    import ast
    from pathlib import Path

    tree = ast.parse((Path(__file__).resolve().parent.parent / "xinfang" / path).read_text())

    def literal(node) -> bool:
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.JoinedStr):  # an f-string of literals only
            return all(isinstance(v, ast.Constant) for v in node.values)
        return isinstance(node, ast.Call) and getattr(node.func, "id", "") == "safe_text"

    raw = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("add_run", "add_text", "add_paragraph") and node.args:
                if not literal(node.args[0]):
                    raw.append(f"line {node.lineno}: {ast.unparse(node)}")
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr in ("text", "title") for t in node.targets
        ):
            if not literal(node.value) and not (isinstance(node.value, ast.Name) and node.value.id.isupper()):
                raw.append(f"line {node.lineno}: {ast.unparse(node)}")
    assert raw == []
