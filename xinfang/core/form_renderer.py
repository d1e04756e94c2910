"""Django's form renderer, with the markup of a ``<select>`` written here instead of by templates.

Django renders a select through one template for the list and an ``{% include %}`` per option:
the ledger's filter (statuses, categories, units) took about a hundred template includes a page,
a third of the page's time. The markup below is exactly that of Django's own templates
(``django/forms/widgets/select.html``, ``select_option.html``, ``attrs.html``), from the same
widget context, so forms, their ids and their ``aria-`` attributes are unchanged. No library
renders widgets without templates; every other widget still goes through its template.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: Mapping[str, Any]) -> str:
    """``attrs.html``: a name for True, nothing for False, else name="value"."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _option(option: Mapping[str, Any]) -> str:
    """``select_option.html``, with the line break that ends the file."""
    return (
        f'<option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
        f"{conditional_escape(option['label'])}</option>\n"
    )


def _select(widget: Mapping[str, Any]) -> SafeString:
    """``select.html`` with its options and option groups."""
    out = [format_html('<select name="{}"', widget["name"]), _attrs(widget["attrs"]), ">"]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in group_choices:
            out.append("\n  " + _option(option))
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


WRITTEN: dict[str, Callable[[Mapping[str, Any]], SafeString]] = {
    "django/forms/widgets/select.html": _select,
}


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        write = WRITTEN.get(template_name)
        if write is not None:
            return write(context["widget"])
        return super().render(template_name, context, request=request)
