"""The models and the Alembic migrations describe the same schema."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from migrations.metadata import all_metadata


def test_migrations_match_the_models(db_url):
    engine = create_engine(db_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, all_metadata())
    engine.dispose()
    assert differences == []


def test_upgrade_creates_every_table(db_url):
    engine = create_engine(db_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {t.name for t in all_metadata().sorted_tables} <= tables
    assert "alembic_version" in tables
