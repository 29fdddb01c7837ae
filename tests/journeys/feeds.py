"""Small generated GTFS feeds for the journey tests, and an independent exact search on them.

The reference search is a time-expanded graph in networkx (one node per
event: a vehicle at a stop, a passenger ready to board at a stop at a time)
searched with Dijkstra. It is built from the generated data itself, not from
the ``Timetable`` arrays, so it checks the arrays as well as RAPTOR. Walks come
from the ``Footpaths`` under test (their closure is checked on its own).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import networkx as nx
from hypothesis import strategies as st

from journeys.footpaths import Footpaths

FIRST_DAY = date(2026, 3, 2)  # a Monday
DAYS = 14
DEFAULT_CHANGE_S = 120


def hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@dataclass
class GenTrip:
    trip_id: str
    route_id: str
    service_id: str
    stops: list[str]
    arrivals: list[int]
    departures: list[int]
    frequency: tuple[int, int, int, int] | None = None  # start, end, headway, exact_times

    def instances(self) -> list[tuple[list[int], list[int]]]:
        if self.frequency is None:
            return [(self.arrivals, self.departures)]
        start, end, headway, _ = self.frequency
        first = self.departures[0]
        return [([a - first + s for a in self.arrivals], [d - first + s for d in self.departures])
                for s in range(start, end, headway)]


@dataclass
class GenFeed:
    stops: list[tuple[str, float, float, str]]  # id, lat, lon, parent station ("" for none)
    stations: list[tuple[str, float, float]]
    trips: list[GenTrip]
    weekly: dict[str, tuple[int, ...]]  # service -> 7 flags (Monday first), over the whole feed range
    added: list[tuple[str, date]] = field(default_factory=list)
    removed: list[tuple[str, date]] = field(default_factory=list)
    only_dates: dict[str, list[date]] = field(default_factory=dict)  # services of calendar_dates.txt alone
    transfers: list[tuple[str, str, int, int | None]] = field(default_factory=list)  # from, to, type, min time

    def runs(self, service_id: str, day: date) -> bool:
        if service_id in self.only_dates:
            return day in self.only_dates[service_id]
        if (service_id, day) in self.removed:
            return False
        if (service_id, day) in self.added:
            return True
        offset = (day - FIRST_DAY).days
        return 0 <= offset < DAYS and bool(self.weekly[service_id][day.weekday()])

    def change_s(self, stop_id: str) -> int | None:
        """Minimum change time at a stop; None where transfers.txt forbids changing there."""
        value: int | None = DEFAULT_CHANGE_S
        for a, b, kind, minimum in self.transfers:
            if a == b == stop_id:
                value = None if kind == 3 else 0 if kind == 1 else minimum if kind == 2 else DEFAULT_CHANGE_S
        return value

    def texts(self) -> dict[str, str]:
        last = FIRST_DAY + timedelta(days=DAYS - 1)
        routes = sorted({t.route_id for t in self.trips})
        stop_rows = [f"{s},Stop {s},{lat:.6f},{lon:.6f},0,{parent}" for s, lat, lon, parent in self.stops]
        stop_rows += [f"{s},Station {s},{lat:.6f},{lon:.6f},1," for s, lat, lon in self.stations]
        calendar = [f"{sid},{','.join(str(f) for f in flags)},{FIRST_DAY:%Y%m%d},{last:%Y%m%d}"
                    for sid, flags in self.weekly.items()]
        dates = [f"{sid},{d:%Y%m%d},1" for sid, d in self.added] + [f"{sid},{d:%Y%m%d},2" for sid, d in self.removed]
        dates += [f"{sid},{d:%Y%m%d},1" for sid, days in self.only_dates.items() for d in days]
        stop_times = [f"{t.trip_id},{hms(a)},{hms(d)},{s},{i + 1}" for t in self.trips
                      for i, (s, a, d) in enumerate(zip(t.stops, t.arrivals, t.departures, strict=True))]
        frequencies = [f"{t.trip_id},{hms(f[0])},{hms(f[1])},{f[2]},{f[3]}" for t in self.trips
                       if (f := t.frequency) is not None]
        transfers = [f"{a},{b},{kind},{'' if m is None else m}" for a, b, kind, m in self.transfers]
        return {
            "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nA,Agency,http://a.example,UTC\n",
            "stops.txt": "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
                         + "\n".join(stop_rows) + "\n",
            "routes.txt": "route_id,agency_id,route_short_name,route_type\n"
                          + "".join(f"{r},A,{r},3\n" for r in routes),
            "trips.txt": "route_id,service_id,trip_id,trip_headsign\n"
                         + "".join(f"{t.route_id},{t.service_id},{t.trip_id},to {t.stops[-1]}\n" for t in self.trips),
            "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                              + "\n".join(stop_times) + "\n",
            "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,"
                            "end_date\n" + "\n".join(calendar) + ("\n" if calendar else ""),
            "calendar_dates.txt": "service_id,date,exception_type\n" + "\n".join(dates) + ("\n" if dates else ""),
            "frequencies.txt": "trip_id,start_time,end_time,headway_secs,exact_times\n" + "\n".join(frequencies)
                               + ("\n" if frequencies else ""),
            "transfers.txt": "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n" + "\n".join(transfers)
                             + ("\n" if transfers else ""),
        }

    def instances_around(self, day: date) -> list[tuple[GenTrip, list[int], list[int]]]:
        """Runs of the days before, of and after ``day``, in seconds of ``day`` (the feeds are in UTC)."""
        out = []
        for offset in (-1, 0, 1):
            other = day + timedelta(days=offset)
            for trip in self.trips:
                if self.runs(trip.service_id, other):
                    for arrivals, departures in trip.instances():
                        out.append((trip, [a + 86_400 * offset for a in arrivals],
                                    [d + 86_400 * offset for d in departures]))
        return out


def reference_arrival(feed: GenFeed, stop_index: dict[str, int], footpaths: Footpaths, origin: str, target: str,
                      day: date, start: int) -> int | None:
    """Earliest arrival (seconds of ``day``) by Dijkstra on the time-expanded graph, None without a journey."""
    graph = nx.DiGraph()
    index = {i: s for s, i in stop_index.items()}
    walks = {s: [(index[int(t)], int(w)) for t, w in zip(*footpaths.walks_from(i), strict=True)]
             for s, i in stop_index.items()}
    ready_times: dict[str, set[int]] = {}

    def ready(stop: str, t: int) -> tuple[str, str, int]:
        ready_times.setdefault(stop, set()).add(t)
        return ("ready", stop, t)

    graph.add_edge("src", ready(origin, start), weight=0)
    for q, w in walks[origin]:
        graph.add_edge("src", ready(q, start + w), weight=w)
        graph.add_edge("src", ("end", q, start + w), weight=w)
    arrivals_at: dict[str, set[int]] = {}
    for n, (trip, arrivals, departures) in enumerate(feed.instances_around(day)):
        for i, stop in enumerate(trip.stops):
            on, leave = ("on", n, i), ("dep", n, i)
            graph.add_edge(on, leave, weight=departures[i] - arrivals[i])
            if i + 1 < len(trip.stops):
                graph.add_edge(ready(stop, departures[i]), leave, weight=0)
                graph.add_edge(leave, ("on", n, i + 1), weight=arrivals[i + 1] - departures[i])
            if i > 0:
                graph.add_edge(on, ("at", stop, arrivals[i]), weight=0)
                arrivals_at.setdefault(stop, set()).add(arrivals[i])
    for stop, times in arrivals_at.items():
        change = feed.change_s(stop)
        for t in times:
            if change is not None:
                graph.add_edge(("at", stop, t), ready(stop, t + change), weight=change)
            graph.add_edge(("at", stop, t), ("end", stop, t), weight=0)
            for q, w in walks[stop]:
                graph.add_edge(("at", stop, t), ready(q, t + w), weight=w)
                graph.add_edge(("at", stop, t), ("end", q, t + w), weight=w)
    for stop, times in ready_times.items():
        ordered = sorted(times)
        for a, b in zip(ordered, ordered[1:], strict=False):
            graph.add_edge(("ready", stop, a), ("ready", stop, b), weight=b - a)
    reached = nx.single_source_dijkstra_path_length(graph, "src", weight="weight")
    ends = [start + d for node, d in reached.items() if isinstance(node, tuple) and node[0] == "end"
            and node[1] == target]
    return min(ends) if ends else None


# --- hypothesis strategies ------------------------------------------------------------------------

WEEKDAY, WEEKEND, DAILY = (1, 1, 1, 1, 1, 0, 0), (0, 0, 0, 0, 0, 1, 1), (1,) * 7


@st.composite
def feeds(draw: st.DrawFn, max_stops: int = 7, max_routes: int = 4) -> GenFeed:
    n = draw(st.integers(3, max_stops))
    stop_ids = [f"s{i}" for i in range(n)]
    # stops on a line 250 m apart (0.00225 degrees of latitude): neighbours are within walking distance
    spacing = draw(st.sampled_from([0.00225, 0.01]))
    station = draw(st.booleans())
    stops = [(s, spacing * i, 0.0, "st" if station and i in (0, n - 1) else "")
             for i, s in enumerate(stop_ids)]
    stations = [("st", 0.0, 0.005)] if station else []
    weekly = {"wk": WEEKDAY, "we": WEEKEND, "all": DAILY}
    day_choice = st.integers(0, DAYS - 1).map(lambda i: FIRST_DAY + timedelta(days=i))
    added = draw(st.lists(st.tuples(st.sampled_from(["wk", "we"]), day_choice), max_size=2))
    removed = draw(st.lists(st.tuples(st.sampled_from(["wk", "we", "all"]), day_choice), max_size=2))
    only_dates = {"extra": draw(st.lists(day_choice, min_size=1, max_size=3, unique=True))}
    services = ["wk", "we", "all", "extra"]
    trips: list[GenTrip] = []
    for r in range(draw(st.integers(1, max_routes))):
        length = draw(st.integers(2, min(4, n)))
        pattern = draw(st.permutations(stop_ids))[:length]
        for t in range(draw(st.integers(1, 3))):
            start = draw(st.integers(0, 27 * 3600 // 60)) * 60
            arrivals, departures = [start], [start]
            for _ in range(length - 1):
                arrivals.append(departures[-1] + draw(st.integers(1, 15)) * 60)
                departures.append(arrivals[-1] + draw(st.sampled_from([0, 0, 30, 60])))
            frequency = None
            if draw(st.integers(0, 3)) == 0:
                headway = draw(st.sampled_from([600, 900, 1800]))
                frequency = (start, start + draw(st.integers(1, 4)) * headway, headway, draw(st.integers(0, 1)))
            trips.append(GenTrip(f"r{r}t{t}", f"r{r}", draw(st.sampled_from(services)), list(pattern), arrivals,
                                 departures, frequency))
    transfers = []
    for stop in draw(st.lists(st.sampled_from(stop_ids), max_size=3, unique=True)):
        kind = draw(st.sampled_from([0, 1, 2, 3]))
        transfers.append((stop, stop, kind, draw(st.integers(0, 600)) if kind == 2 else None))
    if n >= 2 and draw(st.booleans()):
        a, b = draw(st.permutations(stop_ids))[:2]
        kind = draw(st.sampled_from([2, 3]))
        transfers.append((a, b, kind, draw(st.integers(0, 900)) if kind == 2 else None))
    return GenFeed(stops, stations, trips, weekly, added, removed, only_dates, transfers)


# --- connection scan: a second, cheaper exact search (checked against the Dijkstra one) --------------

Instance = tuple[list[str], list[int], list[int]]  # stops, arrivals, departures (seconds of the query day)


def connection_scan(instances: list[Instance], change_s: dict[str, int | None],
                    walks: dict[str, list[tuple[str, int]]], origin: str, target: str, start: int) -> int | None:
    """Earliest arrival by the Connection Scan Algorithm (Dibbelt et al. 2013) over the runs' hops."""
    connections = sorted(
        (departures[i], arrivals[i + 1], n, i) for n, (_, arrivals, departures) in enumerate(instances)
        for i in range(len(departures) - 1) if departures[i] >= start)
    ready: dict[str, int] = {origin: start}
    best: int | None = None
    for q, w in walks.get(origin, ()):
        ready[q] = min(ready.get(q, start + w), start + w)
        if q == target:
            best = start + w
    on_board: set[int] = set()
    for departure, arrival, n, i in connections:
        if best is not None and departure >= best:
            break
        stops = instances[n][0]
        if n not in on_board:
            if ready.get(stops[i], 1 << 60) > departure:
                continue
            on_board.add(n)
        stop = stops[i + 1]
        if stop == target:
            best = arrival if best is None else min(best, arrival)
        change = change_s.get(stop, DEFAULT_CHANGE_S)
        if change is not None:
            ready[stop] = min(ready.get(stop, 1 << 60), arrival + change)
        for q, w in walks.get(stop, ()):
            ready[q] = min(ready.get(q, 1 << 60), arrival + w)
            if q == target:
                best = arrival + w if best is None else min(best, arrival + w)
    return best


def walks_of(stop_index: dict[str, int], footpaths: Footpaths) -> dict[str, list[tuple[str, int]]]:
    index = {i: s for s, i in stop_index.items()}
    return {s: [(index[int(t)], int(w)) for t, w in zip(*footpaths.walks_from(i), strict=True)]
            for s, i in stop_index.items()}
