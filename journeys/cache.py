"""Per-process cache of the active timetable's planner: built once per stored timetable, shared by requests.

Building a timetable takes seconds on a city network; checking whether the
stored one changed costs two small queries (``journeys.storage``), so a
request asks for the key and builds only when it is new. A planner is
read-only, so threads share it; gunicorn shares it between workers when the
app is preloaded and the planner warmed before the fork
(``warm_timetable_planner``).
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy.orm import Session

from journeys.gtfs_timetable import build_from_texts
from journeys.planner import TimetablePlanner
from journeys.storage import active_timetable_info, load_timetable_texts

CACHED_PLANNERS = 2


class PlannerCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._building = threading.Lock()  # one build at a time: concurrent requests wait for it, not redo it
        self._planners: OrderedDict[str, TimetablePlanner] = OrderedDict()

    def get(self, session: Session) -> TimetablePlanner | None:
        """The planner of the active timetable, or None when the network has no timetable."""
        info = active_timetable_info(session)
        if info is None:
            return None
        key = info.content_hash  # equal texts build equal planners, whichever database holds them
        with self._lock:
            if key in self._planners:
                self._planners.move_to_end(key)
                return self._planners[key]
        with self._building:
            with self._lock:
                if key in self._planners:
                    return self._planners[key]
            texts = load_timetable_texts(session, info)
            planner = TimetablePlanner(*build_from_texts(texts, info.source))
            with self._lock:
                self._planners[key] = planner
                while len(self._planners) > CACHED_PLANNERS:
                    self._planners.popitem(last=False)
        return planner


_cache = PlannerCache()


def timetable_planner(session: Session) -> TimetablePlanner | None:
    return _cache.get(session)
