"""Charts as plain SVG, drawn on the server: bars, lines and the program timeline.

Why by hand and not with a chart library: the charts are a few rectangles, lines and labels; they
must work without JavaScript and without any file from the internet, be readable without colour
(every bar and line carries its own text label; lines also differ by marker shape and dash), carry a
title and description for screen readers, and go unchanged into the funder report's PDF (fpdf2
draws this subset of SVG: rect, line, polyline, circle, path, text — no CSS, no patterns). pygal
would add its JavaScript, matplotlib costs ~100 ms a chart; these take well under a millisecond.

Colours come only from presentation attributes (no ``style``), so a strict Content-Security-Policy
stays possible. Each chart has a table alternative on the page (the same `Table`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

FONT = "DejaVu Sans, Verdana, sans-serif"
INK = "#222222"
GRID = "#d0d0d0"
# Distinct in hue and lightness (Okabe–Ito), so neighbours differ also in grey print.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "circle-open")


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x, y, content, *, size=12, anchor="start", weight="normal", fill=INK) -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-family="{FONT}" font-size="{size}" fill="{fill}"'
        f' text-anchor="{anchor}" font-weight="{weight}">{escape(content)}</text>'
    )


def _svg(width: float, height: float, title: str, description: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{_num(width)}" '
        f'height="{_num(height)}" viewBox="0 0 {_num(width)} {_num(height)}"><title>{escape(title)}</title>'
        f"<desc>{escape(description)}</desc>" + "".join(body) + "</svg>"
    )


def nice_max(value: float) -> float:
    """A round upper end for an axis: 7 → 10, 1234 → 1500."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]


def bars(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    fmt: Callable[[float], str] = lambda v: _num(v),
    width: int = 640,
    description: str = "",
) -> Markup:
    """Horizontal bars: one group per category, one labelled bar per series (its name left, value right)."""
    label_w, value_w, bar_h, gap = 190, 110, 16, 4
    per_group = len(series) * (bar_h + gap) + (18 if len(series) > 1 else 0) + 10
    height = 30 + per_group * len(categories) + 6
    top = max((v for s in series for v in s.values), default=0)
    scale = (width - label_w - value_w) / (top or 1)
    body = [_text(0, 16, title, size=14, weight="bold")]
    y = 30
    for c, category in enumerate(categories):
        if len(series) > 1:
            body.append(_text(0, y + 12, category, weight="bold"))
            y += 18
        for s_index, s in enumerate(series):
            value = s.values[c] or 0
            name = s.label if len(series) > 1 else category
            body.append(_text(label_w - 8, y + bar_h - 4, name, anchor="end", size=11))
            w = max(value * scale, 0)
            colour = PALETTE[s_index % len(PALETTE)]
            body.append(
                f'<rect x="{label_w}" y="{_num(y)}" width="{_num(max(w, 0.5))}" height="{bar_h}" fill="{colour}"/>'
            )
            body.append(_text(label_w + w + 6, y + bar_h - 4, fmt(value), size=11))
            y += bar_h + gap
        y += 10
    body.append(f'<line x1="{label_w}" y1="26" x2="{label_w}" y2="{_num(y - 6)}" stroke="{INK}" stroke-width="1"/>')
    return _svg(width, height, title, description or title, body)


def _line(x1: float, y1: float, x2: float, y2: float, colour: str, width: float = 1, dash: str = "") -> str:
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" stroke="{colour}" '
        f'stroke-width="{_num(width)}"{dash_attr}/>'
    )


def _path(points: list[tuple[float, float]], colour: str) -> str:
    """A filled polygon."""
    d = " L".join(f"{_num(x)} {_num(y)}" for x, y in points)
    return f'<path d="M{d} Z" fill="{colour}"/>'


def _marker(kind: str, x: float, y: float, colour: str, r: float = 4) -> str:
    if kind == "square":
        return (
            f'<rect x="{_num(x - r)}" y="{_num(y - r)}" width="{_num(2 * r)}" height="{_num(2 * r)}" fill="{colour}"/>'
        )
    if kind == "triangle":
        return _path([(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)], colour)
    if kind == "diamond":
        return _path([(x, y - r - 1), (x + r + 1, y), (x, y + r + 1), (x - r - 1, y)], colour)
    if kind == "cross":
        return (
            f'<path d="M{_num(x - r)} {_num(y - r)} L{_num(x + r)} {_num(y + r)} M{_num(x - r)} {_num(y + r)} '
            f'L{_num(x + r)} {_num(y - r)}" stroke="{colour}" stroke-width="2" fill="none"/>'
        )
    if kind == "circle-open":
        return (
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" fill="#ffffff" stroke="{colour}" stroke-width="2"/>'
        )
    return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" fill="{colour}"/>'


def lines(
    title: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    fmt: Callable[[float], str] = lambda v: _num(v),
    width: int = 640,
    height: int = 280,
    description: str = "",
) -> Markup:
    """Lines over time; each series has its own marker shape and dash and is named in the legend."""
    left, right, top_pad = 56, 16, 34
    legend_h = 18 * math.ceil(len(series) / 3) + 6
    bottom = height - 34 - legend_h
    top = nice_max(max((v for s in series for v in s.values), default=0))
    n = max(len(x_labels), 1)
    step = (width - left - right) / max(n - 1, 1)

    def x_at(i: int) -> float:
        return left + (i * step if n > 1 else (width - left - right) / 2)

    def y_at(v: float) -> float:
        return bottom - (v / top) * (bottom - top_pad)

    body = [_text(0, 16, title, size=14, weight="bold")]
    for k in range(5):
        value = top * k / 4
        y = y_at(value)
        body.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{width - right}" y2="{_num(y)}" stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(_text(left - 6, y + 4, fmt(value), size=10, anchor="end"))
    every = max(1, math.ceil(n / 12))
    for i, label in enumerate(x_labels):
        if i % every == 0 or i == n - 1:
            body.append(_text(x_at(i), bottom + 16, label, size=10, anchor="middle"))
    for s_index, s in enumerate(series):
        colour, dash = PALETTE[s_index % len(PALETTE)], DASHES[s_index % len(DASHES)]
        points = " ".join(f"{_num(x_at(i))},{_num(y_at(v or 0))}" for i, v in enumerate(s.values))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        if len(s.values) > 1:
            body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        marker = MARKERS[s_index % len(MARKERS)]
        body += [_marker(marker, x_at(i), y_at(v or 0), colour) for i, v in enumerate(s.values)]
    for s_index, s in enumerate(series):
        col, row = s_index % 3, s_index // 3
        lx, ly = left + col * ((width - left) / 3), bottom + 36 + row * 18
        colour, dash = PALETTE[s_index % len(PALETTE)], DASHES[s_index % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(_line(lx, ly, lx + 24, ly, colour, 2, dash))
        body.append(_marker(MARKERS[s_index % len(MARKERS)], lx + 12, ly, colour))
        body.append(_text(lx + 30, ly + 4, s.label, size=11))
    return _svg(width, height, title, description or title, body)


@dataclass(frozen=True)
class Mark:
    """One thing on the timeline: a day, its kind ("event" | "milestone" | "overdue") and its name."""

    day: date
    kind: str
    text: str
    count: int = 1


TIMELINE_SHAPES = {"event": "circle", "milestone": "diamond", "overdue": "cross"}


def timeline(
    title: str,
    lanes: Sequence[tuple[str, Sequence[Mark]]],
    start: date,
    end: date,
    *,
    legend: dict[str, str],
    month_label: Callable[[date], str] = lambda d: d.strftime("%m/%y"),
    width: int = 900,
    description: str = "",
) -> Markup:
    """Lanes (one per region) on one time axis; events are circles, milestones diamonds, overdue ones
    crosses; many marks on one day stack upwards, and each mark names itself in a tooltip (<title>)."""
    left, right, lane_h = 130, 16, 46
    height = 40 + lane_h * len(lanes) + 40
    days = max((end - start).days, 1)

    def x_at(day: date) -> float:
        return left + (day - start).days / days * (width - left - right)

    body = [_text(0, 16, title, size=14, weight="bold")]
    month = start.replace(day=1)
    months = []
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    every = max(1, math.ceil(len(months) / 14))
    axis_y = 30 + lane_h * len(lanes)
    for i, m in enumerate(months):
        if m < start:
            continue
        x = x_at(m)
        body.append(
            f'<line x1="{_num(x)}" y1="28" x2="{_num(x)}" y2="{_num(axis_y)}" stroke="{GRID}" stroke-width="1"/>'
        )
        if i % every == 0:
            body.append(_text(x + 2, axis_y + 14, month_label(m), size=10))
    for lane_index, (label, marks) in enumerate(lanes):
        base = 30 + lane_h * lane_index + lane_h - 10
        body.append(_text(left - 8, base - 4, label, anchor="end", size=11))
        body.append(_line(left, base + 4, width - right, base + 4, INK))
        stacks: dict[tuple[int, str], int] = {}
        for mark in sorted(marks, key=lambda m: (m.day, m.kind)):
            x = x_at(mark.day)
            slot = (round(x / 5), mark.kind)
            level = stacks.get(slot, 0)
            stacks[slot] = level + 1
            y = base - 4 - min(level, 5) * 6
            colour = PALETTE[0] if mark.kind == "event" else (PALETTE[5] if mark.kind == "overdue" else PALETTE[2])
            radius = 3.5 + min(math.log2(mark.count), 6) * 0.8  # a week's mark grows with what it holds
            shape = _marker(TIMELINE_SHAPES[mark.kind], x, y, colour, r=radius)
            body.append(f"<g><title>{escape(mark.day.strftime('%d.%m.%Y'))}: {escape(mark.text)}</title>{shape}</g>")
    lx = left
    for kind, text in legend.items():
        colour = PALETTE[0] if kind == "event" else (PALETTE[5] if kind == "overdue" else PALETTE[2])
        body.append(_marker(TIMELINE_SHAPES[kind], lx + 5, axis_y + 30, colour, r=4))
        body.append(_text(lx + 14, axis_y + 34, text, size=11))
        lx += 30 + 7 * len(text)
    return _svg(width, height, title, description or title, body)
