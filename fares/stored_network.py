"""The network as stored in the database: replaced as a whole, read back as plain data.

Apart from ``fares.services`` so that the pricing cache can read the network
without importing the services that use the cache (no import circle).
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.db import utcnow
from fares.models import NetworkState, RoutePatternRow, RouteRow, RouteStopRow, StopRow, WalkRow
from fares.network import Network, Pattern, Route, Stop, Walk


def replace_network(session: Session, stops: Iterable[Stop], routes: Iterable[Route], walks: Iterable[Walk],
                    *, tariff_version_id: int | None = None) -> int:
    """Replace the stored network with the given one (inside the caller's transaction); returns its revision.

    ``tariff_version_id`` names the GTFS version whose feed the network comes
    from (None for a network loaded otherwise, such as the demo), so that the
    feed's timetable, kept with that version, is known to be the network's.
    """
    for table in (WalkRow, RouteStopRow, RoutePatternRow, RouteRow, StopRow):
        session.execute(delete(table))
    session.add_all(
        StopRow(id=s.id, name=s.name, lat=s.lat, lon=s.lon, zone_id=s.zone_id, town=s.town) for s in stops
    )
    session.flush()
    for route in routes:
        session.add(
            RouteRow(
                id=route.id, operator_id=route.operator_id, short_name=route.short_name, long_name=route.long_name,
                mode=route.mode, headway_s=route.headway_s, first_departure_s=route.first_departure_s,
                last_departure_s=route.last_departure_s,
            )
        )
        session.flush()
        for index, pattern in enumerate(route.patterns):
            session.add(RoutePatternRow(route_id=route.id, pattern_index=index, direction_id=pattern.direction_id,
                                        headway_s=pattern.headway_s, first_departure_s=pattern.first_departure_s,
                                        last_departure_s=pattern.last_departure_s))
            session.flush()
            session.add_all(
                RouteStopRow(route_id=route.id, pattern_index=index, sequence=i, stop_id=stop_id, offset_s=offset)
                for i, (stop_id, offset) in enumerate(zip(pattern.stop_ids, pattern.offsets_s, strict=True))
            )
    session.add_all(WalkRow(from_stop_id=w.from_stop_id, to_stop_id=w.to_stop_id, seconds=w.seconds) for w in walks)
    state = session.get(NetworkState, 1, with_for_update=True)
    if state is None:
        state = NetworkState(id=1, revision=1, updated_at=utcnow(), tariff_version_id=tariff_version_id)
        session.add(state)
    else:
        state.revision += 1
        state.updated_at = utcnow()
        state.tariff_version_id = tariff_version_id
    session.flush()
    return state.revision


def load_network(session: Session) -> Network:
    stops = {
        row.id: Stop(row.id, row.name, row.lat, row.lon, row.zone_id, row.town)
        for row in session.scalars(select(StopRow))
    }
    stops_of: dict[tuple[str, int], list[RouteStopRow]] = {}
    for stop_row in session.scalars(select(RouteStopRow).order_by(
            RouteStopRow.route_id, RouteStopRow.pattern_index, RouteStopRow.sequence)):
        stops_of.setdefault((stop_row.route_id, stop_row.pattern_index), []).append(stop_row)
    patterns_of: dict[str, list[Pattern]] = {}
    for p in session.scalars(select(RoutePatternRow).order_by(RoutePatternRow.route_id,
                                                              RoutePatternRow.pattern_index)):
        rows = stops_of.get((p.route_id, p.pattern_index), [])
        patterns_of.setdefault(p.route_id, []).append(
            Pattern(p.route_id, p.direction_id, tuple(r.stop_id for r in rows), tuple(r.offset_s for r in rows),
                    p.headway_s, p.first_departure_s, p.last_departure_s))
    routes = {}
    for row in session.scalars(select(RouteRow)):
        route_patterns = tuple(patterns_of.get(row.id, ()))
        routes[row.id] = Route(
            id=row.id, operator_id=row.operator_id, short_name=row.short_name, mode=row.mode,
            headway_s=row.headway_s, first_departure_s=row.first_departure_s,
            last_departure_s=row.last_departure_s, long_name=row.long_name, patterns=route_patterns,
        )
    walks = tuple(Walk(w.from_stop_id, w.to_stop_id, w.seconds) for w in session.scalars(select(WalkRow)))
    return Network(stops, routes, walks)
