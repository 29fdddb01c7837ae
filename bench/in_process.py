"""What the in-process benchmarks share: a fresh SQLite instance with the demo, and timing helpers."""
from __future__ import annotations

import logging
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from core.config import Settings
from core.runtime import Runtime, set_runtime
from migrations.runner import upgrade
from ticketing.payment_providers import forget_sandboxes
from webapp import create_app
from webapp.demo import load_demo


@contextmanager
def demo_app(env: Mapping[str, str] | None = None) -> Iterator[Flask]:
    """The web app over a temporary SQLite database with the demo loaded (INFO logs off while measuring).

    The runtime is made the process's current one first (the demo's sandbox card top-up looks it up) and
    forgotten at the end, so ``python -m bench`` can run one in-process benchmark after another."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({"FAREBRIDGE_INSTANCE_DIR": tmp,
                                      "FAREBRIDGE_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}", **(env or {})})
        upgrade(settings.database_url)
        runtime = Runtime.from_settings(settings)
        set_runtime(runtime)
        load_demo(runtime.uow())
        app = create_app(runtime=runtime)
        logging.disable(logging.INFO)
        try:
            yield app
        finally:
            logging.disable(logging.NOTSET)
            set_runtime(None)
            forget_sandboxes()
            runtime.engine.dispose()


def timed(action: Callable[[], None], rounds: int, warm: bool = False) -> list[float]:
    """Seconds per call of ``action``; ``warm`` calls it once first (templates compiled, caches filled)."""
    if warm:
        action()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def p95_ms(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] * 1000
