"""Daily and weekly caps (``apply_caps``) and passes, as data the tariff exposes."""
from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import CurrencyMismatch, Money
from fares.native.v2 import Cap, CappedCharge, Charge, Pass, apply_caps, load_native_v2, service_date
from fares.native.v2.scope import Scope

BERLIN = ZoneInfo("Europe/Berlin")
DAY_START = 4 * 3600 + 30 * 60  # 04:30
EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "verbund_full.json"


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def cap(cap_id: str, period: str, amount: str, operators: set[str] | None = None) -> Cap:
    return Cap(cap_id, cap_id, period, eur(amount), frozenset(operators) if operators else None,
               timezone="Europe/Berlin", service_day_start_s=DAY_START)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """March 2026: the 2nd is a Monday."""
    return datetime(2026, 3, day, hour, minute, tzinfo=BERLIN)


def charged(results: tuple[CappedCharge, ...]) -> list[str]:
    return [r.charged.format() for r in results]


# --- service days -------------------------------------------------------------------------


def test_a_service_day_starts_at_its_boundary_in_local_time():
    assert service_date(at(3, 4, 29), "Europe/Berlin", DAY_START) == date(2026, 3, 2)
    assert service_date(at(3, 4, 30), "Europe/Berlin", DAY_START) == date(2026, 3, 3)
    # 03:00 UTC is 04:00 in Berlin: still the day before
    assert service_date(datetime(2026, 3, 3, 3, 0, tzinfo=UTC), "Europe/Berlin", DAY_START) == date(2026, 3, 2)
    assert service_date(datetime(2026, 3, 3, 3, 0), "Europe/Berlin", DAY_START) == date(2026, 3, 2)  # naive: local


# --- daily caps ---------------------------------------------------------------------------


def test_a_day_cap_charges_the_rest_then_nothing_until_the_next_service_day():
    charges = [
        Charge(at(3, 7), eur("3.00"), "TAL"),
        Charge(at(3, 12), eur("3.00"), "RBA"),
        Charge(at(3, 18), eur("3.00"), "TAL"),
        Charge(at(4, 2), eur("3.00"), "TAL"),  # 02:00 Wednesday still belongs to Tuesday
        Charge(at(4, 5), eur("3.00"), "TAL"),  # Wednesday
    ]

    results = apply_caps(charges, [cap("day", "day", "8.00")])

    assert charged(results) == ["3.00", "3.00", "2.00", "0.00", "3.00"]
    assert [r.capped_by for r in results] == [(), (), ("day",), ("day",), ()]
    assert results[2].waived == eur("1.00")
    assert results[2].amount == eur("3.00")


def test_charges_are_taken_in_time_order_and_returned_in_input_order():
    charges = [(at(3, 18), eur("5.00"), "TAL"), (at(3, 7), eur("5.00"), "TAL")]

    results = apply_caps(charges, [cap("day", "day", "8.00")])

    assert [(r.time.hour, r.charged.format()) for r in results] == [(18, "3.00"), (7, "5.00")]


def test_a_week_cap_runs_monday_to_sunday_of_service_days():
    charges = [Charge(at(day, 8), eur("5.00"), "TAL") for day in range(2, 9)]  # Mon 2nd .. Sun 8th
    charges.append(Charge(at(9, 3), eur("5.00"), "TAL"))  # Monday 03:00: still Sunday's service day
    charges.append(Charge(at(9, 8), eur("5.00"), "TAL"))  # Monday: a new week

    results = apply_caps(charges, [cap("week", "week", "20.00")])

    assert charged(results) == ["5.00", "5.00", "5.00", "5.00", "0.00", "0.00", "0.00", "0.00", "5.00"]


def test_the_tightest_of_several_caps_applies_and_all_of_them_fill():
    charges = [Charge(at(day, hour), eur("4.00"), "TAL") for day in (2, 3, 4) for hour in (8, 12, 17)]

    results = apply_caps(charges, [cap("day", "day", "10.00"), cap("week", "week", "25.00")])

    # Monday 4 + 4 + 2 (day cap), Tuesday 4 + 4 + 2, Wednesday 4 + 1 (week cap: 25 - 20) + 0
    assert charged(results) == ["4.00", "4.00", "2.00", "4.00", "4.00", "2.00", "4.00", "1.00", "0.00"]
    assert [r.capped_by for r in results][5:] == [("day",), (), ("week",), ("week",)]


def test_an_operator_cap_counts_and_caps_only_that_operator():
    charges = [Charge(at(3, 8), eur("3.00"), "SWA"), Charge(at(3, 9), eur("3.00"), "TAL"),
               Charge(at(3, 10), eur("3.00"), "SWA")]

    results = apply_caps(charges, [cap("swa", "day", "5.00", {"SWA"})])

    assert charged(results) == ["3.00", "3.00", "2.00"]


def test_caps_refuse_negative_charges_and_other_currencies():
    with pytest.raises(ValueError):
        apply_caps([Charge(at(3, 8), eur("-1.00"))], [cap("day", "day", "8.00")])
    with pytest.raises(CurrencyMismatch):
        apply_caps([Charge(at(3, 8), Money(100, "BRL"))], [cap("day", "day", "8.00")])


def test_without_caps_every_charge_is_due_in_full():
    charges = [Charge(at(3, 8), eur("3.00")), Charge(at(3, 9), eur("7.00"))]

    assert charged(apply_caps(charges, [])) == ["3.00", "7.00"]


CHARGES = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=21 * 24 * 60 - 1),  # minutes into three weeks from Monday 2 March
        st.integers(min_value=0, max_value=900),
        st.sampled_from(["TAL", "SWA", "RBA"]),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(CHARGES)
def test_capped_totals_never_exceed_a_cap_nor_the_uncapped_sum(raw):
    caps = [cap("day", "day", "8.00"), cap("week", "week", "30.00"), cap("swa", "day", "5.00", {"SWA"})]
    charges = [Charge(at(2, 0) + timedelta(minutes=m), Money(a, "EUR"), op) for m, a, op in raw]

    results = apply_caps(charges, caps)

    assert len(results) == len(charges)
    assert all(0 <= r.charged.minor <= r.amount.minor for r in results)
    assert sum(r.charged.minor for r in results) <= sum(c.amount.minor for c in charges)
    for one in caps:
        per_period: dict[date, int] = defaultdict(int)
        for result in results:
            if one.counts(result.operator_id):
                per_period[one.period_of(result.time)] += result.charged.minor
        assert all(total <= one.amount.minor for total in per_period.values())


@settings(max_examples=150, deadline=None)
@given(CHARGES)
def test_with_one_day_cap_each_day_pays_exactly_the_lesser_of_its_sum_and_the_cap(raw):
    day_cap = cap("day", "day", "8.00")
    charges = [Charge(at(2, 0) + timedelta(minutes=m), Money(a, "EUR"), op) for m, a, op in raw]

    results = apply_caps(charges, [day_cap])

    paid: dict[date, int] = defaultdict(int)
    due: dict[date, int] = defaultdict(int)
    for result in results:
        paid[day_cap.period_of(result.time)] += result.charged.minor
        due[day_cap.period_of(result.time)] += result.amount.minor
    assert paid == {day: min(amount, 800) for day, amount in due.items()}


# --- passes -------------------------------------------------------------------------------


def a_pass(period: str, calendar: bool, **extra) -> Pass:
    return Pass("p", "p", period, calendar, eur("7.50"), timezone="Europe/Berlin", service_day_start_s=DAY_START,
                **extra)


@pytest.mark.parametrize(("period", "calendar", "first_use", "until"), [
    ("day", True, at(3, 10), at(4, 4, 30)),
    ("day", True, at(4, 2), at(4, 4, 30)),  # 02:00 Wednesday is still Tuesday's service day
    ("week", True, at(4, 10), at(9, 4, 30)),  # Wednesday -> the next Monday's service day
    ("month", True, at(31, 10), datetime(2026, 4, 1, 4, 30, tzinfo=BERLIN)),
    ("month", True, datetime(2026, 12, 15, 9, tzinfo=BERLIN), datetime(2027, 1, 1, 4, 30, tzinfo=BERLIN)),
    ("day", False, at(3, 10), at(4, 10)),
    ("week", False, at(3, 10), at(10, 10)),
    ("month", False, datetime(2026, 1, 31, 10, tzinfo=BERLIN), datetime(2026, 2, 28, 10, tzinfo=BERLIN)),
])
def test_pass_validity(period, calendar, first_use, until):
    assert a_pass(period, calendar).valid_until(first_use) == until


def test_a_zonal_operator_pass_covers_rides_in_its_scope_and_zones_only():
    city = a_pass("day", True, scope=Scope(operators=frozenset({"TAL", "BVB"})), zones=frozenset({"1", "2"}))

    assert city.covers("TAL", "T1", "tram", ["1", "2"])
    assert not city.covers("TAL", "T1", "tram", ["1", "3"])
    assert not city.covers("TAL", "T1", "tram", [])
    assert not city.covers("RBA", "R", "rail", ["1"])
    assert a_pass("week", False).covers("RBA", "R", "rail")


def test_the_example_tariff_exposes_caps_and_passes_per_rider_category():
    model = load_native_v2(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE.name)

    assert [c.id for c in model.caps_for(None)] == ["day-cap", "week-cap", "swa-day-cap"]
    assert [c.id for c in model.caps_for("child")] == ["week-cap", "child-day-cap", "swa-day-cap"]
    day_cap = model.caps[0]
    assert (day_cap.amount, day_cap.timezone, day_cap.service_day_start_s) == (eur("8.00"), "Europe/Berlin",
                                                                              DAY_START)
    assert model.caps[3].operators == {"SWA"}
    assert [p.id for p in model.passes_for(None)] == ["city-day", "network-7days", "city-month"]
    assert [p.id for p in model.passes_for("child")] == ["city-day", "network-7days"]
    city_day = model.passes[0]
    assert (city_day.period, city_day.calendar, city_day.amount, city_day.zones) == ("day", True, eur("7.50"),
                                                                                     {"1", "2"})
    assert city_day.valid_until(at(3, 10)) == at(4, 4, 30)
