"""Fixtures: databases on SQLite and PostgreSQL, the app, the demo data.

Database tests take the ``db_url`` fixture, which runs each test on both
backends. PostgreSQL comes from ``FAREBRIDGE_TEST_POSTGRES_URL`` (default: the
local ``test`` database); when it cannot be reached the PostgreSQL runs are
skipped, unless ``FAREBRIDGE_REQUIRE_SERVICES=1`` (set by .ci/run) makes that
a failure.
"""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from core.config import Settings
from core.runtime import Runtime, set_runtime
from migrations.metadata import all_metadata
from migrations.runner import upgrade

PG_URL = os.environ.get("FAREBRIDGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
AMQP_URL = os.environ.get("FAREBRIDGE_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
REQUIRE_SERVICES = os.environ.get("FAREBRIDGE_REQUIRE_SERVICES") == "1"


def service_missing(what: str, error: Exception) -> None:
    message = f"{what} is not reachable: {error}"
    if REQUIRE_SERVICES:
        pytest.fail(message)
    pytest.skip(message)


def reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def create_schema(url: str) -> None:
    """Migrations, or ``create_all`` while a model has no migration yet (FAREBRIDGE_TEST_SCHEMA=create_all).

    tests/integration/test_migrations.py keeps the two in agreement.
    """
    if os.environ.get("FAREBRIDGE_TEST_SCHEMA") == "create_all":
        engine = create_engine(url)
        all_metadata().create_all(engine)
        engine.dispose()
    else:
        upgrade(url)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    try:
        engine = create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any driver error means "not there"
        service_missing("PostgreSQL", exc)
    reset_postgres(PG_URL)
    create_schema(PG_URL)
    return PG_URL


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    create_schema(f"sqlite:///{path}")
    return path


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(t.name for t in all_metadata().sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "farebridge.db"
        shutil.copy(template, target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("postgres_url")
    _truncate_postgres(url)
    return url


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "farebridge.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


def make_settings(tmp_path: Path, database_url: str, **env: str) -> Settings:
    return Settings.from_env({
        "FAREBRIDGE_INSTANCE_DIR": str(tmp_path / "instance"),
        "FAREBRIDGE_DATABASE_URL": database_url,
        **env,
    })


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return make_settings(tmp_path, db_url)


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    from ticketing.payment_providers import forget_sandboxes

    rt = Runtime.from_settings(settings)
    set_runtime(rt)
    yield rt
    set_runtime(None)
    forget_sandboxes()  # the sandbox provider's connections to this test's database
    rt.engine.dispose()


@pytest.fixture
def demo(runtime: Runtime) -> Runtime:
    from webapp.demo import load_demo

    load_demo(runtime.uow())
    return runtime


@pytest.fixture
def app(demo: Runtime):  # type: ignore[no-untyped-def]
    from webapp import create_app

    return create_app(runtime=demo)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


ADMIN = {"Authorization": "Bearer demo-admin"}
_KEYS = uuid.UUID("5d1f0b6e-6a55-4f0e-9c59-2b7c1f4d9e10")


def unguessable_key(name: str) -> str:
    """An Idempotency-Key an anonymous caller may send (a UUID), the same for the same ``name`` so retries replay."""
    return str(uuid.uuid5(_KEYS, name))


SHARED_GTFS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gtfs"


@pytest.fixture(scope="session")
def shared_gtfs() -> Path:
    """The real public feeds in ../shared/data/gtfs (beside the clone, also in CI)."""
    if not SHARED_GTFS.is_dir():
        if REQUIRE_SERVICES:
            pytest.fail(f"{SHARED_GTFS} is missing")
        pytest.skip(f"{SHARED_GTFS} is missing")
    return SHARED_GTFS
