"""Configuration from the environment. No other module reads ``os.environ``."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.input_limits import InputLimits

DEFAULT_QUEUE = "farebridge.clearing"
DEFAULT_PAYG_QUEUE = "farebridge.payg"


@dataclass(frozen=True, slots=True)
class Settings:
    instance_dir: Path
    database_url: str
    broker_url: str | None
    clearing_queue: str
    signing_key: str | None
    signing_key_file: Path
    statements_dir: Path
    secret_key: str
    quote_ttl_seconds: int
    timezone: str
    force_https: bool = False  # production behind TLS: redirect to https, Secure cookies, HSTS
    ratelimit_storage_url: str = "memory://"  # e.g. redis://127.0.0.1:6379/0 when several processes serve
    login_rate_limit: str = "5/minute"  # login attempts per client address and e-mail
    payg_late_tap_hours: int = 72
    payg_transfer_minutes: int = 60
    payg_queue: str = DEFAULT_PAYG_QUEUE
    input_limits: InputLimits = field(default_factory=InputLimits)  # FAREBRIDGE_MAX_* (core/input_limits.py)
    clearing_batch_size: int = 500  # events a clearing worker books in one database transaction, at most
    clearing_batch_wait_ms: int = 20  # how long a worker waits for a batch to fill before it books what it has

    @property
    def eager(self) -> bool:
        """Without a broker the clearing task runs in-process (embedded default)."""
        return not self.broker_url

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        instance = Path(env.get("FAREBRIDGE_INSTANCE_DIR", "var")).resolve()
        return cls(
            instance_dir=instance,
            database_url=env.get("FAREBRIDGE_DATABASE_URL") or f"sqlite:///{instance / 'farebridge.db'}",
            broker_url=env.get("FAREBRIDGE_BROKER_URL") or None,
            clearing_queue=env.get("FAREBRIDGE_CLEARING_QUEUE", DEFAULT_QUEUE),
            signing_key=env.get("FAREBRIDGE_SIGNING_KEY") or None,
            signing_key_file=Path(env.get("FAREBRIDGE_SIGNING_KEY_FILE", instance / "signing_key.pem")),
            statements_dir=Path(env.get("FAREBRIDGE_STATEMENTS_DIR", instance / "statements")),
            secret_key=env.get("FAREBRIDGE_SECRET_KEY", "dev-only-secret-change-me"),
            quote_ttl_seconds=int(env.get("FAREBRIDGE_QUOTE_TTL_SECONDS", "900")),
            timezone=env.get("FAREBRIDGE_TIMEZONE", "Europe/Berlin"),
            force_https=env.get("FAREBRIDGE_FORCE_HTTPS", "0").lower() in ("1", "true", "yes"),
            ratelimit_storage_url=env.get("FAREBRIDGE_RATELIMIT_STORAGE_URL") or "memory://",
            login_rate_limit=env.get("FAREBRIDGE_LOGIN_RATE_LIMIT") or "5/minute",
            payg_late_tap_hours=int(env.get("FAREBRIDGE_PAYG_LATE_TAP_HOURS", "72")),
            payg_transfer_minutes=int(env.get("FAREBRIDGE_PAYG_TRANSFER_MINUTES", "60")),
            payg_queue=env.get("FAREBRIDGE_PAYG_QUEUE", DEFAULT_PAYG_QUEUE),
            input_limits=InputLimits.from_env(env),
            clearing_batch_size=max(1, int(env.get("FAREBRIDGE_CLEARING_BATCH_SIZE", "500"))),
            clearing_batch_wait_ms=max(0, int(env.get("FAREBRIDGE_CLEARING_BATCH_WAIT_MS", "20"))),
        )
