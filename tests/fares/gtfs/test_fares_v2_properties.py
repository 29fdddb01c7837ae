"""Properties of FaresV2Engine.price over generated tariffs and journeys (hypothesis).

* the products bought add up to the total, and so do the operators' shares;
* when transfer rules only give discounts (type 0 free, type 1 with a product
  of zero or less), the total never exceeds the legs' standalone fares;
* a journey has a total exactly when every leg has a fare, and then every leg is in some product.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import Money
from fares.gtfs.basics import Agency, FeedBasics, GtfsRoute, GtfsStop, ServiceCalendar
from fares.gtfs.fares_v2 import FaresV2, FaresV2Engine
from fares.gtfs.fares_v2.model import FareLegRule, FareTransferRule, ProductRow
from fares.price import ItineraryLeg

AREAS = ("a0", "a1", "a2")
NETWORKS = ("bus", "tram")
GROUPS = ("g1", "g2", None)
BASICS = FeedBasics(
    agencies={"ag1": Agency("ag1", "Bus", "UTC"), "ag2": Agency("ag2", "Tram", "UTC")},
    stops={f"s{i}": GtfsStop(f"s{i}", f"Stop {i}", None, None, None, None, 0, None) for i in range(len(AREAS))},
    routes={"bus": GtfsRoute("bus", "ag1", "B", "", 3, "bus"), "tram": GtfsRoute("tram", "ag2", "T", "", 0, "tram")},
    timezone="UTC",
    services=ServiceCalendar(),
)
START = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)

leg_fares = st.lists(st.tuples(st.sampled_from(NETWORKS), st.sampled_from(AREAS), st.sampled_from(AREAS),
                               st.integers(0, 900), st.sampled_from(GROUPS)), max_size=14)
transfer_rules = st.lists(st.tuples(
    st.sampled_from(GROUPS), st.sampled_from(GROUPS), st.sampled_from([-1, 1, 2]),
    st.one_of(st.none(), st.tuples(st.integers(600, 7200), st.integers(0, 3))),
    st.sampled_from([0, 1]), st.one_of(st.none(), st.integers(-300, 0))), max_size=6)
journeys = st.lists(st.tuples(st.sampled_from(NETWORKS), st.integers(0, len(AREAS) - 1),
                              st.integers(0, len(AREAS) - 1), st.integers(5, 40), st.integers(0, 30)),
                    min_size=1, max_size=4)


def build(fares: list[tuple[str, str, str, int, str | None]],
          transfers: list[tuple[str | None, str | None, int, tuple[int, int] | None, int, int | None]],
          with_priority: bool) -> FaresV2Engine:
    products: dict[str, tuple[ProductRow, ...]] = {}
    leg_rules = []
    seen = set()
    for line, (network, from_area, to_area, amount, group) in enumerate(fares, start=2):
        if (network, from_area, to_area) in seen:
            continue
        seen.add((network, from_area, to_area))
        products[f"p{line}"] = (ProductRow(f"p{line}", None, None, None, amount, line),)
        leg_rules.append(FareLegRule(group, network, from_area, to_area, None, None, f"p{line}", 0, line))
    transfer_list = []
    for line, (from_group, to_group, count, limit, kind, amount) in enumerate(transfers, start=2):
        kind_amount = 0 if kind == 0 else amount  # type 0 transfers are free, type 1 ones give a discount
        product_id = f"t{line}" if kind_amount is not None else None
        if product_id is not None:
            products[product_id] = (ProductRow(product_id, None, None, None, kind_amount, 100 + line),)
        transfer_list.append(FareTransferRule(
            from_group, to_group, count if from_group == to_group else None, limit[0] if limit else None,
            limit[1] if limit else None, kind, product_id, line))
    fares_v2 = FaresV2(currency="EUR", products=products, areas=dict.fromkeys(AREAS),
                       stop_areas={f"s{i}": frozenset({area}) for i, area in enumerate(AREAS)},
                       route_networks={"bus": "bus", "tram": "tram"}, leg_rules=tuple(leg_rules),
                       rule_priority=with_priority, transfer_rules=tuple(transfer_list))
    return FaresV2Engine(fares_v2, BASICS)


def itinerary(journey: list[tuple[str, int, int, int, int]]) -> list[ItineraryLeg]:
    legs, now = [], START
    for route, origin, destination, ride, wait in journey:
        legs.append(ItineraryLeg(route, f"s{origin}", f"s{destination}", now, now + timedelta(minutes=ride)))
        now += timedelta(minutes=ride + wait)
    return legs


@settings(max_examples=300, deadline=None)
@given(leg_fares, transfer_rules, st.booleans(), journeys)
def test_shares_and_products_add_up_and_discounts_never_raise_the_total(
        fares: list[tuple[str, str, str, int, str | None]],
        transfers: list[tuple[str | None, str | None, int, tuple[int, int] | None, int, int | None]],
        with_priority: bool, journey: list[tuple[str, int, int, int, int]]) -> None:
    price = build(fares, transfers, with_priority).price(itinerary(journey))
    assert (price.total is None) == any(leg.standalone is None for leg in price.legs)
    if price.total is None:
        assert price.unpriced_legs and price.products == () and price.operators == ()
        return
    zero = Money.zero("EUR")
    assert sum((p.amount for p in price.products), zero) == price.total
    assert sum((o.amount for o in price.operators), zero) == price.total
    standalone = sum((leg.standalone for leg in price.legs if leg.standalone is not None), zero)
    assert price.total <= standalone
    assert sorted({i for p in price.products for i in p.leg_indexes}) == list(range(len(journey)))
