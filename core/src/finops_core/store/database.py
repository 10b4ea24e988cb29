"""The local store: one SQLite file of FOCUS line items, partitions and rollups.

Writes replace a whole partition (provider, billing account, billing period) in one transaction, so a
reader never sees a half-written period and a re-ingest never duplicates. Reads use separate read-only
connections; with WAL they see the last committed state while a write runs.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from finops_core.errors import InvalidInput, StoreError
from finops_core.focus import CostLineItem, Lineage
from finops_core.models import CostBreakdown, CostQuery
from finops_core.money import Money, from_nanos
from finops_core.store.codec import INSERT_SQL, Dictionary, RowEncoder, decode_row
from finops_core.store.queries import query_costs
from finops_core.store.schema import DAILY_DIMENSIONS, MONTHLY_DIMENSIONS, ROLLUP_METRICS, migrations

PartitionKind = Literal["export", "sync"]
BUSY_TIMEOUT_MS = 30_000


class PartitionKey(BaseModel):
    """What a write replaces: one provider's billing account for one billing period."""

    model_config = ConfigDict(frozen=True)

    provider_name: str
    billing_account_id: str
    billing_period_start: date


def partition_key(item: CostLineItem) -> PartitionKey:
    return PartitionKey(
        provider_name=item.provider_name,
        billing_account_id=item.billing_account_id,
        billing_period_start=item.billing_period_start.date(),
    )


def split_by_partition(items: Iterable[CostLineItem]) -> dict[PartitionKey, list[CostLineItem]]:
    """Group line items by the partition they belong to, in first-seen order."""
    parts: dict[PartitionKey, list[CostLineItem]] = {}
    for item in items:
        parts.setdefault(partition_key(item), []).append(item)
    return parts


class PartitionInfo(BaseModel):
    key: PartitionKey
    kind: PartitionKind
    lineage: Lineage
    row_count: int


class WriteResult(BaseModel):
    key: PartitionKey
    written: bool
    rows: int
    replaced_rows: int = 0
    reason: str | None = None


class StoreInfo(BaseModel):
    path: str
    size_bytes: int
    migrations: list[str]
    partitions: int
    line_items: int
    strings: int
    first_day: date | None
    last_day: date | None
    providers: list[str]
    effective_cost_totals: list[Money]


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    if read_only:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


class Store:
    """A finops SQLite store. Create with ``Store(path)``; the file and schema are made if missing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = _connect(path, read_only=False)
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            migrations.apply(sqlite_utils.Database(self._conn))
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(
                f"Cannot open the store at {path}: {exc}. Check the path is writable, or set FINOPS_HOME "
                "to another folder."
            ) from exc
        self._lock = threading.Lock()
        self._dictionary = Dictionary(self._conn)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def reader(self) -> Generator[sqlite3.Connection]:
        """A read-only connection (its own snapshot in WAL mode), closed on exit."""
        conn = _connect(self.path, read_only=True)
        conn.row_factory = sqlite3.Row
        try:
            yield conn
        except sqlite3.Error as exc:
            raise StoreError(f"Reading the store at {self.path} failed: {exc}") from exc
        finally:
            conn.close()

    # -- writes ----------------------------------------------------------------------------------

    def replace_partition(
        self,
        key: PartitionKey,
        items: Iterable[CostLineItem],
        lineage: Lineage,
        *,
        kind: PartitionKind,
        progress: Callable[[int], None] | None = None,
    ) -> WriteResult:
        """Replace every line item of ``key`` with ``items``, atomically, and rebuild its rollups.

        An ``export`` partition is never overwritten by a ``sync``: the write is skipped and the result
        says why (the same dollars would otherwise be counted from two sources). A row outside ``key``
        aborts the write and leaves the store as it was.
        """
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            self._dictionary.begin()
            try:
                result = self._replace(conn, key, items, lineage, kind, progress)
                if result.written:
                    conn.execute("COMMIT")
                else:
                    conn.execute("ROLLBACK")
                    self._dictionary.rollback()
                return result
            except BaseException as exc:
                conn.execute("ROLLBACK")
                self._dictionary.rollback()
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(
                        f"Writing {key.provider_name} {key.billing_account_id} "
                        f"{key.billing_period_start} failed and was rolled back: {exc}"
                    ) from exc
                raise

    def _replace(
        self,
        conn: sqlite3.Connection,
        key: PartitionKey,
        items: Iterable[CostLineItem],
        lineage: Lineage,
        kind: PartitionKind,
        progress: Callable[[int], None] | None,
    ) -> WriteResult:
        existing = conn.execute(
            "SELECT id, kind, row_count FROM partitions WHERE provider_name = ? AND billing_account_id = ? "
            "AND billing_period_start = ?",
            (key.provider_name, key.billing_account_id, key.billing_period_start.isoformat()),
        ).fetchone()
        replaced = 0
        if existing is not None:
            partition_id, old_kind, replaced = int(existing[0]), str(existing[1]), int(existing[2])
            if kind == "sync" and old_kind == "export":
                return WriteResult(
                    key=key,
                    written=False,
                    rows=0,
                    reason="an ingested export already covers this partition; synced aggregates would "
                    "count the same costs twice",
                )
            for table in ("line_items", "rollup_daily", "rollup_monthly"):
                conn.execute(f"DELETE FROM {table} WHERE partition_id = ?", (partition_id,))
            conn.execute(
                "UPDATE partitions SET kind = ?, source = ?, file = ?, focus_version = ?, ingested_at = ? WHERE id = ?",
                (
                    kind,
                    lineage.source,
                    lineage.file,
                    lineage.focus_version,
                    lineage.ingested_at.isoformat(),
                    partition_id,
                ),
            )
        else:
            cursor = conn.execute(
                "INSERT INTO partitions (provider_name, billing_account_id, billing_period_start, kind, "
                "source, file, focus_version, ingested_at, row_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
                (
                    key.provider_name,
                    key.billing_account_id,
                    key.billing_period_start.isoformat(),
                    kind,
                    lineage.source,
                    lineage.file,
                    lineage.focus_version,
                    lineage.ingested_at.isoformat(),
                ),
            )
            assert cursor.lastrowid is not None
            partition_id = cursor.lastrowid

        counter = [0]
        encoder = RowEncoder(conn, self._dictionary)
        conn.executemany(INSERT_SQL, encoder.encode_all(partition_id, _checked(key, items, counter, progress)))
        encoder.flush()
        _rebuild_rollups(conn, partition_id)
        conn.execute("UPDATE partitions SET row_count = ? WHERE id = ?", (counter[0], partition_id))
        return WriteResult(key=key, written=True, rows=counter[0], replaced_rows=replaced)

    # -- reads -----------------------------------------------------------------------------------

    def query_costs(self, query: CostQuery, *, source: str = "local store", is_demo: bool = False) -> CostBreakdown:
        with self.reader() as conn:
            return query_costs(conn, query, source=source, is_demo=is_demo)

    def partitions(self) -> list[PartitionInfo]:
        with self.reader() as conn:
            rows = conn.execute(
                "SELECT * FROM partitions ORDER BY provider_name, billing_account_id, billing_period_start"
            ).fetchall()
        return [
            PartitionInfo(
                key=PartitionKey(
                    provider_name=r["provider_name"],
                    billing_account_id=r["billing_account_id"],
                    billing_period_start=date.fromisoformat(r["billing_period_start"]),
                ),
                kind=r["kind"],
                lineage=Lineage(
                    source=r["source"],
                    file=r["file"],
                    focus_version=r["focus_version"],
                    ingested_at=datetime.fromisoformat(r["ingested_at"]),
                ),
                row_count=r["row_count"],
            )
            for r in rows
        ]

    def line_items(self, key: PartitionKey | None = None) -> Iterator[CostLineItem]:
        """Every stored line item (of one partition, if given), decoded back into ``CostLineItem``."""
        with self.reader() as conn:
            strings = {int(i): str(v) for i, v in conn.execute("SELECT id, value FROM strings")}
            sql = (
                "SELECT li.*, p.source, p.file, p.focus_version, p.ingested_at FROM line_items li "
                "JOIN partitions p ON p.id = li.partition_id"
            )
            params: tuple[str, ...] = ()
            if key is not None:
                sql += " WHERE p.provider_name = ? AND p.billing_account_id = ? AND p.billing_period_start = ?"
                params = (key.provider_name, key.billing_account_id, key.billing_period_start.isoformat())
            for row in conn.execute(sql + " ORDER BY li.id", params):
                lineage = Lineage(
                    source=row["source"],
                    file=row["file"],
                    focus_version=row["focus_version"],
                    ingested_at=datetime.fromisoformat(row["ingested_at"]),
                )
                yield CostLineItem(**decode_row(row, strings), lineage=lineage)

    def info(self) -> StoreInfo:
        with self.reader() as conn:

            def count(sql: str) -> int:
                return int(conn.execute(sql).fetchone()[0])

            first, last = conn.execute("SELECT MIN(day), MAX(day) FROM rollup_daily").fetchone()
            providers = [str(r[0]) for r in conn.execute("SELECT DISTINCT provider_name FROM partitions ORDER BY 1")]
            totals = [
                Money(amount=from_nanos(int(nanos)), currency=str(cur))
                for cur, nanos in conn.execute(
                    "SELECT s.value, SUM(r.effective_cost) FROM rollup_daily r "
                    "JOIN strings s ON s.id = r.billing_currency GROUP BY 1 ORDER BY 1"
                )
            ]
            return StoreInfo(
                path=str(self.path),
                size_bytes=sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*")),
                migrations=[m.name for m in migrations.applied(sqlite_utils.Database(conn))],
                partitions=count("SELECT COUNT(*) FROM partitions"),
                line_items=count("SELECT COUNT(*) FROM line_items"),
                strings=count("SELECT COUNT(*) FROM strings"),
                first_day=date.fromisoformat(first) if first else None,
                last_day=date.fromisoformat(last) if last else None,
                providers=providers,
                effective_cost_totals=totals,
            )


def _checked(
    key: PartitionKey,
    items: Iterable[CostLineItem],
    counter: list[int],
    progress: Callable[[int], None] | None,
) -> Iterator[CostLineItem]:
    for item in items:
        if (
            item.provider_name != key.provider_name
            or item.billing_account_id != key.billing_account_id
            or item.billing_period_start.date() != key.billing_period_start
        ):
            raise InvalidInput(
                f"Line item for {item.provider_name} / {item.billing_account_id} / billing period "
                f"{item.billing_period_start.date()} does not belong to partition {key.provider_name} / "
                f"{key.billing_account_id} / {key.billing_period_start}; split the rows by partition first. "
                "Nothing was written."
            )
        counter[0] += 1
        if progress is not None and counter[0] % 50_000 == 0:
            progress(counter[0])
        yield item


def _rebuild_rollups(conn: sqlite3.Connection, partition_id: int) -> None:
    metrics = ", ".join(f"SUM({m})" for m in ROLLUP_METRICS)
    for table, period, expr, dims in (
        ("rollup_daily", "day", "date(charge_period_start, 'unixepoch')", DAILY_DIMENSIONS),
        (
            "rollup_monthly",
            "month",
            "strftime('%Y-%m-01', charge_period_start, 'unixepoch')",
            MONTHLY_DIMENSIONS,
        ),
    ):
        cols = ", ".join(dims)
        conn.execute(
            f"INSERT INTO {table} (partition_id, {period}, {cols}, {', '.join(ROLLUP_METRICS)}, row_count) "
            f"SELECT partition_id, {expr}, {cols}, {metrics}, COUNT(*) FROM line_items "
            f"WHERE partition_id = ? GROUP BY {expr}, {cols}",
            (partition_id,),
        )
