"""The validated tariff as plain, immutable data, built once per version; the engine reads only this."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from core.money import Money, exponent
from fares.native.v2.apportionment import STANDALONE_FARES, Apportionment
from fares.native.v2.caps import Cap
from fares.native.v2.categories import NONE, RiderCategory
from fares.native.v2.distance import HALF_UP, DistanceFare
from fares.native.v2.flat import FlatFare
from fares.native.v2.passes import Pass
from fares.native.v2.scope import Scope
from fares.native.v2.timebands import DAYS, BandAdjustment, Period, TimeBand, minutes
from fares.native.v2.transfers import Coverage, ThroughFare, TransferRule
from fares.native.v2.trip import Fare
from fares.native.v2.zones import ZoneCountFare, ZoneMatrixFare
from fares.price import unknown_rider_category

REFUND_UNTIL_DEPARTURE, REFUND_UNTIL_VALIDITY_END = "departure", "validity_end"
REFUND_UNTIL = (REFUND_UNTIL_DEPARTURE, REFUND_UNTIL_VALIDITY_END)


@dataclass(frozen=True, slots=True)
class RefundPolicy:
    """The tariff's ``refund_policy``: what a refund costs, whether it may be partial, until when.

    Amounts are minor units of the tariff's currency. ``until``: ``departure``
    (the first leg's departure) or ``validity_end`` (the ticket's end of validity).
    """

    fee_minor: int
    fee_percent: Fraction
    max_fee_minor: int | None
    allow_partial: bool
    until: str

    def fee_for(self, amount_minor: int) -> int:
        """Fixed fee plus ``fee_percent`` of the refunded amount (rounded half up), capped by ``max_fee``.

        Never more than the amount itself, so the passenger never owes money for a refund.
        """
        if amount_minor <= 0:
            return 0
        percent = Fraction(amount_minor) * self.fee_percent / 100
        fee = self.fee_minor + int(percent + Fraction(1, 2))  # half up; both are >= 0
        if self.max_fee_minor is not None:
            fee = min(fee, self.max_fee_minor)
        return min(fee, amount_minor)


@dataclass(frozen=True, slots=True)
class ProductRule:
    """A fare product of one operator or of an association (its ``scope``)."""

    id: str
    name: str
    scope: Scope
    fare: Fare
    adjustments: tuple[BandAdjustment, ...] = ()
    coverage: Coverage | None = None  # None: one ticket per leg
    apportionment: Apportionment | None = None


@dataclass(frozen=True, slots=True)
class TariffV2:
    name: str
    currency: str
    timezone: str
    valid_from: date
    valid_to: date | None
    service_day_start_s: int
    max_discounted_transfers: int | None  # None: no limit
    rider_categories: tuple[RiderCategory, ...]
    time_bands: tuple[TimeBand, ...]
    products: tuple[ProductRule, ...]
    through_fares: tuple[ThroughFare, ...] = ()
    transfers: tuple[TransferRule, ...] = ()
    caps: tuple[Cap, ...] = ()
    passes: tuple[Pass, ...] = ()
    apportionment: Apportionment = Apportionment(STANDALONE_FARES)
    refund_policy: RefundPolicy | None = None  # None: the package has none (ticketing uses its default)
    version_id: int | None = None
    package: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)  # validated JSON

    def category(self, category_id: str | None) -> RiderCategory:
        for category in self.rider_categories:
            if (category.is_default if category_id is None else category.id == category_id):
                return category
        raise unknown_rider_category(category_id, [c.id for c in self.rider_categories])

    def bands_by_id(self) -> dict[str, TimeBand]:
        return {band.id: band for band in self.time_bands}

    def caps_for(self, category_id: str | None = None) -> tuple[Cap, ...]:
        """The caps of a rider category (the default one when None)."""
        category = self.category(category_id).id
        return tuple(c for c in self.caps if c.rider_categories is None or category in c.rider_categories)

    def passes_for(self, category_id: str | None = None) -> tuple[Pass, ...]:
        category = self.category(category_id).id
        return tuple(p for p in self.passes if p.rider_categories is None or category in p.rider_categories)

    def apportionment_for(self, product_id: str) -> Apportionment:
        """The clearing hint of a product or through fare, else the package's."""
        for rule in (*self.products, *self.through_fares):
            if rule.id == product_id and rule.apportionment is not None:
                return rule.apportionment
        return self.apportionment

    def with_version(self, version_id: int | None) -> TariffV2:
        return dataclasses.replace(self, version_id=version_id)


# --- building from a validated package ------------------------------------------------


def _money(text: str, currency: str) -> int:
    return Money.parse(text, currency).minor


def _ratio(text: str) -> Fraction:
    return Fraction(Decimal(text))


def _opt_set(values: Any) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


def build_scope(raw: Mapping[str, Any] | None) -> Scope:
    raw = raw or {}
    return Scope(_opt_set(raw.get("operators")), _opt_set(raw.get("routes")), _opt_set(raw.get("modes")))


def build_fare(spec: Mapping[str, Any], currency: str) -> Fare:
    kind = spec["kind"]
    if kind == "flat":
        return FlatFare(_money(spec["amount"], currency), currency)
    if kind == "zone_count":
        rows = sorted(spec["fares"], key=lambda row: row["zones"])
        return ZoneCountFare(tuple(_money(row["amount"], currency) for row in rows), currency)
    if kind == "zone_matrix":
        cells = {(cell["from"], cell["to"]): _money(cell["amount"], currency) for cell in spec["cells"]}
        if spec.get("symmetric"):
            for (origin, destination), amount in list(cells.items()):
                cells.setdefault((destination, origin), amount)
        return ZoneMatrixFare(cells, currency, bool(spec.get("symmetric")))
    if kind == "distance":
        rounding = spec.get("rounding") or {}
        return DistanceFare(
            base=_money(spec.get("base", "0"), currency),
            per_km=_ratio(spec["per_km"]) * 10 ** exponent(currency),
            step=_money(rounding["step"], currency) if rounding.get("step") else 1,
            mode=rounding.get("mode", HALF_UP),
            minimum=_money(spec["minimum"], currency) if spec.get("minimum") is not None else None,
            maximum=_money(spec["maximum"], currency) if spec.get("maximum") is not None else None,
            currency=currency,
            per_km_text=spec["per_km"],
        )
    raise ValueError(f"unknown fare kind {kind!r}")


def _adjustments(rows: Any, currency: str) -> tuple[BandAdjustment, ...]:
    out = []
    for row in rows or ():
        if row.get("multiplier") is not None:
            out.append(BandAdjustment(row["band"], multiplier=_ratio(row["multiplier"]),
                                      multiplier_text=row["multiplier"]))
        elif row.get("amount") is not None:
            out.append(BandAdjustment(row["band"], fare=FlatFare(_money(row["amount"], currency), currency)))
        else:
            out.append(BandAdjustment(row["band"], fare=build_fare(row["fare"], currency)))
    return tuple(out)


def _minutes_s(value: int | None) -> int | None:
    return None if value is None else value * 60


def build_apportionment(raw: Mapping[str, Any] | None, currency: str) -> Apportionment | None:
    if raw is None:
        return None
    return Apportionment(
        method=raw["method"],
        shares=tuple(sorted((op, _ratio(share)) for op, share in (raw.get("shares") or {}).items())),
        fees=tuple(sorted((op, Money.parse(fee, currency)) for op, fee in (raw.get("fees") or {}).items())),
        remainder=raw.get("remainder") or STANDALONE_FARES,
        reseller_commission=_ratio(raw["reseller_commission"]) if raw.get("reseller_commission") else Fraction(0),
        clearing_fee=_ratio(raw["clearing_fee"]) if raw.get("clearing_fee") else Fraction(0),
    )


def build_refund_policy(raw: Mapping[str, Any] | None, currency: str) -> RefundPolicy | None:
    """From a validated ``refund_policy`` block (or a stored package's copy); None when there is none."""
    if raw is None:
        return None
    return RefundPolicy(
        fee_minor=_money(raw.get("fee") or "0", currency),
        fee_percent=_ratio(raw.get("fee_percent") or "0"),
        max_fee_minor=_money(raw["max_fee"], currency) if raw.get("max_fee") is not None else None,
        allow_partial=bool(raw.get("allow_partial", True)),
        until=raw.get("until") or REFUND_UNTIL_VALIDITY_END,
    )


def _category(row: Mapping[str, Any], currency: str) -> RiderCategory:
    discount = row.get("discount") or {}
    kind, factor, amount, text = NONE, Fraction(1), 0, ""
    if discount.get("factor") is not None:
        kind, factor, text = "factor", _ratio(discount["factor"]), discount["factor"]
    elif discount.get("amount_off") is not None:
        kind, amount = "amount_off", _money(discount["amount_off"], currency)
    elif discount.get("fixed_amount") is not None:
        kind, amount = "fixed_amount", _money(discount["fixed_amount"], currency)
    return RiderCategory(
        id=row["id"], name=row.get("name") or row["id"], is_default=bool(row.get("is_default")), kind=kind,
        factor=factor, amount_minor=amount, products=_opt_set(row.get("products")), value_text=text,
    )


def build_model(package: Mapping[str, Any], version_id: int | None = None) -> TariffV2:
    """Build from a package that ``fares.native.v2.schema`` already validated (or its stored copy)."""
    currency = package["currency"]
    timezone = package["timezone"]
    day_start_s = minutes(package.get("service_day_start") or "00:00") * 60
    bands = tuple(
        TimeBand(
            id=band["id"],
            name=band.get("name") or band["id"],
            periods=tuple(
                Period(frozenset(DAYS.index(day) for day in period["days"]),
                       minutes(period["start"]) * 60, minutes(period["end"]) * 60)
                for period in band["periods"]
            ),
        )
        for band in package.get("time_bands") or ()
    )
    products = tuple(
        ProductRule(
            id=row["id"],
            name=row.get("name") or row["id"],
            scope=build_scope(row.get("scope")),
            fare=build_fare(row["fare"], currency),
            adjustments=_adjustments(row.get("time_bands"), currency),
            coverage=(
                Coverage(row["transfers"].get("max_transfers"), _minutes_s(row["transfers"].get("window_minutes")),
                         bool(row["transfers"].get("allow_same_route", True)))
                if row.get("transfers") else None
            ),
            apportionment=build_apportionment(row.get("apportionment"), currency),
        )
        for row in package["products"]
    )
    through = tuple(
        ThroughFare(
            id=row["id"],
            name=row.get("name") or row["id"],
            sequence=tuple(row["sequence"]),
            amount_minor=_money(row["amount"], currency),
            window_s=_minutes_s(row.get("window_minutes")),
            allow_same_route=bool(row.get("allow_same_route", True)),
            adjustments=_adjustments(row.get("time_bands"), currency),
            apportionment=build_apportionment(row.get("apportionment"), currency),
        )
        for row in package.get("through_fares") or ()
    )
    transfers = []
    for row in package.get("transfers") or ():
        price = row["price"]
        if price.get("factor") is not None:
            kind, factor, amount, text = "factor", _ratio(price["factor"]), 0, price["factor"]
        elif price.get("amount_off") is not None:
            kind, factor, amount, text = "amount_off", Fraction(1), _money(price["amount_off"], currency), ""
        else:
            kind, factor, amount, text = "amount", Fraction(1), _money(price["amount"], currency), ""
        transfers.append(TransferRule(
            id=row["id"], name=row.get("name") or row["id"], from_products=frozenset(row["from_products"]),
            to_products=frozenset(row["to_products"]), window_s=_minutes_s(row.get("window_minutes")),
            allow_same_route=bool(row.get("allow_same_route", True)), kind=kind, factor=factor,
            amount_minor=amount, value_text=text,
        ))
    caps = tuple(
        Cap(
            id=row["id"], name=row.get("name") or row["id"], period=row["period"],
            amount=Money.parse(row["amount"], currency), operators=_opt_set(row.get("operators")),
            rider_categories=_opt_set(row.get("rider_categories")), timezone=timezone,
            service_day_start_s=day_start_s,
        )
        for row in package.get("caps") or ()
    )
    passes = tuple(
        Pass(
            id=row["id"], name=row.get("name") or row["id"], period=row["period"],
            calendar=bool(row.get("calendar", True)), amount=Money.parse(row["amount"], currency),
            scope=build_scope(row.get("scope")), zones=_opt_set(row.get("zones")),
            rider_categories=_opt_set(row.get("rider_categories")), timezone=timezone,
            service_day_start_s=day_start_s,
        )
        for row in package.get("passes") or ()
    )
    return TariffV2(
        name=package["name"],
        currency=currency,
        timezone=timezone,
        valid_from=date.fromisoformat(str(package["valid_from"])),
        valid_to=date.fromisoformat(str(package["valid_to"])) if package.get("valid_to") else None,
        service_day_start_s=day_start_s,
        max_discounted_transfers=package.get("max_discounted_transfers"),
        rider_categories=tuple(_category(row, currency) for row in package["rider_categories"]),
        time_bands=bands,
        products=products,
        through_fares=through,
        transfers=tuple(transfers),
        caps=caps,
        passes=passes,
        apportionment=build_apportionment(package.get("apportionment"), currency)
        or Apportionment(STANDALONE_FARES),
        refund_policy=build_refund_policy(package.get("refund_policy"), currency),
        version_id=version_id,
        package=package,
    )
