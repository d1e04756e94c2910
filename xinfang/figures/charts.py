"""Server-side SVG charts for the dashboard: no script, print as they show.

Each function returns SVG markup (safe: numbers are formatted here, every text is escaped).
Colours come from classes in figures.css, so the charts follow the page's print style.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from xinfang.figures.selectors import Rate, UnitFigures

WIDTH, HEIGHT = 560, 220
NO_DATA = "无数据"
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 28, 34


def _svg(body: list[str], title: str, width: int = WIDTH, height: int = HEIGHT) -> SafeString:
    return mark_safe(  # noqa: S308 - every text above is escaped, every number formatted here
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f'<text class="chart-title" x="{LEFT}" y="16">{escape(title)}</text>' + "".join(body) + "</svg>"
    )


def _nice_max(value: float) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return step * 4
    return int(value) + 1


def _grid(maximum: float, fmt, plot_w: float, plot_h: float) -> list[str]:
    parts = []
    for i in range(5):
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{LEFT + plot_w:.1f}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="chart-axis" x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(fmt(maximum * i / 4))}</text>"
        )
    return parts


def _x_labels(labels: Sequence[str], step: float, plot_h: float) -> list[str]:
    return [
        f'<text class="chart-axis" x="{LEFT + step * (i + 0.5):.1f}" y="{TOP + plot_h + 16:.1f}" '
        f'text-anchor="middle">{escape(label)}</text>'
        for i, label in enumerate(labels)
    ]


def bars(points: Sequence[tuple[str, int]], *, title: str) -> SafeString:
    """A column per month, its count above it."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    maximum = _nice_max(max((n for _, n in points), default=0) or 1)
    step = plot_w / max(len(points), 1)
    body = _grid(maximum, lambda v: f"{v:.0f}", plot_w, plot_h)
    for i, (_, n) in enumerate(points):
        h = plot_h * n / maximum
        x = LEFT + step * i + step * 0.18
        body.append(
            f'<rect class="chart-bar" x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{step * 0.64:.1f}" '
            f'height="{h:.1f}"/>'
        )
        body.append(
            f'<text class="chart-value" x="{LEFT + step * (i + 0.5):.1f}" y="{TOP + plot_h - h - 3:.1f}" '
            f'text-anchor="middle">{n}</text>'
        )
    body += _x_labels([label for label, _ in points], step, plot_h)
    return _svg(body, title)


def line(points: Sequence[tuple[str, Rate]], *, title: str, target: int | None = None) -> SafeString:
    """A rate per month on a 0–100% scale. A month without a denominator leaves a gap marked
    「无数据」 (never a point at 0% or 100%); a rate over fewer than 5 cases is drawn as a hollow
    point (样本少). ``target`` (per cent): a level line, the county's target."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points), 1)
    body = _grid(100, lambda v: f"{v:.0f}%", plot_w, plot_h)
    if target is not None:
        y = TOP + plot_h * (1 - target / 100)
        body.append(
            f'<line class="chart-target" x1="{LEFT}" x2="{LEFT + plot_w:.1f}" y1="{y:.1f}" y2="{y:.1f}">'
            f"<title>目标{target}%</title></line>"
        )
    segment: list[str] = []
    segments: list[list[str]] = []
    dots = []
    for i, (_, rate) in enumerate(points):
        if rate.value is None:
            if segment:
                segments.append(segment)
            segment = []
            dots.append(
                f'<text class="chart-none" x="{LEFT + step * (i + 0.5):.1f}" y="{TOP + plot_h - 6:.1f}" '
                f'text-anchor="middle">{NO_DATA}</text>'
            )
            continue
        x, y = LEFT + step * (i + 0.5), TOP + plot_h * (1 - rate.value)
        segment.append(f"{x:.1f},{y:.1f}")
        css = "chart-dot chart-dot-few" if rate.few else "chart-dot"
        dots.append(
            f'<circle class="{css}" cx="{x:.1f}" cy="{y:.1f}" r="3.5"><title>'
            f"{escape(rate.percent)}（{rate.numerator}/{rate.denominator}）</title></circle>"
        )
        dots.append(
            f'<text class="chart-value" x="{x:.1f}" y="{y - 7:.1f}" text-anchor="middle">'
            f"{rate.value * 100:.0f}</text>"
        )
    if segment:
        segments.append(segment)
    body += [f'<polyline class="chart-line" points="{" ".join(s)}"/>' for s in segments]
    body += dots
    body += _x_labels([label for label, _ in points], step, plot_h)
    return _svg(body, title)


def target_bars(rows: Sequence[UnitFigures], *, title: str) -> SafeString:
    """A horizontal bar per unit: its 代理件数, with a mark at its target; short of it in red."""
    row_h, label_w = 22, 110
    height = TOP + row_h * max(len(rows), 1) + 10
    plot_w = WIDTH - label_w - RIGHT - 30
    maximum = _nice_max(max([r.proxied for r in rows] + [r.target for r in rows] + [1]))
    body = []
    for i, row in enumerate(rows):
        y = TOP + row_h * i
        w = plot_w * row.proxied / maximum
        tx = label_w + plot_w * row.target / maximum
        css = "chart-bar" if row.met else "chart-bar chart-bar-short"
        body.append(
            f'<text class="chart-axis" x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(row.name)}</text>'
        )
        body.append(f'<rect class="{css}" x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}"/>')
        body.append(
            f'<line class="chart-target" x1="{tx:.1f}" x2="{tx:.1f}" y1="{y + 1}" y2="{y + row_h - 1}"/>'
        )
        body.append(
            f'<text class="chart-value" x="{label_w + max(w, plot_w * row.target / maximum) + 5:.1f}" '
            f'y="{y + 15}">{row.proxied}/{row.target}</text>'
        )
    return _svg(body, title, height=height)
