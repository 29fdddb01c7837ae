"""Row schemas for the Fares v2 files: one marshmallow schema per file, used only at load time.

Field types and conditional presence follow the GTFS reference; cross-file
references are checked later, by the loaders, once every file is read.
"""
from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates_schema

from core.money import Money, is_currency_code
from fares.gtfs.basics import Optional
from fares.gtfs.fares_v2.field_types import GtfsInt, LocalTime, non_negative, one_of, positive, transfer_count, url


class _Row(Schema):
    class Meta:
        unknown = EXCLUDE


def _required_id() -> fields.String:
    return fields.String(required=True, validate=validate.Length(min=1, error="must not be empty"))


class FareMediaSchema(_Row):
    fare_media_id = _required_id()
    fare_media_name = Optional(load_default=None)
    fare_media_type = GtfsInt(required=True, validate=one_of(0, 1, 2, 3, 4))

    @validates_schema
    def _type_given(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("fare_media_type") is None:
            raise ValidationError("this field is required", field_name="fare_media_type")


class RiderCategorySchema(_Row):
    rider_category_id = _required_id()
    rider_category_name = _required_id()
    is_default_fare_category = GtfsInt(load_default=None, validate=one_of(0, 1))
    eligibility_url = Optional(load_default=None, validate=url)


class FareProductSchema(_Row):
    fare_product_id = _required_id()
    fare_product_name = Optional(load_default=None)
    rider_category_id = Optional(load_default=None)
    fare_media_id = Optional(load_default=None)
    amount = _required_id()
    currency = _required_id()

    @validates_schema
    def _amount(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not is_currency_code(data["currency"]):
            raise ValidationError(f"not an ISO 4217 currency code: {data['currency']!r}", field_name="currency")
        try:
            Money.parse(data["amount"], data["currency"])
        except ValueError as exc:
            raise ValidationError(str(exc), field_name="amount") from None

    @post_load
    def _minor(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["amount"] = Money.parse(data["amount"], data["currency"]).minor
        return data


class AreaSchema(_Row):
    area_id = _required_id()
    area_name = Optional(load_default=None)


class StopAreaSchema(_Row):
    area_id = _required_id()
    stop_id = _required_id()


class NetworkSchema(_Row):
    network_id = _required_id()
    network_name = Optional(load_default=None)


class RouteNetworkSchema(_Row):
    network_id = _required_id()
    route_id = _required_id()


class TimeframeSchema(_Row):
    timeframe_group_id = _required_id()
    start_time = LocalTime(load_default=None)
    end_time = LocalTime(load_default=None)
    service_id = _required_id()

    @validates_schema
    def _window(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data["start_time"], data["end_time"]
        if (start is None) != (end is None):
            missing = "start_time" if start is None else "end_time"
            raise ValidationError("start_time and end_time are given together or not at all", field_name=missing)
        if start is not None and end is not None and start >= end:
            raise ValidationError("end_time must be after start_time", field_name="end_time")


class FareLegRuleSchema(_Row):
    leg_group_id = Optional(load_default=None)
    network_id = Optional(load_default=None)
    from_area_id = Optional(load_default=None)
    to_area_id = Optional(load_default=None)
    from_timeframe_group_id = Optional(load_default=None)
    to_timeframe_group_id = Optional(load_default=None)
    fare_product_id = _required_id()
    rule_priority = GtfsInt(load_default=None, validate=non_negative)


class FareLegJoinRuleSchema(_Row):
    from_network_id = _required_id()
    to_network_id = _required_id()
    from_stop_id = Optional(load_default=None)
    to_stop_id = Optional(load_default=None)

    @validates_schema
    def _stops_together(self, data: dict[str, Any], **kwargs: Any) -> None:
        if (data["from_stop_id"] is None) != (data["to_stop_id"] is None):
            missing = "from_stop_id" if data["from_stop_id"] is None else "to_stop_id"
            raise ValidationError("from_stop_id and to_stop_id are given together or not at all", field_name=missing)


class FareTransferRuleSchema(_Row):
    from_leg_group_id = Optional(load_default=None)
    to_leg_group_id = Optional(load_default=None)
    transfer_count = GtfsInt(load_default=None, validate=transfer_count)
    duration_limit = GtfsInt(load_default=None, validate=positive)
    duration_limit_type = GtfsInt(load_default=None, validate=one_of(0, 1, 2, 3))
    fare_transfer_type = GtfsInt(required=True, validate=one_of(0, 1, 2))
    fare_product_id = Optional(load_default=None)

    @validates_schema
    def _conditions(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["fare_transfer_type"] is None:
            raise ValidationError("this field is required", field_name="fare_transfer_type")
        same_groups = data["from_leg_group_id"] == data["to_leg_group_id"]
        if same_groups and data["transfer_count"] is None:
            raise ValidationError("required when from_leg_group_id equals to_leg_group_id", field_name="transfer_count")
        if not same_groups and data["transfer_count"] is not None:
            raise ValidationError("forbidden when from_leg_group_id differs from to_leg_group_id",
                                  field_name="transfer_count")
        if (data["duration_limit"] is None) != (data["duration_limit_type"] is None):
            raise ValidationError("required exactly when duration_limit is given", field_name="duration_limit_type")
