"""The app for gunicorn, with the active timetable's planner built before the workers fork.

``gunicorn --preload 'webapp.wsgi:app'`` imports this once in the master
process: the planner's arrays are then shared copy-on-write by every worker
instead of being built again in each (``journeys.cache``). Without a
timetable, or with the database not reachable yet, the first request builds it.
"""
from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from core.errors import FarebridgeError
from journeys.cache import timetable_planner
from webapp import create_app

log = logging.getLogger(__name__)

app = create_app()


def warm_timetable_planner() -> None:
    runtime = app.extensions["farebridge.runtime"]
    try:
        with runtime.session_factory() as session:
            planner = timetable_planner(session)
    except (SQLAlchemyError, FarebridgeError) as exc:  # the first request tries again
        log.warning("timetable planner not built before the fork: %s", exc)
        return
    if planner is not None:
        log.info("timetable planner built before the fork: %d stops, %d stop times",
                 len(planner.timetable.stops), planner.timetable.stop_time_count)


warm_timetable_planner()
