"""Shared bits of the .docx documents (python-docx): Chinese fonts must be set as East Asian, and
every text written goes through ``safe_text`` (or ``add_run``), so that a stored value with a control
character still makes a document instead of a ``ValueError`` (XML 1.0 has no place for it)."""

from __future__ import annotations

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from xinfang.core.validators import printable

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LANGUAGE, EAST_ASIAN_LANGUAGE = "en-US", "zh-CN"


def new_document():
    """A blank document declared Chinese: every generator starts here, never at ``Document()``.

    python-docx's template (``docx/templates/default.docx``) declares the theme's East Asian
    language Japanese (``w:themeFontLang w:eastAsia="ja-JP"`` in ``word/settings.xml``), so Word,
    WPS and LibreOffice draw theme-font text with Japanese glyph forms and line-breaking rules;
    its default run language (``w:docDefaults``) says ``eastAsia="en-US"``. Both become zh-CN.
    """
    document = Document()
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is None:
        theme_lang = OxmlElement("w:themeFontLang")
        settings.append(theme_lang)
    theme_lang.set(qn("w:val"), LANGUAGE)
    theme_lang.set(qn("w:eastAsia"), EAST_ASIAN_LANGUAGE)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        for lang in defaults.iter(qn("w:lang")):
            lang.set(qn("w:eastAsia"), EAST_ASIAN_LANGUAGE)
    return document


def repeat_header_row(row) -> None:
    """The table row is repeated at the top of every page the table runs onto (``w:tblHeader``),
    and is never split across two pages (``w:cantSplit``)."""
    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        if tr_pr.find(qn(tag)) is None:
            element = OxmlElement(tag)
            element.set(qn("w:val"), "true")
            tr_pr.append(element)


def set_east_asian(rpr_owner, font_name: str) -> None:
    """python-docx's ``font.name`` sets only w:ascii and w:hAnsi; Chinese text is drawn in w:eastAsia."""
    rpr_owner.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font_name)


def set_font(run, font_name: str, size) -> None:
    """A run's font for Latin and Chinese text alike, and its size."""
    run.font.name = font_name
    run.font.size = size
    set_east_asian(run._element, font_name)


def text_width(text: str, size: float) -> float:
    """Approximate printed width in points: a CJK character is one em, an ASCII one half."""
    return sum(size / 2 if ch.isascii() else size for ch in text)


def safe_text(value) -> str:
    """``value`` as document text: characters XML cannot hold, and bidi controls, removed."""
    return printable("" if value is None else str(value))


def add_run(paragraph, value=""):
    """``paragraph.add_run`` for any text, stored or typed."""
    return paragraph.add_run(safe_text(value))


def add_field(paragraph, instruction: str, placeholder: str, font_name: str, size) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``…): begin, instruction, separate, the value shown until
    Word or WPS updates it, end; every run in the given font."""

    def char(kind: str) -> None:
        run = paragraph.add_run()
        set_font(run, font_name, size)
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    run = paragraph.add_run()
    set_font(run, font_name, size)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = safe_text(f" {instruction} ")
    run._r.append(instr)
    char("separate")
    set_font(add_run(paragraph, placeholder), font_name, size)
    char("end")


def add_page_number(paragraph, font_name: str, size, *, before: str = "", after: str = "") -> None:
    """The number of the page it is printed on (a ``PAGE`` field), between ``before`` and ``after``
    (GB/T 9704 writes 「— 1 —」)."""
    if before:
        set_font(add_run(paragraph, before), font_name, size)
    add_field(paragraph, "PAGE", "1", font_name, size)
    if after:
        set_font(add_run(paragraph, after), font_name, size)
