"""The areas of a stop, with the station rule of stop_areas.txt.

stop_areas.stop_id: a station (location_type=1) in an area puts all its
platforms (location_type=0 with that parent_station) in the same area; "this
behavior can be overridden by assigning platforms to other areas", so a
platform with areas of its own keeps only those.
"""
from __future__ import annotations

from fares.gtfs.basics import FeedBasics


class AreaIndex:
    def __init__(self, stop_areas: dict[str, frozenset[str]], basics: FeedBasics) -> None:
        areas = {stop_id: tuple(sorted(ids)) for stop_id, ids in stop_areas.items()}
        for stop in basics.stops.values():
            if (stop.id not in stop_areas and stop.location_type == 0 and stop.parent_station
                    and stop.parent_station in stop_areas):
                station = basics.stops.get(stop.parent_station)
                if station is not None and station.location_type == 1:
                    areas[stop.id] = areas[stop.parent_station]
        self._areas = areas

    def of(self, stop_id: str) -> tuple[str, ...]:
        """The stop's area ids, sorted; empty when the stop is in no area."""
        return self._areas.get(stop_id, ())
