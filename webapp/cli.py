"""The ``farebridge`` command line."""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from core.config import Settings
from core.errors import FarebridgeError
from core.runtime import Runtime, get_runtime, set_runtime
from webapp.cli_payg import payg


def _runtime() -> Runtime:
    return get_runtime()


def _fail(error: FarebridgeError) -> None:
    click.echo(f"error: {error.message}", err=True)
    if isinstance(error.details, list):
        for item in error.details:
            if isinstance(item, dict):
                where = ":".join(str(item[k]) for k in ("file", "line") if item.get(k) is not None)
                field = item.get("field")
                click.echo(f"  {where or '-'}  {field or '-'}  {item.get('message', '')}", err=True)
    sys.exit(1)


def domain_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Domain errors end the command with a message and exit status 1, never a traceback."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except FarebridgeError as error:
            _fail(error)

    return wrapper


@click.group()
def main() -> None:
    """Farebridge: multimodal ticketing and clearing."""
    set_runtime(Runtime.from_settings(Settings.from_env()))


# --- database and demo -------------------------------------------------------------

@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the Alembic migrations to FAREBRIDGE_DATABASE_URL."""
    from migrations.runner import upgrade

    url = _runtime().settings.database_url
    click.echo(f"upgrading {_runtime().engine.url.render_as_string(hide_password=True)} to {revision} ...")
    upgrade(url, revision)
    click.echo("database is up to date")


@main.group()
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

    rt = _runtime()
    summary = load_demo(rt.uow())
    configure(rt.settings)
    relay_pending(rt.session_factory, publish_event)  # the demo wallet's top-up: cleared in-process or queued
    click.echo(f"loaded {summary.operators} operators, {summary.stops} stops, {summary.routes} lines; "
               f"active tariff version {summary.tariff_version_id}")
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

    rt = _runtime()
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
        ctx.invoke(settle, period=last_month, operator_ids=(), currency=None)
    else:
        click.echo(f"a worker clears them; then run farebridge settle --period {last_month}")


# --- tariffs -------------------------------------------------------------------------

@main.group()
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
    uow = _runtime().uow()
    with uow:
        version = import_tariff_file(uow.session, path, name, start)
        if activate:
            activate_tariff(uow.session, version.id)
        uow.commit()
        click.echo(version.id)


@tariff.command("list")
def tariff_list() -> None:
    """Tariff versions and their state."""
    from fares.services import list_tariffs

    with _runtime().session_factory() as session:
        for version in list_tariffs(session):
            click.echo(f"{version.id:>4}  {version.status:<9}  {version.valid_from}  {version.currency}  "
                       f"{version.name}")


@tariff.command("activate")
@click.argument("version_id", type=int)
@domain_errors
def tariff_activate(version_id: int) -> None:
    """Make a version the active one (atomically)."""
    from fares.services import activate_tariff

    uow = _runtime().uow()
    with uow:
        version = activate_tariff(uow.session, version_id)
        uow.commit()
    click.echo(f"tariff version {version.id} is active")


# --- fares ---------------------------------------------------------------------------

@main.group()
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

    tariff = load_gtfs_tariff(feed, with_network=True)
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


# --- journeys --------------------------------------------------------------------------

@main.command("journeys")
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
    result = plan_json(_runtime(), from_stop, to_stop, when, rider)
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


# --- users -----------------------------------------------------------------------------

@main.group()
def users() -> None:
    """Users and API tokens."""


def _read_password(password_file: Path | None, ask: bool) -> str | None:
    """From the first line of a file, or asked twice at the terminal (never as an argument: it would be in ps)."""
    from core.errors import ValidationFailed

    if password_file is not None and ask:
        raise click.UsageError("give --password-file or --ask-password, not both")
    if password_file is not None:
        try:
            lines = password_file.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise ValidationFailed(f"cannot read {password_file}: {error.strerror}",
                                   details=[{"field": "password-file"}]) from None
        return lines[0] if lines else ""
    if ask:
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    return None


@users.command("create")
@click.option("--role", type=click.Choice(["admin", "operator", "passenger"]), required=True)
@click.option("--operator", "operator_id", default=None, help="Operator id (role operator)")
@click.option("--email", default=None, help="Login name for the web pages")
@click.option("--password-file", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Web login password: the file's first line (needs --email)")
@click.option("--ask-password", is_flag=True, help="Ask for the web login password (needs --email)")
@domain_errors
def users_create(role: str, operator_id: str | None, email: str | None, password_file: Path | None,
                 ask_password: bool) -> None:
    """Create a user and print its API token (shown once); with a password it can also log in to the pages."""
    from sqlalchemy.exc import IntegrityError

    from core.errors import ValidationFailed
    from operators.models import Operator
    from webapp.users import create_user

    password = _read_password(password_file, ask_password)
    uow = _runtime().uow()
    with uow:
        if operator_id and uow.session.get(Operator, operator_id) is None:
            raise ValidationFailed(f"no operator {operator_id}", details=[{"field": "operator"}])
        _user, token = create_user(uow.session, role, operator_id, email, password=password)
        try:
            uow.commit()
        except IntegrityError:
            raise ValidationFailed(f"a user with email {email} exists", details=[{"field": "email"}]) from None
    click.echo(token)


@users.command("set-password")
@click.option("--email", required=True)
@click.option("--password-file", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="The file's first line (default: ask)")
@domain_errors
def users_set_password(email: str, password_file: Path | None) -> None:
    """Set or replace a user's web login password; the user's open sessions end."""
    from core.errors import NotFound
    from webapp.users import set_password, user_for_email

    password = _read_password(password_file, password_file is None)
    assert password is not None
    uow = _runtime().uow()
    with uow:
        user = user_for_email(uow.session, email)
        if user is None:
            raise NotFound(f"no user with email {email}")
        set_password(user, password)
        uow.commit()
    click.echo(f"password set for {email}")


# --- clearing --------------------------------------------------------------------------

@main.command("settle")
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

    rt = _runtime()
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


@main.command("relay")
@click.option("--once", is_flag=True, help="Publish pending events once and exit")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between runs")
def relay(once: bool, interval: float) -> None:
    """Publish pending outbox events to the broker."""
    import time

    from clearing.tasks import publish_event
    from clearing.worker import configure
    from core.outbox import relay_pending

    rt = _runtime()
    configure(rt.settings)
    while True:
        count = relay_pending(rt.session_factory, publish_event)
        if count:
            click.echo(f"published {count} event(s)")
        if once:
            return
        time.sleep(interval)


@main.command("worker", context_settings={"ignore_unknown_options": True})
@click.option("--concurrency", default=1, show_default=True)
@click.option("--beat/--no-beat", default=True, show_default=True,
              help="Also run the periodic outbox relay in this worker")
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(concurrency: int, beat: bool, celery_args: tuple[str, ...]) -> None:
    """Start a Celery worker for clearing (needs FAREBRIDGE_BROKER_URL)."""
    from clearing.worker import configure

    rt = _runtime()
    if rt.settings.eager:
        raise click.UsageError("set FAREBRIDGE_BROKER_URL (e.g. amqp://guest:guest@127.0.0.1:5672//); "
                               "without a broker, clearing runs inside the web app")
    app = configure(rt.settings)
    argv = ["worker", "--loglevel", "INFO", "--queues", rt.settings.clearing_queue,
            "--concurrency", str(concurrency), "--pool", "prefork" if concurrency > 1 else "solo"]
    if beat:
        argv += ["--beat", "--schedule", str(rt.settings.instance_dir / "celerybeat-schedule")]
    app.worker_main(argv + list(celery_args))


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve the web app and API (development server; use gunicorn in production)."""
    from webapp import create_app

    app = create_app(runtime=_runtime())
    click.echo(f"Farebridge is running on http://{host}:{port}/  (API: http://{host}:{port}/api/v1/health)")
    app.run(host=host, port=port, debug=False, use_reloader=False)


# --- tickets ---------------------------------------------------------------------------

@main.group()
def tickets() -> None:
    """Ticket tokens."""


def _verification_key(pem_file: Path | None, settings: Settings) -> Any:
    """The public key from a PEM file, or the configured signing key's (never creates a key)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from core.errors import ValidationFailed
    from ticketing.token import load_or_create_key

    if pem_file is None:
        if not settings.signing_key and not settings.signing_key_file.exists():
            raise ValidationFailed(f"no signing key is configured (FAREBRIDGE_SIGNING_KEY or "
                                   f"{settings.signing_key_file}); pass --public-key FILE")
        return load_or_create_key(settings.signing_key, settings.signing_key_file).public_key()
    try:
        pem = pem_file.read_bytes()
    except OSError as error:
        raise ValidationFailed(f"cannot read {pem_file}: {error.strerror}") from None
    if b"PRIVATE KEY" in pem:
        raise ValidationFailed(f"{pem_file} holds a private key; inspectors use the public key "
                               "(GET /api/v1/tickets/public-key)")
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        raise ValidationFailed(f"{pem_file} is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValidationFailed(f"{pem_file} is not an Ed25519 public key")
    return key


@tickets.command("verify")
@click.argument("token")
@click.option("--public-key", "public_key_file", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="PEM file of the public key (GET /api/v1/tickets/public-key); default: the configured key's")
@click.option("--at", default=None, help="Check validity at this ISO date-time (default: now)")
@domain_errors
def tickets_verify(token: str, public_key_file: Path | None, at: str | None) -> None:
    """Verify a ticket token offline (signature and validity window); TOKEN '-' reads it from stdin.

    Prints valid or invalid, the reason and the claims; exit status 0 when valid, 1 otherwise.
    """
    from zoneinfo import ZoneInfo

    from core.db import utcnow
    from ticketing.token import InvalidTicketToken, verify_token

    settings = _runtime().settings
    if token == "-":
        token = sys.stdin.read().strip()
    try:
        when = datetime.fromisoformat(at) if at else utcnow()
    except ValueError:
        raise click.BadParameter("use an ISO date-time like 2026-11-24T08:00", param_hint="--at") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(settings.timezone))
    key = _verification_key(public_key_file, settings)
    try:
        claims: dict[str, Any] | None = verify_token(token, key, now=when)
        reason = None
    except InvalidTicketToken as invalid:
        claims, reason = invalid.claims, invalid.reason
    click.echo("invalid" if reason else "valid")
    click.echo(f"reason: {reason or '-'}")
    click.echo(f"checked at: {when.isoformat()}")
    click.echo("claims: " + (json.dumps(claims, indent=2, ensure_ascii=False) if claims else "none (not trusted)"))
    if reason:
        sys.exit(1)


# --- subscriptions ---------------------------------------------------------------------

@main.group()
def subscriptions() -> None:
    """Monthly pass subscriptions."""


@subscriptions.command("renew")
@click.option("--at", default=None, help="Renew what is due at this ISO date-time (default: now)")
@domain_errors
def subscriptions_renew(at: str | None) -> None:
    """Charge the next month of every subscription that is due; running it again charges nothing twice."""
    from zoneinfo import ZoneInfo

    from clearing.tasks import publish_event
    from clearing.worker import configure
    from core.db import utcnow
    from core.money import Money
    from core.outbox import relay_pending
    from ticketing.payment_providers import sandbox_provider
    from ticketing.subscriptions import CHARGED, renew_due

    rt = _runtime()
    try:
        when = datetime.fromisoformat(at) if at else utcnow()
    except ValueError:
        raise click.BadParameter("use an ISO date-time like 2026-11-24T08:00", param_hint="--at") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(rt.settings.timezone))
    renewals = renew_due(rt.uow(), when, sandbox_provider())
    totals: dict[str, int] = {}
    for renewal in renewals:
        amount = str(renewal.amount) if renewal.amount else "-"
        period = (f"{renewal.period_start.date()} to {renewal.period_end.date()}"
                  if renewal.period_start and renewal.period_end else "")
        click.echo(f"{renewal.outcome:<8} {renewal.subscription_id}  {amount:>12}  {period}  "
                   f"{renewal.reason or ''}".rstrip())
        if renewal.outcome == CHARGED and renewal.amount:
            totals[renewal.amount.currency] = totals.get(renewal.amount.currency, 0) + renewal.amount.minor
    charged = sum(1 for renewal in renewals if renewal.outcome == CHARGED)
    money = ", ".join(str(Money(minor, currency)) for currency, minor in sorted(totals.items())) or "nothing"
    click.echo(f"renewed {charged} of {len(renewals)} due subscription(s); charged {money}")
    if charged:
        configure(rt.settings)
        relay_pending(rt.session_factory, publish_event)  # clearing in-process, or to the broker


# --- ledger and clearing dead letters --------------------------------------------------

@main.group()
def ledger() -> None:
    """The clearing ledger."""


@ledger.command("verify")
def ledger_verify() -> None:
    """Recompute the ledger's hash chain and balances; exit status 1 when it was tampered with."""
    from clearing.ledger_chain import verify_ledger

    with _runtime().session_factory() as session:
        result = verify_ledger(session)
    if result.ok:
        click.echo(f"ledger ok: {result.transactions} transaction(s), hash chain intact, every one balanced")
        return
    click.echo(f"ledger TAMPERED: {result.reason}", err=True)
    click.echo(f"first bad sequence: {result.first_bad_sequence or '-'} of {result.transactions} transaction(s)",
               err=True)
    sys.exit(1)


@main.group()
def clearing() -> None:
    """Clearing of published events."""


@clearing.command("dead-letters")
@click.option("--all", "include_resolved", is_flag=True, help="Also list resolved ones")
def clearing_dead_letters(include_resolved: bool) -> None:
    """List the events clearing gave up on."""
    from clearing.dead_letters import dead_letters

    with _runtime().session_factory() as session:
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
    results = replay(_runtime().session_factory, list(event_ids) if event_ids else None)
    for result in results:
        click.echo(f"{result.event_id}  {result.outcome}" + (f"  {result.error}" if result.error else ""))
    failed = sum(1 for result in results if result.outcome == FAILED)
    click.echo(f"replayed {len(results)} dead letter(s), {failed} failed")
    if failed:
        sys.exit(1)


main.add_command(payg)

if __name__ == "__main__":
    main()
