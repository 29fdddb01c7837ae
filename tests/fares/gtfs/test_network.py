"""Deriving the network from trips.txt + stop_times.txt, on a small hand-written feed and the real feeds.

    A (50.00, 8.000) -- B (50.01, 8.000) -- C (50.02, 8.000)     1112 m apart each
    D (50.02, 8.003)                     214 m east of C
    E (50.10, 8.100)                     far away; transfers.txt links it to A
    ST station (50.032, 8.0), platforms P1 (50.030, 8.0) and P2 (50.034, 8.0), 445 m apart
    NOWHERE                              a platform without coordinates

    R1    (BUSCO, bus)    A-B-C weekdays 07:00 07:10 07:20 07:40 (B untimed in the 07:10 run),
                          C-B-A once at 08:00, A-B at 09:00 and 09:30; a slow A-B-C on weekends
    NIGHT (BUSCO, bus)    B-D at 23:40:00, 24:10:00, 24:40:00 (15 min)
    FREQ  (BUSCO, 700)    D-P1, frequencies 06:00-08:00 every 15 min, 16:00-17:00 every 10 min
    T1    (TRAMCO, tram)  P2-NOWHERE at 08:00 and 08:30
    FERRY (TRAMCO, ferry) A-B on weekends only

Weekdays (service WD) run more trips than weekends (WE): the busiest day is Monday 2 March 2026.
"""
from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

import pytest

from fares.graph import build_graph
from fares.gtfs.basics import load_basics
from fares.gtfs.network import (
    NETWORK_FILES,
    STATION_WALK_S,
    TimedPattern,
    build_network,
    haversine_m,
    merge_networks,
    mode_of,
    parse_time,
    walk_seconds,
)
from fares.gtfs.reader import read_feed
from fares.network import Network
from fares.routing import plan_journeys
from fares.validation import Problems

FEED = {
    "agency.txt": [
        "agency_id,agency_name,agency_url,agency_timezone",
        "BUSCO,Bus Company,https://bus.example,Europe/Berlin",
        "TRAMCO,Tram Company,https://tram.example,Europe/Berlin",
    ],
    "stops.txt": [
        "stop_id,stop_name,stop_lat,stop_lon,zone_id,location_type,parent_station",
        "A,Stop A,50.0,8.0,1,0,",
        "B,Stop B,50.01,8.0,1,0,",
        "C,Stop C,50.02,8.0,2,0,",
        "D,Stop D,50.02,8.003,2,0,",
        "E,Stop E,50.1,8.1,3,0,",
        "ST,Station,50.032,8.0,,1,",
        "P1,Platform 1,50.03,8.0,2,0,ST",
        "P2,Platform 2,50.034,8.0,2,0,ST",
        "NOWHERE,No coordinates,,,,0,",
        "GATE,Entrance,50.032,8.0001,,2,ST",
    ],
    "routes.txt": [
        "route_id,agency_id,route_short_name,route_long_name,route_type",
        "R1,BUSCO,1,A to C,3",
        "NIGHT,BUSCO,N,Night bus,3",
        "FREQ,BUSCO,F,Frequent,700",
        "T1,TRAMCO,T,Tram,0",
        "FERRY,TRAMCO,X,Ferry,4",
        "IDLE,TRAMCO,I,No trips,3",
    ],
    "calendar.txt": [
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date",
        "WD,1,1,1,1,1,0,0,20260301,20260331",
        "WE,0,0,0,0,0,1,1,20260301,20260331",
    ],
    "trips.txt": [
        "route_id,service_id,trip_id,direction_id",
        "R1,WD,r1-0700,0",
        "R1,WD,r1-0710,0",
        "R1,WD,r1-0720,0",
        "R1,WD,r1-0740,0",
        "R1,WD,r1-back,1",
        "R1,WD,r1-short-0900,0",
        "R1,WD,r1-short-0930,0",
        "R1,WE,r1-weekend,0",
        "NIGHT,WD,n-2340,0",
        "NIGHT,WD,n-2410,0",
        "NIGHT,WD,n-2440,0",
        "FREQ,WD,f-template,0",
        "T1,WD,t1-0800,0",
        "T1,WD,t1-0830,0",
        "FERRY,WE,ferry-1000,0",
    ],
    "stop_times.txt": [
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence",
        "r1-0700,07:00:00,07:00:00,A,1",
        "r1-0700,07:09:00,07:09:00,B,2",
        "r1-0700,07:20:00,07:20:00,C,3",
        "r1-0710,07:10:00,07:10:00,A,1",
        "r1-0710,,,B,2",
        "r1-0710,07:32:00,07:32:00,C,3",
        "r1-0720,07:20:00,07:20:00,A,1",
        "r1-0720,07:32:00,07:32:00,B,2",
        "r1-0720,07:44:00,07:44:00,C,3",
        "r1-0740,07:40:00,07:40:00,A,1",
        "r1-0740,07:55:00,07:55:00,B,2",
        "r1-0740,08:10:00,08:10:00,C,3",
        "r1-back,08:00:00,08:00:00,C,1",
        "r1-back,08:10:00,08:10:00,B,2",
        "r1-back,08:20:00,08:20:00,A,3",
        "r1-short-0900,09:00:00,09:00:00,A,1",
        "r1-short-0900,09:08:00,09:08:00,B,2",
        "r1-short-0930,09:30:00,09:30:00,A,1",
        "r1-short-0930,09:38:00,09:38:00,B,2",
        "r1-weekend,10:00:00,10:00:00,A,1",
        "r1-weekend,10:20:00,10:20:00,B,2",
        "r1-weekend,10:40:00,10:40:00,C,3",
        "n-2340,23:40:00,23:40:00,B,1",
        "n-2340,23:55:00,23:55:00,D,2",
        "n-2410,24:10:00,24:10:00,B,1",
        "n-2410,24:25:00,24:25:00,D,2",
        "n-2440,24:40:00,24:40:00,B,1",
        "n-2440,24:55:00,24:55:00,D,2",
        "f-template,06:00:00,06:00:00,D,1",
        "f-template,06:10:00,06:10:00,P1,2",
        "t1-0800,08:00:00,08:00:00,P2,1",
        "t1-0800,08:05:00,08:05:00,NOWHERE,2",
        "t1-0830,08:30:00,08:30:00,P2,1",
        "t1-0830,08:35:00,08:35:00,NOWHERE,2",
        "ferry-1000,10:00:00,10:00:00,A,1",
        "ferry-1000,10:30:00,10:30:00,B,2",
    ],
    "frequencies.txt": [
        "trip_id,start_time,end_time,headway_secs",
        "f-template,06:00:00,08:00:00,900",
        "f-template,16:00:00,17:00:00,600",
    ],
    "transfers.txt": [
        "from_stop_id,to_stop_id,from_route_id,to_route_id,from_trip_id,to_trip_id,transfer_type,min_transfer_time",
        "E,A,,,,,2,300",
        "A,E,,,,,2,",
        "C,D,,,,,3,",
        "B,C,,,r1-0700,r1-back,1,30",
    ],
}


def write_feed(folder: Path, extra: dict[str, list[str]] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in FEED.items():
        (folder / name).write_text("\n".join(lines + (extra or {}).get(name, [])) + "\n", encoding="utf-8")
    return folder


def derive(folder: Path, **options) -> tuple[Network, Problems]:
    problems = Problems()
    raw = read_feed(folder, only=NETWORK_FILES, problems=problems)
    basics = load_basics(raw, problems)
    return build_network(raw, basics, problems, **options), problems


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Network:
    derived, problems = derive(write_feed(tmp_path_factory.mktemp("feed")))
    assert problems.items == []
    return derived


def walks_of(network: Network) -> dict[tuple[str, str], int]:
    return {(w.from_stop_id, w.to_stop_id): w.seconds for w in network.walks}


# --- patterns, offsets, headways ---------------------------------------------------------


def test_trips_are_grouped_by_route_direction_and_stop_pattern(network):
    r1 = network.routes["R1"]

    assert [(p.direction_id, p.stop_ids, p.trips) for p in r1.patterns] == [
        (0, ("A", "B", "C"), 4),
        (0, ("A", "B"), 2),
        (1, ("C", "B", "A"), 1),
    ]
    assert all(isinstance(p, TimedPattern) and p.route_id == "R1" for p in r1.patterns)


def test_offsets_come_from_the_trip_with_the_median_run_time_with_untimed_stops_interpolated(network):
    # run times 20, 22, 24 and 30 min: the 07:10 run (22 min) represents the pattern; B is halfway by distance
    main = network.routes["R1"].patterns[0]

    assert main.offsets_s == (0, 660, 1320)
    assert network.routes["R1"].patterns[2].offsets_s == (0, 600, 1200)


def test_the_headway_is_the_median_gap_between_first_departures(network):
    main, short, back = network.routes["R1"].patterns

    assert (main.headway_s, main.first_departure_s, main.last_departure_s) == (600, 7 * 3600, 7 * 3600 + 40 * 60)
    assert (short.headway_s, short.first_departure_s, short.last_departure_s) == (1800, 9 * 3600, 9 * 3600 + 1800)
    assert (back.headway_s, back.first_departure_s, back.last_departure_s) == (86_400, 8 * 3600, 8 * 3600)


def test_the_route_takes_its_busiest_patterns_headway_and_the_span_of_all_patterns(network):
    r1 = network.routes["R1"]

    assert (r1.operator_id, r1.short_name, r1.long_name, r1.mode) == ("BUSCO", "1", "A to C", "bus")
    assert (r1.headway_s, r1.first_departure_s, r1.last_departure_s) == (600, 7 * 3600, 9 * 3600 + 1800)


def test_weekend_trips_do_not_count_on_the_busiest_day_a_weekday(network):
    assert network.routes["R1"].patterns[0].trips == 4  # the slow weekend run would make five


def test_a_given_day_selects_its_own_trips(tmp_path):
    sunday, _ = derive(write_feed(tmp_path), day=date(2026, 3, 8))

    (pattern,) = sunday.routes["R1"].patterns
    assert (pattern.stop_ids, pattern.offsets_s, pattern.trips) == (("A", "B", "C"), (0, 1200, 2400), 1)
    assert "NIGHT" not in sunday.routes


def test_a_route_without_trips_that_day_keeps_its_own_busiest_day_and_one_without_trips_is_left_out(network):
    (ferry,) = network.routes["FERRY"].patterns
    assert (network.routes["FERRY"].mode, ferry.first_departure_s, ferry.offsets_s) == ("ferry", 36_000, (0, 1800))
    assert "IDLE" not in network.routes


def test_times_past_midnight_of_the_service_day_stay_above_24_hours(network):
    (night,) = network.routes["NIGHT"].patterns

    assert (night.headway_s, night.first_departure_s, night.last_departure_s) == (1800, 85_200, 88_800)
    assert night.offsets_s == (0, 900)


def test_a_run_after_midnight_is_caught_on_the_next_calendar_day(network):
    graph = build_graph(network)

    (journey,) = [j for j in plan_journeys(graph, network, "B", "D", datetime(2026, 3, 3, 0, 20))
                  if j.legs[0].route_id == "NIGHT"]

    assert (journey.departure, journey.arrival) == (datetime(2026, 3, 3, 0, 40), datetime(2026, 3, 3, 0, 55))


def test_frequencies_expand_into_runs_between_start_and_end_time(network):
    (freq,) = network.routes["FREQ"].patterns

    # 06:00..07:45 every 15 min (8 runs), 16:00..16:50 every 10 min (6 runs): the median gap is 15 min
    assert (freq.trips, freq.headway_s, freq.first_departure_s, freq.last_departure_s) == (14, 900, 21_600, 60_600)
    assert network.routes["FREQ"].mode == "bus"  # extended route_type 700


def test_each_agency_operates_its_routes(network):
    assert {r.id: r.operator_id for r in network.routes.values()} == {
        "R1": "BUSCO", "NIGHT": "BUSCO", "FREQ": "BUSCO", "T1": "TRAMCO", "FERRY": "TRAMCO"}
    assert network.routes["T1"].mode == "tram"


def test_stops_and_stations_are_kept_with_their_ids_but_entrances_are_not(network):
    assert sorted(network.stops) == ["A", "B", "C", "D", "E", "NOWHERE", "P1", "P2", "ST"]
    assert (network.stops["C"].name, network.stops["C"].zone_id) == ("Stop C", "2")
    assert (network.stops["NOWHERE"].lat, network.stops["NOWHERE"].lon) == (None, None)


# --- walks ------------------------------------------------------------------------------


def test_nearby_stops_get_walks_at_walking_speed_plus_a_penalty(network):
    metres = haversine_m(50.02, 8.0, 50.02, 8.003)

    assert round(metres) == 214
    assert walk_seconds(metres) == 239  # ceil(214.3 m / 1.2 m/s) + 60 s
    assert walks_of(network)[("D", "C")] == 239


def test_transfer_type_3_forbids_a_walk_in_that_direction_only(network):
    assert ("C", "D") not in walks_of(network)
    assert ("D", "C") in walks_of(network)


def test_transfers_give_walks_by_min_transfer_time_or_by_distance(network):
    walks = walks_of(network)

    assert walks[("E", "A")] == 300
    assert walks[("A", "E")] == walk_seconds(haversine_m(50.1, 8.1, 50.0, 8.0)) == 11_073  # 13.2 km
    assert ("B", "C") not in walks  # a trip-to-trip transfer says nothing about walking


def test_platforms_of_one_station_are_linked_even_beyond_the_walking_radius(network):
    walks = walks_of(network)

    assert walks[("P1", "P2")] == walks[("P2", "P1")] == walk_seconds(445) == 431
    assert walks[("ST", "P1")] == walks[("P1", "ST")] == 246
    assert not any("GATE" in pair for pair in walks)


def test_stops_without_coordinates_get_no_walks_except_within_their_station(tmp_path):
    extra = {"stops.txt": ["P3,Platform 3,,,2,0,ST"], "trips.txt": [], "stop_times.txt": []}
    derived, problems = derive(write_feed(tmp_path, extra))

    walks = walks_of(derived)
    assert problems.items == []
    assert not any("NOWHERE" in pair for pair in walks)
    assert walks[("P3", "P1")] == walks[("ST", "P3")] == STATION_WALK_S


def test_the_whole_walk_list_of_the_small_feed(network):
    assert sorted(walks_of(network)) == [
        ("A", "E"), ("D", "C"), ("E", "A"),
        ("P1", "P2"), ("P1", "ST"), ("P2", "P1"), ("P2", "ST"), ("ST", "P1"), ("ST", "P2"),
    ]


# --- problems ---------------------------------------------------------------------------


def test_bad_references_are_reported_with_file_line_and_field(tmp_path):
    extra = {
        "trips.txt": ["GHOST,WD,ghost-trip,0", "R1,NOSVC,no-service,0", "R1,WD,r1-0700,0", "R1,WD,sideways,2"],
        "stop_times.txt": [
            "r1-0700,07:30:00,07:30:00,NOPE,4",
            "no-such-trip,07:00:00,07:00:00,A,1",
            "t1-0800,8:5:00,08:10:00,A,3",
            "t1-0830,08:40:00,08:40:00,ST,3",
            "ghost-trip,07:00:00,07:00:00,A,1",
        ],
        "transfers.txt": ["A,MISSING,,,,,2,60", "A,B,,,,,9,"],
        "frequencies.txt": ["f-template,06:00:00,05:00:00,600", "nope,06:00:00,07:00:00,600"],
    }

    derived, problems = derive(write_feed(tmp_path, extra))

    assert [(p["file"], p["line"], p["field"]) for p in problems.items] == [
        ("trips.txt", 17, "route_id"),
        ("trips.txt", 18, "service_id"),
        ("trips.txt", 19, "trip_id"),
        ("trips.txt", 20, "direction_id"),
        ("stop_times.txt", 38, "stop_id"),
        ("stop_times.txt", 39, "trip_id"),
        ("stop_times.txt", 40, "arrival_time"),
        ("stop_times.txt", 41, "stop_id"),
        ("frequencies.txt", 4, "end_time"),
        ("frequencies.txt", 5, "trip_id"),
        ("transfers.txt", 6, "to_stop_id"),
        ("transfers.txt", 7, "transfer_type"),
    ]
    assert problems.items[0]["message"] == "unknown route_id 'GHOST'"
    assert problems.items[4]["message"] == "unknown stop_id 'NOPE'"
    assert problems.items[7]["message"] == "stop 'ST' is not a stop or platform (location_type 1)"
    assert derived.routes["R1"].patterns[0].trips == 4  # the bad rows changed nothing else


def test_trips_that_cannot_be_timed_are_reported(tmp_path):
    extra = {
        "trips.txt": ["R1,WD,untimed-end,0", "R1,WD,backwards,0", "R1,WD,twice,0"],
        "stop_times.txt": [
            "untimed-end,07:00:00,07:00:00,A,1", "untimed-end,,,B,2",
            "backwards,07:00:00,07:00:00,A,1", "backwards,06:59:00,06:59:00,B,2",
            "twice,07:00:00,07:00:00,A,1", "twice,07:05:00,07:05:00,B,1",
        ],
    }

    _, problems = derive(write_feed(tmp_path, extra))

    assert [(p["line"], p["field"], p["message"]) for p in problems.items] == [
        (39, "arrival_time", "the last stop of trip 'untimed-end' needs a time"),
        (41, "departure_time", "earlier than the previous stop of trip 'backwards'"),
        (43, "stop_sequence", "stop_sequence 1 appears twice in trip 'twice'"),
    ]


def test_a_vehicle_waiting_over_two_calls_at_one_stop_makes_one_call(tmp_path):
    extra = {
        "trips.txt": ["R1,WD,r1-wait,0"],
        "stop_times.txt": ["r1-wait,07:50:00,07:50:00,A,1", "r1-wait,07:52:00,07:52:00,A,2",
                           "r1-wait,08:02:00,08:02:00,B,3", "r1-wait,08:12:00,08:12:00,C,4"],
    }

    derived, problems = derive(write_feed(tmp_path, extra))

    main = derived.routes["R1"].patterns[0]
    assert problems.items == []
    assert (main.stop_ids, main.trips, main.last_departure_s) == (("A", "B", "C"), 5, 7 * 3600 + 52 * 60)


def test_missing_trip_files_are_reported(tmp_path):
    folder = write_feed(tmp_path)
    (folder / "trips.txt").unlink()
    (folder / "stop_times.txt").unlink()
    (folder / "frequencies.txt").unlink()

    derived, problems = derive(folder)

    assert [(p["file"], p["line"]) for p in problems.items] == [("trips.txt", None), ("stop_times.txt", None)]
    assert derived.routes == {}


@pytest.mark.parametrize(("text", "seconds"), [("07:05:09", 25_509), ("7:05:09", 25_509), ("25:10:00", 90_600)])
def test_gtfs_times_may_pass_24_hours(text, seconds):
    assert parse_time(text) == seconds


@pytest.mark.parametrize("text", ["7:5:00", "07:60:00", "07:00", "ab:00:00", ""])
def test_malformed_times_are_refused(text):
    with pytest.raises(ValueError):
        parse_time(text)


@pytest.mark.parametrize(("route_type", "mode"), [(0, "tram"), (1, "metro"), (2, "rail"), (3, "bus"), (4, "ferry"),
                                                  (109, "rail"), (715, "bus"), (1000, "ferry"), (99, "other")])
def test_modes_come_from_route_type(route_type, mode):
    assert mode_of(route_type) == mode


# --- merging ----------------------------------------------------------------------------


def test_merging_links_nearby_stops_of_different_networks_only(network):
    from fares.network import Route, Stop

    other = Network({"Z": Stop("Z", "Across the street", 50.0001, 8.0, "9"), "Y": Stop("Y", "Next", 50.0002, 8.0)},
                    {"ZR": Route("ZR", "ZCO", "Z", "bus", 600, 0, 3600)})

    merged = merge_networks(network, other)

    walks = walks_of(merged)
    assert len(merged.stops) == 11 and set(merged.routes) == {"R1", "NIGHT", "FREQ", "T1", "FERRY", "ZR"}
    assert walks[("A", "Z")] == walks[("Z", "A")] == 70  # 11 m
    assert walks[("A", "Y")] == 79
    assert ("Z", "Y") not in walks  # same network: its own walks are kept as they are
    assert len(walks) == len(network.walks) + 4


def test_merging_refuses_one_id_for_two_different_stops(network):
    from fares.network import Stop

    clash = Network({"A": Stop("A", "Another A", 10.0, 10.0)}, {})

    with pytest.raises(ValueError, match="stop id 'A'"):
        merge_networks(network, clash)


# --- the real feeds ---------------------------------------------------------------------


def load(path: Path) -> tuple[Network, Problems, float]:
    start = time.perf_counter()
    derived, problems = derive(path)
    return derived, problems, time.perf_counter() - start


@pytest.fixture(scope="module")
def porto_alegre(shared_gtfs: Path) -> tuple[Network, Network, float]:
    eptc, problems, seconds = load(shared_gtfs / "poa_eptc.zip")
    assert problems.items == []
    trensurb, problems, _ = load(shared_gtfs / "poa_trensurb.zip")
    assert problems.items == []
    return eptc, trensurb, seconds


def test_the_eptc_bus_network_is_derived_with_its_stops_routes_and_walks(porto_alegre):
    """How long deriving takes is a benchmark figure (bench plan_price prints it), not an assertion."""
    eptc, _, _seconds = porto_alegre

    assert (len(eptc.stops), len(eptc.routes)) == (3986, 115)
    assert sum(len(r.patterns) for r in eptc.routes.values()) == 201
    assert len(eptc.walks) == 30_894
    assert {r.operator_id for r in eptc.routes.values()} == {"EPTC"}
    assert {r.mode for r in eptc.routes.values()} == {"bus"}


def test_eptc_route_t12_has_its_two_directions(porto_alegre):
    t12 = porto_alegre[0].routes["T12"]

    assert [(p.direction_id, len(p.stop_ids), p.offsets_s[-1], p.headway_s, p.trips) for p in t12.patterns] == [
        (0, 102, 4320, 1140, 14), (1, 107, 4200, 1230, 13)]


def test_the_trensurb_line_runs_mercado_to_novo_hamburgo_every_ten_minutes(porto_alegre):
    trensurb = porto_alegre[1]
    line = trensurb.routes["LINHA1"]

    assert (len(trensurb.stops), sorted(trensurb.routes)) == (24, ["LINHA1", "LINHAAERO"])
    main = line.patterns[0]
    assert (main.stop_ids[0], main.stop_ids[-1], main.offsets_s[-1], main.headway_s) == ("MR", "NH", 3155, 600)
    # trips.txt has no direction_id: the way back is recognised by its order of stops
    back = next(p for p in line.patterns if p.direction_id == 1)
    assert (back.stop_ids[0], back.stop_ids[-1], back.trips) == ("NH", "MR", 112)
    assert (line.operator_id, line.mode) == ("TRENS", "rail")


def test_the_merged_porto_alegre_network_links_mercado_station_to_nearby_bus_stops(porto_alegre):
    eptc, trensurb, _ = porto_alegre

    merged = merge_networks(eptc, trensurb)

    walks = walks_of(merged)
    from_mercado = sorted((s, b) for (a, b), s in walks.items() if a == "MR" and b in eptc.stops)
    assert (len(merged.stops), len(merged.routes)) == (4010, 117)
    assert len(from_mercado) == 23
    assert from_mercado[0] == (146, "5257")  # the Parobé bus terminal, 102 m from the station
    assert walks[("5257", "MR")] == 146
    assert merged.stops["5257"].name == "PEREIRA PAROBE"
    assert len(walks) == len(eptc.walks) + len(trensurb.walks) + 110


def test_the_transcollines_network_is_derived_without_problems(shared_gtfs):
    derived, problems, _ = load(shared_gtfs / "transcollines_fares_v2.zip")

    assert problems.items == []
    assert (len(derived.stops), len(derived.routes)) == (424, 8)
    assert sum(len(r.patterns) for r in derived.routes.values()) == 20
    assert {r.operator_id for r in derived.routes.values()} == {"Transcollines"}
