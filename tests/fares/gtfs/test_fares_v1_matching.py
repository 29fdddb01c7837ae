"""The Fares v1 predicates, one per GTFS column, and the index lookup, on hand-built fares."""
from __future__ import annotations

from datetime import timedelta

from core.money import Money
from fares.gtfs.fares_v1 import Fare, FareAttribute, FareRule, FaresV1
from fares.gtfs.fares_v1.matching import (
    Group,
    candidates,
    covering_fares,
    matched_rules,
    matches_agency,
    matches_contains,
    matches_origin_destination,
    matches_routes,
    matches_transfer_duration,
    matches_transfers,
)


def fare(fare_id: str = "f", *rules: tuple[str, str, str, str], price: int = 200, transfers: int | None = None,
         agency_id: str | None = None, duration: int | None = None) -> Fare:
    """``rules``: (route_id, origin_id, destination_id, contains_id) rows, "" for empty."""
    attribute = FareAttribute(fare_id, Money(price, "EUR"), 0, transfers, agency_id, duration, 2)
    return Fare.gather(attribute, [FareRule(fare_id, *(value or None for value in row), line=10 + i)
                                   for i, row in enumerate(rules)])


def group(routes: tuple[str, ...] = ("R1",), origin: str | None = "1", destination: str | None = "2",
          zones: tuple[str, ...] = ("1", "2"), transfers: int = 0, elapsed_s: int | None = 0,
          agencies: tuple[str, ...] = ("AG",)) -> Group:
    return Group(frozenset(routes), frozenset(agencies), origin, destination, frozenset(zones), transfers,
                 None if elapsed_s is None else timedelta(seconds=elapsed_s))


def test_route_rules_need_every_route_of_the_group() -> None:
    both = fare("f", ("R1", "", "", ""), ("R2", "", "", ""))
    assert matches_routes(group(routes=("R1", "R2")), both)
    assert matches_routes(group(routes=("R2",)), both)
    assert not matches_routes(group(routes=("R1", "R3")), both)
    assert matches_routes(group(routes=("R3",)), fare("f"))


def test_origin_destination_pairs_with_empty_sides() -> None:
    pair = fare("f", ("", "1", "2", ""))
    assert matches_origin_destination(group(origin="1", destination="2"), pair)
    assert not matches_origin_destination(group(origin="2", destination="1"), pair)
    from1 = fare("f", ("", "1", "", ""))
    assert matches_origin_destination(group(origin="1", destination="9"), from1)
    assert not matches_origin_destination(group(origin=None, destination="9"), from1)
    to2 = fare("f", ("", "", "2", ""))
    assert matches_origin_destination(group(origin=None, destination="2"), to2)
    assert matches_origin_destination(group(origin="7", destination=None), fare("f", ("R1", "", "", "")))


def test_contains_is_an_exact_set() -> None:
    c12 = fare("f", ("", "", "", "1"), ("", "", "", "2"))
    assert matches_contains(group(zones=("1", "2")), c12)
    assert not matches_contains(group(zones=("1",)), c12)
    assert not matches_contains(group(zones=("1", "2", "3")), c12)
    assert matches_contains(group(zones=("5",)), fare("f"))


def test_agency_must_run_every_route_of_the_group() -> None:
    ag = fare("f", agency_id="AG")
    assert matches_agency(group(agencies=("AG",)), ag)
    assert not matches_agency(group(agencies=("AG", "OTHER")), ag)
    assert matches_agency(group(agencies=("AG", "OTHER")), fare("f"))


def test_transfers_zero_one_two_and_unlimited() -> None:
    assert matches_transfers(group(transfers=2), fare("f", transfers=2))
    assert not matches_transfers(group(transfers=2), fare("f", transfers=1))
    assert not matches_transfers(group(transfers=1), fare("f", transfers=0))
    assert matches_transfers(group(transfers=7), fare("f", transfers=None))


def test_transfer_duration_is_inclusive_and_needs_known_times() -> None:
    timed = fare("f", duration=600)
    assert matches_transfer_duration(group(transfers=1, elapsed_s=600), timed)
    assert not matches_transfer_duration(group(transfers=1, elapsed_s=601), timed)
    assert not matches_transfer_duration(group(transfers=1, elapsed_s=None), timed)
    assert matches_transfer_duration(group(transfers=0, elapsed_s=None), timed)


def test_candidates_come_from_the_route_and_origin_destination_indexes() -> None:
    data = FaresV1.index("EUR", [
        fare("r1", ("R1", "", "", "")),
        fare("r12", ("R1", "", "", ""), ("R2", "", "", "")),
        fare("od", ("", "1", "2", "")),
        fare("from1", ("", "1", "", "")),
        fare("free"),
    ])
    assert candidates(data, group(routes=("R1",), origin="1", destination="2")) == {"r1", "r12", "od", "from1", "free"}
    assert candidates(data, group(routes=("R1", "R2"), origin="1", destination="3")) == {"r12", "from1", "free"}
    assert candidates(data, group(routes=("R3",), origin="2", destination="1")) == {"free"}


def test_covering_fares_are_cheapest_first_then_by_fare_id() -> None:
    data = FaresV1.index("EUR", [fare("b", price=200), fare("c", price=150), fare("a", price=200),
                                 fare("x", ("R9", "", "", ""), price=1)])
    assert [f.id for f in covering_fares(data, group())] == ["c", "a", "b"]


def test_matched_rules_name_the_rows_that_took_part() -> None:
    f = fare("f", ("R1", "", "", ""), ("R2", "", "", ""), ("", "1", "2", ""), ("", "3", "4", ""))
    assert matched_rules(group(routes=("R1",), origin="1", destination="2"), f) == (
        "fare_rules.txt:10 fare_id=f route_id=R1",
        "fare_rules.txt:12 fare_id=f origin_id=1 destination_id=2",
    )
