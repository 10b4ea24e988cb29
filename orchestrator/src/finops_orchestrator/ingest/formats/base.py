"""What every export format provides, and the column access they share."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from finops_core.store.columns import Coded, Nanos

from finops_orchestrator.ingest import values as v

if TYPE_CHECKING:
    from finops_core.store.columns import Ints

_NON_ALNUM = re.compile(r"[^a-z0-9]")


def canonical(name: str) -> str:
    """A column name with case, separators and BOMs removed: ``lineItem/UnblendedCost``,
    ``line_item_unblended_cost`` and ``LineItemUnblendedCost`` all become ``lineitemunblendedcost``."""
    return _NON_ALNUM.sub("", name.lower())


class Chunk:
    """One chunk of a file: its columns by canonical name, with where it came from (for errors).

    Read from an Arrow table when the reader gives one (CSV, Parquet): columns are then dictionary-encoded
    and amounts parsed by Arrow, whole columns at a time; the pandas view is built only if a format asks.
    """

    def __init__(self, data: pd.DataFrame | pa.Table, where: str, first_row: int) -> None:
        self.where = where
        self.first_row = first_row
        self._table = data if isinstance(data, pa.Table) else None
        self._frame = data if isinstance(data, pd.DataFrame) else None
        columns = data.column_names if isinstance(data, pa.Table) else [str(c) for c in data.columns]
        self.names = {canonical(c): c for c in columns}  # canonical -> original
        self.rows = data.num_rows if isinstance(data, pa.Table) else len(data)
        self.derived: dict[str, int] = {}  # FOCUS column -> cells a format filled in from other columns

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            assert self._table is not None
            self._frame = self._table.to_pandas()
        return self._frame

    def raw(self, *candidates: str) -> list[Any] | None:
        """The first of ``candidates`` (canonical names) the file has, as a list of raw cells."""
        for name in candidates:
            original = self.names.get(name)
            if original is not None:
                return self.frame[original].tolist()
        return None

    def text(self, *candidates: str) -> Coded | None:
        return self.parsed(str, *candidates)

    def parsed(self, parse: Callable[[str], Any], *candidates: str) -> Coded | None:
        """The first of ``candidates`` the file has, each cell parsed; nulls as None.

        Billing columns repeat a few values many times, so each distinct value is parsed once and the
        column comes back ``Coded`` (distinct values + an index per row).
        """
        for name in candidates:
            original = self.names.get(name)
            if original is None:
                continue
            codes, uniques = self._factorize(original)
            distinct = v.column(
                uniques,
                parse,
                name=original,
                where=self.where,
                first_row=self.first_row,
                rows=lambda i, c=codes: int((c == i).argmax()),
            )
            return Coded(codes, distinct)
        return None

    def _factorize(self, original: str) -> tuple[Ints, list[Any]]:
        """Per row, the index of its distinct value (-1 for a missing cell), and the distinct values."""
        if self._table is not None:
            column = self._table.column(original)
            if not pa.types.is_nested(column.type):
                encoded = column.combine_chunks().dictionary_encode()
                codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
                return codes, encoded.dictionary.to_pylist()
        series: pd.Series = self.frame[original]  # pyright: ignore[reportAssignmentType]
        try:
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
        except TypeError:  # nested cells (BigQuery records in JSON or Parquet): compare them as JSON text
            codes, uniques = pd.factorize(series.map(_as_json), use_na_sentinel=True)
        return codes.astype(np.int64), np.asarray(uniques, dtype=object).tolist()

    def decimals(self, *candidates: str) -> Coded | None:
        return self.parsed(v.parse_decimal, *candidates)

    def money(self, *candidates: str) -> Coded | None:
        """Amounts cell by cell, each within what the store holds (``values.parse_money``)."""
        return self.parsed(v.parse_money, *candidates)

    def amounts(self, *candidates: str) -> Nanos | Coded | None:
        """Cost amounts: parsed by Arrow into exact nanos when every cell allows it (at most 9 decimals,
        plain decimal or scientific notation), else cell by cell like ``decimals``, which names a bad cell."""
        for name in candidates:
            original = self.names.get(name)
            if original is None:
                continue
            column = self._table.column(original) if self._table is not None else None
            fast = nanos(column) if column is not None else None
            return fast if fast is not None else self.money(name)
        return None

    def times(self, *candidates: str) -> Coded | None:
        return self.parsed(v.parse_timestamp, *candidates)

    def constant(self, value: Any) -> list[Any]:
        return [value] * self.rows


_NANOS = pa.decimal128(38, 9)
_NULL_TEXT = pa.array(sorted(v.NULLS))


def nanos(column: pa.ChunkedArray) -> Nanos | None:
    """An amount column as exact int64 nanos, or None when Arrow cannot give exactly what ``parse_decimal``
    would (more than 9 decimals, thousands separators, out of range...): the caller parses it cell by cell.

    Arrow's text-to-decimal cast refuses anything it cannot represent exactly, and a decimal128 with scale 9
    holds the amount times 10**9 as an integer: nanos, read straight from its buffer.
    """
    kind = column.type
    try:
        if pa.types.is_floating(kind) or pa.types.is_integer(kind):
            column = pc.cast(column, pa.string())  # shortest round-trip text, as str(float) gives
            kind = column.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            # Compute functions by name: pyarrow generates their Python wrappers at import, unseen by type checkers.
            text = pc.call_function("utf8_trim_whitespace", [column])
            is_null = pc.call_function("is_in", [text], pc.SetLookupOptions(_NULL_TEXT))
            column = pc.call_function("if_else", [is_null, pa.scalar(None, kind), text])
        elif not pa.types.is_decimal(kind):
            return None
        decimal = pc.cast(column, _NANOS).combine_chunks()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    words = np.frombuffer(decimal.buffers()[1], dtype=np.int64)[
        2 * decimal.offset : 2 * (decimal.offset + len(decimal))
    ]
    low, high = words[0::2], words[1::2]
    if not bool((high == (low >> 63)).all()):  # beyond int64 nanos: let the cell-by-cell path say so
        return None
    valid = decimal.is_valid().to_numpy(zero_copy_only=False)
    return Nanos(np.where(valid, low, 0), valid)


Converter = Callable[[Chunk], dict[str, Sequence[Any]]]


@dataclass(frozen=True)
class ExportFormat:
    """A kind of billing export: how to recognize it and how to map a chunk of it to FOCUS columns."""

    name: str
    title: str
    required: tuple[str, ...]  # column names that identify it (any case or separators); "a|b" means either
    convert: Converter
    source: str  # lineage label
    # The file's own amounts per raw row, read straight from its cost columns (not through `convert`):
    # (billed, effective or None when the format states none). `finops reconcile` holds the store to them.
    native: Callable[[Chunk], tuple[Sequence[Any] | None, Sequence[Any] | None]]

    def missing(self, columns: set[str]) -> list[str]:
        """The required columns (as named in the docs) absent from ``columns`` (canonical names)."""
        return [c for c in self.required if not any(canonical(alt) in columns for alt in c.split("|"))]


def _as_json(cell: Any) -> Any:
    if isinstance(cell, np.ndarray):
        cell = cell.tolist()
    if isinstance(cell, list | tuple | dict):
        return json.dumps(cell, default=str)
    return cell


def or_default(values: Sequence[Any] | None, default: Sequence[Any]) -> Sequence[Any]:
    return default if values is None else values


def fill(values: Sequence[Any] | None, fallback: Sequence[Any] | None) -> Sequence[Any] | None:
    """``values`` with nulls taken from ``fallback`` (row by row)."""
    if values is None:
        return fallback
    if fallback is None:
        return values
    return [a if a is not None else b for a, b in zip(values, fallback, strict=True)]


def derive_blanks(
    chunk: Chunk, name: str, values: Sequence[Any] | None, fallback: Sequence[Any] | None
) -> Sequence[Any]:
    """``values`` (the FOCUS column ``name``) with blank cells taken from ``fallback``, row by row, counted in
    ``chunk.derived`` for the ingest report. A column the file lacks is all blank."""
    if values is not None and None not in values:
        return values
    if fallback is None:
        return values if values is not None else [None] * chunk.rows
    if values is None:
        out, before = list(fallback), 0
    else:
        out = [a if a is not None else b for a, b in zip(values, fallback, strict=True)]
        before = sum(1 for x in values if x is not None)
    filled = sum(1 for x in out if x is not None) - before
    if filled:
        chunk.derived[name] = chunk.derived.get(name, 0) + filled
    return out


def extras(chunk: Chunk, used: set[str], keep: Sequence[str] | None = None) -> list[dict[str, Any]] | None:
    """Provider-specific columns as ``x_`` extras: ``keep`` lists them (canonical), else every unused one.
    None when the file has none."""
    wanted = [c for c in (keep if keep is not None else chunk.names) if c in chunk.names and c not in used]
    if not wanted:
        return None
    columns = [(chunk.names[c], chunk.frame[chunk.names[c]].tolist()) for c in wanted]
    out: list[dict[str, Any]] = []
    for i in range(chunk.rows):
        row = {f"x_{name}" if not name.startswith("x_") else name: v.cell(col[i]) for name, col in columns}
        out.append({k: val for k, val in row.items() if val is not None})
    return out
