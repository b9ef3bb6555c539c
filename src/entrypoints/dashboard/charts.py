"""Bar charts as inline SVG, drawn on the server: no script, nothing fetched from elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH = 640
HEIGHT = 200
MARGIN = 28
Bar = tuple[str, Decimal | int]


def bar_chart(title: str, bars: Sequence[Bar], unit: str = "") -> Markup:
    top = max((Decimal(value) for _, value in bars), default=Decimal(0)) or Decimal(1)
    slot = (WIDTH - 2 * MARGIN) / max(len(bars), 1)
    drawn = [
        bar(index, label, Decimal(value), top, slot, unit)
        for index, (label, value) in enumerate(bars)
    ]
    return Markup(
        f'<svg class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}">'
        f"<title>{escape(title)}</title>"
        f'<text x="{MARGIN}" y="14" class="heading">{escape(title)}</text>'
        f'<line x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" '
        f'y2="{HEIGHT - MARGIN}" class="axis"/>' + "".join(drawn) + "</svg>"
    )


def bar(index: int, label: str, value: Decimal, top: Decimal, slot: float, unit: str) -> str:
    room = HEIGHT - 2 * MARGIN
    height = float(value / top) * room
    x = MARGIN + index * slot + slot * 0.15
    y = HEIGHT - MARGIN - height
    shown = escape(f"{value:g}{unit}")
    return (
        f'<g class="bar"><rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" '
        f'height="{height:.1f}"><title>{escape(label)}: {shown}</title></rect>'
        f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" class="value">{shown}</text>'
        f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - MARGIN + 14}" class="label">'
        f"{escape(label)}</text></g>"
    )
