"""``farebridge tickets verify`` and ``subscriptions renew``."""
from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from core.config import Settings
from webapp.cli.common import current_runtime, domain_errors


@click.group()
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

    settings = current_runtime().settings
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


@click.group()
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

    rt = current_runtime()
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
