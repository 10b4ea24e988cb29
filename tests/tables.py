"""Reading the compact answers of the cost tools in tests: a table (``columns`` + ``rows``) as records."""

from __future__ import annotations

from typing import Any


def records(table: dict[str, Any]) -> list[dict[str, Any]]:
    """``{"columns": [...], "rows": [[...]]}`` as one dict per row."""
    return [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]


def long_rows(answer: dict[str, Any]) -> list[list[Any]]:
    """A cost answer's rows and '(other)' rows one per cell, ``[period, *group, currency, cost]``: a trend comes pivoted
    (a column per period, null where a group had no cost), a total as it is."""
    columns: list[str] = answer["columns"]
    rows = [*answer["rows"], *answer.get("other", [])]
    currency = columns.index("currency")
    if answer["granularity"] == "total":
        return rows
    periods = columns[currency + 1 :]
    return [
        [period, *row[: currency + 1], cost]
        for row in rows
        for period, cost in zip(periods, row[currency + 1 :], strict=True)
        if cost is not None
    ]
