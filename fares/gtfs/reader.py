"""Reading a GTFS feed (zip or folder) into tables of rows that remember their line.

No interpretation happens here: values are stripped strings, an empty value is
``""``. Files may sit in one sub-folder of the zip, as many publishers do.
Every read stays within ``InputLimits`` (core/input_limits.py): sizes, number
of files, compression ratio and CSV field size, so an uploaded feed cannot
exhaust memory or time.
"""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.archive import BoundedArchive
from core.input_limits import InputLimits, read_stream
from fares.validation import Problems

DEFAULT_LIMITS = InputLimits()


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # 1-based line number in the file; the header is line 1
    values: Mapping[str, str]

    def get(self, name: str) -> str:
        return self.values.get(name, "")


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # e.g. "stops.txt"
    columns: tuple[str, ...]
    rows: tuple[Row, ...]

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class RawFeed:
    source: str
    tables: dict[str, Table] = field(default_factory=dict)

    def table(self, name: str) -> Table | None:
        return self.tables.get(name)

    def rows(self, name: str) -> tuple[Row, ...]:
        table = self.tables.get(name)
        return table.rows if table else ()

    def has(self, name: str) -> bool:
        return name in self.tables


def _parse(name: str, text: str, problems: Problems, limits: InputLimits = DEFAULT_LIMITS) -> Table:
    csv.field_size_limit(limits.csv_field_bytes)  # process-wide; every reader sets the configured value
    reader = csv.reader(io.StringIO(text))
    columns: list[tuple[str, ...]] = []
    rows: list[Row] = []
    try:
        _parse_rows(name, reader, problems, columns, rows)
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise limits.refuse("csv_field_bytes", name, f"line {reader.line_num}: a field is longer than "
                                f"{limits.csv_field_bytes} characters", line=reader.line_num) from None
        problems.add(name, reader.line_num, None, f"not readable as CSV: {exc}")
    return Table(name, columns[0] if columns else (), tuple(rows))


def _parse_rows(name: str, reader: Any, problems: Problems, columns_out: list[tuple[str, ...]],
                rows: list[Row]) -> None:
    """Fills ``columns_out`` and ``rows`` in place, so that what was read before a CSV error is kept."""
    try:
        header = next(reader)
    except StopIteration:
        return
    columns = tuple(column.strip() for column in header)
    columns_out.append(columns)
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            problems.add(name, 1, column, "the column appears twice in the header")
        seen.add(column)
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue  # blank line
        if len(values) > len(columns):
            problems.add(name, line, None, f"{len(values)} values for {len(columns)} columns")
            continue
        rows.append(Row(line, {column: value.strip() for column, value in zip(columns, values, strict=False)}))


def _decode(name: str, data: bytes, problems: Problems) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(name, None, None, f"not UTF-8 text: {exc.reason} at byte {exc.start}")
        return None


def read_feed(path: Path, only: Iterable[str] | None = None, problems: Problems | None = None,
              limits: InputLimits = DEFAULT_LIMITS) -> RawFeed:
    """Read the ``.txt`` files of a feed; ``only`` limits which files are read (e.g. skip stop_times).

    A limit crossed raises ``InputTooLarge`` at once rather than joining ``problems``.
    """
    own = problems is None
    problems = problems if problems is not None else Problems()
    wanted = set(only) if only is not None else None
    feed = RawFeed(source=path.name)
    for name, data in _files(path, problems, limits):
        if wanted is not None and name not in wanted:
            continue
        text = _decode(name, data(), problems)
        if text is not None:
            feed.tables[name] = _parse(name, text, problems, limits)
    if own:
        problems.raise_if_any(path.name)
    return feed


def _files(path: Path, problems: Problems, limits: InputLimits) -> Iterator[tuple[str, Callable[[], bytes]]]:
    if path.is_dir():
        yield from _folder_files(path, limits)
        return
    try:
        archive = BoundedArchive(path, limits)
    except (zipfile.BadZipFile, OSError) as exc:
        problems.add(path.name, None, None, f"not a readable zip file or folder: {exc}")
        return
    with archive:
        names = [n for n in archive.names if n.endswith(".txt") and not n.startswith("__MACOSX")]
        folders = {n.rsplit("/", 1)[0] if "/" in n else "" for n in names}
        if len(folders) > 1:
            problems.add(path.name, None, None, "the zip holds .txt files in more than one folder")
            return
        for name in sorted(names):
            yield name.rsplit("/", 1)[-1], lambda name=name: archive.read(name)  # type: ignore[misc]


def _folder_files(path: Path, limits: InputLimits) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """The ``.txt`` files of a folder, held to the same limits as a zip's entries (except the ratio)."""
    files = sorted(path.glob("*.txt"))
    if len(files) > limits.archive_entries:
        raise limits.refuse("archive_entries", path.name, f"the folder has {len(files)} files")
    read = 0

    def reader(file: Path) -> bytes:
        nonlocal read
        if limits.total_bytes - read < limits.entry_bytes:
            bound, limit, what = limits.total_bytes - read, "total_bytes", f"the feed is larger than " \
                f"{limits.total_bytes} bytes"
        else:
            bound, limit, what = limits.entry_bytes, "entry_bytes", f"{file.name} is larger than " \
                f"{limits.entry_bytes} bytes"
        error = limits.refuse(limit, path.name, what, field=file.name)
        with file.open("rb") as handle:
            data = read_stream(handle, bound, error)
        read += len(data)
        return data

    for file in files:
        yield file.name, lambda file=file: reader(file)  # type: ignore[misc]


def feed_files(path: Path, limits: InputLimits = DEFAULT_LIMITS) -> list[str]:
    """Names of the ``.txt`` files in a feed, without reading them."""
    problems = Problems()
    return [name for name, _ in _files(path, problems, limits)]


def feed_file_sizes(path: Path) -> dict[str, int]:
    """Unpacked sizes of the ``.txt`` files of a feed, from the zip's directory (nothing is unpacked)."""
    if path.is_dir():
        return {file.name: file.stat().st_size for file in sorted(path.glob("*.txt"))}
    try:
        with zipfile.ZipFile(path) as archive:
            return {item.filename.rsplit("/", 1)[-1]: item.file_size for item in archive.infolist()
                    if item.filename.endswith(".txt") and not item.filename.startswith("__MACOSX")}
    except (zipfile.BadZipFile, OSError):
        return {}  # reading the feed reports it, naming the file


def rows_as_dicts(table: Table | None) -> list[Mapping[str, str]]:
    return [row.values for row in table.rows] if table else []


def feed_from_texts(source: str, texts: Mapping[str, str], problems: Problems | None = None) -> RawFeed:
    """A feed from file texts kept elsewhere (a stored tariff version)."""
    own = problems is None
    problems = problems if problems is not None else Problems()
    feed = RawFeed(source=source, tables={name: _parse(name, text, problems) for name, text in texts.items()})
    if own:
        problems.raise_if_any(source)
    return feed


def read_texts(path: Path, names: Iterable[str], limits: InputLimits = DEFAULT_LIMITS) -> dict[str, str]:
    """The raw texts of some files of a feed (to store them with a tariff version)."""
    problems = Problems()
    wanted = set(names)
    texts = {}
    for name, data in _files(path, problems, limits):
        if name in wanted:
            text = _decode(name, data(), problems)
            if text is not None:
                texts[name] = text
    problems.raise_if_any(path.name)
    return texts
