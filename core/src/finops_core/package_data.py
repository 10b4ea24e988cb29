"""Tables that are data, not code, shipped as TOML files beside the module that reads them.

A file that is missing or does not have the shape its reader expects is a packaging fault, not a user's mistake, so
the error names the file and says what is wrong with it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from importlib.resources import files
from typing import Any, TypeVar

from pydantic import ValidationError

T = TypeVar("T")


def read_toml(package: str, name: str, parse: Callable[[dict[str, Any]], T]) -> T:
    """The TOML file ``name`` of ``package``, made by ``parse`` (a pydantic validator, say) into what its reader holds.

    A key the file lacks (``KeyError``) is as much a fault of the file as a value of the wrong type.
    """
    where = f"{package}/{name}"
    try:
        text = files(package).joinpath(name).read_text(encoding="utf-8")
        return parse(tomllib.loads(text))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValidationError, KeyError) as exc:
        raise RuntimeError(f"the data file {where} shipped with finops-mcp is missing or broken: {exc!r}") from exc
