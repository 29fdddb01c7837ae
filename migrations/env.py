from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from core.config import Settings
from core.db import make_engine
from migrations.metadata import all_metadata

config = context.config
target_metadata = all_metadata()


def _url() -> str:
    return config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url") or \
        Settings.from_env().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    """SQLite: foreign keys off while migrating, checked at the end.

    A batch migration rebuilds a table (copy, drop, rename); with foreign keys
    on, dropping a table that other rows point at fails, even deferred. The
    pragma only works outside a transaction, hence here (Alembic's advice for
    batch migrations); ``foreign_key_check`` then refuses a broken result.
    """
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()  # the pragma began a transaction; the migrations want their own
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    try:
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the migration left rows pointing at nothing: {broken[:5]}")
    finally:
        if sqlite:
            connection.rollback()  # nothing left open (committed above, or failed)
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
