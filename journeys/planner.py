"""The planner the API and the command line call: one instance per timetable, shared read-only.

``TimetablePlanner(timetable, footpaths)`` answers, for stop ids and a time:

* ``earliest_arrival``: the journey arriving first (RAPTOR);
* ``pareto``: arrival against transfers (RAPTOR's rounds), leaving at ``at``;
* ``departures``: the range query, options leaving within ``window`` after ``at``
  ("earlier/later" on the booking page);
* ``plan``: with a ``fares.fare_search.FareSearch``, the Pareto set over arrival,
  transfers and price (McRAPTOR), each option priced by the engine; without
  one, ``departures``. Options are labelled ``fastest``, ``fewest_transfers``
  and ``cheapest`` where they are.

No option leaves before ``at``; a naive ``at`` is local time of the network.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from core.errors import NoJourneyFound, NotFound
from fares.fare_search import FareSearch
from journeys import raptor
from journeys.bounds import bounds_to
from journeys.footpaths import Footpaths
from journeys.journey import Journey, Step, departure_seconds, journey_of
from journeys.pareto import pareto_front
from journeys.timetable import Timetable

DEFAULT_WINDOW = timedelta(minutes=60)
DEFAULT_SLACK = timedelta(minutes=30)


def labelled(journeys: Iterable[Journey], priced: bool) -> list[Journey]:
    """The options with their labels, fastest first; options nobody would pick by these criteria go."""
    options = list(journeys)
    if not options:
        return []
    fastest = min(o.arrival for o in options)
    fewest = min(o.transfers for o in options)
    prices = [o.price.total.minor for o in options if o.price is not None and o.price.total is not None]
    cheapest = min(prices) if priced and prices else None
    out = []
    for option in options:
        criteria = []
        if option.arrival == fastest:
            criteria.append("fastest")
        if option.transfers == fewest:
            criteria.append("fewest_transfers")
        total = option.price.total if option.price is not None else None
        if cheapest is not None and total is not None and total.minor == cheapest:
            criteria.append("cheapest")
        out.append(Journey(tuple(criteria), option.legs, option.price))
    out.sort(key=lambda o: (o.arrival, o.transfers, o.departure))
    return out


class TimetablePlanner:
    def __init__(self, timetable: Timetable, footpaths: Footpaths) -> None:
        self.timetable = timetable
        self.footpaths = footpaths

    # --- requests ----------------------------------------------------------------------------

    def stop(self, stop_id: str, field: str = "from") -> int:
        index = self.timetable.stop_index.get(stop_id)
        if index is None:
            raise NotFound(f"unknown stop {stop_id!r}", details={"field": field})
        return index

    def _query(self, from_stop: str, to_stop: str, at: datetime) -> tuple[int, int, date, int]:
        origin, target = self.stop(from_stop, "from"), self.stop(to_stop, "to")
        if origin == target:
            raise NoJourneyFound("origin and destination are the same stop", details={"field": "to"})
        if at.tzinfo is None:
            at = at.replace(tzinfo=self.timetable.zone)
        day = at.astimezone(self.timetable.zone).date()
        return origin, target, day, self.timetable.seconds_at(day, at)

    def sources(self, origin: int, start: int) -> list[tuple[int, int]]:
        """The origin, and the stops walked to from it, with the times the passenger is there."""
        to, seconds = self.footpaths.walks_from(origin)
        return [(origin, start)] + [(int(s), start + int(w)) for s, w in zip(to, seconds, strict=True)]

    def _rounds(self, origin: int, target: int, day: date, start: int) -> raptor.Rounds:
        return raptor.search(self.timetable, self.footpaths, self.sources(origin, start), target, day)

    def _journey(self, day: date, start: int, steps: list[Step]) -> Journey:
        return journey_of(self.timetable, self.footpaths, day, start, steps)

    # --- RAPTOR --------------------------------------------------------------------------------

    def earliest_arrival(self, from_stop: str, to_stop: str, at: datetime) -> Journey:
        origin, target, day, start = self._query(from_stop, to_stop, at)
        rounds = self._rounds(origin, target, day, start)
        front = raptor.pareto_rounds(rounds, target)
        if not front:
            raise NoJourneyFound(f"no connection from {from_stop} to {to_stop}")
        k, _ = front[-1]
        steps = raptor.steps_to(rounds, self.timetable, self.footpaths, target, k)
        return labelled([self._journey(day, start, steps)], priced=False)[0]

    def pareto(self, from_stop: str, to_stop: str, at: datetime) -> list[Journey]:
        """Arrival against transfers, leaving at ``at``: one journey per number of rides that arrives earlier."""
        origin, target, day, start = self._query(from_stop, to_stop, at)
        journeys = self._pareto_at(origin, target, day, start)
        if not journeys:
            raise NoJourneyFound(f"no connection from {from_stop} to {to_stop}")
        return labelled((j for _, j in journeys), priced=False)

    def _pareto_at(self, origin: int, target: int, day: date, start: int) -> list[tuple[int, Journey]]:
        rounds = self._rounds(origin, target, day, start)
        out = []
        for k, _ in raptor.pareto_rounds(rounds, target):
            steps = raptor.steps_to(rounds, self.timetable, self.footpaths, target, k)
            out.append((departure_seconds(self.timetable, steps, start), self._journey(day, start, steps)))
        return out

    def departures(self, from_stop: str, to_stop: str, at: datetime,
                   window: timedelta = DEFAULT_WINDOW) -> list[Journey]:
        """The range query: every option leaving in ``[at, at + window]`` that no other beats.

        An option beats another if it leaves no earlier, arrives no later and
        changes no more often. Each RAPTOR run starts one second after the
        latest departure found so far, so every departure time at which the
        answer changes is searched (repeated runs, not rRAPTOR's label reuse).
        """
        origin, target, day, start = self._query(from_stop, to_stop, at)
        end = start + int(window.total_seconds())
        found: list[tuple[int, Journey]] = []
        now = start
        while now <= end:
            batch = [(d, j) for d, j in self._pareto_at(origin, target, day, now) if d <= end or not found]
            if not batch:
                break
            found.extend(batch)
            now = max(d for d, _ in batch) + 1
        if not found:
            raise NoJourneyFound(f"no connection from {from_stop} to {to_stop}")
        best: list[Journey] = []
        for departure, journey in found:
            if not any(d >= departure and j.arrival <= journey.arrival and j.transfers <= journey.transfers
                       and (d, j.arrival, j.transfers) != (departure, journey.arrival, journey.transfers)
                       for d, j in found):
                if all(j.signature() != journey.signature() for j in best):
                    best.append(journey)
        return labelled(best, priced=False)

    # --- with fares --------------------------------------------------------------------------

    def plan(self, from_stop: str, to_stop: str, at: datetime, fare_search: FareSearch[object] | None = None,
             window: timedelta = DEFAULT_WINDOW, max_rides: int | None = None,
             slack: timedelta | None = DEFAULT_SLACK, max_labels: int | None = None) -> list[Journey]:
        """The Pareto set over arrival, transfers and price of the journeys leaving within the window.

        The window reaches at least to the departure of the fastest journey
        (so a short window still has an answer). With ``slack``, journeys
        arriving later than ``slack`` after the fastest one leaving at the end
        of the window are not searched; ``slack=None`` searches them all.
        ``max_labels`` stops a search that grows too large
        (``journeys.mcraptor.SearchTooLarge``, a 4xx-mappable domain error).
        """
        if fare_search is None:
            return self.departures(from_stop, to_stop, at, window)
        from journeys import mcraptor

        origin, target, day, start = self._query(from_stop, to_stop, at)
        rounds = self._rounds(origin, target, day, start)
        front = raptor.pareto_rounds(rounds, target)
        if not front:
            raise NoJourneyFound(f"no connection from {from_stop} to {to_stop}")
        fastest = raptor.steps_to(rounds, self.timetable, self.footpaths, target, front[-1][0])
        latest = max(start + int(window.total_seconds()), departure_seconds(self.timetable, fastest, start))
        limit = bounds = None
        if slack is not None:
            last = raptor.pareto_rounds(self._rounds(origin, target, day, latest), target)
            limit = (last[-1][1] if last else front[-1][1]) + int(slack.total_seconds())
            bounds = bounds_to(self.timetable, self.footpaths, target).tolist()
        options = mcraptor.search(self.timetable, self.footpaths, fare_search, self.sources(origin, start), target,
                                  day, start, latest, max_rides=max_rides or mcraptor.MAX_RIDES, limit=limit,
                                  bounds=bounds, max_labels=max_labels)
        if not options:
            raise NoJourneyFound(f"no connection from {from_stop} to {to_stop}")
        journeys: dict[tuple[int, int, int | None], Journey] = {}
        for steps in options:
            journey = self._journey(day, start, steps)
            price = fare_search.price(journey.rides)
            key = (self.timetable.seconds_at(day, journey.arrival), journey.transfers,
                   price.total.minor if price.total is not None else None)
            journeys.setdefault(key, Journey((), journey.legs, price))
        front_keys = pareto_front(list(journeys))
        return labelled((journeys[key] for key in sorted(front_keys, key=str)), priced=True)
