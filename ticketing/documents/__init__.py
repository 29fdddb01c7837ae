"""Ticket documents: the printable ticket with its QR code, and the receipt with VAT per rate.

``ticket.py`` and ``receipt.py`` read the stored rows into frozen dataclasses;
``ticket_pdf.py`` and ``receipt_pdf.py`` render those, and know no database;
``vat.py`` and ``qr.py`` are pure.
"""
