"""Read-only SQL over the store for analysts: one SELECT, on a read-only connection, bounded in rows and time.

Three locks, each enough on its own for writes: the connection is opened read-only (``mode=ro``), an
authorizer allows nothing but reading (no ATTACH, no PRAGMA, no writes), and one statement is run.
A progress handler stops a query that runs past its time.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from finops_core.errors import InvalidInput
from pydantic import BaseModel, Field

TIME_LIMIT_S = 5.0
_ALLOWED = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE})
_HINT = (
    "Query the view focus_line_items (decoded FOCUS columns; costs in nanos, divide by 1e9), rollup_daily, "
    "rollup_monthly, partitions or strings."
)


class SqlAnswer(BaseModel):
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = Field(description="True when the query had more rows than max_rows.")
    note: str


def _authorize(action: int, *_: object) -> int:
    return sqlite3.SQLITE_OK if action in _ALLOWED else sqlite3.SQLITE_DENY


def run_sql(path: Path, query: str, *, max_rows: int = 100, time_limit: float = TIME_LIMIT_S) -> SqlAnswer:
    if not query.strip():
        raise InvalidInput(f"The query is empty. {_HINT}")
    if not path.exists():
        raise InvalidInput("The store is empty: run `finops sync` or `finops ingest PATH` first.")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    deadline = time.monotonic() + time_limit
    conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 10_000)
    conn.set_authorizer(_authorize)
    try:
        cursor = conn.execute(query)
        rows = cursor.fetchmany(max_rows + 1)
        columns = [d[0] for d in cursor.description or ()]
    except (sqlite3.Error, sqlite3.Warning) as exc:
        raise InvalidInput(_explain(exc, time_limit)) from None
    finally:
        conn.close()
    truncated = len(rows) > max_rows
    rows = rows[:max_rows]
    note = f"{len(rows)} rows" + ("; more exist: add a LIMIT or raise max_rows (up to 1000)." if truncated else ".")
    return SqlAnswer(columns=columns, rows=[[_json(v) for v in row] for row in rows], truncated=truncated, note=note)


def _explain(exc: Exception, time_limit: float) -> str:
    message = str(exc)
    if "interrupted" in message:
        return f"The query ran past {time_limit:g} s and was stopped. Narrow it (a date range, a LIMIT) or use rollups."
    if "not authorized" in message or "readonly" in message:
        return f"Only reading is allowed here: one SELECT, no writes, ATTACH or PRAGMA. {_HINT}"
    if "one statement" in message:
        return "Send one statement at a time."
    return f"SQLite could not run the query: {message}. {_HINT}"


def _json(value: Any) -> Any:
    return value.hex() if isinstance(value, bytes) else value
