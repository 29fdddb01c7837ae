"""Which journeys a pass covers: pure functions over the demo network (no database)."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.errors import NoFareFound
from fares.network import Network
from fares.price import ItineraryLeg
from ticketing.pass_scope import (
    PassScope,
    PassTerms,
    covers,
    operators_in_scope,
    resolve_legs,
    uncovered_reasons,
)
from webapp.demo import demo_routes, demo_stops, demo_walks

BERLIN = ZoneInfo("Europe/Berlin")
NETWORK = Network({s.id: s for s in demo_stops()}, {r.id: r for r in demo_routes()}, tuple(demo_walks()))
MONDAY = datetime(2026, 3, 2, tzinfo=BERLIN)
WEEK = (MONDAY, MONDAY + timedelta(days=7))

ALTHEIM = PassScope(zones=frozenset({"1", "2"}))
BVB_ONLY = PassScope(operators=frozenset({"BVB"}))
EVERYTHING = PassScope()


def at(hour: int, minute: int = 0, day: int = 0) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour, minutes=minute)


def ride(route: str, origin: str, destination: str, departure: datetime | None = None) -> ItineraryLeg:
    arrival = departure + timedelta(minutes=20) if departure else None
    return ItineraryLeg(route, origin, destination, departure, arrival)


def terms(scope: PassScope, start: datetime = WEEK[0], end: datetime = WEEK[1], active: bool = True) -> PassTerms:
    return PassTerms(scope, start, end, active)


def rides(*legs: ItineraryLeg):
    return resolve_legs(NETWORK, legs)


def test_resolving_a_leg_gives_its_operator_mode_and_every_zone_passed():
    (leg,) = rides(ride("RE1", "ALT_WEST", "KIR_BF"))
    assert (leg.operator_id, leg.mode, leg.zones) == ("RBA", "rail", ("2", "1", "3"))


def test_resolving_an_unknown_route_or_a_wrong_direction_is_no_fare():
    with pytest.raises(NoFareFound, match="unknown route 'NOPE'"):
        rides(ride("NOPE", "ALT_HBF", "KIR_BF"))
    with pytest.raises(NoFareFound, match="does not run from"):
        rides(ride("RE1", "ALT_HBF", "ALT_HBF"))
    with pytest.raises(NoFareFound, match="at least one ride"):
        rides()


def test_a_zonal_pass_covers_rides_of_any_operator_inside_its_zones():
    journey = rides(ride("SWA11", "ALT_EICH_WALDWEG", "ALT_WEST", at(8)), ride("RE1", "ALT_WEST", "ALT_HBF", at(8, 30)),
                    ride("T1", "ALT_HBF_VP", "ALT_WALDSIEDLUNG", at(9)))
    assert covers(terms(ALTHEIM), journey, at(7))


def test_a_zonal_pass_refuses_a_ride_passing_a_zone_outside_it_and_names_the_zone():
    journey = rides(ride("RE1", "ALT_HBF", "KIR_BF", at(8)))
    assert not covers(terms(ALTHEIM), journey, at(7))
    assert uncovered_reasons(terms(ALTHEIM), journey, at(7)) == (
        "leg 0: passes zone(s) 3, outside the pass's zones 1, 2",)


def test_an_operator_pass_covers_that_operator_only():
    bus = rides(ride("BVB21", "BGS_BF", "BGS_SONN_BUCHENWEG", at(8)))
    rail = rides(ride("RE1", "LIN_BF", "BGS_BF", at(8)))
    assert covers(terms(BVB_ONLY), bus, at(7))
    assert not covers(terms(BVB_ONLY), rail, at(7))
    assert "outside the pass's operators" in uncovered_reasons(terms(BVB_ONLY), rail, at(7))[0]


def test_every_leg_must_be_covered_and_each_problem_is_named():
    journey = rides(ride("BVB21", "BGS_BF", "BGS_MARKT", at(8)), ride("RE1", "LIN_BF", "BGS_BF", at(8, 30)),
                    ride("FAE1", "AUB_ANLEGER", "UFH_ANLEGER", at(12)))
    reasons = uncovered_reasons(terms(BVB_ONLY), journey, at(7))
    assert [reason.split(":")[0] for reason in reasons] == ["leg 1", "leg 2"]


def test_boarding_must_fall_inside_the_validity_but_arrival_may_be_after_it():
    last_minute = rides(ride("T1", "ALT_OST", "ALT_MARKT", WEEK[1] - timedelta(minutes=5)))
    assert covers(terms(EVERYTHING), last_minute, at(7))
    too_early = rides(ride("T1", "ALT_OST", "ALT_MARKT", WEEK[0] - timedelta(minutes=1)))
    assert not covers(terms(EVERYTHING), too_early, WEEK[0] - timedelta(hours=1))
    too_late = rides(ride("T1", "ALT_OST", "ALT_MARKT", WEEK[1]))
    assert "outside the validity" in uncovered_reasons(terms(EVERYTHING), too_late, at(7))[0]


def test_a_leg_without_a_departure_counts_at_the_moment_asked():
    journey = rides(ride("T1", "ALT_OST", "ALT_MARKT"))
    assert covers(terms(EVERYTHING), journey, at(12))
    assert not covers(terms(EVERYTHING, start=at(13)), journey, at(12))


def test_an_expired_or_inactive_pass_covers_nothing():
    journey = rides(ride("T1", "ALT_OST", "ALT_MARKT", at(8)))
    assert uncovered_reasons(terms(EVERYTHING), journey, WEEK[1]) == (
        f"the pass expired at {WEEK[1].isoformat()}",)
    assert uncovered_reasons(terms(EVERYTHING, active=False), journey, at(7)) == ("the pass is not active",)


def test_operators_in_scope_are_those_running_routes_in_the_pass_zones():
    assert operators_in_scope(EVERYTHING, NETWORK) == ("BVB", "FAE", "RBA", "SWA", "TAL")
    assert operators_in_scope(ALTHEIM, NETWORK) == ("RBA", "SWA", "TAL")
    assert operators_in_scope(BVB_ONLY, NETWORK) == ("BVB",)
    assert operators_in_scope(PassScope(zones=frozenset({"6"}), operators=frozenset({"BVB"})), NETWORK) == ()


def test_a_scope_survives_its_json_form():
    scope = PassScope(frozenset({"BVB"}), None, frozenset({"bus"}), frozenset({"5", "4"}))
    assert scope.to_json() == {"operators": ["BVB"], "routes": None, "modes": ["bus"], "zones": ["4", "5"]}
    assert PassScope.from_json(scope.to_json()) == scope
