"""The dashboard's rows and rate cells, written in Python: a table of a hundred units has seven
rates a row, and an include per row and per rate made most of the page's rendering time. The
HTML is that of the templates these replaced (``figures/row.html`` and the channel table's row)."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from xinfang.figures.rows import FEW_CASES, Rate, UnitFigures

register = template.Library()

_TOTAL = ' class="total-row"'
_FEW = f' <span class="badge few" title="分母少于{FEW_CASES}件">样本少</span>'


def _text(value) -> str:
    """A value as ``{{ value }}`` shows it (the dashboard's numbers carry no separators; a whole
    number has nothing to escape)."""
    return str(value) if type(value) is int else str(conditional_escape(value))


@register.simple_tag
def rate(value: Rate) -> SafeString:
    """The rate in per cent (— where nothing divides), numerator/denominator, and 样本少 where
    the denominator is below ``FEW_CASES``."""
    if value.value is None:
        shown = '<span class="muted" title="分母为0">—</span>'
    else:
        shown = f'<span class="rate">{_text(value.percent)}</span>'
    few = _FEW if value.few and value.denominator else ""
    return mark_safe(  # noqa: S308 - every value is escaped or fixed text
        f'{shown}\n<span class="rate-n">{_text(value.numerator)}/{_text(value.denominator)}</span>{few}\n'
    )


@register.simple_tag
def target_met(met: bool | None) -> SafeString:
    """达标 / 未达标 against a target, or 无法判断 where nothing divides."""
    if met is None:
        return mark_safe('<span class="badge" title="信访总量为0">无法判断</span>')  # noqa: S308 — fixed text
    if met:
        return mark_safe('<span class="badge met">达标</span>')  # noqa: S308 — fixed text
    return mark_safe('<span class="badge unmet">未达标</span>')  # noqa: S308 — fixed text


@register.simple_tag
def figure_row(row: UnitFigures, total_row: bool = False) -> SafeString:
    """A unit's (or the county's) row of the figures table."""
    online = str(rate(row.online))
    if row.online_target is not None:
        online += (
            f'<br><span class="small muted">全县目标{_text(row.online_target)}%</span> '
            f"{target_met(row.online_met)}"
        )
    met = '<span class="badge met">达标</span>' if row.met else '<span class="badge unmet">未达标</span>'
    overdue = f'<span class="badge deadline-overdue">{_text(row.overdue)}</span>' if row.overdue else "0"
    cells = (
        f"<tr{_TOTAL if total_row else ''}>\n"
        f'  <th scope="row">{_text(row.name)}</th>\n'
        f'  <td class="num">{_text(row.proxied)}</td>\n'
        f'  <td class="num">{_text(row.target)}</td>\n'
        f"  <td>{met}</td>\n"
        f"  <td>{online}</td>\n"
        f"  <td>{rate(row.participation)}</td>\n"
        f'  <td>{rate(row.satisfaction)}<br><span class="small muted">满意</span> {rate(row.satisfied)}</td>\n'
        f"  <td>{rate(row.timely_acceptance)}</td>\n"
        f"  <td>{rate(row.timely_conclusion)}</td>\n"
        f'  <td class="num">{_text(row.open)}</td>\n'
        f'  <td class="num">{overdue}</td>\n'
        "</tr>\n"
    )
    return mark_safe(cells)  # noqa: S308 - every value above is escaped or fixed text


@register.simple_tag
def channel_row(row: UnitFigures, channels, total_row: bool = False) -> SafeString:
    """A unit's (or the county's) row of the channel table (信访渠道)."""
    tallies = "".join(f'<td class="num">{_text(row.tallies.get(value))}</td>' for value, _label in channels)
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<tr{_TOTAL if total_row else ""}><th scope="row">{_text(row.name)}</th>'
        f'<td class="num">{_text(row.proxied)}</td>{tallies}<td class="num">{_text(row.online.denominator)}</td></tr>'
    )
