"""The entry point that turns a read feed into ``FaresV2``, reporting every problem with file, line and field."""
from __future__ import annotations

from pathlib import Path

from fares.gtfs.basics import FeedBasics, load_basics
from fares.gtfs.fares_v2.catalog import load_fare_media, load_products, load_rider_categories
from fares.gtfs.fares_v2.model import FaresV2
from fares.gtfs.fares_v2.places import load_areas, load_networks
from fares.gtfs.fares_v2.rules import load_join_rules, load_leg_rules, load_transfer_rules
from fares.gtfs.fares_v2.timeframes import load_timeframes
from fares.gtfs.reader import RawFeed, read_feed
from fares.validation import Problems

FARES_V2_FILES = (
    "fare_media.txt", "fare_products.txt", "rider_categories.txt", "fare_leg_rules.txt", "fare_leg_join_rules.txt",
    "fare_transfer_rules.txt", "timeframes.txt", "areas.txt", "stop_areas.txt", "networks.txt",
    "route_networks.txt",
)
# What makes a feed a Fares v2 feed: the other files (areas, networks...) also serve other purposes.
_DEFINING = ("fare_products.txt", "fare_leg_rules.txt")


def load_fares_v2(raw: RawFeed, basics: FeedBasics, problems: Problems) -> FaresV2 | None:
    """Validate and load the Fares v2 files; None when the feed has neither fare_products nor fare_leg_rules.

    Rows with problems are reported and left out; callers reject the upload
    when ``problems`` is not empty (``Problems.raise_if_any``).
    """
    if not any(raw.has(name) for name in _DEFINING):
        return None
    media = load_fare_media(raw, problems)
    categories = load_rider_categories(raw, problems)
    products, currency = load_products(raw, problems, categories)
    areas, stop_areas = load_areas(raw, basics, problems)
    networks, route_networks = load_networks(raw, basics, problems)
    known_networks = frozenset(networks) | frozenset(route_networks.values())
    timeframes = load_timeframes(raw, basics, problems)
    leg_rules, with_priority = load_leg_rules(raw, problems, known_networks)
    return FaresV2(
        currency=currency,
        fare_media=media,
        rider_categories=categories,
        products=products,
        areas=areas,
        stop_areas=stop_areas,
        networks=networks,
        route_networks=route_networks,
        timeframes=timeframes,
        leg_rules=leg_rules,
        rule_priority=with_priority,
        join_rules=load_join_rules(raw, basics, problems, known_networks),
        transfer_rules=load_transfer_rules(raw, problems),
    )


def read_fares_v2(path: Path, problems: Problems) -> tuple[FeedBasics, FaresV2 | None]:
    """Read a feed (zip or folder) without its timetables, then its basics and Fares v2 files."""
    wanted = ("agency.txt", "stops.txt", "routes.txt", "calendar.txt", "calendar_dates.txt", *FARES_V2_FILES)
    raw = read_feed(path, only=wanted, problems=problems)
    basics = load_basics(raw, problems)
    return basics, load_fares_v2(raw, basics, problems)
