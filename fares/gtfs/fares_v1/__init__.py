"""GTFS Fares v1 (fare_attributes.txt, fare_rules.txt): loading, matching, the cheapest cover.

    data = load_fares_v1(raw, basics, problems)   # None: the feed has no Fares v1
    engine = FaresV1Engine(data, basics, network)  # a fares.price.FareEngine
    price = engine.price(legs)
"""
from fares.gtfs.fares_v1.engine import FaresV1Engine
from fares.gtfs.fares_v1.loading import load_fares_v1
from fares.gtfs.fares_v1.model import Fare, FareAttribute, FareRule, FaresV1

__all__ = ["Fare", "FareAttribute", "FareRule", "FaresV1", "FaresV1Engine", "load_fares_v1"]
