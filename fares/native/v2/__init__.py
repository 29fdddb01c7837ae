"""Native tariff packages, format version 2: what GTFS cannot say (docs/native-tariff-v2.md).

``load_native_v2`` validates a package and builds a ``TariffV2``;
``NativeV2Engine`` prices itineraries under it; ``apply_caps`` caps
pay-as-you-go charges per service day and week.
"""
from __future__ import annotations

from fares.native.v2.caps import Cap, CappedCharge, Charge, apply_caps, service_date
from fares.native.v2.engine import NativeV2Engine
from fares.native.v2.model import TariffV2, build_model
from fares.native.v2.passes import Pass
from fares.native.v2.schema import load_native_v2, validate_native_v2

__all__ = [
    "Cap",
    "CappedCharge",
    "Charge",
    "NativeV2Engine",
    "Pass",
    "TariffV2",
    "apply_caps",
    "build_model",
    "load_native_v2",
    "service_date",
    "validate_native_v2",
]
