"""The CSV statement.

The first eight columns and the per-share lines are as before (operator_id,
period, sale_id, sale_date, sale_period, sale_amount, share, currency; refunds
are lines with negative amounts) and the last line is still
``<op>,<period>,TOTAL,,,,<net total>,<currency>``. Summary lines come between
them; their ``sale_id`` column names the kind and ``sale_date`` the key:
``PRODUCT,<label>`` and ``DAY,<YYYY-MM-DD>`` (share = net of refunds, sale_amount
= number of sales), then ``REFUNDS``, ``COMMISSION`` and ``CLEARING_FEES``.
"""
from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable

from clearing.statements.data import Statement, StatementItem
from core.money import Money

HEADER = ["operator_id", "period", "sale_id", "sale_date", "sale_period", "sale_amount", "share", "currency"]


def render_statement_csv(statement: Statement, items: Iterable[StatementItem]) -> str:
    """``items``: the settlement's shares in order (``statement_items``); the summaries come from ``statement``."""
    cur = statement.currency

    @functools.lru_cache(maxsize=65_536)  # a statement repeats the same few hundred amounts
    def fmt(minor: int) -> str:
        return Money(minor, cur).format()

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    head = [statement.operator_id, statement.period]
    for item in items:
        writer.writerow([*head, item.sale_id, item.day, item.sale_period, fmt(item.sale_amount_minor),
                         fmt(item.share_minor), cur])
    for kind, groups in (("PRODUCT", statement.by_product), ("DAY", statement.by_day)):
        for group in groups:
            writer.writerow([*head, kind, group.key, "", group.sales_count, fmt(group.net_minor), cur])
    writer.writerow([*head, "REFUNDS", "", "", "", fmt(statement.refunds_minor), cur])
    writer.writerow([*head, "COMMISSION", "", "", "", fmt(statement.commission_minor), cur])
    writer.writerow([*head, "CLEARING_FEES", "", "", "", fmt(statement.clearing_fees_minor), cur])
    writer.writerow([*head, "TOTAL", "", "", "", fmt(statement.total_minor), cur])
    return out.getvalue()
