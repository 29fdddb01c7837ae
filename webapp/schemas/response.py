"""Base of the response schemas: they dump the dicts the ``*_json`` builders make."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, pre_dump


class UndeclaredResponseField(Exception):
    """A builder wrote a key its response schema does not declare: declare it (and so document it)."""


class ResponseSchema(Schema):
    @pre_dump
    def _refuse_undeclared_keys(self, data: Any, **kwargs: Any) -> Any:
        # marshmallow would silently leave such a key out of the answer and the document
        if isinstance(data, Mapping):
            declared = {field.attribute or name for name, field in self.fields.items()}
            undeclared = set(data) - declared
            if undeclared:
                raise UndeclaredResponseField(f"{type(self).__name__} does not declare {sorted(undeclared)}")
        return data
