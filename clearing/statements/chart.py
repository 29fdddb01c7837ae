"""A bar chart of an operator's net revenue per day of the statement (reportlab.graphics).

One bar per calendar day of the period (zero on days without sales), plus a
bar for each earlier day a late item came from, so months read alike.
"""
from __future__ import annotations

from datetime import timedelta

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from clearing.periods import parse_period
from clearing.statements.data import Statement
from core.money import Money

CHART_TITLE = "Daily net revenue"


def chart_days(statement: Statement) -> list[tuple[str, int]]:
    """(ISO day, net minor units) for every day of the period and every earlier day with items."""
    start, end = parse_period(statement.period)
    net = {day.key: day.net_minor for day in statement.by_day}
    days = {(start + timedelta(days=n)).date().isoformat() for n in range((end - start).days)} | set(net)
    return [(day, net.get(day, 0)) for day in sorted(days)]


def daily_revenue_chart(statement: Statement, width: float = 480, height: float = 200) -> Drawing:
    """Values in major units for the axis only (a drawing, never a sum)."""
    days = chart_days(statement)
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, f"{CHART_TITLE} ({statement.currency})", fontName="Helvetica-Bold",
                       fontSize=10))
    chart = VerticalBarChart()
    chart.x, chart.y = 40, 40
    chart.width, chart.height = width - 60, height - 70
    values = [float(Money(minor, statement.currency).to_decimal()) for _day, minor in days]
    chart.data = [values]
    chart.categoryAxis.categoryNames = [day[5:] for day, _minor in days]
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 90
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = min(0.0, *values)
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#2b6cb0")
    drawing.add(chart)
    return drawing
