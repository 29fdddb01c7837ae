"""Asserting a tariff package is refused, and reading its problems (shared by the native format tests)."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from core.errors import ValidationFailed


def refused(loader: Callable[[str, str], Any], data: dict[str, Any] | str,
            filename: str = "tariff.json") -> list[dict[str, Any]]:
    """The problems ``loader`` reports; each names file, line, field and message."""
    text = data if isinstance(data, str) else json.dumps(data, indent=2)
    with pytest.raises(ValidationFailed) as caught:
        loader(text, filename)
    assert caught.value.code == "validation_failed"
    for problem in caught.value.details:
        assert set(problem) == {"file", "line", "field", "message"}
        assert problem["file"] == filename
    return caught.value.details
