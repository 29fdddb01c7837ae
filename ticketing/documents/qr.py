"""The QR code of a signed ticket token: SVG (and PNG) for screens, a vector drawing for PDFs.

The payload is the token exactly as signed (``FB1.<claims>.<signature>``), so
an inspector's device scans it and verifies the signature offline. Error
correction level M (15 % of the symbol may be lost) keeps a ~500 character
token at version 15 or so, about 77 modules: on paper at 55 mm a module is
0.7 mm, which phone cameras read easily. Both encoders get the same level.
"""
from __future__ import annotations

import io

import segno
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm

ERROR_LEVEL = "M"
QUIET_ZONE = 4  # modules of white border the standard asks for


def qr_code(token: str) -> segno.QRCode:
    """Always a full QR code (never Micro QR), byte mode, level M."""
    return segno.make_qr(token, error=ERROR_LEVEL.lower(), boost_error=False)


def qr_svg(token: str, scale: int = 4, title: str | None = "Farebridge ticket") -> str:
    """A standalone SVG document; ``scale`` is pixels per module."""
    buffer = io.BytesIO()
    qr_code(token).save(buffer, kind="svg", scale=scale, border=QUIET_ZONE, title=title, xmldecl=True)
    return buffer.getvalue().decode("utf-8")


def qr_png(token: str, scale: int = 4) -> bytes:
    buffer = io.BytesIO()
    qr_code(token).save(buffer, kind="png", scale=scale, border=QUIET_ZONE)
    return buffer.getvalue()


def qr_drawing(token: str, size: float = 55 * mm) -> Drawing:
    """A square reportlab drawing of ``size`` points, quiet zone included (a platypus flowable)."""
    widget = QrCodeWidget(token, barLevel=ERROR_LEVEL, barBorder=QUIET_ZONE, barWidth=size, barHeight=size)
    drawing = Drawing(size, size)
    drawing.add(widget)
    return drawing
