"""Run the Alembic migrations from code (used by ``farebridge db upgrade`` and tests)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

import migrations  # noqa: F401  (locates the scripts)

SCRIPT_LOCATION = Path(migrations.__file__).resolve().parent


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)
