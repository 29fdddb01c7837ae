"""The PDF statement (reportlab): header with operator, period and bank account; totals;
per-product and per-day lines; commission, fees and refunds; the daily revenue chart.

Rendered on request from stored data (``clearing.statements.data.statement_of``),
so it is never out of step with the shares the settlement took.
"""
from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from clearing.statements.chart import daily_revenue_chart
from clearing.statements.data import Statement, Subtotal
from core.money import Money

ASSOCIATION_NAME = "Verkehrsverbund Auental"

_GRID = TableStyle([
    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
    ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
    ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ("TOPPADDING", (0, 0), (-1, -1), 2),
])


def _fmt(minor: int, currency: str) -> str:
    return f"{Money(minor, currency).format()} {currency}"


def _subtotal_table(title: str, groups: tuple[Subtotal, ...], currency: str) -> Table:
    rows = [[title, "Sales", "Sales amount", "Refunds", "Net"]]
    rows += [[g.key, str(g.sales_count), _fmt(g.sales_minor, currency), _fmt(g.refunds_minor, currency),
              _fmt(g.net_minor, currency)] for g in groups]
    if not groups:
        rows.append(["(none)", "0", _fmt(0, currency), _fmt(0, currency), _fmt(0, currency)])
    table = Table(rows, colWidths=[62 * mm, 18 * mm, 32 * mm, 28 * mm, 30 * mm], hAlign="LEFT")
    table.setStyle(_GRID)
    return table


def _totals_table(statement: Statement) -> Table:
    cur = statement.currency
    rows = [
        ["Totals", "Amount"],
        ["Sales (operator shares)", _fmt(statement.sales_minor, cur)],
        ["Refunds (netted)", _fmt(statement.refunds_minor, cur)],
        ["Commission", _fmt(statement.commission_minor, cur)],
        ["Clearing fees", _fmt(statement.clearing_fees_minor, cur)],
        ["Total payable", _fmt(statement.total_minor, cur)],
    ]
    table = Table(rows, colWidths=[80 * mm, 40 * mm], hAlign="LEFT")
    table.setStyle(_GRID)
    table.setStyle(TableStyle([("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 9),
                               ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black)]))
    return table


def render_statement_pdf(statement: Statement) -> bytes:
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=f"Statement {statement.operator_id} {statement.period}",
                            author=ASSOCIATION_NAME, invariant=True)
    number = f"No. {statement.settlement_id}" if statement.settlement_id is not None else "(preview)"
    created = f" - settled {statement.created_at.date().isoformat()}" if statement.created_at else ""
    story = [
        Paragraph(f"{ASSOCIATION_NAME} - settlement statement {number}", styles["Title"]),
        Paragraph(f"Operator: {statement.operator_name} ({statement.operator_id})", styles["Normal"]),
        Paragraph(f"Period: {statement.period}{created}", styles["Normal"]),
        Paragraph(f"IBAN: {statement.iban or '-'}   BIC: {statement.bic or '-'}", styles["Normal"]),
        Paragraph(f"Currency: {statement.currency}   Cleared items: {statement.item_count}", styles["Normal"]),
        Spacer(1, 6 * mm),
        _totals_table(statement),
        Spacer(1, 6 * mm),
        _subtotal_table("Product", statement.by_product, statement.currency),
        Spacer(1, 6 * mm),
        _subtotal_table("Day", statement.by_day, statement.currency),
        Spacer(1, 6 * mm),
        daily_revenue_chart(statement),
    ]
    doc.build(story)
    return buffer.getvalue()
