"""Encoding line items into ``line_items`` rows and back.

Strings go through the ``strings`` dictionary (``Dictionary``); costs become integer nanos; decimals
exact text; timestamps UTC epoch seconds; tags a sid of their canonical JSON.
"""

from __future__ import annotations

import json
import operator
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from finops_core.focus import FOCUS_COLUMNS, ColumnKind, CostLineItem
from finops_core.money import from_nanos, to_nanos


def _names(*kinds: ColumnKind) -> tuple[str, ...]:
    return tuple(c.name for c in FOCUS_COLUMNS if c.kind in kinds)


# Columns grouped by how they are encoded, so each group is one list comprehension per row.
_STRINGS = _names(ColumnKind.STRING)
_COSTS = _names(ColumnKind.COST)
_TIMES = _names(ColumnKind.DATETIME)
_DECIMALS = _names(ColumnKind.DECIMAL)
LINE_ITEM_COLUMNS: tuple[str, ...] = (
    "partition_id",
    *_STRINGS,
    *_COSTS,
    *_TIMES,
    *_DECIMALS,
    "tags",
    "sku_price_details",
    "x_extras",
)
# Binding None is slow in CPython 3.11's sqlite3 (each one takes the adapter-lookup path, ~6x slower
# than an int), so absent values travel as sentinels that NULLIF turns into NULL: 0 for ids and
# timestamps (ids start at 1), '' for text, and the smallest int64 for an optional cost.
_NULL_COST = -(2**63)
_SENTINEL = {
    **dict.fromkeys(_STRINGS + _TIMES, "0"),
    **dict.fromkeys(_COSTS, str(_NULL_COST)),
    **dict.fromkeys(_DECIMALS, "''"),
    "tags": "0",
    "sku_price_details": "0",
    "x_extras": "''",
}
INSERT_SQL = (
    f"INSERT INTO line_items ({', '.join(LINE_ITEM_COLUMNS)}) VALUES (?, "
    + ", ".join(f"NULLIF(?, {_SENTINEL[c]})" for c in LINE_ITEM_COLUMNS[1:])
    + ")"
)


def _getter(names: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """Reads several fields in one C call (``operator.itemgetter``): the encoder's hot path."""
    return operator.itemgetter(*names)  # pyright: ignore[reportUnknownVariableType]


_get_strings = _getter(_STRINGS)
_get_costs = _getter(_COSTS)
_get_times = _getter(_TIMES)
_get_decimals = _getter(_DECIMALS)
_STRING_ROW_CACHE = 200_000  # distinct string-column tuples remembered per write (bounded memory)
_PLAN: tuple[tuple[str, ColumnKind], ...] = tuple((c.name, c.kind) for c in FOCUS_COLUMNS)


class Dictionary:
    """The ``strings`` table seen from Python: value -> id, cached across writes.

    Use only inside a write transaction (``BEGIN IMMEDIATE``): ``begin()`` syncs the cache with the table
    (another process may have written since), new values get the next ids in Python, and ``flush()``
    stores them in one ``executemany`` before the commit. One INSERT per new string, each looking up
    the unique index, was the slowest part of a write. ``rollback()`` forgets what the transaction added.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._ids: dict[str, int] = {}
        self._pending: list[tuple[int, str]] = []
        self._max_id = 0
        self.cached: dict[str, int] = self._ids  # read-only view for hot loops: value -> id when known

    def begin(self) -> None:
        max_id, count = self._conn.execute("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM strings").fetchone()
        if (int(max_id), int(count)) != (self._max_id, len(self._ids)):
            self._ids.clear()
            self._ids.update((str(v), int(i)) for i, v in self._conn.execute("SELECT id, value FROM strings"))
            self._max_id = int(max_id)
        self._pending.clear()

    def id_for(self, value: str) -> int:
        sid = self._ids.get(value)
        if sid is None:
            self._max_id += 1
            sid = self._ids[value] = self._max_id
            self._pending.append((sid, value))
        return sid

    def flush(self) -> None:
        self._conn.executemany("INSERT INTO strings (id, value) VALUES (?, ?)", self._pending)
        self._pending.clear()

    def rollback(self) -> None:
        for _, value in self._pending:
            del self._ids[value]
        self._max_id -= len(self._pending)
        self._pending.clear()


def canonical_tags(tags: dict[str, str]) -> str:
    return json.dumps(tags, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class RowEncoder:
    """Turns ``CostLineItem``s into ``line_items`` tuples, recording new tag sets in ``tag_pairs``."""

    def __init__(self, conn: sqlite3.Connection, dictionary: Dictionary) -> None:
        self._conn = conn
        self._dict = dictionary
        self._tagset_ids: dict[tuple[tuple[str, str], ...], int] = {}
        self._tag_pairs: list[tuple[int, int, int]] = []
        # Rows repeat their string columns (same account, service, region, SKU, resource day after day):
        # one hash of the tuple replaces forty dictionary lookups.
        self._string_rows: dict[tuple[Any, ...], tuple[int, ...]] = {}

    def encode(self, partition_id: int, item: CostLineItem) -> tuple[Any, ...]:
        """One ``INSERT_SQL`` parameter tuple; absent values are sentinels that the SQL turns into NULL."""
        v = item.__dict__  # pydantic v2 keeps field values here: the fastest read
        sid = self._dict.id_for
        tags = v["tags"]
        details = v["sku_price_details"]
        extras = v["x_extras"]
        strings = _get_strings(v)
        encoded = self._string_rows.get(strings)
        if encoded is None:
            if len(self._string_rows) >= _STRING_ROW_CACHE:
                self._string_rows.clear()
            known = self._dict.cached
            encoded = tuple([0 if x is None else (known.get(x) or sid(x)) for x in strings])
            self._string_rows[strings] = encoded
        return (
            partition_id,
            *encoded,
            *[_NULL_COST if x is None else to_nanos(x) for x in _get_costs(v)],
            *[0 if x is None else int(x.timestamp()) for x in _get_times(v)],
            *["" if x is None else format(x, "f") for x in _get_decimals(v)],
            self._tagset(tags) if tags else 0,
            0 if details is None else sid(json.dumps(details, sort_keys=True, separators=(",", ":"))),
            json.dumps(extras, sort_keys=True, default=str) if extras else "",
        )

    def _tagset(self, tags: dict[str, str]) -> int:
        cache_key = tuple(tags.items())
        tagset = self._tagset_ids.get(cache_key)
        if tagset is not None:
            return tagset
        tagset = self._dict.id_for(canonical_tags(tags))
        self._tagset_ids[cache_key] = tagset
        self._tag_pairs += [(tagset, self._dict.id_for(k), self._dict.id_for(v)) for k, v in tags.items()]
        return tagset

    def flush(self) -> None:
        """Store the new strings and tag pairs this encoder met; call before the commit."""
        self._dict.flush()
        self._conn.executemany("INSERT OR IGNORE INTO tag_pairs (tagset, key, value) VALUES (?, ?, ?)", self._tag_pairs)
        self._tag_pairs.clear()

    def encode_all(self, partition_id: int, items: Iterable[CostLineItem]) -> Iterable[tuple[Any, ...]]:
        for item in items:
            yield self.encode(partition_id, item)


def decode_row(row: sqlite3.Row, strings: dict[int, str]) -> dict[str, Any]:
    """A ``line_items`` row back into ``CostLineItem`` field values."""
    out: dict[str, Any] = {}
    for name, kind in _PLAN:
        value = row[name]
        if value is None:
            out[name] = {} if name == "tags" else None
        elif kind is ColumnKind.STRING:
            out[name] = strings[value]
        elif kind is ColumnKind.COST:
            out[name] = from_nanos(value)
        elif kind is ColumnKind.DATETIME:
            out[name] = datetime.fromtimestamp(value, tz=UTC)
        elif kind is ColumnKind.DECIMAL:
            out[name] = Decimal(value)
        else:
            out[name] = json.loads(strings[value])
    extras = row["x_extras"]
    out["x_extras"] = json.loads(extras) if extras else {}
    return out
