"""Bar and line charts as inline SVG: no script, no CDN, nothing fetched."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape
from typing import Any

WIDTH, HEIGHT = 760, 320
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 90
BAR_COLOUR = "#1f6fb2"


def _number(value: Any) -> Decimal:
    if value is None or isinstance(value, bool):
        return Decimal(int(bool(value)))
    return Decimal(str(value))


def _label(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 22 else text[:21] + "…"


def svg_chart(kind: str, labels: Sequence[Any], values: Sequence[Any], y_title: str) -> str:
    """One series: a bar per label, or a line through the points, on a zero-based axis."""
    numbers = [_number(v) for v in values]
    top = max([Decimal(0), *numbers]) or Decimal(1)
    bottom = min([Decimal(0), *numbers])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = top - bottom

    def y_of(value: Decimal) -> float:
        return TOP + float((top - value) / span) * plot_h

    step = plot_w / max(len(numbers), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(y_title)}">',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<line x1="{LEFT}" y1="{y_of(Decimal(0)):.1f}" x2="{WIDTH - RIGHT}" '
        f'y2="{y_of(Decimal(0)):.1f}" stroke="#444"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#444"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11">'
        f"{escape(str(top))}</text>",
        f'<text x="14" y="{TOP + plot_h / 2:.1f}" font-size="11" '
        f'transform="rotate(-90 14 {TOP + plot_h / 2:.1f})" text-anchor="middle">'
        f"{escape(y_title)}</text>",
    ]
    points = []
    for index, (label, number) in enumerate(zip(labels, numbers, strict=True)):
        centre = LEFT + step * (index + 0.5)
        if kind == "bar":
            y0, y1 = sorted((y_of(number), y_of(Decimal(0))))
            parts.append(
                f'<rect x="{centre - step * 0.35:.1f}" y="{y0:.1f}" width="{step * 0.7:.1f}" '
                f'height="{max(y1 - y0, 1):.1f}" fill="{BAR_COLOUR}">'
                f"<title>{escape(_label(label))}: {escape(str(number))}</title></rect>"
            )
        points.append(f"{centre:.1f},{y_of(number):.1f}")
        parts.append(
            f'<text x="{centre:.1f}" y="{TOP + plot_h + 12}" font-size="10" text-anchor="end" '
            f'transform="rotate(-40 {centre:.1f} {TOP + plot_h + 12})">'
            f"{escape(_label(label))}</text>"
        )
    if kind == "line" and points:
        parts.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{BAR_COLOUR}" '
            'stroke-width="3"/>'
        )
        parts += [
            f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="4" fill="{BAR_COLOUR}"/>'
            for p in points
        ]
    parts.append("</svg>")
    return "\n".join(parts)
