"""The page both documents share: A4, fonts, paragraph and table styles, the footer.

The built-in Helvetica covers Western European text (umlauts, ß, en dash,
euro sign); glyphs outside it print as boxes, the ids beside names stay
readable.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Table, TableStyle

from core.money import Money

MARGIN = 16 * mm
FRAME_PADDING = 6  # points: platypus frames keep this inside their margins
LEFT, RIGHT_EDGE = MARGIN + FRAME_PADDING, A4[0] - MARGIN - FRAME_PADDING
CONTENT_WIDTH = RIGHT_EDGE - LEFT
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
ACCENT = colors.HexColor("#0b6e4f")
RULE = colors.HexColor("#cbd2d9")
SHADE = colors.HexColor("#f0f4f8")

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=9.5, leading=12.5, textColor=INK)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10, textColor=MUTED)
LABEL = ParagraphStyle("label", parent=SMALL, fontName="Helvetica-Bold", textColor=MUTED)
TITLE = ParagraphStyle("title", parent=BODY, fontName="Helvetica-Bold", fontSize=20, leading=24, textColor=ACCENT)
HEADING = ParagraphStyle("heading", parent=BODY, fontName="Helvetica-Bold", fontSize=11.5, leading=15,
                         spaceBefore=9, spaceAfter=4)
STRONG = ParagraphStyle("strong", parent=BODY, fontName="Helvetica-Bold", fontSize=12, leading=15)
STRONG_RIGHT = ParagraphStyle("strong_right", parent=STRONG, alignment=TA_RIGHT)

TABLE = TableStyle([
    ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
    ("TEXTCOLOR", (0, 0), (-1, 0), MUTED),
    ("TEXTCOLOR", (0, 1), (-1, -1), INK),
    ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
    ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
])


def text(value: object) -> str:
    """Data for a ``Paragraph``: its markup characters (``&``, ``<``) escaped."""
    return escape(str(value))


def money(amount: Money) -> str:
    return f"{amount.format()} {amount.currency}"


def when(moment: datetime | None, with_date: bool = True) -> str:
    if moment is None:
        return "–"
    return moment.strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M")


def table(rows: Sequence[Sequence[Any]], widths: Sequence[float], right_columns: Sequence[int] = (),
          extra: Sequence[tuple[Any, ...]] = ()) -> Table:
    """A plain table with a header row; ``right_columns`` are amounts, right-aligned."""
    style = TableStyle(list(TABLE.getCommands()) + [("ALIGN", (c, 0), (c, -1), "RIGHT") for c in right_columns]
                       + list(extra))
    result = Table([list(row) for row in rows], colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    result.setStyle(style)
    return result


def build_pdf(story: Sequence[Flowable], title: str, author: str, subject: str, footer: str) -> bytes:
    """Render ``story`` on A4 pages, each with ``footer`` and a page number."""
    buffer = io.BytesIO()

    def decorate(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(2)
        canvas.line(LEFT, A4[1] - 10 * mm, RIGHT_EDGE, A4[1] - 10 * mm)
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(LEFT, 9 * mm, footer)
        canvas.drawRightString(RIGHT_EDGE, 9 * mm, f"page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=16 * mm,
                            bottomMargin=18 * mm, title=title, author=author, subject=subject,
                            creator="Farebridge")
    doc.build(list(story), onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
