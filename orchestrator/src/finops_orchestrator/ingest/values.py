"""Parsing the cell values billing exports really contain, exactly and fast (memoized: exports repeat).

Quirks handled (DESIGN.md, FOCUS section): literal ``NULL``; timestamps with or without ``T``/``Z``,
with ``+00:00`` or `` UTC``, bare dates, US ``MM/DD/YYYY`` (Azure EA) and ``M/D/YY`` (FOCUS spec examples);
tags as JSON, as Azure EA's JSON without braces, with stray spaces in keys; GCP credits as a Python-repr
list; amounts in scientific notation (``5e-06``).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from finops_core.errors import InvalidInput

NULLS = frozenset({"", "NULL", "null", "None", "nan", "NaN"})
# A cost is stored as int64 nanos; a quantity as exact text, bounded so no cell expands into a huge number.
MAX_AMOUNT = Decimal(2**63 - 1).scaleb(-9)
_MAX_EXPONENT = 30
# Billing data lies between the Unix epoch and the next century or two; anything else is a corrupt cell
# (and 9999-12-31 plus a day would not even be a date).
FIRST_YEAR, LAST_YEAR = 1970, 2199


def cell(value: Any) -> str | None:
    """A raw cell as text, or None for the spellings of null exports use."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    text = str(value).strip()
    return None if text in NULLS else text


@lru_cache(maxsize=200_000)
def parse_decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "") if "," in text and "." in text else text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite() or (value and not -_MAX_EXPONENT <= value.adjusted() <= _MAX_EXPONENT):
        raise ValueError(text)
    return value


def parse_money(text: str) -> Decimal:
    """An amount the store can hold exactly: at most about 9.2 billion per line item."""
    value = parse_decimal(text)
    if abs(value) > MAX_AMOUNT:
        raise ValueError(text)
    return value


def money(value: Any) -> Decimal:
    """An amount from a nested field (a JSON number, a float BigQuery wrote, or text), exactly as written."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(repr(value))
    return parse_money(str(value).strip())


_CURRENCY = re.compile(r"^[A-Za-z0-9]{1,16}$")


def parse_currency(text: str) -> str:
    """A currency code: ISO 4217 normally (USD), though real files carry oddities (a fixture has "MC"); at most
    16 letters or digits, what every answer about money can show."""
    if not _CURRENCY.match(text):
        raise ValueError(text)
    return text


_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


@lru_cache(maxsize=100_000)
def parse_timestamp(text: str) -> datetime:
    """A UTC datetime from the timestamp spellings found in real exports."""
    match = _US_DATE.match(text)
    if match:
        month, day, year, hour, minute, second = match.groups()
        full_year = int(year) + (2000 if len(year) == 2 else 0)
        clock = (int(hour or 0), int(minute or 0), int(second or 0))
        value = datetime(full_year, int(month), int(day), *clock, tzinfo=UTC)
    else:
        cleaned = text.replace(" UTC", "+00:00").replace("Z", "+00:00")
        try:
            value = datetime.fromisoformat(cleaned)
        except ValueError as exc:
            raise ValueError(text) from exc
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(text)
    return value


_NO_TAGS = frozenset({'""', "''", "{}", "[]"})


def parse_tags(text: str) -> dict[str, str]:
    """Tags from JSON, Azure EA's brace-less JSON, a list of ``{"key", "value"}`` objects, or ``key:value``
    lists; keys trimmed, values as text. An empty JSON string, object or list (Azure writes ``""``) is no tags."""
    body = text.strip()
    if body in _NO_TAGS:
        return {}
    if body.startswith("["):
        return key_values(json.loads(body))
    if not body.startswith("{"):
        body = "{" + body + "}"
    try:
        raw = json.loads(body)
    except json.JSONDecodeError:
        raw = _loose_pairs(text)
    if not isinstance(raw, dict):
        raise ValueError(text)
    return {str(k).strip(): label_text(v) for k, v in raw.items() if str(k).strip()}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]


def label_text(value: Any) -> str:
    """A tag or label value as text: JSON for nested values (never a Python repr), "" for null."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def key_values(raw: Any) -> dict[str, str]:
    """Labels as BigQuery writes them (a list of ``{"key", "value"}``), one such object, or a plain mapping."""
    if raw is None:
        return {}
    if isinstance(raw, dict):
        if "key" in raw and set(raw) <= {"key", "value"}:  # pyright: ignore[reportUnknownArgumentType]
            raw = [raw]
        else:
            return {str(k).strip(): label_text(v) for k, v in raw.items() if str(k).strip()}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    if not isinstance(raw, list):
        raise ValueError(repr(raw))
    out: dict[str, str] = {}
    for item in raw:  # pyright: ignore[reportUnknownVariableType]
        if not isinstance(item, dict) or "key" not in item or item["key"] is None:
            raise ValueError(repr(item))  # pyright: ignore[reportUnknownArgumentType]
        out[str(item["key"]).strip()] = label_text(item.get("value"))  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]
    return out


def _loose_pairs(text: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for part in re.split(r"[;,]", text):
        if ":" in part or "=" in part:
            key, _, value = re.split(r"([:=])", part, maxsplit=1)
            pairs[key.strip().strip('"')] = value.strip().strip('"')
    if not pairs:
        raise ValueError(text)
    return pairs


def parse_python_literal(text: str) -> Any:
    """GCP's BigQuery CSV flattens repeated records as Python reprs (single quotes, None): read them safely."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return ast.literal_eval(text)


def column(
    values: Sequence[Any],
    parse: Callable[[str], Any],
    *,
    name: str,
    where: str,
    first_row: int = 0,
    rows: Callable[[int], int] | None = None,
) -> list[Any]:
    """Parse one column; the first unreadable cell raises with its row number, column and value.
    ``rows`` maps a position in ``values`` to its row in the chunk (when ``values`` are distinct values)."""
    out: list[Any] = []
    for offset, raw in enumerate(values):
        text = cell(raw)
        if text is None:
            out.append(None)
            continue
        try:
            out.append(parse(text))
        except (ValueError, SyntaxError, TypeError, ArithmeticError, KeyError, RecursionError, MemoryError) as exc:
            shown = text if len(text) <= 60 else text[:57] + "..."
            row = rows(offset) if rows is not None else offset
            raise InvalidInput(
                f"{where}row {first_row + row + 1}, column {name}: cannot read {shown!r}. Nothing was written; "
                "fix the file or pass --format if it was detected as the wrong kind."
            ) from exc
    return out
