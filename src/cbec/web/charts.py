"""Server-side SVG charts (统计图) for the zone dashboard: no JavaScript, no CDN, scale to any width.

Each helper takes plain (label, value) pairs and returns escaped SVG markup with a <title> for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape

from markupsafe import Markup

PALETTE = ("#0b5cab", "#1f8a70", "#e0a100", "#c0392b", "#7b4fb3", "#2b9bd3", "#8a6d3b", "#5d6d7e")
INK, MUTED, GRID = "#1f2933", "#616e7c", "#e4e7eb"
FONT = "font-family=\"system-ui,'Noto Sans CJK SC','PingFang SC',sans-serif\""

Number = int | float | Decimal
Formatter = Callable[[Number], str]


def _fmt(value: Number) -> str:
    return f"{value:,.0f}" if float(value) >= 100 else f"{float(value):,.2f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, title: str, body: str) -> Markup:
    return Markup(
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" {FONT}><title>{escape(title)}</title>{body}</svg>'
    )


def _empty(width: int, height: int, title: str, empty: str) -> Markup:
    body = (
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" rx="6" fill="#f8fafc" stroke="{GRID}"/>'
        f'<text x="{width / 2}" y="{height / 2 + 5}" text-anchor="middle" font-size="14" fill="{MUTED}">'
        f"{escape(empty)}</text>"
    )
    return _svg(width, height, title, body)


def _nice_max(value: float, *, whole: bool = False) -> float:
    """Round an axis maximum up to 1, 2, 2.5 or 5 times a power of ten; for counts, to a multiple of 4."""
    if value <= 0:
        return 4.0 if whole else 1.0
    power = 10 ** math.floor(math.log10(value))
    top = next((step * power for step in (1, 2, 2.5, 5) if value <= step * power), 10 * power)
    return float(math.ceil(top / 4) * 4) if whole else top


def _whole(items: Sequence[tuple[str, Number]]) -> bool:
    return all(isinstance(v, int) for _l, v in items)


def bar_chart(
    items: Sequence[tuple[str, Number]],
    *,
    title: str,
    empty: str,
    fmt: Formatter = _fmt,
    axis: Formatter | None = None,
    width: int = 520,
    height: int = 240,
) -> Markup:
    """Return vertical bars, one per (label, value), value written above each bar."""
    if not items or all(float(v) == 0 for _l, v in items):
        return _empty(width, height, title, empty)
    axis = axis or fmt
    left, right, top, bottom = 64, 12, 22, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max(float(v) for _l, v in items), whole=_whole(items))
    slot = plot_w / len(items)
    bar_w = min(56.0, slot * 0.6)
    parts = []
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">'
            f"{escape(axis(top_value * i / 4))}</text>"
        )
    for index, (label, value) in enumerate(items):
        h = plot_h * float(value) / top_value
        x = left + slot * index + (slot - bar_w) / 2
        y = top + plot_h - h
        color = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" rx="3" fill="{color}">'
            f"<title>{escape(label)}: {escape(fmt(value))}</title></rect>"
        )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 6:.1f}" text-anchor="middle" font-size="12" fill="{INK}">'
            f"{escape(fmt(value))}</text>"
        )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 18}" text-anchor="middle" font-size="12" '
            f'fill="{INK}">{escape(label)}</text>'
        )
    return _svg(width, height, title, "".join(parts))


def hbar_chart(
    items: Sequence[tuple[str, Number]],
    *,
    title: str,
    empty: str,
    fmt: Formatter = _fmt,
    width: int = 520,
    label_width: int = 120,
    row: int = 28,
) -> Markup:
    """Return horizontal bars for a top-N list, longest first as given."""
    if not items or all(float(v) == 0 for _l, v in items):
        return _empty(width, 120, title, empty)
    height = row * len(items) + 8
    top_value = max(float(v) for _l, v in items) or 1.0
    plot_w = width - label_width - 130
    parts = []
    for index, (label, value) in enumerate(items):
        y = 4 + index * row
        w = max(2.0, plot_w * float(value) / top_value)
        shown = label if len(label) <= 16 else label[:15] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + row / 2 + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="{INK}"><title>{escape(label)}</title>{escape(shown)}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 5}" width="{w:.1f}" height="{row - 10}" rx="3" '
            f'fill="{PALETTE[0] if index else PALETTE[3]}" opacity="{1 - index * 0.07:.2f}">'
            f"<title>{escape(label)}: {escape(fmt(value))}</title></rect>"
        )
        parts.append(
            f'<text x="{label_width + w + 6:.1f}" y="{y + row / 2 + 4:.1f}" font-size="12" fill="{INK}">'
            f"{escape(fmt(value))}</text>"
        )
    return _svg(width, height, title, "".join(parts))


def line_chart(
    points: Sequence[tuple[str, Number]],
    *,
    title: str,
    empty: str,
    fmt: Formatter = _fmt,
    axis: Formatter | None = None,
    width: int = 640,
    height: int = 220,
) -> Markup:
    """Return a line with a shaded area for a daily series, every point marked."""
    if not points or all(float(v) == 0 for _l, v in points):
        return _empty(width, height, title, empty)
    axis = axis or fmt
    left, right, top, bottom = 64, 16, 16, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max(float(v) for _l, v in points), whole=_whole(points))
    step = plot_w / max(1, len(points) - 1)

    def xy(index: int, value: Number) -> tuple[float, float]:
        return left + step * index, top + plot_h - plot_h * float(value) / top_value

    coords = [xy(i, v) for i, (_l, v) in enumerate(points)]
    parts = []
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">'
            f"{escape(axis(top_value * i / 4))}</text>"
        )
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    base = top + plot_h
    area = f"{coords[0][0]:.1f},{base:.1f} {line} {coords[-1][0]:.1f},{base:.1f}"
    parts.append(f'<polygon points="{area}" fill="{PALETTE[0]}" opacity="0.12"/>')
    parts.append(f'<polyline points="{line}" fill="none" stroke="{PALETTE[0]}" stroke-width="2.5"/>')
    every = max(1, math.ceil(len(points) / 10))
    for index, ((label, value), (x, y)) in enumerate(zip(points, coords, strict=True)):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#fff" stroke="{PALETTE[0]}" stroke-width="2">'
            f"<title>{escape(label)}: {escape(fmt(value))}</title></circle>"
        )
        if index % every == 0 or index == len(points) - 1:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle" font-size="11" fill="{MUTED}">'
                f"{escape(label)}</text>"
            )
    return _svg(width, height, title, "".join(parts))


def donut_chart(
    parts_in: Sequence[tuple[str, Number]],
    *,
    title: str,
    empty: str,
    center: str,
    caption: str = "",
    colors: Sequence[str] = ("#1f8a70", "#c0392b", "#e0a100", "#8795a1"),
    size: int = 220,
) -> Markup:
    """Return a ring split by share, the headline figure in the middle and a legend under it."""
    total = sum(float(v) for _l, v in parts_in)
    legend_h = 22 * len(parts_in)
    width, height = size + 120, size + legend_h + 8
    if total <= 0:
        return _empty(width, size, title, empty)
    cx, cy, radius, thickness = width / 2, size / 2, size / 2 - 14, 30
    parts = [f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="none" stroke="{GRID}" stroke-width="{thickness}"/>']
    circumference = 2 * math.pi * radius
    offset = 0.0
    for index, (label, value) in enumerate(parts_in):
        length = circumference * float(value) / total
        if length <= 0:
            continue
        parts.append(
            f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="none" stroke="{colors[index % len(colors)]}" '
            f'stroke-width="{thickness}" stroke-dasharray="{length:.2f} {circumference - length:.2f}" '
            f'stroke-dashoffset="{-offset:.2f}" transform="rotate(-90 {cx} {cy})">'
            f"<title>{escape(label)}: {escape(_fmt(value))}</title></circle>"
        )
        offset += length
    parts.append(
        f'<text x="{cx}" y="{cy + (2 if caption else 8)}" text-anchor="middle" font-size="26" font-weight="700" '
        f'fill="{INK}">{escape(center)}</text>'
    )
    if caption:
        parts.append(
            f'<text x="{cx}" y="{cy + 22}" text-anchor="middle" font-size="12" fill="{MUTED}">{escape(caption)}</text>'
        )
    for index, (label, value) in enumerate(parts_in):
        y = size + 4 + index * 22
        parts.append(
            f'<rect x="{cx - 80}" y="{y}" width="12" height="12" rx="2" fill="{colors[index % len(colors)]}"/>'
        )
        parts.append(
            f'<text x="{cx - 62}" y="{y + 11}" font-size="13" fill="{INK}">{escape(label)} · {escape(_fmt(value))}'
            f"</text>"
        )
    return _svg(width, height, title, "".join(parts))


def progress_chart(
    share: Decimal | None, elapsed: Decimal, *, title: str, empty: str, elapsed_label: str, width: int = 960
) -> Markup:
    """Return a progress bar towards a yearly target, with a marker at the share of the year gone by."""
    height, bar_y, bar_h = 44, 10, 16
    bar_w = width - 4
    marker = bar_w * min(float(elapsed), 100.0) / 100
    track = f'<rect x="0" y="{bar_y}" width="{bar_w}" height="{bar_h}" rx="8" fill="{GRID}"/>'
    if share is None:
        body = track + (f'<text x="12" y="{bar_y + 12}" font-size="11" fill="{MUTED}">{escape(empty)}</text>')
        return _svg(width, height, title, body)
    done = min(float(share), 100.0)
    color = PALETTE[1] if float(share) >= float(elapsed) else PALETTE[2]
    body = (
        track + f'<rect x="0" y="{bar_y}" width="{max(bar_h, bar_w * done / 100):.1f}" height="{bar_h}" rx="8" '
        f'fill="{color}"><title>{escape(title)}: {share}%</title></rect>'
        f'<line x1="{marker:.1f}" y1="{bar_y - 5}" x2="{marker:.1f}" y2="{bar_y + bar_h + 5}" stroke="{INK}" '
        f'stroke-width="2" stroke-dasharray="3 2"/>'
        f'<text x="{min(max(marker - 40, 0), bar_w - 110):.1f}" y="{height - 2}" font-size="11" fill="{MUTED}">'
        f"{escape(elapsed_label)}</text>"
    )
    return _svg(width, height, title, body)
