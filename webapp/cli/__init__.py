"""The ``farebridge`` command line: one module per group of commands, gathered under ``main``."""
from __future__ import annotations

import click

from core.config import Settings
from core.runtime import Runtime, set_runtime
from webapp.cli import accounts, data, payg, server, settlement, tariffs, tickets


@click.group()
def main() -> None:
    """Farebridge: multimodal ticketing and clearing."""
    set_runtime(Runtime.from_settings(Settings.from_env()))


COMMANDS = (
    data.db, data.demo,
    tariffs.tariff, tariffs.fares, tariffs.journeys,
    accounts.users,
    settlement.settle, settlement.relay, settlement.worker, settlement.ledger, settlement.clearing,
    server.serve,
    tickets.tickets, tickets.subscriptions,
    payg.payg,
)
for command in COMMANDS:
    main.add_command(command)
