"""The loaded GTFS Fares v2 tables: plain, immutable values (no marshmallow, no feed rows).

Every record keeps the line it came from: its id in explanations and in
``Price.rules`` is ``<file>:<line>`` (the fare rule files have no ids of their own).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FareMedia:
    id: str
    name: str | None
    type: int  # fare_media.fare_media_type, 0..4


@dataclass(frozen=True, slots=True)
class RiderCategory:
    id: str
    name: str
    is_default: bool
    eligibility_url: str | None = None


@dataclass(frozen=True, slots=True)
class ProductRow:
    """One row of fare_products.txt: a price of ``product_id`` for one rider category and fare media.

    Empty ``rider_category_id``: eligible for any category; empty ``fare_media_id``: media unknown.
    """

    product_id: str
    name: str | None
    rider_category_id: str | None
    fare_media_id: str | None
    amount: int  # minor units of the feed's currency
    line: int


@dataclass(frozen=True, slots=True)
class Timeframe:
    """A ``[start, end)`` window in seconds of local time-of-day, on the days ``service_id`` runs."""

    group_id: str
    start: int
    end: int
    service_id: str
    line: int


@dataclass(frozen=True, slots=True)
class FareLegRule:
    leg_group_id: str | None
    network_id: str | None
    from_area_id: str | None
    to_area_id: str | None
    from_timeframe_group_id: str | None
    to_timeframe_group_id: str | None
    fare_product_id: str
    rule_priority: int  # empty counts as 0 (fare_leg_rules.rule_priority)
    line: int

    @property
    def id(self) -> str:
        return f"fare_leg_rules.txt:{self.line}"


@dataclass(frozen=True, slots=True)
class FareLegJoinRule:
    from_network_id: str
    to_network_id: str
    from_stop_id: str | None
    to_stop_id: str | None
    line: int

    @property
    def id(self) -> str:
        return f"fare_leg_join_rules.txt:{self.line}"


@dataclass(frozen=True, slots=True)
class FareTransferRule:
    from_leg_group_id: str | None
    to_leg_group_id: str | None
    transfer_count: int | None  # -1 = no limit; None when the leg groups differ
    duration_limit: int | None  # seconds
    duration_limit_type: int | None  # 0..3
    fare_transfer_type: int  # 0: A + AB, 1: A + AB + B, 2: AB
    fare_product_id: str | None  # None: the transfer costs nothing
    line: int

    @property
    def id(self) -> str:
        return f"fare_transfer_rules.txt:{self.line}"

    @property
    def groups(self) -> tuple[str | None, str | None]:
        return self.from_leg_group_id, self.to_leg_group_id


@dataclass(frozen=True, slots=True)
class FaresV2:
    """Everything the engine needs from a feed's Fares v2 files, validated and cross-checked.

    ``stop_areas`` holds the explicit assignments of stop_areas.txt (the station
    rule is applied by ``areas.AreaIndex``); ``route_networks`` maps every route
    with a network, from route_networks.txt or from routes.network_id.
    """

    currency: str
    fare_media: dict[str, FareMedia] = field(default_factory=dict)
    rider_categories: dict[str, RiderCategory] = field(default_factory=dict)
    products: dict[str, tuple[ProductRow, ...]] = field(default_factory=dict)
    areas: dict[str, str | None] = field(default_factory=dict)  # area_id -> area_name
    stop_areas: dict[str, frozenset[str]] = field(default_factory=dict)
    networks: dict[str, str | None] = field(default_factory=dict)  # network_id -> network_name
    route_networks: dict[str, str] = field(default_factory=dict)
    timeframes: dict[str, tuple[Timeframe, ...]] = field(default_factory=dict)
    leg_rules: tuple[FareLegRule, ...] = ()
    rule_priority: bool = False  # fare_leg_rules.txt has the rule_priority column
    join_rules: tuple[FareLegJoinRule, ...] = ()
    transfer_rules: tuple[FareTransferRule, ...] = ()

    @property
    def default_rider_category(self) -> str | None:
        for category in self.rider_categories.values():
            if category.is_default:
                return category.id
        return None
