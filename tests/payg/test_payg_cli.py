"""``farebridge payg``: ingest a file of taps, charge the day, corrections (fresh SQLite database)."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from core.db import utcnow
from tests.payg.rides import ride
from webapp.cli import main


def test_taps_from_a_file_are_charged_once_and_a_refused_tap_fails_the_command(tmp_path: Path):
    env = {"FAREBRIDGE_INSTANCE_DIR": str(tmp_path / "instance"),
           "FAREBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "FAREBRIDGE_BROKER_URL": ""}
    runner = CliRunner()

    def run(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(main, list(args), env=env, catch_exceptions=False)

    assert run("db", "upgrade").exit_code == 0
    assert run("demo", "load").exit_code == 0
    from core.config import Settings
    from core.runtime import Runtime
    from payg.services import OpenAccount, open_account

    runtime = Runtime.from_settings(Settings.from_env(env))
    open_account(runtime.uow(), OpenAccount("cli-1", "child", "card", "tok_ok"), utcnow())
    runtime.engine.dispose()
    day = (utcnow() - timedelta(days=1)).date()
    taps = ride("cli-1", "RE1", "WES_BF", "ALT_HBF", day, "07:00", "07:30")
    bad = {**taps[0], "event_id": "bad", "kind": "maybe"}
    path = tmp_path / "taps.json"
    path.write_text(json.dumps({"taps": taps + [bad]}))

    ingested = run("payg", "ingest", str(path))
    assert ingested.exit_code == 1
    assert "accepted 2, duplicates 0, refused 1" in ingested.output
    assert "tap 2 (dev-1/bad): kind: must be 'in' or 'out'" in ingested.output

    charged = json.loads(run("payg", "charge", "--date", day.isoformat()).output)
    assert (charged["charged"], charged["collected_minor"]) == (1, 240)  # a child pays half of 4.80
    again = json.loads(run("payg", "charge", "--date", day.isoformat()).output)
    assert (again["charged"], again["unchanged"], again["collected_minor"]) == (0, 1, 0)
    assert json.loads(run("payg", "corrections").output)["adjusted"] == 0
    assert run("payg", "charge", "--date", "yesterday").exit_code == 2
