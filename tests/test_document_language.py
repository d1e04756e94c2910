"""Every .docx the platform writes declares itself Chinese (zh-CN), never Japanese: python-docx's
template says ``w:themeFontLang w:eastAsia="ja-JP"``, which makes renderers pick Japanese glyphs.
Each generator is asked for its file over HTTP, as a user gets it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from xinfang.core.docx import new_document
from xinfang.ratings import actions as ratings
from xinfang.ratings.tests.factories import advance, ago, feedback_data

XINFANG = Path(__file__).resolve().parent.parent / "xinfang"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


@pytest.fixture
def rated_case(agent_cg, make_case):
    case = advance(make_case(agent_cg, received_on=ago(14)), agent_cg)
    ratings.save_feedback_form(case, by=agent_cg, data=feedback_data())
    return case


def assert_chinese(content: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        for name in package.namelist():
            if name.endswith(".xml"):
                assert b"ja-JP" not in package.read(name), name
    document = Document(io.BytesIO(content))
    theme_lang = document.settings.element.find(qn("w:themeFontLang"))
    assert theme_lang is not None and theme_lang.get(qn("w:eastAsia")) == "zh-CN"
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert {lang.get(qn("w:eastAsia")) for lang in defaults.iter(qn("w:lang"))} == {"zh-CN"}


def test_a_new_document_is_declared_chinese():
    buffer = io.BytesIO()
    new_document().save(buffer)
    assert_chinese(buffer.getvalue())


def test_every_generator_starts_from_the_chinese_document():
    """``Document()`` is python-docx's Japanese-declared template: only ``core.docx`` calls it."""
    callers = [
        f"{path.relative_to(XINFANG)}:{number}"
        for path in sorted(XINFANG.rglob("*.py"))
        if "tests" not in path.parts and path.name != "docx.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "Document()" in line
    ]
    assert callers == []


@pytest.mark.parametrize(
    ("persona", "view", "args", "query"),
    [
        ("agent_cg", "ratings:feedback_docx", "case", None),
        ("agent_cg", "cases:authorization_docx", "case", None),
        ("agent_cg", "public:card_docx", "unit", None),
        ("agent_cg", "public:flyer_docx", "unit", None),
        ("bureau_user", "bulletins:draft", None, "month"),
    ],
)
def test_every_document_declares_zh_cn(request, client, rated_case, persona, view, args, query):
    client.force_login(request.getfixturevalue(persona))
    arguments = {"case": [rated_case.pk], "unit": [rated_case.unit_id], None: []}[args]
    data = {"month": rated_case.received_on.strftime("%Y-%m")} if query else None
    response = client.get(reverse(view, args=arguments), data)
    assert response.status_code == 200
    assert_chinese(response.content)
