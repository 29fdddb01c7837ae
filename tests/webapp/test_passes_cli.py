"""``farebridge subscriptions renew`` on a fresh SQLite database."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from sqlalchemy import func, select

from clearing.models import ClearingRecord
from core.config import Settings
from core.outbox import pending_count
from core.runtime import Runtime, set_runtime
from tests.conftest import create_schema
from tests.ticketing.recording_provider import RecordingProvider
from ticketing.passes import CardPayment
from ticketing.subscriptions import StartSubscription, start_subscription
from webapp.cli import main

BERLIN = ZoneInfo("Europe/Berlin")


def test_renew_charges_what_is_due_once_prints_it_and_hands_it_to_clearing(tmp_path: Path):
    env = {"FAREBRIDGE_INSTANCE_DIR": str(tmp_path / "instance"),
           "FAREBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "FAREBRIDGE_BROKER_URL": ""}
    create_schema(env["FAREBRIDGE_DATABASE_URL"])
    runner = CliRunner()

    def cli(*args: str) -> str:
        result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    cli("demo", "load")
    runtime = Runtime.from_settings(Settings.from_env(env))
    try:
        subscription, _ = start_subscription(
            runtime.uow(), StartSubscription(1, "subscription-month-all", "child", date(2026, 3, 2),
                                             CardPayment("card", "tok_ok")),
            datetime(2026, 3, 2, 8, 0, tzinfo=BERLIN), RecordingProvider())

        assert cli("subscriptions", "renew", "--at", "2026-03-31T12:00").strip() == (
            "renewed 0 of 0 due subscription(s); charged nothing")
        first = cli("subscriptions", "renew", "--at", "2026-04-01T06:00")
        again = cli("subscriptions", "renew", "--at", "2026-04-01T06:00")

        assert first.splitlines() == [
            f"charged  {subscription.id}     44.50 EUR  2026-04-02 to 2026-05-02",
            "renewed 1 of 1 due subscription(s); charged 44.50 EUR",
        ]
        assert again.strip() == "renewed 0 of 0 due subscription(s); charged nothing"
        with runtime.session_factory() as session:
            assert pending_count(session) == 0
            assert session.scalar(select(func.count()).select_from(ClearingRecord)
                                  .where(ClearingRecord.amount_minor == 4450)) == 2  # first month and the renewal
    finally:
        set_runtime(None)
        runtime.engine.dispose()
