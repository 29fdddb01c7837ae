"""``farebridge payg``: charge a service day, adjust late taps, load taps from a file, run the worker."""
from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click

from core.db import utcnow
from ticketing.payment_providers import sandbox_provider
from webapp.cli.common import current_runtime, domain_errors


def _day(text: str | None) -> date:
    if text is None:
        return utcnow().date() - timedelta(days=1)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"not a date like 2026-11-24: {text!r}") from None


@click.group()
def payg() -> None:
    """Pay-as-you-go: taps, end-of-day charges, corrections."""


@payg.command("charge")
@click.option("--date", "day_text", help="Service day (default: yesterday, UTC)")
@click.option("--shards", default=1, show_default=True, help="With a broker: queue this many shard tasks")
@domain_errors
def charge(day_text: str | None, shards: int) -> None:
    """Charge every account that rode on the day (again: only what changed)."""
    from payg.services import charge_day

    rt = current_runtime()
    day = _day(day_text)
    if not rt.settings.eager and shards > 1:
        from clearing.worker import configure
        from payg.tasks import dispatch_charge_run

        configure(rt.settings)
        dispatch_charge_run(day, shards)
        click.echo(f"queued {shards} shard(s) of {day} on {rt.settings.payg_queue}")
        return
    run = charge_day(rt.uow(), day, sandbox_provider(), rt.settings, utcnow())
    click.echo(json.dumps({"service_date": day.isoformat(), **run.to_json()}))


@payg.command("corrections")
@domain_errors
def corrections() -> None:
    """Adjust the charged days of the late window whose taps changed."""
    from payg.services import correct_late_taps

    rt = current_runtime()
    now = utcnow()
    run = correct_late_taps(rt.uow(), sandbox_provider(), rt.settings, now, now.date())
    click.echo(json.dumps(run.to_json()))


@payg.command("ingest")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@domain_errors
def ingest(path: Path) -> None:
    """Store the taps of a JSON file (a list, or {"taps": [...]}); refused ones are listed. Exit 1 if any."""
    from payg.services import ingest as ingest_batch

    taps = _taps_of(path)
    rt = current_runtime()
    result = ingest_batch(rt.uow(), taps, rt.settings, utcnow())
    for rejection in result.rejected:
        reasons = "; ".join(f"{e['field']}: {e['message']}" for e in rejection.errors)
        click.echo(f"{path}:tap {rejection.index} ({rejection.device_id}/{rejection.event_id}): {reasons}", err=True)
    click.echo(f"accepted {result.accepted}, duplicates {result.duplicates}, refused {len(result.rejected)}")
    if result.rejected:
        raise SystemExit(1)


@payg.command("publish")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--batch", default=1000, show_default=True, help="Taps per message")
def publish(path: Path, batch: int) -> None:
    """Hand the taps of a JSON file to the pay-as-you-go queue on RabbitMQ, as a validator gateway does."""
    from clearing.worker import configure
    from payg.tasks import publish_taps

    rt = current_runtime()
    if rt.settings.eager:
        raise click.UsageError("set FAREBRIDGE_BROKER_URL; without a broker use `payg ingest`")
    taps = _taps_of(path)
    configure(rt.settings)
    for start in range(0, len(taps), batch):
        publish_taps(taps[start : start + batch])
    click.echo(f"published {len(taps)} tap(s) to {rt.settings.payg_queue}")


def _taps_of(path: Path) -> list[Any]:
    body = json.loads(path.read_text(encoding="utf-8"))
    taps = body.get("taps") if isinstance(body, dict) else body
    if not isinstance(taps, list):
        raise click.ClickException(f"{path}: expected a list of taps or {{\"taps\": [...]}}")
    return taps


@payg.command("worker", context_settings={"ignore_unknown_options": True})
@click.option("--concurrency", default=1, show_default=True)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(concurrency: int, celery_args: tuple[str, ...]) -> None:
    """A Celery worker on the pay-as-you-go queue: tap batches and charge shards (needs FAREBRIDGE_BROKER_URL)."""
    from clearing.worker import configure

    rt = current_runtime()
    if rt.settings.eager:
        raise click.UsageError("set FAREBRIDGE_BROKER_URL; without a broker, use the API or `payg ingest`")
    app = configure(rt.settings)
    import payg.tasks  # noqa: F401  (registers the tasks)

    argv = ["worker", "--loglevel", "INFO", "--queues", rt.settings.payg_queue, "--concurrency", str(concurrency),
            "--pool", "prefork" if concurrency > 1 else "solo", "--hostname", f"payg-{os.getpid()}@%h"]
    app.worker_main(argv + list(celery_args))
