"""The statement's daily revenue chart as geometry for an inline SVG (no script, no library from elsewhere).

The same days as the PDF chart (``clearing.statements.chart.chart_days``): every
day of the period plus earlier days late items came from. Amounts stay integer
minor units; only the bar heights are scaled.
"""
from __future__ import annotations

from dataclasses import dataclass

from clearing.statements.chart import chart_days
from clearing.statements.data import Statement

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 10, 16, 44


@dataclass(frozen=True, slots=True)
class Bar:
    day: str
    net_minor: int
    x: float
    y: float
    width: float
    height: float
    label: str  # the day of the month under the bar, or "" to leave room


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    left: int
    right: int  # x of the plot's right edge
    zero_y: float
    top_y: float
    bottom_y: float
    max_minor: int
    min_minor: int
    bars: tuple[Bar, ...]


def daily_chart(statement: Statement) -> Chart:
    days = chart_days(statement)
    high = max([0, *(minor for _day, minor in days)])
    low = min([0, *(minor for _day, minor in days)])
    span = (high - low) or 1
    plot_top, plot_bottom = TOP, HEIGHT - BOTTOM
    scale = (plot_bottom - plot_top) / span
    zero_y = plot_top + high * scale
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(days))
    every = max(1, len(days) // 16)
    bars = []
    for index, (day, minor) in enumerate(days):
        top = zero_y - max(minor, 0) * scale
        bars.append(Bar(day, minor, round(LEFT + index * slot + slot * 0.15, 2), round(top, 2),
                        round(slot * 0.7, 2), round(abs(minor) * scale, 2),
                        day[8:] if index % every == 0 else ""))
    return Chart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, round(zero_y, 2), plot_top, plot_bottom, high, low,
                 tuple(bars))
