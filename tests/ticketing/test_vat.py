"""VAT contained in gross prices: per rate, per line and in total, reconciled to the cent."""
from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import CurrencyMismatch, Money
from ticketing.documents.vat import rate_percent, vat_breakdown


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


def test_seven_percent_of_a_gross_fare_is_computed_on_the_rate_total_and_rounded_half_up():
    result = vat_breakdown([("RBA", eur(299), 700)])  # 299 * 7 / 107 = 19.56
    assert (result.net, result.vat, result.gross) == (eur(279), eur(20), eur(299))


def test_two_rates_give_two_summary_rows_that_add_up_to_the_total():
    result = vat_breakdown([("FAE", eur(181), 1900), ("RBA", eur(299), 700)])
    assert [(r.rate_bp, r.net.minor, r.vat.minor, r.gross.minor) for r in result.rates] == [
        (700, 279, 20, 299),  # 19.56 -> 20
        (1900, 152, 29, 181),  # 181 * 19 / 119 = 28.90 -> 29
    ]
    assert (result.net, result.vat, result.gross) == (eur(431), eur(49), eur(480))
    assert [line.operator_id for line in result.lines] == ["FAE", "RBA"]  # input order


def test_the_tax_is_rounded_once_per_rate_not_once_per_line():
    # 0.50 holds 0.0327 of VAT: rounded per line, 3 x 0.03 = 0.09; on the rate total 1.50 holds 0.0981 -> 0.10.
    result = vat_breakdown([("A", eur(50), 700), ("B", eur(50), 700), ("C", eur(50), 700)])
    assert result.vat == eur(10)
    assert sorted(line.vat.minor for line in result.lines) == [3, 3, 4]
    assert [line.vat.minor for line in result.lines] == [4, 3, 3]  # tie: equal gross, the earlier line wins


def test_an_exact_half_cent_rounds_away_from_zero_and_credit_notes_mirror_sales():
    # 0.15 at 20 % holds 15 * 2000 / 12000 = 2.5 cents of VAT
    assert vat_breakdown([("A", eur(15), 2000)]).vat == eur(3)
    assert vat_breakdown([("A", eur(-15), 2000)]).vat == eur(-3)


def test_a_zero_rate_has_no_tax_and_a_free_ticket_has_none_either():
    assert vat_breakdown([("A", eur(500), 0)]).net == eur(500)
    assert vat_breakdown([("A", eur(0), 700)]).vat == eur(0)


def test_rates_are_printed_as_percent_without_trailing_zeros():
    assert [rate_percent(bp) for bp in (700, 1900, 1950, 0, 1234)] == ["7", "19", "19.5", "0", "12.34"]


def test_no_lines_mixed_currencies_and_negative_rates_are_refused():
    with pytest.raises(ValueError):
        vat_breakdown([])
    with pytest.raises(CurrencyMismatch):
        vat_breakdown([("A", eur(100), 700), ("B", Money(100, "CHF"), 700)])
    with pytest.raises(ValueError, match="basis points"):
        vat_breakdown([("A", eur(100), -700)])


lines_strategy = st.lists(
    st.tuples(st.sampled_from(["RBA", "SWA", "BVB", "TAL", "FAE"]), st.integers(-10**9, 10**9),
              st.sampled_from([0, 500, 700, 1000, 1900, 2000, 2500]) | st.integers(0, 100_000)),
    min_size=1, max_size=12,
)


@given(lines_strategy)
def test_net_plus_vat_is_gross_per_line_per_rate_and_in_total(raw):
    result = vat_breakdown([(op, eur(gross), rate) for op, gross, rate in raw])
    for line, (op, gross, rate) in zip(result.lines, raw, strict=True):
        assert (line.operator_id, line.gross.minor, line.rate_bp) == (op, gross, rate)
        assert line.net.minor + line.vat.minor == gross
    for total in result.rates:
        members = [line for line in result.lines if line.rate_bp == total.rate_bp]
        assert total.gross.minor == sum(line.gross.minor for line in members)
        assert total.net.minor + total.vat.minor == total.gross.minor
        assert total.vat.minor == sum(line.vat.minor for line in members)
        assert total.net.minor == sum(line.net.minor for line in members)
    assert [r.rate_bp for r in result.rates] == sorted({rate for _, _, rate in raw})
    assert result.net.minor + result.vat.minor == result.gross.minor == sum(gross for _, gross, _ in raw)
    assert result.vat.minor == sum(r.vat.minor for r in result.rates)


@given(lines_strategy)
def test_each_rate_tax_is_the_exact_tax_rounded_and_each_line_within_one_cent(raw):
    result = vat_breakdown([(op, eur(gross), rate) for op, gross, rate in raw])
    for total in result.rates:
        exact = Fraction(total.gross.minor * total.rate_bp, 10_000 + total.rate_bp)
        assert abs(total.vat.minor - exact) <= Fraction(1, 2)
    for line in result.lines:
        exact = Fraction(line.gross.minor * line.rate_bp, 10_000 + line.rate_bp)
        assert abs(line.vat.minor - exact) < 1


@given(lines_strategy)
def test_a_credit_note_is_the_exact_mirror_of_the_sale(raw):
    sale = vat_breakdown([(op, eur(gross), rate) for op, gross, rate in raw])
    credit = vat_breakdown([(op, eur(-gross), rate) for op, gross, rate in raw])
    assert [r.vat.minor for r in credit.rates] == [-r.vat.minor for r in sale.rates]
    assert [line.vat.minor for line in credit.lines] == [-line.vat.minor for line in sale.lines]
    assert credit.vat.minor == -sale.vat.minor
