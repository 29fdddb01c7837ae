"""The farebridge command line, on a fresh SQLite database."""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from clearing.ledger import ledger_total
from core.config import Settings
from core.runtime import Runtime
from ticketing.models import Payment
from webapp.cli import main
from webapp.demo.timetable import next_working_day


@pytest.fixture
def cli(tmp_path: Path):
    env = {"FAREBRIDGE_INSTANCE_DIR": str(tmp_path / "instance"),
           "FAREBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "FAREBRIDGE_STATEMENTS_DIR": str(tmp_path / "statements"),
           "FAREBRIDGE_BROKER_URL": ""}
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    run("db", "upgrade")
    return run


def test_demo_load_is_repeatable_and_activates_one_tariff(cli):
    assert "loaded 5 operators, 69 stops, 12 lines" in cli("demo", "load").output
    cli("demo", "load")
    lines = cli("tariff", "list").output.strip().splitlines()
    assert len(lines) == 1 and "active" in lines[0]


def test_demo_sales_are_paid_cleared_and_settled_once(cli, tmp_path):
    cli("demo", "load")
    last_month = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    out = cli("demo", "sales", "--count", "12").output
    assert f"12 journeys paid in {last_month}, 12 event(s) sent to clearing" in out
    assert (tmp_path / "statements" / f"payouts_{last_month}.xml").exists()
    this_month = date.today().strftime("%Y-%m")
    assert "no operator has a positive total" in cli("settle", "--period", this_month).output  # still open
    assert "nothing booked" in cli("demo", "sales").output
    rt = Runtime.from_settings(Settings.from_env({"FAREBRIDGE_INSTANCE_DIR": str(tmp_path / "instance"),
                                                  "FAREBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}))
    with rt.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Payment).where(Payment.status == "captured")) == 12
        assert ledger_total(session) == 0
    rt.engine.dispose()


def test_journeys_prints_options_with_the_operator_split(cli):
    cli("demo", "load")
    at = f"{next_working_day(date.today())}T08:00"
    out = cli("journeys", "--from", "ALT_EICH_WALDWEG", "--to", "BGS_SONN_BUCHENWEG", "--at", at, "--json").output
    option = json.loads(out)["options"][0]
    assert option["price"]["total"] == "7.10"
    text = cli("journeys", "--from", "ALT_EICH_WALDWEG", "--to", "BGS_SONN_BUCHENWEG", "--at", at).output
    assert "RE 1 (RBA)" in text and "split:" in text


def test_unknown_stop_is_an_error_message_not_a_traceback(cli):
    cli("demo", "load")
    result = cli("journeys", "--from", "NOWHERE", "--to", "BGS_BF", ok=False)
    assert result.exit_code == 1
    assert "unknown stop 'NOWHERE'" in result.output


def test_tariff_import_reports_file_and_field_and_stores_nothing(cli, tmp_path: Path):
    cli("demo", "load")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "farebridge-native", "format_version": 1, "name": "Bad",
                               "currency": "EURO", "valid_from": "2026-01-01",
                               "rider_categories": [{"id": "adult"}],
                               "zone_fares": [{"zones": 1, "amount": "1.999"}]}))
    result = cli("tariff", "import", str(bad), ok=False)
    assert result.exit_code == 1
    assert "bad.json" in result.output and "currency" in result.output
    assert "rider_categories" in result.output  # no default category
    assert len(cli("tariff", "list").output.strip().splitlines()) == 1

    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "format": "farebridge-native",\n  oops\n}')
    result = cli("tariff", "import", str(broken), ok=False)
    assert "broken.json:3" in result.output


def test_tariff_import_and_activate_switches_the_active_version(cli, tmp_path: Path):
    cli("demo", "load")
    package = json.loads((Path(__file__).resolve().parents[2] / "webapp/demo/data/tariff.json").read_text())
    package["name"] = "VAU 2027"
    path = tmp_path / "t2027.json"
    path.write_text(json.dumps(package))
    version_id = cli("tariff", "import", str(path), "--activate").output.strip()
    assert version_id == "2"
    states = [line.split()[1] for line in cli("tariff", "list").output.strip().splitlines()]
    assert states == ["retired", "active"]
    assert cli("tariff", "activate", "2", ok=False).exit_code == 1
    assert cli("tariff", "activate", "99", ok=False).exit_code == 1


def test_users_create_prints_a_token_that_the_api_accepts(cli):
    cli("demo", "load")
    token = cli("users", "create", "--role", "operator", "--operator", "RBA").output.strip()
    assert len(token) > 30
    assert cli("users", "create", "--role", "operator", ok=False).exit_code == 1
    assert cli("users", "create", "--role", "operator", "--operator", "NOPE", ok=False).exit_code == 1


def test_settle_writes_one_statement_per_operator(cli, tmp_path: Path):
    cli("demo", "load")
    out = cli("settle", "--period", "2026-10").output
    assert out.count("statement_") == 5
    assert (tmp_path / "statements" / "statement_RBA_2026-10.csv").exists()
    assert cli("settle", "--period", "2026-10", ok=False).exit_code == 1
    assert cli("settle", "--period", "2026-13", ok=False).exit_code == 1


def test_worker_refuses_to_start_without_a_broker(cli):
    result = cli("worker", ok=False)
    assert result.exit_code != 0
    assert "FAREBRIDGE_BROKER_URL" in result.output
