from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import CurrencyMismatch, Money, split_minor


def test_parse_and_format_round_trip():
    assert Money.parse("8.37", "BRL") == Money(837, "BRL")
    assert Money(837, "BRL").format() == "8.37"
    assert Money(5, "EUR").format() == "0.05"
    assert Money(-120, "EUR").format() == "-1.20"
    assert Money.parse("500", "JPY").format() == "500"


def test_parse_refuses_fractions_of_a_cent_and_junk():
    with pytest.raises(ValueError):
        Money.parse("1.005", "EUR")
    with pytest.raises(ValueError):
        Money.parse("abc", "EUR")
    with pytest.raises(ValueError):
        Money.parse("NaN", "EUR")


def test_money_refuses_floats_and_mixed_currencies():
    with pytest.raises(TypeError):
        Money(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(CurrencyMismatch):
        Money(1, "EUR") + Money(1, "USD")
    with pytest.raises(TypeError):
        Money(1, "EUR") * 2


def test_scale_rounds_half_up_to_the_cent():
    assert Money(355, "EUR").scale(Fraction(1, 2)) == Money(178, "EUR")
    assert Money(290, "EUR").scale(Fraction(3, 4)) == Money(218, "EUR")


def test_split_gives_leftover_cents_to_largest_remainders():
    assert split_minor(100, [1, 1, 1]) == [34, 33, 33]
    assert split_minor(710, [160, 390, 160]) == [160, 390, 160]
    assert split_minor(10, [3, 3]) == [5, 5]


def test_split_tie_break_prefers_larger_weight_then_earlier_position():
    # exact shares 3.33.., 3.33.., 3.33.. (equal remainders, equal weights): earliest wins
    assert split_minor(10, [1, 1, 1]) == [4, 3, 3]
    # 7 * 2/5 = 2.8 and 7 * 3/5 = 4.2: the larger remainder (0.8) wins
    assert split_minor(7, [2, 3]) == [3, 4]
    # equal remainders (0.5 each) but different weights: the larger weight wins
    # 2 * 1/4 = 0.5 and 2 * 3/4 = 1.5: equal remainders, the larger weight wins
    assert split_minor(2, [1, 3]) == [0, 2]
    assert split_minor(2, [3, 1]) == [2, 0]


def test_split_of_a_negative_amount_mirrors_the_positive_split():
    assert split_minor(-100, [1, 1, 1]) == [-34, -33, -33]


def test_split_with_zero_weights_is_even():
    assert split_minor(5, [0, 0]) == [3, 2]


@given(
    amount=st.integers(min_value=-10**9, max_value=10**9),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12),
)
def test_split_always_adds_up_to_the_amount(amount, weights):
    parts = split_minor(amount, weights)
    assert sum(parts) == amount
    assert len(parts) == len(weights)


@given(
    amount=st.integers(min_value=0, max_value=10**7),
    weights=st.lists(st.integers(min_value=1, max_value=10**5), min_size=1, max_size=8),
)
def test_split_parts_are_within_one_cent_of_the_exact_share(amount, weights):
    total = sum(weights)
    for part, weight in zip(split_minor(amount, weights), weights, strict=True):
        exact = Fraction(amount * weight, total)
        assert exact - 1 < part < exact + 1


@given(
    amount=st.integers(min_value=0, max_value=10**7),
    weights=st.lists(st.integers(min_value=0, max_value=10**5), min_size=1, max_size=8),
)
def test_integer_and_fraction_weights_split_alike(amount, weights):
    assert split_minor(amount, weights) == split_minor(amount, [Fraction(w, 7) for w in weights])
