"""``farebridge db`` and ``farebridge demo``: the schema, the demo association and its sales."""
from __future__ import annotations

from datetime import timedelta

import click

from webapp.cli.common import current_runtime, domain_errors
from webapp.cli.settlement import settle as settle_command


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the Alembic migrations to FAREBRIDGE_DATABASE_URL."""
    from migrations.runner import upgrade

    url = current_runtime().settings.database_url
    click.echo(f"upgrading {current_runtime().engine.url.render_as_string(hide_password=True)} to {revision} ...")
    upgrade(url, revision)
    click.echo("database is up to date")


@click.group()
def demo() -> None:
    """The demo association (Verkehrsverbund Auental)."""


@demo.command("load")
@domain_errors
def demo_load() -> None:
    """Load the demo operators, network, tariff and users."""
    from clearing.tasks import publish_event
    from clearing.worker import configure
    from core.outbox import relay_pending
    from webapp.demo import DEMO_PASSWORD, demo_email, load_demo

    rt = current_runtime()
    summary = load_demo(rt.uow())
    configure(rt.settings)
    relay_pending(rt.session_factory, publish_event)  # the demo wallet's top-up: cleared in-process or queued
    click.echo(f"loaded {summary.operators} operators, {summary.stops} stops, {summary.routes} lines; "
               f"active tariff version {summary.tariff_version_id}")
    click.echo(f"timetable: {summary.trips} trips (weekdays, Saturdays, Sundays and holidays)")
    click.echo("demo API tokens (for this demo only):")
    for token, role in summary.tokens.items():
        click.echo(f"  {token:<24} {role}")
    click.echo(f"demo web logins (password {DEMO_PASSWORD}):")
    for token, role in summary.tokens.items():
        click.echo(f"  {demo_email(token):<44} {role}")


@demo.command("sales")
@click.option("--count", default=40, show_default=True, type=click.IntRange(1, 10_000), help="Journeys to book")
@click.pass_context
@domain_errors
def demo_sales(ctx: click.Context, count: int) -> None:
    """Sell demo journeys over last month, clear them and settle that month (once: skipped when sales exist).

    Last month, so that this month stays open for your own purchases and settlement.
    """
    from clearing.periods import parse_period, period_of
    from clearing.tasks import publish_event
    from clearing.worker import configure
    from core.db import utcnow
    from core.outbox import relay_pending
    from ticketing.token import TicketSigner, load_or_create_key
    from webapp.demo.sales import book_demo_sales, has_sales

    rt = current_runtime()
    if has_sales(rt):
        click.echo("the demo already has sales: nothing booked")
        return
    configure(rt.settings)
    signer = TicketSigner(load_or_create_key(rt.settings.signing_key, rt.settings.signing_key_file))
    this_month_start, _ = parse_period(period_of(utcnow()))
    last_month = period_of(this_month_start - timedelta(days=1))
    start, end = parse_period(last_month)
    with click.progressbar(length=count, label=f"selling demo journeys in {last_month}") as bar:
        paid = book_demo_sales(rt, signer, start, end, count, on_paid=lambda: bar.update(1))
    cleared = relay_pending(rt.session_factory, publish_event)
    click.echo(f"{paid} journeys paid in {last_month}, {cleared} event(s) sent to clearing")
    if rt.settings.eager:  # cleared in this process: the statements can be written now
        ctx.invoke(settle_command, period=last_month, operator_ids=(), currency=None)
    else:
        click.echo(f"a worker clears them; then run farebridge settle --period {last_month}")
