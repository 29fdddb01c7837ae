"""QR codes of ticket tokens: what the SVG and the PDF drawing encode reads back as the token."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from reportlab.graphics import renderPDF

from tests.ticketing.qr_reader import decode, matrix_from_pdf, matrix_from_svg
from ticketing.documents.qr import qr_code, qr_drawing, qr_png, qr_svg
from ticketing.token import TicketSigner

SIGNER = TicketSigner(Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
TOKEN = SIGNER.sign({
    "tid": "0d9c5a57-4f6e-4a57-9d8e-2b7b4c1f0a11", "rc": "adult",
    "vf": datetime(2026, 3, 2, 7, 30, tzinfo=UTC).isoformat(),
    "vu": datetime(2026, 3, 2, 10, 0, tzinfo=UTC).isoformat(),
    "p": "7.10", "cur": "EUR",
    "legs": [["SWA11", "ALT_EICH_WALDWEG", "ALT_WEST"], ["RE1", "ALT_WEST", "BGS_BF"],
             ["BVB21", "BGS_BF", "BGS_SONN_BUCHENWEG"]],
})


def test_a_three_leg_token_fits_a_level_m_symbol_of_moderate_size():
    code = qr_code(TOKEN)
    assert len(TOKEN) > 400
    assert (code.error, code.mode, code.is_micro) == ("M", "byte", False)
    assert code.version <= 20  # at most 97 modules: 0.6 mm each on the ticket's 58 mm square


def test_the_svg_is_a_standalone_document_that_reads_back_as_the_token():
    svg = qr_svg(TOKEN)
    assert svg.startswith("<?xml")
    assert "<title>Farebridge ticket</title>" in svg
    assert decode(matrix_from_svg(svg)) == TOKEN


def test_the_pdf_drawing_reads_back_as_the_token():
    pdf = renderPDF.drawToString(qr_drawing(TOKEN))
    assert decode(matrix_from_pdf(pdf)) == TOKEN


def test_the_reader_tells_different_tokens_apart():
    other = TOKEN[:-3] + ("AAA" if not TOKEN.endswith("AAA") else "BBB")
    assert decode(matrix_from_svg(qr_svg(other))) == other != TOKEN


def test_a_flipped_data_module_is_noticed_by_the_reader():
    matrix = [[bool(v) for v in row] for row in qr_code(TOKEN).matrix]
    size = len(matrix)
    matrix[size - 1][size - 1] = not matrix[size - 1][size - 1]  # the first bit: byte mode 0100 becomes 1100
    with pytest.raises(ValueError, match="unsupported segment mode 1100"):
        decode(matrix)


def test_the_png_is_a_png():
    assert qr_png(TOKEN).startswith(b"\x89PNG\r\n\x1a\n")
