"""Integrity checks for the demo network "Verkehrsverbund Auental (VAU)"."""

import csv
import json
import math
from pathlib import Path

import networkx as nx
import pytest

DATA_DIR = Path(__file__).resolve().parents[2] / "webapp" / "demo" / "data"

REQUIRED_OPERATORS = {"RBA": "rail", "SWA": "bus", "BVB": "bus", "TAL": "tram"}
MODES = {"rail", "bus", "tram", "ferry"}
ZONES = {str(n) for n in range(1, 8)}
MAX_WALK_METRES = 600

# Example trip: Altheim-Eichenau (suburb, SWA bus 11) -> Bergstadt-Sonnenberg (suburb, BVB bus 21).
TRIP_FROM = "ALT_EICH_WALDWEG"
TRIP_TO = "BGS_SONN_BUCHENWEG"


def read_csv(name):
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def operators():
    return read_csv("operators.csv")


@pytest.fixture(scope="module")
def stops():
    return read_csv("stops.csv")


@pytest.fixture(scope="module")
def walks():
    return read_csv("walks.csv")


@pytest.fixture(scope="module")
def lines():
    return json.loads((DATA_DIR / "lines.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def stop_ids(stops):
    return {stop["id"] for stop in stops}


@pytest.fixture(scope="module")
def network(stops, lines, walks):
    """Undirected graph: stops as nodes; consecutive line stops and walks as edges.

    Each edge carries the set of operators serving it (empty for pure walking links).
    """
    graph = nx.Graph()
    graph.add_nodes_from(stop["id"] for stop in stops)
    for line in lines:
        sequence = [stop_id for stop_id, _ in line["stops"]]
        for a, b in zip(sequence, sequence[1:], strict=False):
            if not graph.has_edge(a, b):
                graph.add_edge(a, b, operators=set(), walk=False)
            graph.edges[a, b]["operators"].add(line["operator_id"])
    for walk in walks:
        a, b = walk["from_stop_id"], walk["to_stop_id"]
        if not graph.has_edge(a, b):
            graph.add_edge(a, b, operators=set(), walk=True)
        else:
            graph.edges[a, b]["walk"] = True
    return graph


def haversine_metres(lat1, lon1, lat2, lon2):
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def iban_is_valid(iban):
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return int(digits) % 97 == 1


def to_minutes(hhmm):
    hours, minutes = hhmm.split(":")
    assert len(hours) == 2 and len(minutes) == 2, hhmm
    assert 0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59, hhmm
    return int(hours) * 60 + int(minutes)


def test_operator_stop_and_line_ids_are_unique(operators, stops, lines):
    for name, ids in (
        ("operator", [op["id"] for op in operators]),
        ("stop", [stop["id"] for stop in stops]),
        ("line", [line["id"] for line in lines]),
    ):
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        assert not duplicates, f"duplicate {name} ids: {duplicates}"


def test_stop_ids_are_short_uppercase_ascii_with_underscores(stops):
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
    for stop in stops:
        assert stop["id"] and set(stop["id"]) <= allowed and len(stop["id"]) <= 24, stop["id"]


def test_the_four_required_operators_exist_with_their_modes(operators):
    modes = {op["id"]: op["mode"] for op in operators}
    assert len(operators) >= 4
    for operator_id, mode in REQUIRED_OPERATORS.items():
        assert modes.get(operator_id) == mode, operator_id
    assert {"rail", "bus", "tram"} <= set(modes.values())
    assert set(modes.values()) <= MODES


def test_operator_ibans_are_german_and_have_valid_check_digits(operators):
    for op in operators:
        iban = op["iban"]
        assert iban.startswith("DE") and len(iban) == 22 and iban[2:].isdigit(), iban
        assert iban_is_valid(iban), f"{op['id']}: bad IBAN check digits {iban}"


def test_operators_have_a_bic_and_a_clearing_email(operators):
    for op in operators:
        assert len(op["bic"]) in (8, 11) and op["bic"][4:6] == "DE", op["bic"]
        assert "@" in op["email"] and op["email"].endswith(".example"), op["email"]


def test_there_are_at_least_sixty_stops(stops):
    assert len(stops) >= 60


def test_every_stop_has_a_zone_and_a_name_and_town(stops):
    for stop in stops:
        assert stop["zone_id"] in ZONES, stop
        assert stop["name"].strip() and stop["town"].strip(), stop
    assert 5 <= len({stop["zone_id"] for stop in stops}) <= 7


def test_stop_coordinates_lie_in_the_auental_region(stops):
    for stop in stops:
        lat, lon = float(stop["lat"]), float(stop["lon"])
        assert 50.3 <= lat <= 50.7 and 7.8 <= lon <= 8.4, stop["id"]


def test_every_line_references_an_existing_operator_with_the_same_mode(operators, lines):
    modes = {op["id"]: op["mode"] for op in operators}
    for line in lines:
        assert line["operator_id"] in modes, line["id"]
        assert line["mode"] == modes[line["operator_id"]], line["id"]


def test_every_stop_referenced_by_lines_and_walks_exists(lines, walks, stop_ids):
    for line in lines:
        for stop_id, _ in line["stops"]:
            assert stop_id in stop_ids, f"{line['id']}: unknown stop {stop_id}"
    for walk in walks:
        assert walk["from_stop_id"] in stop_ids, walk
        assert walk["to_stop_id"] in stop_ids, walk


def test_every_stop_is_served_by_at_least_one_line(lines, stop_ids):
    served = {stop_id for line in lines for stop_id, _ in line["stops"]}
    assert stop_ids == served


def test_line_minutes_start_at_zero_and_strictly_increase(lines):
    for line in lines:
        minutes = [m for _, m in line["stops"]]
        assert len(minutes) >= 2, line["id"]
        assert minutes[0] == 0, line["id"]
        assert all(isinstance(m, int) for m in minutes), line["id"]
        assert all(a < b for a, b in zip(minutes, minutes[1:], strict=False)), line["id"]


def test_no_stop_appears_twice_within_a_line(lines):
    for line in lines:
        sequence = [stop_id for stop_id, _ in line["stops"]]
        assert len(sequence) == len(set(sequence)), line["id"]


def test_headways_are_positive_and_first_departure_is_before_last(lines):
    for line in lines:
        assert isinstance(line["headway_minutes"], int) and line["headway_minutes"] > 0, line["id"]
        assert to_minutes(line["first_departure"]) < to_minutes(line["last_departure"]), line["id"]


def test_main_stations_are_shared_interchanges(lines):
    modes_at = {}
    for line in lines:
        for stop_id, _ in line["stops"]:
            modes_at.setdefault(stop_id, set()).add(line["mode"])
    assert {"rail", "tram", "bus"} <= modes_at["ALT_HBF"]
    assert {"rail", "bus"} <= modes_at["BGS_BF"]


def test_walking_links_are_not_self_links_and_join_stops_less_than_600_m_apart(stops, walks):
    coords = {stop["id"]: (float(stop["lat"]), float(stop["lon"])) for stop in stops}
    for walk in walks:
        a, b = walk["from_stop_id"], walk["to_stop_id"]
        assert a != b, walk
        distance = haversine_metres(*coords[a], *coords[b])
        assert distance < MAX_WALK_METRES, f"{a}-{b}: {distance:.0f} m"
        assert 2 <= int(walk["minutes"]) <= 8, walk


def test_walking_links_are_listed_once_per_pair(walks):
    pairs = [frozenset((w["from_stop_id"], w["to_stop_id"])) for w in walks]
    assert len(pairs) == len(set(pairs))
    assert 6 <= len(pairs) <= 15


def test_the_network_graph_is_connected(network):
    assert nx.is_connected(network), [sorted(c) for c in nx.connected_components(network)]


def test_example_trip_from_altheim_suburb_to_bergstadt_suburb_uses_three_operators(network):
    path = nx.shortest_path(network, TRIP_FROM, TRIP_TO)
    edges = [network.edges[a, b] for a, b in zip(path, path[1:], strict=False)]
    used = set().union(*(edge["operators"] for edge in edges))
    # Operators that are unavoidable on this path: the only operator of some edge.
    required = {next(iter(e["operators"])) for e in edges if len(e["operators"]) == 1 and not e["walk"]}
    assert len(used) >= 3, (path, used)
    assert len(required) >= 3, (path, required)
    assert {"SWA", "RBA", "BVB"} <= required, (path, required)
