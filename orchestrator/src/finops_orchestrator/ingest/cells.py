"""Finding the cell behind an error no parser anticipated, so the refusal names its row and column."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa
from finops_core.errors import InvalidInput

from finops_orchestrator.ingest.formats.base import Chunk, ExportFormat

Frame = pa.Table | pd.DataFrame
CELL_ERRORS = (ValueError, TypeError, ArithmeticError, KeyError, AttributeError, IndexError, RecursionError)


def _fails(fmt: ExportFormat, frame: Frame, where: str) -> bool:
    try:
        chunk = Chunk(frame, where, 0)
        fmt.convert(chunk)
        fmt.native(chunk)
    except (InvalidInput, *CELL_ERRORS):
        return True
    return False


def _rows(frame: Frame, start: int, stop: int) -> Frame:
    return frame.slice(start, stop - start) if isinstance(frame, pa.Table) else frame.iloc[start:stop]


def _without(frame: Frame, column: int) -> Frame:
    """``frame`` (one row) with the cell of ``column`` null."""
    if isinstance(frame, pa.Table):
        field = frame.schema.field(column)
        return frame.set_column(column, field, pa.nulls(len(frame), field.type))
    copy = frame.copy()
    copy.iloc[:, column] = None
    return copy


def _cell(frame: Frame, column: int) -> Any:
    if isinstance(frame, pa.Table):
        return frame.column(column)[0].as_py()
    return frame.iloc[0, column]


def locate(fmt: ExportFormat, frame: Frame, where: str, first_row: int, exc: BaseException) -> InvalidInput:
    """The error for ``exc``, raised converting ``frame``: its row (the shortest failing prefix) and its column
    (the one whose cell, made empty, lets that row through). Slow, and only on this error path."""
    low, high = 0, len(frame)  # the prefix of `high` rows fails; find the shortest
    if not _fails(fmt, _rows(frame, 0, high), where):
        return _refusal(where, None, None, None, exc)
    while high - low > 1:
        middle = (low + high) // 2
        if _fails(fmt, _rows(frame, 0, middle), where):
            high = middle
        else:
            low = middle
    row = _rows(frame, high - 1, high)
    names = row.column_names if isinstance(row, pa.Table) else [str(c) for c in row.columns]
    for index, name in enumerate(names):
        if not _fails(fmt, _without(row, index), where):
            return _refusal(where, first_row + high, name, _cell(row, index), exc)
    return _refusal(where, first_row + high, None, None, exc)


def _refusal(where: str, row: int | None, column: str | None, value: Any, exc: BaseException) -> InvalidInput:
    text = str(value)
    shown = text if len(text) <= 60 else text[:57] + "..."
    at = (
        f"row {row:,}, column {column}: cannot read {shown!r}"
        if row and column
        else (f"row {row:,}: cannot read it" if row else "cannot read it")
    )
    return InvalidInput(
        f"{where}{at} ({type(exc).__name__}: {str(exc)[:120]}). Nothing was written; fix the file or pass --format "
        "if it was detected as the wrong kind."
    )
