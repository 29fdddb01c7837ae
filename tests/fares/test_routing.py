"""Journey planning on a small hand-built network, with timed legs.

    BUS1  (OPA)  A1 -5min- A2 -5min- X            both directions, every 10 min 06:00-22:00
    RAIL2 (OPB)  X -4- M -6- B1 -5- B2            one direction, every 30 min 06:15-21:45
    BUS3  (OPA)  B1 -3- C                         one direction, every 15 min 06:05-21:50
    SLOW  (OPC)  A1 -60- C                        one direction, hourly 06:00-21:00
    walk         B2 <-4 min-> C
    ISLAND                                        no service at all

Times are departures from the first stop of a pattern; Monday 2 March 2026.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import networkx as nx
import pytest

from core.errors import NoJourneyFound, NotFound
from fares.graph import (
    BOARDING_PENALTY_S,
    TRANSFER_PENALTY_S,
    build_graph,
    fastest_weight,
    fewest_transfers_weight,
    search_for,
    stop_node,
)
from fares.gtfs.network import TimedPattern
from fares.network import Network, Pattern, Route, Stop, Walk
from fares.routing import MIN_CHANGE_S, journey_legs, plan_journeys


def build_network(rail_first_departure_s: int = 6 * 3600 + 15 * 60) -> Network:
    zones = {"A1": "1", "A2": "1", "X": "2", "M": "2", "B1": "3", "B2": "3", "C": "3", "ISLAND": "1"}
    stops = {sid: Stop(sid, f"Stop {sid}", 50.0, 8.0, zone) for sid, zone in zones.items()}
    routes = {
        "BUS1": Route("BUS1", "OPA", "1", "bus", 600, 6 * 3600, 22 * 3600, patterns=(
            Pattern("BUS1", 0, ("A1", "A2", "X"), (0, 300, 600)),
            Pattern("BUS1", 1, ("X", "A2", "A1"), (0, 300, 600)),
        )),
        "RAIL2": Route("RAIL2", "OPB", "R2", "rail", 1800, rail_first_departure_s, 21 * 3600 + 45 * 60, patterns=(
            Pattern("RAIL2", 0, ("X", "M", "B1", "B2"), (0, 240, 600, 900)),
        )),
        "BUS3": Route("BUS3", "OPA", "3", "bus", 900, 6 * 3600 + 300, 21 * 3600 + 50 * 60, patterns=(
            Pattern("BUS3", 0, ("B1", "C"), (0, 180)),
        )),
        "SLOW": Route("SLOW", "OPC", "S", "bus", 3600, 6 * 3600, 21 * 3600, patterns=(
            Pattern("SLOW", 0, ("A1", "C"), (0, 3600)),
        )),
    }
    return Network(stops, routes, (Walk("B2", "C", 240), Walk("C", "B2", 240)))


NETWORK = build_network()
GRAPH = build_graph(NETWORK)


def at(hour: int, minute: int, second: int = 0, day: int = 2, microsecond: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, microsecond)


def plan(from_stop: str, to_stop: str, when: datetime, network: Network = NETWORK):
    graph = GRAPH if network is NETWORK else build_graph(network)
    return plan_journeys(graph, network, from_stop, to_stop, when)


def timeline(journey) -> list[tuple[str | None, str, str, datetime, datetime]]:
    return [(leg.route_id, leg.from_stop_id, leg.to_stop_id, leg.departure, leg.arrival) for leg in journey.legs]


# --- the graph ----------------------------------------------------------------------


def test_boarding_costs_half_the_headway_plus_the_penalty_and_riding_the_run_time():
    board = GRAPH.edges[stop_node("A1"), ("R", "BUS1", 0, 0)]
    ride = GRAPH.edges[("R", "BUS1", 0, 0), ("R", "BUS1", 0, 1)]
    alight = GRAPH.edges[("R", "BUS1", 0, 1), stop_node("A2")]

    assert BOARDING_PENALTY_S == 60
    assert (board["kind"], board["seconds"]) == ("board", 360)
    assert (ride["kind"], ride["seconds"]) == ("ride", 300)
    assert (alight["kind"], alight["seconds"]) == ("alight", 0)
    assert GRAPH.edges[stop_node("X"), ("R", "RAIL2", 0, 0)]["seconds"] == 960


def test_nobody_boards_at_the_last_stop_or_alights_at_the_first():
    assert not GRAPH.has_edge(stop_node("X"), ("R", "BUS1", 0, 2))
    assert not GRAPH.has_edge(("R", "BUS1", 0, 0), stop_node("A1"))


def test_walks_are_directed_edges_of_their_own_length():
    assert GRAPH.edges[stop_node("B2"), stop_node("C")] == {"kind": "walk", "seconds": 240}
    assert GRAPH.edges[stop_node("C"), stop_node("B2")] == {"kind": "walk", "seconds": 240}


def test_the_fewest_transfers_weight_only_penalises_boarding():
    assert fewest_transfers_weight(None, None, {"kind": "board", "seconds": 360}) == 3960
    assert fewest_transfers_weight(None, None, {"kind": "ride", "seconds": 300}) == 300
    assert fewest_transfers_weight(None, None, {"kind": "walk", "seconds": 240}) == 240


# --- timed legs ---------------------------------------------------------------------


def test_a_direct_ride_leaves_on_the_run_at_the_requested_time():
    (journey,) = plan("A1", "A2", at(7, 0))

    assert journey.criteria == ("fastest", "fewest_transfers")
    (ride,) = journey.legs
    assert ride.mode == "bus"
    assert (ride.operator_id, ride.route_id, ride.route_name) == ("OPA", "BUS1", "1")
    assert ride.stop_ids == ("A1", "A2")
    assert (ride.departure, ride.arrival) == (at(7, 0), at(7, 5))
    assert ride.is_ride
    assert journey.transfers == 0
    assert (journey.departure, journey.arrival) == (at(7, 0), at(7, 5))


def test_a_passenger_one_second_late_waits_for_the_next_run():
    (journey,) = plan("A1", "A2", at(7, 0, 1))

    assert journey.departure == at(7, 10)


def test_a_passenger_half_a_second_late_also_waits_for_the_next_run():
    (journey,) = plan("A1", "A2", at(7, 0, 0, microsecond=500_000))

    assert journey.departure == at(7, 10)


def test_boarding_mid_route_uses_the_stop_offset():
    # runs leave A1 at 07:00 and 07:10; they pass A2 five minutes later
    (journey,) = plan("A2", "X", at(7, 1))

    assert timeline(journey) == [("BUS1", "A2", "X", at(7, 5), at(7, 10))]


def test_the_reverse_direction_has_its_own_pattern():
    (journey,) = plan("X", "A1", at(7, 0))

    assert timeline(journey) == [("BUS1", "X", "A1", at(7, 0), at(7, 10))]
    assert journey.legs[0].stop_ids == ("X", "A2", "A1")


def test_a_transfer_waits_for_the_next_train():
    (journey,) = plan("A1", "B1", at(7, 0))

    assert timeline(journey) == [
        ("BUS1", "A1", "X", at(7, 0), at(7, 10)),
        ("RAIL2", "X", "B1", at(7, 15), at(7, 25)),
    ]
    assert journey.legs[1].stop_ids == ("X", "M", "B1")
    assert journey.transfers == 1


def test_a_train_leaving_one_minute_after_the_bus_arrives_is_missed():
    # trains leave X at :11 and :41; the bus arrives at 07:10 and a change takes two minutes
    assert MIN_CHANGE_S == 120
    network = build_network(rail_first_departure_s=6 * 3600 + 11 * 60)

    (journey,) = plan("A1", "B1", at(7, 0), network)

    assert timeline(journey)[1] == ("RAIL2", "X", "B1", at(7, 41), at(7, 51))


def test_a_train_leaving_exactly_two_minutes_after_the_bus_arrives_is_caught():
    network = build_network(rail_first_departure_s=6 * 3600 + 12 * 60)

    (journey,) = plan("A1", "B1", at(7, 0), network)

    assert timeline(journey)[1] == ("RAIL2", "X", "B1", at(7, 12), at(7, 22))


# --- criteria -----------------------------------------------------------------------


def test_fastest_and_fewest_transfers_can_be_different_journeys():
    fastest, fewest = plan("A1", "C", at(7, 0))

    assert fastest.criteria == ("fastest",)
    assert timeline(fastest) == [
        ("BUS1", "A1", "X", at(7, 0), at(7, 10)),
        ("RAIL2", "X", "B2", at(7, 15), at(7, 30)),
        (None, "B2", "C", at(7, 30), at(7, 34)),
    ]
    assert fastest.transfers == 1
    assert fewest.criteria == ("fewest_transfers",)
    assert timeline(fewest) == [("SLOW", "A1", "C", at(7, 0), at(8, 0))]
    assert fewest.transfers == 0


def test_options_are_sorted_by_arrival_even_when_the_fastest_by_average_arrives_later():
    # SLOW now leaves at :05 and takes 30 min: on average slower (30 min wait + 1 min + 30 min
    # against 51 min), but at 07:03 the fast way misses the 07:15 train and arrives at 08:04
    slow = NETWORK.routes["SLOW"]
    slow = replace(slow, first_departure_s=6 * 3600 + 300,
                   patterns=(replace(slow.patterns[0], offsets_s=(0, 1800)),))
    network = Network(NETWORK.stops, dict(NETWORK.routes, SLOW=slow), NETWORK.walks)

    journeys = plan("A1", "C", at(7, 3), network)

    assert [j.criteria for j in journeys] == [("fewest_transfers",), ("fastest",)]
    assert [j.arrival for j in journeys] == [at(7, 35), at(8, 4)]
    assert timeline(journeys[0]) == [("SLOW", "A1", "C", at(7, 5), at(7, 35))]


def test_a_walking_link_alone_is_a_journey():
    (journey,) = plan("B2", "C", at(7, 0))

    (walk,) = journey.legs
    assert walk.mode == "walk"
    assert (walk.route_id, walk.operator_id) == (None, None)
    assert not walk.is_ride
    assert (walk.departure, walk.arrival) == (at(7, 0), at(7, 4))
    assert journey.transfers == 0


def test_a_walk_after_a_ride_starts_when_the_ride_arrives():
    # the train passes M at 07:19 (07:15 + 4 min) and reaches B2 at 07:30; walking beats bus 3
    (journey,) = plan("M", "C", at(7, 0))

    assert timeline(journey) == [
        ("RAIL2", "M", "B2", at(7, 19), at(7, 30)),
        (None, "B2", "C", at(7, 30), at(7, 34)),
    ]
    assert journey.signature() == (("RAIL2", "M", "B2"), (None, "B2", "C"))


def test_a_walk_to_the_first_stop_needs_no_change_time():
    network = Network(NETWORK.stops, NETWORK.routes, NETWORK.walks + (Walk("ISLAND", "A1", 120),))

    (journey,) = plan("ISLAND", "A2", at(6, 58), network)

    assert timeline(journey) == [
        (None, "ISLAND", "A1", at(6, 58), at(7, 0)),
        ("BUS1", "A1", "A2", at(7, 0), at(7, 5)),
    ]


# --- service hours -------------------------------------------------------------------


def test_before_the_first_run_the_passenger_waits_for_it():
    (journey,) = plan("A1", "A2", at(5, 0))

    assert journey.departure == at(6, 0)


def test_the_last_run_of_the_day_is_still_caught():
    (journey,) = plan("A2", "X", at(22, 5))

    assert timeline(journey) == [("BUS1", "A2", "X", at(22, 5), at(22, 10))]


def test_after_the_last_run_the_journey_rolls_over_to_the_next_morning():
    (journey,) = plan("A2", "X", at(22, 6))

    assert timeline(journey) == [("BUS1", "A2", "X", at(6, 5, day=3), at(6, 10, day=3))]


def test_a_missed_last_train_moves_the_second_leg_to_the_next_day():
    (journey,) = plan("A1", "B1", at(21, 40))

    assert timeline(journey) == [
        ("BUS1", "A1", "X", at(21, 40), at(21, 50)),
        ("RAIL2", "X", "B1", at(6, 15, day=3), at(6, 25, day=3)),
    ]


def test_times_keep_their_timezone():
    cet = timezone(timedelta(hours=1))

    (journey,) = plan("A1", "A2", datetime(2026, 3, 2, 7, 3, tzinfo=cet))

    assert journey.departure == datetime(2026, 3, 2, 7, 10, tzinfo=cet)
    assert journey.departure.utcoffset() == timedelta(hours=1)


# --- refusals ---------------------------------------------------------------------


@pytest.mark.parametrize(("from_stop", "to_stop", "field"), [("NOPE", "A1", "from"), ("A1", "NOPE", "to")])
def test_an_unknown_stop_is_not_found(from_stop, to_stop, field):
    with pytest.raises(NotFound) as caught:
        plan(from_stop, to_stop, at(7, 0))

    assert caught.value.details == {"field": field}


def test_the_same_origin_and_destination_is_no_journey():
    with pytest.raises(NoJourneyFound) as caught:
        plan("A1", "A1", at(7, 0))

    assert caught.value.details == {"field": "to"}


@pytest.mark.parametrize(("from_stop", "to_stop"), [("B1", "A1"), ("A1", "ISLAND"), ("ISLAND", "A1")])
def test_stops_without_a_connection_give_no_journey(from_stop, to_stop):
    with pytest.raises(NoJourneyFound):
        plan(from_stop, to_stop, at(7, 0))


# --- the compiled search, patterns of their own, walks, runs after midnight -----------------


def test_the_compiled_search_costs_the_same_as_networkx_between_every_pair_of_stops():
    search = search_for(GRAPH)
    compared = 0
    for a in NETWORK.stops:
        for b in NETWORK.stops:
            if a == b:
                continue
            for penalty, weight in ((0.0, fastest_weight), (float(TRANSFER_PENALTY_S), fewest_transfers_weight)):
                found = search.shortest_path(stop_node(a), stop_node(b), penalty)
                try:
                    expected = nx.shortest_path_length(GRAPH, stop_node(a), stop_node(b), weight=weight)
                except nx.NetworkXNoPath:
                    assert found is None
                    continue
                assert found is not None and found[0] == expected
                compared += 1
    assert compared == 50  # 25 connected ordered pairs, two weightings


def test_a_search_can_leave_operators_out():
    search = search_for(GRAPH)

    cost, path = search.shortest_path(stop_node("A1"), stop_node("C"), without_operators=frozenset({"OPB"}))

    assert [n for n in path if n[0] == "R"] == [("R", "SLOW", 0, 0), ("R", "SLOW", 0, 1)]
    assert cost == 1800 + BOARDING_PENALTY_S + 3600
    assert search.shortest_path(stop_node("A1"), stop_node("B1"), without_operators=frozenset({"OPB"})) is None


def test_the_search_of_a_graph_is_compiled_once():
    assert search_for(GRAPH) is search_for(GRAPH)
    assert search_for(build_graph(NETWORK)) is not search_for(GRAPH)


def test_board_edges_name_their_operator_and_route():
    board = GRAPH.edges[stop_node("X"), ("R", "RAIL2", 0, 0)]

    assert (board["operator"], board["route"]) == ("OPB", "RAIL2")


def test_two_patterns_in_one_direction_have_their_own_nodes_and_their_own_runs():
    # a short turn A1-A2 of BUS1, also direction 0, running every 20 min from 06:03 to 09:03
    short = TimedPattern("BUS1", 0, ("A1", "A2"), (0, 240), headway_s=1200, first_departure_s=6 * 3600 + 180,
                         last_departure_s=9 * 3600 + 180)
    bus1 = replace(NETWORK.routes["BUS1"], patterns=NETWORK.routes["BUS1"].patterns + (short,))
    network = Network(NETWORK.stops, dict(NETWORK.routes, BUS1=bus1), NETWORK.walks)
    graph = build_graph(network)

    assert graph.edges[stop_node("A1"), ("R", "BUS1", 2, 0)]["seconds"] == 600 + BOARDING_PENALTY_S
    assert graph.edges[("R", "BUS1", 2, 0), ("R", "BUS1", 2, 1)]["seconds"] == 240
    assert graph.edges[stop_node("A1"), ("R", "BUS1", 0, 0)]["seconds"] == 300 + BOARDING_PENALTY_S
    short_leg = journey_legs([stop_node("A1"), ("R", "BUS1", 2, 0), ("R", "BUS1", 2, 1), stop_node("A2")],
                             graph, network, at(7, 4))
    assert [(leg.route_id, leg.departure, leg.arrival) for leg in short_leg] == [("BUS1", at(7, 23), at(7, 27))]


def test_consecutive_walks_are_one_walking_leg():
    walks = NETWORK.walks + (Walk("ISLAND", "B2", 100),)
    network = Network(NETWORK.stops, NETWORK.routes, walks)

    (journey,) = plan("ISLAND", "C", at(7, 0), network)

    (walk,) = journey.legs
    assert (walk.mode, walk.from_stop_id, walk.to_stop_id, walk.stop_ids) == ("walk", "ISLAND", "C",
                                                                              ("ISLAND", "B2", "C"))
    assert (walk.departure, walk.arrival) == (at(7, 0), at(7, 5, 40))


def test_a_route_whose_last_run_leaves_after_midnight_is_caught_early_next_morning():
    # BUS1 with its last run at 25:00:00 of the service day (01:00 the next morning)
    late = replace(NETWORK.routes["BUS1"], last_departure_s=25 * 3600)
    network = Network(NETWORK.stops, dict(NETWORK.routes, BUS1=late), NETWORK.walks)

    (journey,) = plan("A2", "X", at(0, 31, day=3), network)

    assert timeline(journey) == [("BUS1", "A2", "X", at(0, 35, day=3), at(0, 40, day=3))]
    (after_the_last,) = plan("A2", "X", at(1, 6, day=3), network)
    assert after_the_last.departure == at(6, 5, day=3)
