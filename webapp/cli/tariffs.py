"""``farebridge tariff``, ``fares price`` and ``journeys``: tariff versions, pricing, planning."""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import click

from webapp.cli.common import current_runtime, domain_errors


@click.group()
def tariff() -> None:
    """Tariff versions."""


@tariff.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--name", default=None, help="Name of the version (default: from the package)")
@click.option("--valid-from", "valid_from", default=None, help="YYYY-MM-DD (default: from the package)")
@click.option("--activate", is_flag=True, help="Activate the new version at once")
@domain_errors
def tariff_import(path: Path, name: str | None, valid_from: str | None, activate: bool) -> None:
    """Validate and store a tariff; prints the version id, or the errors (file, line, field)."""
    from fares.services import activate_tariff, import_tariff_file

    try:
        start = date.fromisoformat(valid_from) if valid_from else None
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--valid-from") from None
    uow = current_runtime().uow()
    with uow:
        version = import_tariff_file(uow.session, path, name, start, current_runtime().settings.input_limits)
        if activate:
            activate_tariff(uow.session, version.id)
        uow.commit()
        click.echo(version.id)


@tariff.command("list")
def tariff_list() -> None:
    """Tariff versions and their state."""
    from fares.services import list_tariffs

    with current_runtime().session_factory() as session:
        for version in list_tariffs(session):
            click.echo(f"{version.id:>4}  {version.status:<9}  {version.valid_from}  {version.currency}  "
                       f"{version.name}")


@tariff.command("activate")
@click.argument("version_id", type=int)
@domain_errors
def tariff_activate(version_id: int) -> None:
    """Make a version the active one (atomically)."""
    from fares.services import activate_tariff

    uow = current_runtime().uow()
    with uow:
        version = activate_tariff(uow.session, version_id)
        uow.commit()
    click.echo(f"tariff version {version.id} is active")


@click.group()
def fares() -> None:
    """Fare engine."""


@fares.command("price")
@click.option("--feed", "feed", required=True, type=click.Path(exists=True, path_type=Path),
              help="GTFS feed (zip or folder)")
@click.option("--itinerary", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSON file: {"legs": [{"route_id", "from_stop_id", "to_stop_id", "departure", "arrival"}]}')
@click.option("--rider-category", default=None)
@click.option("--fare-media", default=None)
@click.option("--json", "as_json", is_flag=True)
@domain_errors
def fares_price(feed: Path, itinerary: Path, rider_category: str | None, fare_media: str | None,
                as_json: bool) -> None:
    """Price an explicit itinerary against a GTFS feed (no database needed)."""
    from fares.gtfs.tariff import load_gtfs_tariff
    from fares.itinerary_file import read_itinerary
    from webapp.schemas.itinerary import price_json

    tariff = load_gtfs_tariff(feed, with_network=True, limits=current_runtime().settings.input_limits)
    legs = read_itinerary(itinerary, tariff.basics.timezone)
    price = tariff.engine.price(legs, rider_category, fare_media)
    body = price_json(price)
    if as_json:
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
        return
    total = f"{body['total']} {body['currency']}" if body["total"] is not None else "no fare (see unpriced legs)"
    click.echo(f"total: {total}  (GTFS Fares {tariff.fares_version})")
    for product in body["products"]:
        click.echo(f"  {product['id']:<24} {product['amount']:>8}  legs {product['legs']}")
    for line in body["rules"]:
        click.echo(f"  - {line}")


@click.command("journeys")
@click.option("--from", "from_stop", required=True, help="Stop id")
@click.option("--to", "to_stop", required=True, help="Stop id")
@click.option("--at", default=None, help="ISO date-time (local time of the network)")
@click.option("--rider", default=None, help="Rider category id")
@click.option("--json", "as_json", is_flag=True)
@domain_errors
def journeys(from_stop: str, to_stop: str, at: str | None, rider: str | None, as_json: bool) -> None:
    """Plan and price options on the active network."""
    from webapp.journeys import plan_json

    try:
        when = datetime.fromisoformat(at) if at else None
    except ValueError:
        raise click.BadParameter("use an ISO date-time like 2026-11-24T08:00", param_hint="--at") from None
    result = plan_json(current_runtime(), from_stop, to_stop, when, rider)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    for number, option in enumerate(result["options"], 1):
        price = option["price"]
        click.echo(f"Option {number} ({', '.join(option['criteria'])}): {option['departure'][11:16]} -> "
                   f"{option['arrival'][11:16]}, {option['transfers']} transfer(s), "
                   f"{price['total']} {price['currency']}")
        for leg in option["legs"]:
            what = f"{leg['route_name']} ({leg['operator_id']})" if leg["route_id"] else "walk"
            click.echo(f"    {leg['departure'][11:16]} {leg['from_stop_name']:<28} -> "
                       f"{leg['arrival'][11:16]} {leg['to_stop_name']:<28} {what}")
        shares = ", ".join(f"{o['operator_id']} {o['amount']}" for o in price["operators"])
        click.echo(f"    split: {shares}")
