"""Building a Fares v2 engine from a small feed written as text (shared by the v2 tests)."""
from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

from fares.gtfs.fares_v2 import FaresV2Engine, read_fares_v2
from fares.validation import Problems


def engine_from_texts(folder: Path, files: Mapping[str, str]) -> FaresV2Engine:
    """Write ``files`` (indented CSV text) into ``folder`` and load them; the feed must have no problems."""
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).strip() + "\n")
    problems = Problems()
    basics, fares = read_fares_v2(folder, problems)
    assert problems.items == [] and fares is not None, problems.items
    return FaresV2Engine(fares, basics)
