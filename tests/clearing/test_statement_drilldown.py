"""The items behind a statement's figures (a day, a product) add up to those figures, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from clearing.models import Settlement
from clearing.statements.data import statement_of
from clearing.statements.drilldown import figure_of, open_periods
from core.errors import ValidationFailed
from tests.clearing.test_statements import march_sales, settled


def _rba(demo):
    march_sales(demo)
    return settled(demo)["RBA"].id


def test_every_day_of_the_statement_is_the_sum_of_its_items(demo):
    settlement_id = _rba(demo)
    with demo.session_factory() as session:
        settlement = session.get(Settlement, settlement_id)
        statement = statement_of(session, settlement)
        for day in statement.by_day:
            figure = figure_of(session, settlement, day=day.key)
            assert figure.share_minor == day.net_minor
            assert {item.day for item in figure.items} == {day.key}
        assert figure_of(session, settlement, day="2026-03-01").items == ()


def test_a_product_lists_its_sales_and_refunds_with_the_legs_that_weighted_the_split(demo):
    settlement_id = _rba(demo)
    with demo.session_factory() as session:
        settlement = session.get(Settlement, settlement_id)
        figure = figure_of(session, settlement, product="single ticket, adult")
    assert [(item.kind, item.share_minor) for item in figure.items] == [("sale", 405), ("refund", -242)]
    assert figure.share_minor == 163
    sale = figure.items[0]
    assert sale.sale_amount_minor == 837 and sale.method == "standalone_fares"
    assert [(leg.operator_id, leg.standalone_minor) for leg in sale.legs] == [("RBA", 450), ("SWA", 480)]
    assert figure.items[1].legs == sale.legs  # a refund shows the legs of the sale it refunds


def test_the_whole_settlement_is_its_total_and_pages_keep_the_count(demo):
    settlement_id = _rba(demo)
    with demo.session_factory() as session:
        settlement = session.get(Settlement, settlement_id)
        everything = figure_of(session, settlement)
        assert everything.share_minor == settlement.total_minor == 463
        second = figure_of(session, settlement, page=2, page_size=2)
    assert everything.count == 3 and second.count == 3
    assert (second.page, second.pages, len(second.items)) == (2, 2, 1)


def test_another_operators_settlement_shows_only_its_own_shares(demo):
    march_sales(demo)
    swa = settled(demo)["SWA"]
    with demo.session_factory() as session:
        figure = figure_of(session, session.get(Settlement, swa.id))
    assert figure.share_minor == swa.total_minor
    assert all(item.share_minor != 405 for item in figure.items)


def test_a_malformed_day_is_a_validation_error(demo):
    settlement_id = _rba(demo)
    with demo.session_factory() as session, pytest.raises(ValidationFailed):
        figure_of(session, session.get(Settlement, settlement_id), day="14.03.2026")


def test_open_periods_hold_what_no_settlement_took_yet(demo):
    march_sales(demo)
    with demo.session_factory() as session:
        before = open_periods(session, "RBA")
    assert [(p.period, p.currency, p.items, p.share_minor) for p in before] == [("2026-03", "EUR", 3, 463)]
    settled(demo)
    with demo.session_factory() as session:
        assert open_periods(session, "RBA") == ()
