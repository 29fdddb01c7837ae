"""Regenerate docs/examples/statement_RBA_example.pdf, statement_RBA_example.csv and payouts_example.xml.

The real path on a throw-away SQLite database: ``farebridge demo load``, a few
purchases through the HTTP API (journeys -> order -> card payment, cleared
in-process), a refund, then ``farebridge settle --period <this month>``; the files
``settle`` wrote are copied here. Run from the repository root:

    .venv/bin/python docs/examples/make_settlement_examples.py
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import uuid
from datetime import date, timedelta
from pathlib import Path
from xml.dom import minidom

from click.testing import CliRunner
from sqlalchemy import create_engine

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TRIPS = [("ALT_EICH_WALDWEG", "BGS_SONN_BUCHENWEG", "adult"), ("ALT_EICH_WALDWEG", "BGS_SONN_BUCHENWEG", "child"),
         ("BGS_SONN_BUCHENWEG", "ALT_EICH_WALDWEG", "adult")]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from core.config import Settings
    from core.runtime import Runtime, set_runtime
    from migrations.metadata import all_metadata
    from webapp import create_app
    from webapp.cli import main as cli

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {"FAREBRIDGE_INSTANCE_DIR": str(work / "instance"), "FAREBRIDGE_BROKER_URL": "",
               "FAREBRIDGE_DATABASE_URL": f"sqlite:///{work / 'examples.db'}",
               "FAREBRIDGE_STATEMENTS_DIR": str(work / "statements")}
        engine = create_engine(env["FAREBRIDGE_DATABASE_URL"])
        all_metadata().create_all(engine)  # the schema of the models (``db upgrade`` once they have migrations)
        engine.dispose()
        runner = CliRunner()

        def run(*args: str) -> str:
            result = runner.invoke(cli, list(args), env=env, catch_exceptions=False)
            if result.exit_code:
                raise SystemExit(result.output)
            return result.output

        run("demo", "load")
        runtime = Runtime.from_settings(Settings.from_env(env))
        set_runtime(runtime)
        client = create_app(runtime=runtime).test_client()
        at = f"{date.today() + timedelta(days=1)}T08:00"
        tickets = []
        for n, (origin, destination, rider) in enumerate(TRIPS):
            option = client.get(f"/api/v1/journeys?from={origin}&to={destination}&at={at}&rider={rider}")
            legs = option.json["options"][0]["legs"]
            created = client.post("/api/v1/orders", json={"legs": legs, "rider_category": rider},
                                  headers={"Idempotency-Key": str(uuid.uuid4())}).json
            paid = client.post(f"/api/v1/orders/{created['id']}/payment",
                               json={"method": "card", "card_token": "tok_ok"},
                               headers={"Authorization": f"Bearer {created['access_token']}",
                                        "Idempotency-Key": f"example-pay-{n}"})
            assert paid.status_code == 200, paid.json
            tickets.append((paid.json["ticket"]["id"], created["access_token"]))
        ticket_id, token = tickets[-1]
        refund = client.post(f"/api/v1/tickets/{ticket_id}/refund", json={"amount": "2.00"},
                             headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "example-refund"})
        print("refund:", refund.status_code)
        period = paid.json["payment"]["created_at"][:7]
        print(run("settle", "--period", period))
        set_runtime(None)
        runtime.engine.dispose()
        out = work / "statements"
        shutil.copy(out / f"statement_RBA_{period}.pdf", HERE / "statement_RBA_example.pdf")
        shutil.copy(out / f"statement_RBA_{period}.csv", HERE / "statement_RBA_example.csv")
        payouts = minidom.parseString((out / f"payouts_{period}.xml").read_bytes())  # indented to be read
        (HERE / "payouts_example.xml").write_bytes(payouts.toprettyxml(indent="  ", encoding="UTF-8"))
    print("wrote", ", ".join(n for n in ("statement_RBA_example.pdf", "statement_RBA_example.csv",
                                          "payouts_example.xml")))


if __name__ == "__main__":
    main()
