"""The dashboard's rows, written in Python, escape what they show and mark what they judge."""

from __future__ import annotations

from xinfang.figures.models import Channel
from xinfang.figures.rows import FEW_CASES, Rate, UnitFigures
from xinfang.figures.templatetags.figures import channel_row, figure_row, rate


def test_a_unit_row():
    row = UnitFigures(
        unit=None,
        name="<b>城关镇</b>",
        proxied=3,
        target=2,
        online=Rate(1, 2),
        satisfaction=Rate(0, 0),
        overdue=4,
        online_target=50,
    )
    html = figure_row(row)
    assert html.startswith("<tr>\n") and html.endswith("</tr>\n")
    assert "&lt;b&gt;城关镇&lt;/b&gt;" in html and "<b>" not in html
    assert '<span class="badge met">达标</span>' in html  # 3 ≥ 2
    assert "全县目标50%" in html and '<span class="badge met">达标</span>' in html  # 1 of 2 meets 50%
    assert '<span class="badge deadline-overdue">4</span>' in html
    assert '<span class="muted" title="分母为0">—</span>' in html  # nothing to divide
    assert figure_row(row, True).startswith('<tr class="total-row">')


def test_a_rate_says_when_the_sample_is_small():
    assert "样本少" in rate(Rate(1, FEW_CASES - 1))
    assert "样本少" not in rate(Rate(FEW_CASES, FEW_CASES))
    assert '<span class="rate-n">1/2</span>' in rate(Rate(1, 2))


def test_a_channel_row():
    tallies = dict.fromkeys(Channel.values, 0) | {Channel.values[0]: 7}
    row = UnitFigures(unit=None, name="曾家镇", proxied=1, tallies=tallies, online=Rate(1, 9))
    html = channel_row(row, Channel.choices)
    assert html.startswith('<tr><th scope="row">曾家镇</th><td class="num">1</td><td class="num">7</td>')
    assert html.endswith('<td class="num">9</td></tr>')
    assert html.count("<td") == 2 + len(Channel.values)
