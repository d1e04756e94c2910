"""The renderer writes a <select> exactly as Django's templates do."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from xinfang.core.form_renderer import FormRenderer

CHOICES = [
    ("", "全部"),
    ("a&b", "甲 <乙> & \"丙\" '丁'"),
    (3, "三"),
    ("组一", [("x", "选项x"), ("y", mark_safe("<b>已标安全</b>"))]),
]


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES, required=False, help_text="说明")
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    flagged = forms.ChoiceField(
        choices=CHOICES, widget=forms.Select(attrs={"disabled": True, "hidden": False, "data-x": 'a"b'})
    )


@pytest.mark.parametrize(
    "data",
    [{}, {"plain": "a&b", "many": ["x", "3"], "flagged": "y"}, {"plain": "nope", "flagged": ""}],
)
def test_select_markup_is_djangos(data):
    ours, djangos = (
        Sample(data or None, renderer=FormRenderer()),
        Sample(data or None, renderer=DjangoTemplates()),
    )
    if data:
        ours.is_valid(), djangos.is_valid()  # errors add aria-invalid and aria-describedby
    for name in ("plain", "many", "flagged"):
        assert str(ours[name]) == str(djangos[name])
        assert "<select" in str(ours[name])


def test_other_widgets_still_use_their_templates():
    form = Sample(renderer=FormRenderer())
    assert str(form["plain"].label_tag()) == str(Sample(renderer=DjangoTemplates())["plain"].label_tag())
    assert '<input type="text" name="q"' in str(
        forms.CharField().widget.render("q", "", renderer=FormRenderer())
    )
