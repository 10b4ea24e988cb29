"""Encoding line items into ``line_items`` rows and back.

Strings go through the ``strings`` dictionary (``Dictionary``); costs become integer nanos; decimals
exact text; timestamps UTC epoch seconds; tags a sid of their canonical JSON.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from finops_core.errors import InvalidInput
from finops_core.focus import FOCUS_COLUMNS, ColumnKind, CostLineItem
from finops_core.money import from_nanos, to_nanos
from finops_core.store.columns import Coded, Nanos
from finops_core.store.schema import PARTITION_COLUMNS

if TYPE_CHECKING:  # numpy is imported where used: the servers import this module at start-up
    from finops_core.store.columns import Ints


def _names(*kinds: ColumnKind) -> tuple[str, ...]:
    return tuple(c.name for c in FOCUS_COLUMNS if c.kind in kinds and c.name not in PARTITION_COLUMNS)


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
NULL_COST = -(2**63)
_SENTINEL = {
    **dict.fromkeys(_STRINGS + _TIMES, "0"),
    **dict.fromkeys(_COSTS, str(NULL_COST)),
    **dict.fromkeys(_DECIMALS, "''"),
    "tags": "0",
    "sku_price_details": "0",
    "x_extras": "''",
}


@lru_cache(maxsize=256)
def insert_sql(slots: tuple[tuple[str, str], ...]) -> str:
    """The INSERT for ``partition_id`` and the (column, value expression) ``slots``: a batch names only the
    columns it has (a FOCUS file fills about 25 of the 60), and columns left out are NULL."""
    names = ", ".join(name for name, _ in slots)
    return f"INSERT INTO line_items (partition_id, {names}) VALUES (?, {', '.join(e for _, e in slots)})"


def insert_rows(partition_ids: Ints, columns: Mapping[str, Ints | list[Any]]) -> tuple[str, Iterable[tuple[Any, ...]]]:
    """The INSERT statement and its parameter rows for encoded ``columns``.

    Binding is most of an insert's cost, so each column is bound as cheaply as it allows: a column with one
    value in the whole batch (the provider, the account, the currency...) is written into the statement as a
    literal (it is an int we encoded, never text from a file); a column without nulls binds a bare ``?``; only
    a column holding null sentinels pays for the NULLIF that turns them into NULL.
    """
    import numpy as np

    slots: list[tuple[str, str]] = []
    bound: list[list[Any]] = [partition_ids.tolist()]
    for name, values in columns.items():
        if isinstance(values, np.ndarray):
            sentinel = NULL_COST if name in _COSTS else 0
            first = int(values[0])
            if len(values) > 1 and bool((values == first).all()):
                slots.append((name, "NULL" if first == sentinel else str(first)))
                continue
            has_null = bool((values == sentinel).any())
            bound.append(values.tolist())
        else:
            has_null = "" in values
            bound.append(values)
        slots.append((name, f"NULLIF(?, {_SENTINEL[name]})" if has_null else "?"))
    return insert_sql(tuple(slots)), zip(*bound, strict=True)


_ALL_FIELDS = tuple(c.name for c in FOCUS_COLUMNS)
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


class _Memo(dict[Any, Any]):
    """A dict that computes and remembers missing values: repeated cells cost one lookup.

    Bounded: past ``limit`` entries it starts afresh, so high-cardinality columns (amounts) keep memory flat.
    """

    def __init__(self, compute: Callable[[Any], Any], absent: Any, limit: int = 100_000) -> None:
        super().__init__({None: absent})
        self.compute = compute
        self._absent = absent
        self._limit = limit

    def __missing__(self, key: Any) -> Any:
        if len(self) > self._limit:
            self.clear()
            self[None] = self._absent
        value = self[key] = self.compute(key)
        return value


ColumnBatch = Mapping[str, Sequence[Any]]
"""Line items by column: FOCUS snake_case name -> one value per row (absent column = all null).

Values are what ``CostLineItem`` holds: ``str``, ``Decimal``, UTC ``datetime``, ``dict`` for tags,
``sku_price_details`` and ``x_extras``; ``None`` for null."""


def _all_null(values: Sequence[Any]) -> bool:
    """True when every value is None (the column can be left out of the INSERT). Not ``list.count``: that
    compares each Decimal with None through the numbers ABC, which is slow."""
    if isinstance(values, Nanos):
        return not bool(values.valid.any())
    if isinstance(values, Coded):
        return values.all_null()
    return all(v is None for v in values)


def _sku_json(details: dict[str, Any]) -> str:
    return json.dumps(details, sort_keys=True, separators=(",", ":"))


class BatchEncoder:
    """Turns column batches into ``insert_sql`` parameter columns, recording new tag sets for ``tag_pairs``.

    Works column by column, because billing data repeats itself: the same account, service, SKU, day and
    often the same amount appear on thousands of rows. ``Coded`` columns are encoded once per distinct value
    and ``Nanos`` columns are used as they are; plain lists go through memo tables. Integer columns come out
    as int64 arrays (for the vectorized rollups), decimal text and extras as lists.
    """

    def __init__(self, conn: sqlite3.Connection, dictionary: Dictionary) -> None:
        self._conn = conn
        self._dict = dictionary
        self._tag_pairs: list[tuple[int, int, int]] = []
        self._strings = _Memo(dictionary.id_for, 0)
        self._costs = _Memo(to_nanos, NULL_COST)
        self._times = _Memo(lambda t: int(t.timestamp()), 0)
        self._decimals = _Memo(lambda d: format(d, "f"), "")
        self._tagsets: dict[tuple[tuple[str, str], ...], int] = {}

    def columns(self, batch: ColumnBatch) -> dict[str, Ints | list[Any]]:
        """The encoded columns ``batch`` has (name -> values), in ``LINE_ITEM_COLUMNS`` order."""
        out: dict[str, Ints | list[Any]] = {}
        for names, memo in ((_STRINGS, self._strings), (_COSTS, self._costs), (_TIMES, self._times)):
            for name in names:
                values = batch.get(name)
                if values is not None and not _all_null(values):
                    out[name] = self.integers(values, memo, name)
        for name in _DECIMALS:
            values = batch.get(name)
            if values is not None and not _all_null(values):
                out[name] = [self._decimals[x] for x in values]
        if (tags := batch.get("tags")) is not None:
            out["tags"] = self.integers(tags, _Memo(self._tagset, 0), "tags", hashable=False)
        if (details := batch.get("sku_price_details")) is not None:
            encode = _Memo(lambda d: self._strings[_sku_json(d)], 0)
            out["sku_price_details"] = self.integers(details, encode, "sku_price_details", hashable=False)
        if (extras := batch.get("x_extras")) is not None:
            out["x_extras"] = [json.dumps(x, sort_keys=True, default=str) if x else "" for x in extras]
        return out

    def integers(self, values: Sequence[Any], memo: _Memo, name: str, *, hashable: bool = True) -> Ints:
        """``values`` encoded by ``memo`` as an int64 array (a ``Nanos`` column is already encoded).
        Unhashable values (tag and SKU-detail dicts) are encoded by ``memo.compute``; empty ones are null."""
        import numpy as np

        encode: Callable[[Any], int] = memo.__getitem__ if hashable else lambda x: memo.compute(x) if x else memo[None]
        try:
            if isinstance(values, Nanos):
                return np.where(values.valid, values.nanos, NULL_COST)
            if isinstance(values, Coded):
                return values.table(encode, memo[None])
            return np.fromiter((encode(x) for x in values), dtype=np.int64, count=len(values))
        except OverflowError as exc:
            raise InvalidInput(
                f"A {name} value is beyond what the store holds (amounts up to about 9.2 billion per line item, at "
                "nano precision). Nothing was written; check the file for a corrupt amount."
            ) from exc

    def _tagset(self, tags: dict[str, str]) -> int:
        cache_key = tuple(tags.items())
        tagset = self._tagsets.get(cache_key)
        if tagset is None:
            tagset = self._tagsets[cache_key] = self._dict.id_for(canonical_tags(tags))
            self._tag_pairs += [(tagset, self._dict.id_for(k), self._dict.id_for(v)) for k, v in tags.items()]
        return tagset

    def flush(self) -> None:
        """Store the new strings and tag pairs this encoder met; call before the commit."""
        self._dict.flush()
        self._conn.executemany("INSERT OR IGNORE INTO tag_pairs (tagset, key, value) VALUES (?, ?, ?)", self._tag_pairs)
        self._tag_pairs.clear()


def items_to_batch(items: Sequence[CostLineItem]) -> dict[str, list[Any]]:
    """``CostLineItem``s as a column batch."""
    dicts = [item.__dict__ for item in items]
    return {name: [d[name] for d in dicts] for name in (*_ALL_FIELDS, "x_extras")}


def decode_row(row: sqlite3.Row, strings: dict[int, str]) -> dict[str, Any]:
    """A ``line_items`` row back into ``CostLineItem`` field values."""
    out: dict[str, Any] = {}
    for name, kind in _PLAN:
        value = row[PARTITION_COLUMNS.get(name, name)]
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
