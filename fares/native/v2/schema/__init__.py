"""Validation of native tariff packages, format version 2 (marshmallow).

Every problem becomes ``{"file", "line", "field", "message"}``: ``line`` from
the JSON source map (the line of the field, or of its nearest enclosing value
when it is missing), ``field`` as a path like ``products[2].fare.amount``.
Cross-references (product ids, time bands, rider categories) are checked in
the same pass, so one upload reports every problem at once.
"""
from __future__ import annotations

from typing import Any

from json_source_map import calculate as calculate_source_map
from marshmallow import ValidationError

from core.errors import ValidationFailed
from fares.native.schema import field_name, line_of, parse_json
from fares.native.v2.model import TariffV2, build_model
from fares.native.v2.schema.fields import FORMAT_VERSION, Path
from fares.native.v2.schema.package import NativeTariffV2Schema


def _flatten(messages: Any, path: Path = ()) -> list[tuple[Path, str]]:
    """marshmallow's nested messages as (path, message) pairs; ``_schema`` belongs to its parent."""
    if isinstance(messages, dict):
        out: list[tuple[Path, str]] = []
        for key, value in messages.items():
            out.extend(_flatten(value, path if key == "_schema" else (*path, key)))
        return out
    if isinstance(messages, list):
        out = []
        for message in messages:
            out.extend(_flatten(message, path) if isinstance(message, dict | list) else [(path, str(message))])
        return out
    return [(path, str(messages))]


def _dict_path(path: Path) -> Path:
    """``fields.Dict`` adds ``key``/``value`` after the entry; the entry is what the author wrote."""
    if len(path) >= 3 and path[-1] in ("key", "value") and path[-3] in ("shares", "fees"):
        return path[:-1]
    return path


def _fail(filename: str, problems: list[dict[str, Any]]) -> ValidationFailed:
    return ValidationFailed(f"{filename}: {len(problems)} problem(s) in the tariff package", details=problems)


def validate_native_v2(raw: Any, filename: str, source_text: str | None = None) -> dict[str, Any]:
    """Validate a parsed package; return it normalised (defaults filled in, amounts as strings).

    ``source_text`` gives problems their line numbers; without it ``line`` is None.
    """
    if not isinstance(raw, dict):
        raise _fail(filename, [{"file": filename, "line": 1, "field": None, "message": "expected a JSON object"}])
    version = raw.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and version != FORMAT_VERSION:
        source_map = calculate_source_map(source_text) if source_text is not None else None
        raise _fail(filename, [{
            "file": filename,
            "line": line_of(source_map, ("format_version",)) if source_map is not None else None,
            "field": "format_version",
            "message": f"this loader reads format_version {FORMAT_VERSION}, the package is version {version}",
        }])
    try:
        return NativeTariffV2Schema().load(raw)  # type: ignore[return-value]
    except ValidationError as exc:
        source_map = calculate_source_map(source_text) if source_text is not None else None
        problems = []
        for path, message in _flatten(exc.messages):
            path = _dict_path(path)
            problems.append({
                "file": filename,
                "line": line_of(source_map, path) if source_map is not None else None,
                "field": field_name(path),
                "message": message,
            })
        problems.sort(key=lambda p: (p["line"] or 0, p["field"]))
        raise _fail(filename, problems) from None


def load_native_v2(text: str, filename: str, version_id: int | None = None) -> TariffV2:
    """Parse, validate and build a format-2 package; raise ``ValidationFailed`` listing every problem."""
    raw = parse_json(text, filename)
    return build_model(validate_native_v2(raw, filename, text), version_id)
