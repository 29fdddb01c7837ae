"""What every command shares: the runtime the main group set up, and domain errors as messages."""
from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from core.errors import FarebridgeError
from core.runtime import Runtime, get_runtime


def current_runtime() -> Runtime:
    return get_runtime()


def fail(error: FarebridgeError) -> None:
    click.echo(f"error: {error.message}", err=True)
    if isinstance(error.details, list):
        for item in error.details:
            if isinstance(item, dict):
                where = ":".join(str(item[k]) for k in ("file", "line") if item.get(k) is not None)
                field = item.get("field")
                click.echo(f"  {where or '-'}  {field or '-'}  {item.get('message', '')}", err=True)
    sys.exit(1)


def domain_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Domain errors end the command with a message and exit status 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except FarebridgeError as error:
            fail(error)

    return wrapper
