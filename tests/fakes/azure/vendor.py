"""The vendor's own examples (``examples/``, see its README) and a check that a fake answers in their shape.

``example(name)`` loads one example file; ``documented(name)`` is its ``responses.200.body``. ``shape_problems``
compares a fake's answer with a documented one: every field the fake sends must be a field the vendor documents,
at the same place, with the same JSON type (number, string, boolean, object, array). Fields the vendor documents
and the fake leaves out are fine (a fake serves what the adapter reads); a field the fake adds that the example
lacks must be named in ``allowed`` with the reason, so the fake cannot drift from the vendor's contract silently.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).parent / "examples"


def example(name: str) -> dict[str, Any]:
    """One example file, e.g. ``cost-management/SubscriptionQuery.json``; numbers as exact ``Decimal``s."""
    return json.loads((EXAMPLES / name).read_text(), parse_float=Decimal)


def documented(name: str, status: str = "200") -> Any:
    """The documented response body of one example."""
    return example(name)["responses"][status]["body"]


def raw_body(name: str, status: str = "200") -> bytes:
    """The documented response body as JSON text, numbers written exactly as the vendor wrote them."""
    text = (EXAMPLES / name).read_text()
    body = json.loads(text, parse_float=lambda s: _Raw(s))["responses"][status]["body"]
    return _dumps(body).encode()


class _Raw(str):
    """A JSON number's text, kept as written (a float would lose digits on the way back out)."""


def _dumps(value: Any) -> str:
    if isinstance(value, _Raw):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_dumps(v)}" for k, v in value.items()) + "}"  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    if isinstance(value, list):
        return "[" + ", ".join(_dumps(v) for v in value) + "]"  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    return json.dumps(value)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float, Decimal)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def shape_problems(produced: Any, documented: Any, allowed: dict[str, str] | None = None, at: str = "") -> list[str]:
    """Where ``produced`` (a fake's answer) differs in shape from ``documented`` (the vendor's example): one line per
    field the vendor does not document there, or documents with another JSON type. ``allowed`` maps dotted paths
    (``properties.forecastSpend``; list items are ``[]``) to why the fake may send them anyway."""
    allowed = allowed or {}
    if at in allowed:
        return []
    got, want = _kind(produced), _kind(documented)
    if "null" in (got, want):
        return []  # documented as sometimes null (nextLink) or left null by the fake: either is the contract
    if got != want:
        return [f"{at or '(body)'}: the fake sends {got}, the vendor documents {want}"]
    problems: list[str] = []
    if isinstance(produced, dict) and isinstance(documented, dict):
        for key, value in produced.items():  # pyright: ignore[reportUnknownVariableType]
            path = f"{at}.{key}" if at else str(key)  # pyright: ignore[reportUnknownArgumentType]
            if key not in documented:
                if path not in allowed:
                    problems.append(f"{path}: sent by the fake, not in the vendor's example")
                continue
            problems += shape_problems(value, documented[key], allowed, path)
    elif isinstance(produced, list) and isinstance(documented, list) and documented:
        first: Any = documented[0]
        if isinstance(first, list):
            return []  # rows of a table: their cells follow the columns, checked by the caller
        if all(isinstance(d, dict) for d in documented):  # pyright: ignore[reportUnknownVariableType]
            first = union(*documented)  # pyright: ignore[reportUnknownArgumentType]
        for item in produced:  # pyright: ignore[reportUnknownVariableType]
            problems += shape_problems(item, first, allowed, f"{at}[]")
    return problems


def union(*documents: dict[str, Any]) -> dict[str, Any]:
    """The fields several documented objects show, merged (each example shows only some of them)."""
    out: dict[str, Any] = {}
    for document in documents:
        for key, value in document.items():
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = union(out[key], value)  # pyright: ignore[reportUnknownArgumentType]
            else:
                out.setdefault(key, value)
    return out


def typed_by_columns(columns: list[dict[str, Any]], rows: list[list[Any]]) -> list[str]:
    """Cost Management's rows against their columns: a ``Number`` column holds numbers, a ``String`` one strings."""
    kinds = {"number": "number", "string": "string"}
    problems: list[str] = []
    for r, row in enumerate(rows):
        if len(row) != len(columns):
            problems.append(f"row {r}: {len(row)} cells for {len(columns)} columns")
            continue
        for column, cell in zip(columns, row, strict=True):
            want = kinds.get(str(column.get("type", "")).lower())
            if want is not None and _kind(cell) not in (want, "null"):
                problems.append(f"row {r}, column {column.get('name')}: {_kind(cell)}, documented {want}")
    return problems
