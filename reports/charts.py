"""Charts drawn on the server as inline SVG: no script, no CDN, readable without colour.

Each chart has a title and a description for screen readers, and the page
shows the same numbers in a table under it. Every label is escaped here; the
result is marked safe only once it is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 30, 12, 46
NO_VALUE = "\u2013"  # an en dash where there is no figure
# Okabe-Ito: told apart by people with any kind of colour blindness.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def _nice_max(value: float) -> float:
    """A round top for the y axis: 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _fmt(value: float) -> str:
    return f"{value:g}"


def _frame(title: str, description: str, body: list[str], legend: Sequence[str]) -> SafeString:
    legend_items = []
    x = LEFT
    for i, name in enumerate(legend):
        colour = PALETTE[i % len(PALETTE)]
        legend_items.append(
            f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 5}" font-size="11">{escape(name)}</text>'
        )
        x += 24 + 7 * len(name)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" class="report-chart" width="100%">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
        f'<g font-family="system-ui, sans-serif" fill="currentColor">{"".join(body)}'
        f"{''.join(legend_items)}</g></svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every text above went through escape()


def _axes(top: float, labels: Sequence[str], unit: str) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="currentColor" stroke-opacity="0.15"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">'
            f"{_fmt(value)}{escape(unit)}</text>"
        )
    step = max(1, len(labels) // 8)  # at most about eight labels under the axis
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    for i, label in enumerate(labels):
        if i % step:
            continue
        x = LEFT + slot * (i + 0.5)
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    return parts


def line_chart(
    title: str, labels: Sequence[str], series: Sequence[Series], *, unit: str = "",
    top: float | None = None,
) -> SafeString:  # fmt: skip
    """One line per series over the buckets; a missing value breaks the line."""
    highest = max((v for s in series for v in s.values if v is not None), default=0)
    top = top if top is not None else _nice_max(highest)
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    body = _axes(top, labels, unit)
    for i, line in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        dash = "" if i % 2 == 0 else ' stroke-dasharray="5 3"'  # told apart without colour
        segments: list[list[str]] = [[]]
        for j, value in enumerate(line.values):
            if value is None:
                segments.append([])
                continue
            x = LEFT + slot * (j + 0.5)
            y = TOP + plot_h - plot_h * min(value, top) / top
            segments[-1].append(f"{x:.1f},{y:.1f}")
        for points in segments:
            if len(points) > 1:
                body.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} '
                    f'points="{" ".join(points)}"/>'
                )
            for point in points:
                px, py = point.split(",")
                body.append(f'<circle cx="{px}" cy="{py}" r="2.5" fill="{colour}"/>')
    description = "; ".join(
        f"{s.name}: " + ", ".join(
            f"{label} {NO_VALUE if v is None else _fmt(v)}{unit}"
            for label, v in zip(labels, s.values, strict=True)
        )
        for s in series
    )  # fmt: skip
    return _frame(title, description, body, [s.name for s in series])


def stacked_bars(title: str, labels: Sequence[str], series: Sequence[Series]) -> SafeString:
    """One bar per bucket, stacked by series (e.g. tickets by category)."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
    top = _nice_max(max(totals, default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    bar = max(2.0, slot * 0.7)
    body = _axes(top, labels, "")
    for j, label in enumerate(labels):
        y: float = TOP + plot_h
        for i, part in enumerate(series):
            value = part.values[j] or 0
            if not value:
                continue
            h = plot_h * value / top
            y -= h
            x = LEFT + slot * j + (slot - bar) / 2
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(label)} · '
                f"{escape(part.name)}: {_fmt(value)}</title></rect>"
            )
    description = "; ".join(
        f"{label}: " + ", ".join(f"{s.name} {_fmt(s.values[j] or 0)}" for s in series)
        for j, label in enumerate(labels)
    )
    return _frame(title, description, body, [s.name for s in series])


def horizontal_bars(
    title: str, rows: Sequence[tuple[str, float | None]], *, unit: str = "",
    top: float | None = None,
) -> SafeString:  # fmt: skip
    """One labelled bar per row (e.g. SLA compliance per hub)."""
    height = TOP + 22 * max(1, len(rows)) + 8
    label_w = 150
    top = top if top is not None else _nice_max(max((v or 0 for _l, v in rows), default=0))
    width = WIDTH - label_w - RIGHT - 40
    body = []
    for i, (label, value) in enumerate(rows):
        y = TOP + 22 * i
        body.append(
            f'<text x="{label_w - 6}" y="{y + 13}" font-size="11" text-anchor="end">'
            f"{escape(label[:28])}</text>"
        )
        if value is None:
            body.append(f'<text x="{label_w}" y="{y + 13}" font-size="11">{NO_VALUE}</text>')
            continue
        w = width * min(value, top) / top
        body.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="14" fill="{PALETTE[0]}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 14}" font-size="11">'
            f"{_fmt(value)}{escape(unit)}</text>"
        )
    description = "; ".join(
        f"{label}: {NO_VALUE if value is None else _fmt(value)}{unit}" for label, value in rows
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'class="report-chart" width="100%"><title>{escape(title)}</title>'
        f"<desc>{escape(description)}</desc>"
        f'<g font-family="system-ui, sans-serif" fill="currentColor">{"".join(body)}</g></svg>'
    )
    return mark_safe(svg)  # noqa: S308 - every text above went through escape()
