"""Properties of Fares v1 pricing on random itineraries over a small one-agency feed.

    stops  A, B zone 1 | C zone 2 | D zone 3
    BUS1   A - B - C (both ways)    BUS2  C - D (both ways)    RAIL1  A - C - D (both ways)
    single 2.00  transfers 0, BUS1 or BUS2
    busday 5.00  unlimited transfers, BUS1 or BUS2
    rail   3.10  transfers 0, RAIL1
    zone12 2.40  1 transfer within 1800 s, zone 1 to 2 or 2 to 1
    c23    1.70  2 transfers within 3600 s, passing exactly zones 2 and 3
"""
from __future__ import annotations

from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fares.gtfs.basics import load_basics
from fares.gtfs.fares_v1 import FaresV1Engine, load_fares_v1
from fares.gtfs.fares_v1.matching import covering_fares
from fares.gtfs.reader import read_feed
from fares.network import Network, Pattern, Route, Stop
from fares.price import ItineraryLeg
from fares.validation import Problems

FEED = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nVB,Verbund,https://vb.example,Europe/Berlin\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon,zone_id\nA,A,50,8,1\nB,B,50,8,1\nC,C,50,8,2\nD,D,50,8,3\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_type\nBUS1,VB,1,3\nBUS2,VB,2,3\nRAIL1,VB,R1,2\n",
    "fare_attributes.txt": "fare_id,price,currency_type,payment_method,transfers,transfer_duration\n"
                           "single,2.00,EUR,0,0,\nbusday,5.00,EUR,0,,\nrail,3.10,EUR,0,0,\n"
                           "zone12,2.40,EUR,1,1,1800\nc23,1.70,EUR,1,2,3600\n",
    "fare_rules.txt": "fare_id,route_id,origin_id,destination_id,contains_id\n"
                      "single,BUS1,,,\nsingle,BUS2,,,\nbusday,BUS1,,,\nbusday,BUS2,,,\nrail,RAIL1,,,\n"
                      "zone12,,1,2,\nzone12,,2,1,\nc23,,,,2\nc23,,,,3\n",
}


def network() -> Network:
    lines = {"BUS1": ("A", "B", "C"), "BUS2": ("C", "D"), "RAIL1": ("A", "C", "D")}
    routes = {
        rid: Route(rid, "VB", rid, "bus", 600, 0, 86_000, patterns=(
            Pattern(rid, 0, stops, tuple(range(0, 60 * len(stops), 60))),
            Pattern(rid, 1, stops[::-1], tuple(range(0, 60 * len(stops), 60))),
        ))
        for rid, stops in lines.items()
    }
    return Network({sid: Stop(sid, sid, 50.0, 8.0) for sid in "ABCD"}, routes)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> FaresV1Engine:
    folder: Path = tmp_path_factory.mktemp("feed")
    for name, text in FEED.items():
        (folder / name).write_text(text, encoding="utf-8")
    problems = Problems()
    raw = read_feed(folder, problems=problems)
    basics = load_basics(raw, problems)
    data = load_fares_v1(raw, basics, problems)
    assert problems.items == [] and data is not None
    return FaresV1Engine(data, basics, network())


START = datetime(2024, 5, 6, 8, 0, tzinfo=ZoneInfo("Europe/Berlin"))
leg_parts = st.tuples(st.sampled_from(["BUS1", "BUS2", "RAIL1", "TRAM"]), st.sampled_from("ABCD"),
                      st.sampled_from("ABCD"), st.one_of(st.none(), st.integers(0, 45)))


@st.composite
def itineraries(draw: st.DrawFn) -> list[ItineraryLeg]:
    legs, now = [], START
    for route_id, from_stop, to_stop, gap in draw(st.lists(leg_parts, max_size=6)):
        now += timedelta(minutes=gap or 0)
        legs.append(ItineraryLeg(route_id, from_stop, to_stop, None if gap is None else now))
    return legs


def brute_force(engine: FaresV1Engine, legs: list[ItineraryLeg]) -> tuple[int, int]:
    """(unpriced legs, cost of the rest) of the best of all 2**(n-1) partitions."""
    groups = engine.groups(legs, [engine.leg_zones(leg) for leg in legs])
    best: tuple[int, int] | None = None
    for cuts_count in range(len(legs)):
        for cuts in combinations(range(1, len(legs)), cuts_count):
            bounds = (0, *cuts, len(legs))
            unpriced, cost = 0, 0
            for start, end in zip(bounds, bounds[1:], strict=False):
                group = groups.get((start, end))
                fares = covering_fares(engine.data, group) if group is not None else []
                if fares:
                    cost += fares[0].price.minor
                elif end - start == 1:
                    unpriced += 1
                else:
                    break
            else:
                if best is None or (unpriced, cost) < best:
                    best = (unpriced, cost)
    return best or (0, 0)


@settings(max_examples=300, deadline=None)
@given(legs=itineraries())
def test_operator_amounts_add_up_to_the_total(engine: FaresV1Engine, legs: list[ItineraryLeg]) -> None:
    price = engine.price(legs)
    if price.total is not None:
        assert sum(op.amount.minor for op in price.operators) == price.total.minor
        assert sum(p.amount.minor for p in price.products) == price.total.minor


@settings(max_examples=300, deadline=None)
@given(legs=itineraries())
def test_the_cover_never_costs_more_than_every_leg_alone(engine: FaresV1Engine, legs: list[ItineraryLeg]) -> None:
    price = engine.price(legs)
    standalone = [leg.standalone for leg in price.legs]
    if all(s is not None for s in standalone):
        assert price.total is not None
        assert price.total.minor <= sum(s.minor for s in standalone if s is not None)


@settings(max_examples=300, deadline=None)
@given(legs=itineraries())
def test_the_cover_is_as_cheap_as_the_best_of_all_partitions(engine: FaresV1Engine,
                                                              legs: list[ItineraryLeg]) -> None:
    price = engine.price(legs)
    assert (len(price.unpriced_legs), sum(p.amount.minor for p in price.products)) == brute_force(engine, legs)
    covered = sorted([i for p in price.products for i in p.leg_indexes] + list(price.unpriced_legs))
    assert covered == list(range(len(legs)))
