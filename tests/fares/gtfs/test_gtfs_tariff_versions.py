"""GTFS feeds as tariff versions in the database (SQLite and PostgreSQL), and `farebridge fares price`."""
from __future__ import annotations

import json
import shutil
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from core.errors import ValidationFailed
from core.money import Money
from fares.models import StopRow, TariffVersion
from fares.price import ItineraryLeg
from fares.services import activate_tariff, import_tariff_file, price_legs
from operators.models import Operator
from webapp.cli import main

MONTREAL = ZoneInfo("America/Montreal")
PONTIAC_TO_GATINEAU = ItineraryLeg("910", "F134-01", "L910-01", datetime(2026, 1, 12, 5, 17, tzinfo=MONTREAL),
                                   datetime(2026, 1, 12, 6, 59, tzinfo=MONTREAL))


def test_importing_a_feed_stores_a_validated_version_and_activation_installs_its_network(demo, shared_gtfs):
    uow = demo.uow()
    with uow:
        version = import_tariff_file(uow.session, shared_gtfs / "transcollines_fares_v2.zip", "Transcollines")
        uow.commit()
        version_id = version.id
    with demo.session_factory() as session:
        stored = session.get(TariffVersion, version_id)
        assert (stored.format, stored.status, stored.currency) == ("gtfs", "validated", "CAD")
        assert stored.content["fares_version"] == "v2"
        assert session.get(Operator, "Transcollines") is None  # not installed before activation
        # priced on request although not active
        price = price_legs(session, [PONTIAC_TO_GATINEAU], None, None, version_id)
        assert price.total == Money(2000, "CAD")

    with uow:
        activate_tariff(uow.session, version_id)
        uow.commit()
    with demo.session_factory() as session:
        assert session.get(Operator, "Transcollines").mode == "bus"
        assert session.scalar(select(func.count()).select_from(StopRow)) == 424
        assert price_legs(session, [PONTIAC_TO_GATINEAU], None).total == Money(2000, "CAD")


def test_a_broken_feed_is_refused_with_file_line_and_field_and_stores_nothing(demo, shared_gtfs, tmp_path):
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(shared_gtfs / "transcollines_fares_v2.zip") as source, \
            zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith("fare_products.txt"):
                lines = data.decode("utf-8-sig").splitlines()
                lines[1] = lines[1].replace("CAD", "CAD!")
                data = ("\n".join(lines) + "\n").encode()
            target.writestr(item, data)
    uow = demo.uow()
    with uow, pytest.raises(ValidationFailed) as caught:
        import_tariff_file(uow.session, broken, "Broken")
    problems = caught.value.details
    assert any(p["file"] == "fare_products.txt" and p["line"] == 2 and p["field"] == "currency" for p in problems)
    with demo.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(TariffVersion)) == 1


def test_fares_price_prints_the_price_of_an_itinerary_file(shared_gtfs, tmp_path):
    itinerary = tmp_path / "itinerary.json"
    itinerary.write_text(json.dumps({"legs": [
        {"route_id": "910", "from_stop_id": "F134-01", "to_stop_id": "L910-01",
         "departure": "2026-01-12T05:17:00", "arrival": "2026-01-12T06:59:00"}]}))
    result = CliRunner().invoke(main, ["fares", "price", "--feed", str(shared_gtfs / "transcollines_fares_v2.zip"),
                                       "--itinerary", str(itinerary), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert (body["currency"], body["total"]) == ("CAD", "20.00")
    assert body["products"][0]["id"] == "PS-2000"
    assert body["legs"][0]["zones"] == ["PNT", "GAT"]


def test_fares_price_gives_null_total_when_a_leg_has_no_fare(shared_gtfs, tmp_path):
    feed = tmp_path / "feed"
    shutil.unpack_archive(shared_gtfs / "transcollines_fares_v2.zip", feed)
    itinerary = tmp_path / "late.json"
    itinerary.write_text(json.dumps({"legs": [  # 24 August: the fares' timeframe service has ended
        {"route_id": "910", "from_stop_id": "F134-01", "to_stop_id": "L910-01",
         "departure": "2026-08-24T05:17:00", "arrival": "2026-08-24T06:59:00"}]}))
    result = CliRunner().invoke(main, ["fares", "price", "--feed", str(feed), "--itinerary", str(itinerary),
                                       "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["total"] is None and body["unpriced_legs"] == [0]


def test_fares_price_reports_a_bad_itinerary_file(shared_gtfs, tmp_path):
    itinerary = tmp_path / "bad.json"
    itinerary.write_text(json.dumps({"legs": [{"route_id": "910", "departure": "soon"}]}))
    result = CliRunner().invoke(main, ["fares", "price", "--feed", str(shared_gtfs / "transcollines_fares_v2.zip"),
                                       "--itinerary", str(itinerary)])
    assert result.exit_code == 1
    assert "bad.json" in result.output and "legs[0].from_stop_id" in result.output
    assert "legs[0].departure" in result.output
