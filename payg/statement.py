"""A day's statement: each journey with its legs, its fare, what it paid after the caps, and why."""
from __future__ import annotations

from typing import Any

from core.money import Money
from payg.rating import DayRating


def _money(minor: int, currency: str) -> str:
    return Money(minor, currency).format()


def statement_json(rating: DayRating, rider_category: str | None) -> dict[str, Any]:
    currency = rating.currency
    journeys = []
    for priced, charged in zip(rating.journeys, rating.charged_per_journey, strict=True):
        legs = []
        for index, (ride, leg) in enumerate(zip(priced.journey.legs, priced.legs, strict=False)):
            legs.append({
                "route_id": ride.route_id, "from_stop_id": ride.from_stop_id, "to_stop_id": ride.to_stop_id,
                "tap_in": ride.tap_in.isoformat(), "tap_out": ride.tap_out.isoformat() if ride.tap_out else None,
                "missing_tap_out": ride.missing_tap_out,
                "priced_to_stop_id": leg.to_stop_id if index in priced.max_fare_legs else None,
            })
        journeys.append({
            "start": priced.journey.start.isoformat(),
            "legs": legs,
            "fare": _money(priced.uncapped_minor, currency), "fare_minor": priced.uncapped_minor,
            "charged": _money(charged, currency), "charged_minor": charged,
            "products": [p.id for p in priced.price.products] if priced.price else [],
            "rules": list(priced.price.rules) if priced.price else [],
            "max_fare_rule": bool(priced.max_fare_legs),
            "problem": priced.problem,
        })
    reconstruction = rating.reconstruction
    notes = []
    if reconstruction is not None:
        notes.extend(f"cancelled ride: tap-in and tap-out at {leg.from_stop_id} on {leg.route_id}, no fare"
                     for leg in reconstruction.cancelled)
        notes.extend(f"tap-out without a tap-in at {tap.stop_id} on {tap.route_id} ({tap.tapped_at.isoformat()}), "
                     "no fare" for tap in reconstruction.unmatched_tap_outs)
    return {
        "service_date": rating.service_date.isoformat(),
        "rider_category": rider_category,
        "currency": currency,
        "journeys": journeys,
        "fares_total": _money(rating.uncapped_minor, currency), "fares_total_minor": rating.uncapped_minor,
        "charged": _money(rating.charged_minor, currency), "charged_minor": rating.charged_minor,
        "caps_applied": list(rating.caps_applied),
        "day_pass": None if rating.day_pass is None else {
            "id": rating.day_pass.id, "name": rating.day_pass.name,
            "amount": rating.day_pass.amount.format(), "amount_minor": rating.day_pass.amount.minor},
        "operators": [{"operator_id": op, "fare": _money(amount, currency), "fare_minor": amount}
                      for op, amount in rating.operators_uncapped],
        "notes": notes,
    }
