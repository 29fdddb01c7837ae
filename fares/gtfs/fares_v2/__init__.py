"""GTFS Fares v2: loading and validating the fare files, and pricing itineraries under them.

``load_fares_v2(raw, basics, problems)`` (or ``read_fares_v2(path, problems)``)
gives the validated ``FaresV2``; ``FaresV2Engine(fares, basics)`` prices
itineraries as a ``fares.price.FareEngine``.
"""
from fares.gtfs.fares_v2.engine import FaresV2Engine
from fares.gtfs.fares_v2.loader import FARES_V2_FILES, load_fares_v2, read_fares_v2
from fares.gtfs.fares_v2.model import FaresV2

__all__ = ["FARES_V2_FILES", "FaresV2", "FaresV2Engine", "load_fares_v2", "read_fares_v2"]
