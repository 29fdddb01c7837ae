"""The process-wide runtime: settings, engine and session factory.

The web app sets it when it is created; a worker process builds it lazily from
the environment. Tests replace it.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.db import make_engine, make_session_factory
from core.unit_of_work import SqlUnitOfWork


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        settings.instance_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.database_url)
        return cls(settings, engine, make_session_factory(engine))

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.session_factory)


_current: Runtime | None = None


def get_runtime() -> Runtime:
    global _current
    if _current is None:
        _current = Runtime.from_settings(Settings.from_env())
    return _current


def set_runtime(runtime: Runtime | None) -> None:
    global _current
    _current = runtime
