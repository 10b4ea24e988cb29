"""What every export format provides, and the column access they share."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from finops_orchestrator.ingest import values as v

_NON_ALNUM = re.compile(r"[^a-z0-9]")


def canonical(name: str) -> str:
    """A column name with case, separators and BOMs removed: ``lineItem/UnblendedCost``,
    ``line_item_unblended_cost`` and ``LineItemUnblendedCost`` all become ``lineitemunblendedcost``."""
    return _NON_ALNUM.sub("", name.lower())


@dataclass
class Chunk:
    """One chunk of a file: its columns by canonical name, with where it came from (for errors)."""

    frame: pd.DataFrame
    where: str
    first_row: int
    names: dict[str, str] = field(init=False)  # canonical -> original

    def __post_init__(self) -> None:
        self.names = {canonical(c): c for c in self.frame.columns}

    @property
    def rows(self) -> int:
        return len(self.frame)

    def raw(self, *candidates: str) -> list[Any] | None:
        """The first of ``candidates`` (canonical names) the file has, as a list of raw cells."""
        for name in candidates:
            original = self.names.get(name)
            if original is not None:
                return self.frame[original].tolist()
        return None

    def text(self, *candidates: str) -> list[str | None] | None:
        return self.parsed(str, *candidates)

    def parsed(self, parse: Callable[[str], Any], *candidates: str) -> list[Any] | None:
        """The first of ``candidates`` the file has, each cell parsed; nulls as None.

        Billing columns repeat a few values many times, so each distinct value is parsed once
        (``pandas.factorize``) and the results are spread back over the rows with numpy.
        """
        for name in candidates:
            original = self.names.get(name)
            if original is None:
                continue
            series: pd.Series = self.frame[original]  # pyright: ignore[reportAssignmentType]
            try:
                codes, uniques = pd.factorize(series, use_na_sentinel=True)
            except TypeError:  # nested cells (BigQuery records in JSON or Parquet): compare them as JSON text
                series = series.map(_as_json)
                codes, uniques = pd.factorize(series, use_na_sentinel=True)
            distinct = v.column(
                np.asarray(uniques, dtype=object).tolist(),
                parse,
                name=original,
                where=self.where,
                first_row=self.first_row,
                rows=lambda i, u=uniques, s=series: _first_row(s, u[i]),
            )
            table = np.empty(len(distinct) + 1, dtype=object)
            table[:-1] = distinct  # code -1 (a missing cell) picks the trailing None
            table[-1] = None
            return table[codes].tolist()
        return None

    def decimals(self, *candidates: str) -> list[Any] | None:
        return self.parsed(v.parse_decimal, *candidates)

    def times(self, *candidates: str) -> list[Any] | None:
        return self.parsed(v.parse_timestamp, *candidates)

    def constant(self, value: Any) -> list[Any]:
        return [value] * self.rows


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
    native: Callable[[Chunk], tuple[list[Any] | None, list[Any] | None]]

    def missing(self, columns: set[str]) -> list[str]:
        """The required columns (as named in the docs) absent from ``columns`` (canonical names)."""
        return [c for c in self.required if not any(canonical(alt) in columns for alt in c.split("|"))]


def _as_json(cell: Any) -> Any:
    if isinstance(cell, np.ndarray):
        cell = cell.tolist()
    if isinstance(cell, list | tuple | dict):
        return json.dumps(cell, default=str)
    return cell


def _first_row(series: pd.Series, value: Any) -> int:
    return int((series == value).to_numpy().argmax())


def or_default(values: list[Any] | None, default: list[Any]) -> list[Any]:
    return default if values is None else values


def fill(values: list[Any] | None, fallback: list[Any] | None) -> list[Any] | None:
    """``values`` with nulls taken from ``fallback`` (row by row)."""
    if values is None:
        return fallback
    if fallback is None:
        return values
    return [a if a is not None else b for a, b in zip(values, fallback, strict=True)]


def extras(chunk: Chunk, used: set[str], keep: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Provider-specific columns as ``x_`` extras: ``keep`` lists them (canonical), else every unused one."""
    wanted = [c for c in (keep if keep is not None else chunk.names) if c in chunk.names and c not in used]
    columns = [(chunk.names[c], chunk.frame[chunk.names[c]].tolist()) for c in wanted]
    out: list[dict[str, Any]] = []
    for i in range(chunk.rows):
        row = {f"x_{name}" if not name.startswith("x_") else name: v.cell(col[i]) for name, col in columns}
        out.append({k: val for k, val in row.items() if val is not None})
    return out
