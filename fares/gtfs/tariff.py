"""A GTFS feed as a tariff: its basics, its network and the engine of its fares.

Fares v2 takes precedence when a feed has both versions (the GTFS reference
says v2 supersedes v1); a feed with neither cannot be a tariff.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.input_limits import InputLimits
from fares.gtfs.basics import FeedBasics, load_basics
from fares.gtfs.fares_v1 import FaresV1Engine, load_fares_v1
from fares.gtfs.fares_v2 import FARES_V2_FILES, FaresV2Engine, load_fares_v2
from fares.gtfs.network import NETWORK_FILES, build_network
from fares.gtfs.reader import DEFAULT_LIMITS, RawFeed, feed_from_texts, read_feed, read_texts
from fares.network import Network
from fares.price import FareEngine
from fares.validation import Problems

FARES_V1_FILES = ("fare_attributes.txt", "fare_rules.txt")
BASIC_FILES = ("agency.txt", "stops.txt", "routes.txt", "calendar.txt", "calendar_dates.txt")
#: The files a stored tariff version keeps to rebuild its engine (the network is kept apart).
TARIFF_FILES = BASIC_FILES + FARES_V1_FILES + FARES_V2_FILES


@dataclass(frozen=True, slots=True)
class GtfsTariff:
    basics: FeedBasics
    engine: FareEngine
    fares_version: str  # "v1" or "v2"
    network: Network | None


def engine_from_raw(raw: RawFeed, basics: FeedBasics, network: Network | None,
                    problems: Problems) -> tuple[FareEngine | None, str]:
    v2 = load_fares_v2(raw, basics, problems)
    if v2 is not None:
        return FaresV2Engine(v2, basics), "v2"
    v1 = load_fares_v1(raw, basics, problems)
    if v1 is not None:
        return FaresV1Engine(v1, basics, network), "v1"
    problems.add(raw.source, None, None,
                 "the feed has no fares: neither fare_products.txt/fare_leg_rules.txt (v2) "
                 "nor fare_attributes.txt (v1)")
    return None, ""


def load_gtfs_tariff(path: Path, with_network: bool = True, limits: InputLimits = DEFAULT_LIMITS) -> GtfsTariff:
    """Read, validate and build; raises ``ValidationFailed`` naming file, line and field of every problem."""
    problems = Problems()
    only = set(TARIFF_FILES) | (set(NETWORK_FILES) if with_network else set())
    raw = read_feed(path, only=only, problems=problems, limits=limits)
    basics = load_basics(raw, problems)
    network = build_network(raw, basics, problems) if with_network else None
    engine, version = engine_from_raw(raw, basics, network, problems)
    problems.raise_if_any(path.name)
    assert engine is not None
    return GtfsTariff(basics, engine, version, network)


def stored_texts(path: Path, limits: InputLimits = DEFAULT_LIMITS) -> dict[str, str]:
    return read_texts(path, TARIFF_FILES, limits)


def engine_from_texts(source: str, texts: Mapping[str, str], network: Network | None) -> FareEngine:
    """Rebuild the engine of a stored, already validated version."""
    problems = Problems()
    raw = feed_from_texts(source, texts, problems)
    basics = load_basics(raw, problems)
    engine, _ = engine_from_raw(raw, basics, network, problems)
    problems.raise_if_any(source)
    assert engine is not None
    return engine
