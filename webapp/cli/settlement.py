"""Clearing at work: ``settle``, ``relay``, ``worker``, ``ledger verify`` and dead letters."""
from __future__ import annotations

import sys

import click

from webapp.cli.common import current_runtime, domain_errors


@click.command("settle")
@click.option("--period", required=True, help="YYYY-MM")
@click.option("--operator", "operator_ids", multiple=True, help="Operator id (repeatable; default: all)")
@click.option("--currency", default=None, help="Default: the active tariff's currency")
@domain_errors
def settle(period: str, operator_ids: tuple[str, ...], currency: str | None) -> None:
    """Close a period per operator; write CSV and PDF statements and the SEPA payout file (pain.001)."""
    from clearing.payouts import build_pain001, payout_lines, write_payouts
    from clearing.settlement import settle_period, write_statement, write_statement_pdf
    from core.db import utcnow
    from core.money import Money
    from fares.services import active_currency

    rt = current_runtime()
    if currency is None:
        with rt.session_factory() as session:
            currency = active_currency(session)
    now = utcnow()
    directory = rt.settings.statements_dir
    settlements = settle_period(rt.uow(), period, list(operator_ids) or None, currency, now)
    with rt.session_factory() as session:
        settlements = [session.merge(settlement, load=True) for settlement in settlements]
        for settlement in settlements:
            path = write_statement(settlement, directory)
            write_statement_pdf(session, settlement, directory)
            total = Money(settlement.total_minor, settlement.currency).format()
            click.echo(f"{settlement.operator_id:<6} {settlement.period}  {settlement.sales_count:>6} sales  "
                       f"{total:>12} {settlement.currency}  {path} (.pdf)")
        lines = payout_lines(session, settlements)
        if not lines:
            click.echo("no operator has a positive total: no payout file")
            return
        run = "-".join(str(s.id) for s in settlements[:1])
        document = build_pain001(lines, now.date(), f"FB-{period}-R{run}", now)
        path = write_payouts(document, period, directory)
        click.echo(f"{len(lines)} transfers  {Money(sum(x.amount_minor for x in lines), currency).format():>12} "
                   f"{currency}  {path}")


@click.command("relay")
@click.option("--once", is_flag=True, help="Publish pending events once and exit")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between runs")
def relay(once: bool, interval: float) -> None:
    """Publish pending outbox events to the broker."""
    import time

    from clearing.tasks import relay as relay_outbox
    from clearing.worker import configure

    rt = current_runtime()
    configure(rt.settings)
    while True:
        count = relay_outbox(rt.session_factory)
        if count:
            click.echo(f"published {count} event(s)")
        if once:
            return
        time.sleep(interval)


@click.command("worker", context_settings={"ignore_unknown_options": True})
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=None,
              help="Events booked in one transaction, at most (default FAREBRIDGE_CLEARING_BATCH_SIZE, 500)")
@click.option("--batch-wait-ms", type=click.IntRange(0, 10_000), default=None,
              help="How long a batch may wait to fill (default FAREBRIDGE_CLEARING_BATCH_WAIT_MS, 20)")
@click.option("--beat/--no-beat", default=True, show_default=True,
              help="Also relay the outbox every 2 s in this worker")
@click.option("--celery", "one_by_one", is_flag=True,
              help="Run a Celery worker clearing one event per transaction instead of the batch worker")
@click.option("--concurrency", default=1, show_default=True, help="Celery worker processes (with --celery)")
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(batch_size: int | None, batch_wait_ms: int | None, beat: bool, one_by_one: bool, concurrency: int,
           celery_args: tuple[str, ...]) -> None:
    """Clear sales from RabbitMQ in batches, one transaction per batch (needs FAREBRIDGE_BROKER_URL).

    Several workers, on one host or many, share the queue. With ``--celery``:
    the Celery worker of before (one event per transaction), under a node
    name unique to the process so that two on one host both run.
    """
    import dataclasses
    import os

    from clearing.worker import configure

    rt = current_runtime()
    if rt.settings.eager:
        raise click.UsageError("set FAREBRIDGE_BROKER_URL (e.g. amqp://guest:guest@127.0.0.1:5672//); "
                               "without a broker, clearing runs inside the web app")
    if not one_by_one:
        import logging

        from clearing.batch_worker import run_worker

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        if celery_args:
            raise click.UsageError(f"unknown arguments {' '.join(celery_args)} (Celery's options need --celery)")
        if concurrency != 1:
            raise click.UsageError("--concurrency is for --celery; start one batch worker per core instead")
        changes = {k: v for k, v in (("clearing_batch_size", batch_size), ("clearing_batch_wait_ms", batch_wait_ms))
                   if v is not None}
        rt.settings = dataclasses.replace(rt.settings, **changes)
        run_worker(rt, relay=beat)
        return
    app = configure(rt.settings)
    argv = ["worker", "--loglevel", "INFO", "--queues", rt.settings.clearing_queue,
            "--concurrency", str(concurrency), "--pool", "prefork" if concurrency > 1 else "solo",
            "--hostname", f"clearing-{os.getpid()}@%h"]
    if beat:
        argv += ["--beat", "--schedule", str(rt.settings.instance_dir / f"celerybeat-schedule-{os.getpid()}")]
    app.worker_main(argv + list(celery_args))


@click.group()
def ledger() -> None:
    """The clearing ledger."""


@ledger.command("verify")
def ledger_verify() -> None:
    """Recompute the ledger's hash chains and balances; exit status 1 when it was tampered with."""
    from clearing.ledger_chain import verify_ledger

    with current_runtime().session_factory() as session:
        result = verify_ledger(session)
    if result.ok:
        click.echo(f"ledger ok: {result.transactions} transaction(s) in {result.chains} hash chains, every chain "
                   "intact, every transaction balanced")
        return
    click.echo(f"ledger TAMPERED: {result.reason}", err=True)
    click.echo(f"first bad: chain {result.chain}, sequence {result.first_bad_sequence or '-'} "
               f"(of {result.transactions} transaction(s) in {result.chains} chains)", err=True)
    sys.exit(1)


@click.group()
def clearing() -> None:
    """Clearing of published events."""


@clearing.command("dead-letters")
@click.option("--all", "include_resolved", is_flag=True, help="Also list resolved ones")
def clearing_dead_letters(include_resolved: bool) -> None:
    """List the events clearing gave up on."""
    from clearing.dead_letters import dead_letters

    with current_runtime().session_factory() as session:
        letters = dead_letters(session, include_resolved)
    for letter in letters:
        state = f"resolved {letter.resolved_at.isoformat()}" if letter.resolved_at else "open"
        click.echo(f"{letter.event_id}  {letter.event_type or '-'}  attempts={letter.attempts}  "
                   f"last={letter.last_failed_at.isoformat()}  {state}  {letter.error.splitlines()[0][:200]}")
    click.echo(f"{len(letters)} dead letter(s)")


@clearing.command("replay")
@click.option("--event", "event_ids", multiple=True, help="Event id (repeatable)")
@click.option("--all", "replay_all", is_flag=True, help="Every unresolved dead letter")
@domain_errors
def clearing_replay(event_ids: tuple[str, ...], replay_all: bool) -> None:
    """Clear dead letters again; clearing is idempotent, a cleared event changes nothing. Exit 1 if one fails."""
    from clearing.dead_letters import FAILED, replay

    if bool(event_ids) == replay_all:
        raise click.UsageError("give --event ID (repeatable) or --all")
    results = replay(current_runtime().session_factory, list(event_ids) if event_ids else None)
    for result in results:
        click.echo(f"{result.event_id}  {result.outcome}" + (f"  {result.error}" if result.error else ""))
    failed = sum(1 for result in results if result.outcome == FAILED)
    click.echo(f"replayed {len(results)} dead letter(s), {failed} failed")
    if failed:
        sys.exit(1)
