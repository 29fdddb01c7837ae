"""Building the fare engine of a tariff version, whatever its format."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.errors import NoFareFound
from fares.gtfs.tariff import engine_from_texts
from fares.native.v2 import NativeV2Engine, build_model
from fares.network import Network
from fares.price import ItineraryLeg, Price
from fares.pricing import price_itinerary
from fares.tariff import ZoneTariff


class ZoneTariffEngine:
    """The native format 1 zone-count tariff as a ``FareEngine``."""

    def __init__(self, tariff: ZoneTariff, network: Network) -> None:
        self.tariff = tariff
        self.network = network
        self.currency = tariff.currency

    def rider_category(self, rider_category: str | None) -> str | None:
        return self.tariff.category(rider_category).id

    def price(
        self, legs: Sequence[ItineraryLeg], rider_category: str | None = None, fare_media: str | None = None
    ) -> Price:
        return price_itinerary(legs, self.network, self.tariff, rider_category)


def build_engine(format_: str, content: dict[str, Any], network: Network, version_id: int | None):  # noqa: ANN201
    if format_ == "native" and content.get("format_version") == 2:
        return NativeV2Engine(build_model(content, version_id), network)
    if format_ == "native":
        return ZoneTariffEngine(ZoneTariff.from_package(content, version_id), network)
    if format_ == "gtfs":
        return engine_from_texts(content["source"], content["files"], network)
    raise NoFareFound(f"tariff format {format_!r} cannot be priced yet", code="unsupported_tariff_format")
