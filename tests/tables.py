"""Reading the compact answers of the cost tools in tests: a table (``columns`` + ``rows``) as records."""

from __future__ import annotations

from typing import Any


def records(table: dict[str, Any]) -> list[dict[str, Any]]:
    """``{"columns": [...], "rows": [[...]]}`` as one dict per row."""
    return [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]
