"""The dashboard's rate cells, written in Python: a table of a hundred units has seven rates a row,
and an include per rate made most of the page's rendering time. The HTML is that of the
templates these replaced."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from xinfang.figures.rows import FEW_CASES, Rate

register = template.Library()


@register.simple_tag
def rate(value: Rate) -> SafeString:
    """The rate in per cent (— where nothing divides), numerator/denominator, and 样本少 where
    the denominator is below ``FEW_CASES``."""
    if value.value is None:
        shown = mark_safe('<span class="muted" title="分母为0">—</span>')  # noqa: S308 — fixed text
    else:
        shown = format_html('<span class="rate">{}</span>', value.percent)
    few = (
        format_html(' <span class="badge few" title="分母少于{}件">样本少</span>', FEW_CASES)
        if value.few and value.denominator
        else ""
    )
    return format_html(
        '{}\n<span class="rate-n">{}/{}</span>{}\n', shown, value.numerator, value.denominator, few
    )


@register.simple_tag
def target_met(met: bool | None) -> SafeString:
    """达标 / 未达标 against a target, or 无法判断 where nothing divides."""
    if met is None:
        return mark_safe('<span class="badge" title="信访总量为0">无法判断</span>')  # noqa: S308 — fixed text
    if met:
        return mark_safe('<span class="badge met">达标</span>')  # noqa: S308 — fixed text
    return mark_safe('<span class="badge unmet">未达标</span>')  # noqa: S308 — fixed text
