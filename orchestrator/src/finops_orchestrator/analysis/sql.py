"""Read-only SQL over the store for analysts: one SELECT, on a read-only connection, bounded in bytes, rows, time
and memory.

Three locks, each enough on its own for writes: the connection is opened read-only (``mode=ro``), an
authorizer allows nothing but reading (no ATTACH, no PRAGMA, no writes), and one statement is run.

Ceilings, each enforced while the statement runs rather than checked afterwards (a 500 MB ``zeroblob`` is one
VM instruction, so a clock read between rows would come far too late):

- one value (cell): SQLite's own ``SQLITE_LIMIT_LENGTH``, so no string or blob, stored or computed (``zeroblob``,
  ``randomblob``, ``group_concat``, ``printf``, ``||`` in a recursive CTE), can grow past ``CELL_BYTES``;
- memory: a page cache of ``CACHE_KIB`` for the connection, which also caps the sorter's and the temporary
  tables' in-memory share (they spill to temporary files: ``temp_store=FILE``), no memory-mapped reads, no
  sorter threads, and at most ``MAX_COLUMNS`` columns, so one row is at most ``MAX_COLUMNS * CELL_BYTES``;
- temporary disk: those spilled files grow at hundreds of MB a second, so the progress handler also stops the
  statement when the process's deleted-but-open files (how SQLite keeps them) grew past ``TEMP_BYTES`` since it
  started (read from ``/proc/self/fd`` where there is one, every ``_TEMP_CHECK_S``);
- time: a progress handler stops the statement at the deadline, while it runs and while rows are fetched,
  and the fetch loop checks the clock between rows;
- answer: at most ``max_rows`` rows and ``ANSWER_BYTES`` (as JSON, about): past either, the answer stops and says
  ``truncated`` and how to narrow the query;
- concurrency: the tool runs at most ``SQL_SLOTS`` queries at once, each in a worker thread (never on the event
  loop); a call that finds no free slot within ``SLOT_WAIT_S`` is told the tool is busy.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from finops_core.errors import InvalidInput
from pydantic import BaseModel, Field

TIME_LIMIT_S = 5.0
CELL_BYTES = 64 * 1024
ANSWER_BYTES = 512 * 1024
MAX_COLUMNS = 256
CACHE_KIB = 8 * 1024
TEMP_BYTES = 512 * 1024 * 1024
SQL_SLOTS = 2  # queries at once: two cores, and each may use its ceilings of memory and temporary files
SLOT_WAIT_S = TIME_LIMIT_S / 2  # a caller waits at most this long for a slot, then hears "busy"
_TEMP_CHECK_S = 0.05  # a listing of the process's open files costs ~0.1 ms; the files grow ~20 MB in between
_FDS = Path("/proc/self/fd")
_PROGRESS_EVERY = 1_000  # VM instructions between clock reads: ~10 µs of work each, so the deadline is kept closely
_LIMITS = {
    sqlite3.SQLITE_LIMIT_LENGTH: CELL_BYTES,
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 100_000,
    sqlite3.SQLITE_LIMIT_COLUMN: MAX_COLUMNS,
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 1_000,  # LIKE / GLOB cost grows with pattern x value length
    sqlite3.SQLITE_LIMIT_ATTACHED: 0,
    sqlite3.SQLITE_LIMIT_WORKER_THREADS: 0,
}
_SETUP = (
    f"PRAGMA cache_size = -{CACHE_KIB}",  # KiB
    "PRAGMA temp_store = FILE",  # temporary tables and sorts spill to disk instead of growing in memory
    "PRAGMA mmap_size = 0",
)
_ALLOWED = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE})
_HINT = (
    "Query the view focus_line_items (decoded FOCUS columns; costs in nanos, divide by 1e9), rollup_daily, "
    "rollup_monthly, partitions or strings."
)
_NARROW = "select fewer or narrower columns (substr(...) of long text), aggregate, or add a LIMIT"


class SqlAnswer(BaseModel):
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = Field(description="True when the answer stopped early: more rows, bytes or time than allowed.")
    note: str


def _authorize(action: int, *_: object) -> int:
    return sqlite3.SQLITE_OK if action in _ALLOWED else sqlite3.SQLITE_DENY


def run_sql(
    path: Path,
    query: str,
    *,
    max_rows: int = 100,
    time_limit: float = TIME_LIMIT_S,
    temp_bytes: int = TEMP_BYTES,
) -> SqlAnswer:
    if not query.strip():
        raise InvalidInput(f"The query is empty. {_HINT}")
    if not path.exists():
        raise InvalidInput("The store is empty: run `finops sync` or `finops ingest PATH` first.")
    watch = _Watch(time.monotonic() + time_limit, temp_bytes)
    conn = _connect(path, watch)
    try:
        try:
            cursor = conn.execute(query)
            columns = [d[0] for d in cursor.description or ()]
            rows, truncated, why = _collect(cursor.fetchone, max_rows, watch, ANSWER_BYTES)
        except (sqlite3.Error, sqlite3.Warning, MemoryError) as exc:
            raise InvalidInput(_explain(exc, watch, time_limit)) from exc
    finally:
        conn.close()
    note = f"{len(rows)} rows" + (f"; {why}" if truncated else ".")
    return SqlAnswer(columns=columns, rows=rows, truncated=truncated, note=note)


class _Watch:
    """The progress handler: stops the statement (a non-zero answer) at the deadline, or once temporary files grew
    past their ceiling; ``reason`` says which."""

    def __init__(self, deadline: float, temp_bytes: int) -> None:
        self.deadline = deadline
        self.reason: str | None = None
        self.temp_bytes = temp_bytes
        self._temp_ceiling = temp_bytes + _temp_in_use()  # files open before this query are not its own
        self._next_temp_check = 0.0

    def __call__(self) -> int:
        now = time.monotonic()
        if now > self.deadline:
            self.reason = "time"
        elif now >= self._next_temp_check:
            self._next_temp_check = now + _TEMP_CHECK_S
            if _temp_in_use() > self._temp_ceiling:
                self.reason = "temp"
        return 1 if self.reason else 0

    @property
    def expired(self) -> bool:
        if time.monotonic() > self.deadline:
            self.reason = self.reason or "time"
        return self.reason is not None


def _temp_in_use() -> int:
    """Bytes on disk of the files this process holds open after deleting them: SQLite's temporary files (sorts,
    temporary tables) are such files. 0 where ``/proc`` cannot tell."""
    try:
        names = os.listdir(_FDS)
    except OSError:
        return 0
    total = 0
    for name in names:
        try:
            info = os.stat(_FDS / name)  # the open file itself
        except OSError:  # closed meanwhile, or the listing's own descriptor
            continue
        if info.st_nlink == 0 and stat.S_ISREG(info.st_mode):
            total += info.st_blocks * 512
    return total


def _connect(path: Path, watch: _Watch) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    for category, value in _LIMITS.items():
        conn.setlimit(category, value)
    for pragma in _SETUP:  # before the authorizer, which refuses every PRAGMA
        conn.execute(pragma)
    conn.set_progress_handler(watch, _PROGRESS_EVERY)
    conn.set_authorizer(_authorize)
    return conn


def _collect(fetch: Callable[[], Any], max_rows: int, watch: _Watch, budget: int) -> tuple[list[list[Any]], bool, str]:
    """Rows from ``fetch`` until ``max_rows``, the byte ``budget``, the deadline or the temporary files' ceiling; and
    whether (and why) it stopped early. One row past ``max_rows`` is fetched to know whether more exist."""
    rows: list[list[Any]] = []
    size = 0
    while True:
        try:
            row = fetch()
        except sqlite3.OperationalError as exc:
            if "interrupted" not in str(exc) or not rows:
                raise
            return rows, True, _stopped(watch)
        if row is None:
            return rows, False, ""
        if len(rows) == max_rows:
            return rows, True, "more exist: add a LIMIT or raise max_rows (up to 1000)."
        cells = [_json(v) for v in row]
        size += sum(_size(c) for c in cells)
        if size > budget:
            return rows, True, f"the answer reached its ceiling of {budget:,} bytes here: {_NARROW}."
        rows.append(cells)
        if watch.expired:
            return rows, True, _stopped(watch)


def _stopped(watch: _Watch) -> str:
    what = "the time limit" if watch.reason == "time" else "the ceiling on temporary files"
    return f"{what} stopped the query here; more rows may exist: {_NARROW}."


def _explain(exc: BaseException, watch: _Watch, time_limit: float) -> str:
    message = str(exc)
    if "interrupted" in message and watch.reason == "temp":
        return (
            f"The query needed more than {watch.temp_bytes // 2**20:,} MB of temporary files (sorting or grouping "
            "many rows) and was stopped. Narrow it: a date range, fewer columns in ORDER BY / GROUP BY / DISTINCT, "
            "or the rollups."
        )
    if "interrupted" in message:
        return f"The query ran past {time_limit:g} s and was stopped. Narrow it (a date range, a LIMIT) or use rollups."
    if "too big" in message or isinstance(exc, MemoryError):
        return (
            f"A value in the query grew past {CELL_BYTES:,} bytes, the ceiling for one value, and the query was "
            "stopped. Build smaller values: substr(...) of long text, fewer rows per group_concat or "
            "json_group_array, no large zeroblob/randomblob; leave out columns that hold large JSON."
        )
    if "too many columns" in message:
        return f"The query asks for more than {MAX_COLUMNS} columns: name the columns you need. {_HINT}"
    if "not authorized" in message or "readonly" in message:
        return f"Only reading is allowed here: one SELECT, no writes, ATTACH or PRAGMA. {_HINT}"
    if "one statement" in message:
        return "Send one statement at a time."
    return f"SQLite could not run the query: {message}. {_HINT}"


def _json(value: Any) -> Any:
    return value.hex() if isinstance(value, bytes) else value


def _size(cell: Any) -> int:
    """About the bytes ``cell`` takes in the JSON answer (UTF-8; escaped control characters take a little more)."""
    return len(cell.encode(errors="replace")) + 3 if isinstance(cell, str) else len(str(cell)) + 1
