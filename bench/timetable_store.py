"""Storing and finding the active timetable (issue 12): what a per-process cache pays to check and to load.

The Porto Alegre EPTC feed is imported and activated as a tariff version on a
temporary SQLite database; its timetable files are kept packed with the
version. Measured in the same run: asking which timetable is active (what a
cache does on every request), loading its texts from the database (what it
does when the key changes), and, as the baseline, reading the same files from
the feed's zip on disk.

``python -m bench.timetable_store [--quick]`` (quick: 50 checks and 3 loads instead of 500 and 15; the same
feed, so the import still takes its seconds).
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from core.config import Settings
from core.runtime import Runtime
from fares.gtfs.timetable_archive import read_timetable_texts
from fares.services import activate_tariff, import_tariff_file
from journeys.storage import active_timetable_info, load_timetable_texts
from migrations.runner import upgrade

FEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gtfs"
FEED = "poa_eptc.zip"


def _p50_ms(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main(feeds: Path = FEEDS, checks: int = 500, loads: int = 15, quick: bool = False) -> None:
    if quick:
        checks, loads = min(checks, 50), min(loads, 3)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        runtime = Runtime.from_settings(Settings.from_env({
            "FAREBRIDGE_INSTANCE_DIR": f"{folder}/instance", "FAREBRIDGE_DATABASE_URL": url}))
        uow = runtime.uow()
        start = time.perf_counter()
        with uow:
            version = import_tariff_file(uow.session, feeds / FEED, "EPTC")
            activate_tariff(uow.session, version.id)
            uow.commit()
        import_s = time.perf_counter() - start
        with runtime.session_factory() as session:
            info = active_timetable_info(session)
            assert info is not None
            check_ms = _p50_ms(lambda: active_timetable_info(session), checks)
            load_ms = _p50_ms(lambda: load_timetable_texts(session, info), loads)
            archive_bytes = len(session.connection().exec_driver_sql(
                "SELECT archive FROM tariff_timetables").scalar_one())
        zip_ms = _p50_ms(lambda: read_timetable_texts(feeds / FEED), loads)
        runtime.engine.dispose()

    print(f"{FEED}: timetable files {info.size_bytes:,} bytes, stored as {archive_bytes:,} "
          f"({archive_bytes / info.size_bytes:.1%}); import + activate {import_s:.1f} s")
    print(f"{'what':<44} {'p50 ms':>8}")
    print(f"{'which timetable is active (no texts)':<44} {check_ms:>8.2f}")
    print(f"{'its texts from the database':<44} {load_ms:>8.1f}")
    print(f"{'the same files from the feed zip (baseline)':<44} {zip_ms:>8.1f}")
    print(json.dumps({"bench": "timetable_store", "quick": quick, "text_bytes": info.size_bytes,
                      "archive_bytes": archive_bytes,
                      "import_activate_s": round(import_s, 2), "check_p50_ms": round(check_ms, 3),
                      "load_p50_ms": round(load_ms, 1), "zip_read_p50_ms": round(zip_ms, 1)}))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
