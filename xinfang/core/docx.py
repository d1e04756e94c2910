"""Shared bits of the .docx documents (python-docx): Chinese fonts must be set as East Asian."""

from __future__ import annotations

from docx.oxml.ns import qn

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def set_east_asian(rpr_owner, font_name: str) -> None:
    """python-docx's ``font.name`` sets only w:ascii and w:hAnsi; Chinese text is drawn in w:eastAsia."""
    rpr_owner.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font_name)


def set_font(run, font_name: str, size) -> None:
    """A run's font for Latin and Chinese text alike, and its size."""
    run.font.name = font_name
    run.font.size = size
    set_east_asian(run._element, font_name)
