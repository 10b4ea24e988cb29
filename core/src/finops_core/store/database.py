"""The local store: one SQLite file of FOCUS line items, partitions, sources and rollups.

Every ingested file is a *source* (``store.sources``). A write is one transaction: a file replaces the sources it
is (same path or URL, same content) or that its format declares it supersedes, and adds its own rows beside
those of every other source, so a reader never sees a half-written file, a re-ingest never duplicates, and a
file never removes rows it does not cover. Syncs replace their partitions whole. Reads use separate read-only
connections; with WAL they see the last committed state while a write runs.

Every write goes through ``Store._write``: one writer at a time, in arrival order (``writing.WriteGate``), never
waiting on an event loop's thread (a waiting loop would freeze every client; tools write from worker threads), and
never waiting past a bound: a write that cannot get the store in ``busy_seconds`` raises ``StoreBusy`` naming what
holds it, in this process or another. Readers never wait for a write.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self

from pydantic import BaseModel, Field

from finops_core.breakdown import Cell
from finops_core.errors import StoreBusy, StoreError
from finops_core.focus import CostLineItem, Lineage
from finops_core.models import Budget, CostBreakdown, CostMetric, CostQuery
from finops_core.money import Money, from_nanos
from finops_core.reading import CommitmentSums, SeriesKey
from finops_core.store.codec import Dictionary, decode_row
from finops_core.store.queries import commitment_sums, cost_cells, daily_series, held_days, query_costs
from finops_core.store.schema import applied_migrations, migrate
from finops_core.store.sources import ReplacedSource, SourceIdentity, delete_sources, recount
from finops_core.store.writer import PartitionKey, PartitionWriter, WriteResult
from finops_core.store.writing import WriteGate, busy_error, on_event_loop, record_file

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

PartitionKind = Literal["export", "sync"]
BUSY_SECONDS = 5.0
"""How long a write waits for the store before ``StoreBusy`` (``Settings.store_busy_seconds``)."""


class PartitionInfo(BaseModel):
    key: PartitionKey
    kind: PartitionKind
    lineage: Lineage
    row_count: int


_HALF_CENT = Decimal("0.005")


class Coverage(BaseModel):
    """What one partition holds: its kind and the charge days ``[first_day, end_day)`` it has rows for."""

    key: PartitionKey
    kind: PartitionKind
    first_day: date
    end_day: date


class Snapshot(BaseModel):
    """The latest inventory or recommendations a provider gave a sync (the core model's JSON)."""

    provider: str
    kind: Literal["resources", "recommendations"]
    taken_at: datetime
    body: str


class CachedAnswer(BaseModel):
    """A paid API's answer kept in the store, and when it was fetched."""

    stored_at: datetime
    body: str


def _agrees(stated: Decimal | None, held: Decimal) -> bool:
    """Agreement to the cent. The store keeps amounts to the nano, so a file whose amounts carry more decimals
    differs by at most half a nano per row (well under a cent for millions of rows)."""
    return stated is None or abs(stated - held) < _HALF_CENT


class SourceCheck(BaseModel):
    """One source's share of a partition and currency: what the file said against what the store holds of it."""

    label: str
    format: str
    stated_billed: Decimal | None = Field(description="Null when the file's format states no billed cost.")
    held_billed: Decimal
    stated_effective: Decimal | None = Field(description="Null when the file's format states no effective cost.")
    held_effective: Decimal
    stated_rows: int
    line_items: int

    @classmethod
    def of(
        cls,
        label: str,
        fmt: str,
        stated: tuple[int | None, int | None, int],
        held: tuple[int, int, int],
        **more: Any,
    ) -> Self:
        """A check from what the file stated (billed and effective in nanos, None where its format states none,
        and its rows) and what the store holds of it (billed and effective in nanos, and line items)."""
        billed, effective, rows = stated
        return cls(
            label=label,
            format=fmt,
            stated_billed=None if billed is None else from_nanos(billed),
            held_billed=from_nanos(held[0]),
            stated_effective=None if effective is None else from_nanos(effective),
            held_effective=from_nanos(held[1]),
            stated_rows=rows,
            line_items=held[2],
            **more,
        )

    @property
    def matches(self) -> bool:
        return _agrees(self.stated_billed, self.held_billed) and _agrees(self.stated_effective, self.held_effective)


class FileCheck(SourceCheck):
    """One ingested file and currency, over all its billing periods: what it said against what the store holds."""

    currency: str


class ReconcileRow(BaseModel):
    """One partition and currency: what all its source files say against what the store holds."""

    provider_name: str
    billing_account_id: str
    billing_period_start: date
    currency: str
    files: list[str]
    source_billed: Decimal | None = Field(description="Null when a file's format states no billed cost.")
    store_billed: Decimal
    source_effective: Decimal | None = Field(description="Null when a file's format states no effective cost.")
    store_effective: Decimal
    source_rows: int
    line_items: int
    sources: list[SourceCheck] = Field(default_factory=lambda: list[SourceCheck]())

    @property
    def matches(self) -> bool:
        """Every source holds what its file said, and the sources add up to the whole partition (no rows that
        no file states, none missing), each to the cent."""
        return (
            all(s.matches for s in self.sources)
            and _agrees(self.source_billed, self.store_billed)
            and _agrees(self.source_effective, self.store_effective)
        )


def _add(total: Decimal | None, amount: Decimal | None) -> Decimal | None:
    """A sum that is unknown (None) as soon as one of its sources states no such total."""
    return None if total is None or amount is None else total + amount


class SourceInfo(BaseModel):
    """One ingested file the store holds: where it was read, what it is, how many line items it gave."""

    label: str = Field(description="Where it was last read (absolute path or object URL).")
    names: list[str] = Field(description="Every path or URL it was loaded under (a copy is the same source).")
    format: str
    content_hash: str | None = Field(description="SHA-256 of its bytes; null for stores made before sources.")
    scope: str | None = Field(description="What its format declares it holds completely, e.g. a CUR report period.")
    assembly: str | None = Field(description="Which delivery of that scope it belongs to.")
    ingested_at: datetime
    line_items: int


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
    sources: int = Field(default=0, description="Ingested files and sync writes the store holds rows of.")


def _connect(path: Path, *, read_only: bool, busy_seconds: float) -> sqlite3.Connection:
    # Read-only connections cannot take the write lock, so a reader never queues behind a writer. In WAL mode a
    # reader waits (at most busy_seconds) only when another process holds the file exclusively
    # (locking_mode=EXCLUSIVE) or is recovering its log.
    if read_only:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {int(busy_seconds * 1000)}")
    return conn


def _on_loop(what: str) -> RuntimeError:
    return RuntimeError(
        f"{what}: a store write on the event loop's thread found the store busy, and waiting there would freeze "
        "every client; run the write in a worker thread (anyio.to_thread.run_sync)."
    )


def _is_busy(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or (
        "database is locked" in str(exc)
    )


class Store:
    """A finops SQLite store. Create with ``Store(path)``; the file and schema are made if missing. A write waits
    at most ``busy_seconds`` for the store (``Settings.store_busy_seconds``), a read only when another process holds
    the file exclusively."""

    def __init__(self, path: Path, *, busy_seconds: float = BUSY_SECONDS) -> None:
        self.path = path
        self.busy_seconds = busy_seconds
        self._gate = WriteGate(record_file(path))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = _connect(path, read_only=False, busy_seconds=busy_seconds)
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            # A 64 MiB page cache for bulk writes; temporary sorts (rollup rebuilds) stay on disk so memory
            # does not grow with the size of a partition.
            self._conn.execute("PRAGMA cache_size = -65536")
            self._conn.execute("PRAGMA foreign_keys = ON")
            migrate(self._conn)
        except sqlite3.Error as exc:
            if _is_busy(exc):  # another process writes (or holds the file) while this one opens or migrates it
                raise busy_error(self._gate.other_process(), wait=busy_seconds, doing="open") from exc
            raise StoreError(
                f"Cannot open the store at {path}: {exc}. Check the path is writable, or set FINOPS_HOME "
                "to another folder."
            ) from exc
        except OSError as exc:
            raise StoreError(
                f"Cannot open the store at {path}: {exc}. Check the path is writable, or set FINOPS_HOME "
                "to another folder."
            ) from exc
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
        conn = _connect(self.path, read_only=True, busy_seconds=self.busy_seconds)
        conn.row_factory = sqlite3.Row
        try:
            yield conn
        except sqlite3.Error as exc:
            if _is_busy(exc):
                raise busy_error(self._gate.other_process(), wait=self.busy_seconds, doing="read") from exc
            raise StoreError(f"Reading the store at {self.path} failed: {exc}") from exc
        finally:
            conn.close()

    # -- writes ----------------------------------------------------------------------------------

    @contextmanager
    def _write(self, what: str, *, wait: float | None = None) -> Generator[sqlite3.Connection]:
        """The one way to write: this thread's turn (in arrival order), then SQLite's write lock (``BEGIN
        IMMEDIATE``, which orders writers of other processes), both within ``wait`` seconds (default
        ``busy_seconds``), else ``StoreBusy`` naming what holds the store. Committed when the block ends, rolled back
        on any error. ``what`` says what this write is, for the writes that wait on it."""
        # On an event loop's thread a write must not wait at all: the loop serves every client (and the holder may
        # be waiting on the loop). Tools write from worker threads; one that does not fails here, loudly, as soon
        # as the store is busy.
        loop = on_event_loop()
        bound = 0.0 if loop else self.busy_seconds if wait is None else wait
        deadline = time.monotonic() + bound
        try:
            self._gate.enter(what, wait=bound)
        except StoreBusy as exc:
            if loop:
                raise _on_loop(what) from exc
            raise
        try:
            conn = self._conn
            conn.execute(f"PRAGMA busy_timeout = {int(max(deadline - time.monotonic(), 0) * 1000)}")
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if _is_busy(exc):
                    raise _on_loop(what) if loop else busy_error(self._gate.other_process(), wait=bound) from exc
                raise StoreError(f"Cannot write to the store at {self.path}: {exc}") from exc
            self._gate.publish()
            try:
                yield conn
                self._gate.withdraw()
                conn.execute("COMMIT")
            except BaseException as exc:
                self._gate.withdraw()
                conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(f"Writing to the store failed and was rolled back: {exc}") from exc
                raise
        finally:
            self._gate.leave()

    def wait_writers(self, count: int, *, timeout: float) -> bool:
        """Wait (at most ``timeout`` seconds) until ``count`` writes of this ``Store`` hold or wait for the store;
        whether they do. For diagnostics and tests that need a write to be waiting."""
        return self._gate.wait_queued(count, timeout=timeout)

    def probe_write(self, what: str) -> None:
        """Wait (at most ``busy_seconds``) until a write could start; ``StoreBusy`` naming the holder otherwise. For
        slow or paid work whose result must be written (a sync asking the clouds): better refused before it than
        after. The store may still be taken before that write; the write then answers for itself."""
        with self._write(what):
            pass

    @contextmanager
    def writer(
        self,
        lineage: Lineage,
        *,
        kind: PartitionKind,
        progress: Callable[[int], None] | None = None,
        source: SourceIdentity | None = None,
        what: str | None = None,
    ) -> Generator[PartitionWriter]:
        """One write transaction, committed when the block ends.

        With ``source`` (an ingested file) the write is that source: it replaces only the earlier sources it is
        (the same path or URL, the same content) or that its format declares it supersedes, and its rows sit
        beside every other source's rows of the same billing periods. Without one, every partition it touches
        is replaced whole (syncs). An error or interruption inside the block (a bad row, Ctrl-C) rolls everything
        back: the store is as it was. An ``export`` partition is never overwritten by a ``sync`` (its rows are
        skipped and the result says why), since the same dollars would otherwise be counted from two sources;
        an export removes synced aggregates of its partitions.
        ``what`` names the write for writers that wait on it (default: the lineage's file or source).
        """

        def counted(rows: int) -> None:
            self._gate.progress(rows)  # other writers' busy answers say how far this write is
            if progress is not None:
                progress(rows)

        if what is None:
            origin = Path(lineage.file).name if lineage.file else lineage.source
            what = f"ingest of {origin}" if kind == "export" else f"{lineage.source} write"
        with self._write(what) as conn:
            self._dictionary.begin()
            try:
                writer = PartitionWriter(conn, self._dictionary, lineage, kind, counted, source)
                yield writer
                writer.finish()
            except BaseException:
                self._dictionary.rollback()
                raise

    def replace_partition(
        self,
        key: PartitionKey,
        items: Iterable[CostLineItem],
        lineage: Lineage,
        *,
        kind: PartitionKind,
        progress: Callable[[int], None] | None = None,
    ) -> WriteResult:
        """Replace every line item of ``key`` (from any source) with ``items``, atomically, and rebuild its
        rollups. For callers that own whole partitions (sync, the demo); files go through ``writer(source=...)``.

        A row outside ``key`` aborts the write and leaves the store as it was.
        """
        what = f"{lineage.source} of {key.provider_name} {key.billing_account_id} {key.billing_period_start:%Y-%m}"
        with self.writer(lineage, kind=kind, progress=progress, what=what) as writer:
            if writer.open_partition(key) is not None:
                writer.add_items(items, only=key)
        return writer.results[0]

    @contextmanager
    def transaction(self, what: str = "a write", *, wait: float | None = None) -> Generator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``: it holds the file's write lock from the start, so a
        check-then-write inside it cannot race another process); committed when the block ends, rolled back on
        any error. ``what`` names it for writers that wait on it; ``wait`` overrides ``busy_seconds``."""
        with self._write(what, wait=wait) as conn:
            conn.row_factory = sqlite3.Row  # rows by column name, as readers get them
            try:
                yield conn
            finally:
                conn.row_factory = None

    def forget_source(self, label: str) -> list[ReplacedSource]:
        """Remove every row of the ingested source(s) loaded from ``label`` (a path or URL as ``finops store
        sources`` lists it, or a path that resolves to one); what was removed."""
        candidates = [label]
        if "://" not in label:
            candidates.append(str(Path(label).expanduser().resolve()))
        with self._write(f"forgetting {label}") as conn:
            marks = ", ".join("?" * len(candidates))
            rows = conn.execute(
                "SELECT DISTINCT s.id, s.label, s.format, s.row_count FROM source_labels sl JOIN sources s ON "
                f"s.id = sl.source_id WHERE s.kind = 'export' AND (sl.label IN ({marks}) OR s.label IN ({marks}))",
                (*candidates, *candidates),
            ).fetchall()
            delete_sources(conn, [int(r[0]) for r in rows])
            recount(conn, [])
        return [ReplacedSource(label=r[1], format=r[2], rows=int(r[3]), reason="forgotten") for r in rows]

    def save_budget(self, budget: Budget, now: datetime) -> bool:
        """Create or replace the budget of that name; True if it was new."""
        definition = budget.model_dump_json()
        with self._write(f"saving budget {budget.name!r}") as conn:
            cursor = conn.execute(
                "UPDATE budgets SET definition = ?, updated_at = ? WHERE name = ?",
                (definition, now.isoformat(), budget.name),
            )
            created = cursor.rowcount == 0
            if created:
                conn.execute(
                    "INSERT INTO budgets VALUES (?, ?, ?, ?)",
                    (budget.name, definition, now.isoformat(), now.isoformat()),
                )
        return created

    def save_snapshot(self, snapshot: Snapshot) -> None:
        """Keep ``snapshot`` as the latest of its provider and kind."""
        with self._write(f"saving the {snapshot.provider} {snapshot.kind}") as conn:
            conn.execute(
                "INSERT OR REPLACE INTO provider_snapshots VALUES (?, ?, ?, ?)",
                (snapshot.provider, snapshot.kind, snapshot.taken_at.isoformat(), snapshot.body),
            )

    def cached_answer(self, key: str) -> CachedAnswer | None:
        """The stored answer to the request hashed as ``key`` (see ``save_answer``), if any."""
        with self.reader() as conn:
            row = conn.execute("SELECT stored_at, body FROM api_answers WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return CachedAnswer(stored_at=datetime.fromisoformat(row["stored_at"]), body=row["body"])

    def save_answer(self, key: str, *, provider: str, operation: str, stored_at: datetime, body: str) -> None:
        """Keep a paid API's answer (``body``, JSON) under ``key``, a hash of the exact request."""
        with self._write(f"caching a {provider} {operation} answer") as conn:
            conn.execute(
                "INSERT OR REPLACE INTO api_answers VALUES (?, ?, ?, ?, ?)",
                (key, provider, operation, stored_at.isoformat(), body),
            )

    def snapshots(self) -> list[Snapshot]:
        with self.reader() as conn:
            rows = conn.execute("SELECT * FROM provider_snapshots ORDER BY provider, kind").fetchall()
        return [
            Snapshot(
                provider=r["provider"], kind=r["kind"], taken_at=datetime.fromisoformat(r["taken_at"]), body=r["body"]
            )
            for r in rows
        ]

    def coverage(self, provider_name: str) -> list[Coverage]:
        """Every partition of ``provider_name`` with the days it holds (from the partition/day index)."""
        with self.reader() as conn:
            rows = conn.execute(
                "SELECT p.billing_account_id, p.billing_period_start, p.kind, "
                "(SELECT MIN(charge_period_start) FROM line_items WHERE partition_id = p.id) AS first, "
                "(SELECT MAX(charge_period_start) FROM line_items WHERE partition_id = p.id) AS last "
                "FROM partitions p WHERE p.provider_name = ? ORDER BY p.billing_period_start",
                (provider_name,),
            ).fetchall()
        return [
            Coverage(
                key=PartitionKey(
                    provider_name=provider_name,
                    billing_account_id=r["billing_account_id"],
                    billing_period_start=date.fromisoformat(r["billing_period_start"]),
                ),
                kind=r["kind"],
                first_day=datetime.fromtimestamp(r["first"], UTC).date(),
                end_day=datetime.fromtimestamp(r["last"], UTC).date() + timedelta(days=1),
            )
            for r in rows
            if r["first"] is not None
        ]

    def budgets(self) -> list[Budget]:
        with self.reader() as conn:
            rows = conn.execute("SELECT definition FROM budgets ORDER BY name").fetchall()
        return [Budget.model_validate_json(row[0]) for row in rows]

    # -- reads -----------------------------------------------------------------------------------

    def query_costs(self, query: CostQuery, *, source: str = "local store", is_demo: bool = False) -> CostBreakdown:
        with self.reader() as conn:
            return query_costs(conn, query, source=source, is_demo=is_demo)

    def cost_cells(self, query: CostQuery) -> list[Cell]:
        """Every group's exact amount for ``query``, unfolded (for analyses that need all groups)."""
        with self.reader() as conn:
            return cost_cells(conn, query)

    def daily_series(
        self, start: date, end: date, *, by: tuple[str, ...], metric: CostMetric, providers: tuple[str, ...] = ()
    ) -> dict[SeriesKey, npt.NDArray[np.int64]]:
        """Per (``by`` columns..., currency) the daily cost in nanos over ``[start, end)`` (from the rollups)."""
        with self.reader() as conn:
            return daily_series(conn, start, end, by=by, metric=metric, providers=providers)

    def commitment_sums(self, start: date, end: date) -> list[CommitmentSums]:
        with self.reader() as conn:
            return commitment_sums(conn, start, end)

    def source_label(self) -> str:
        return f"local store {self.path}"

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
                "SELECT li.*, p.source, p.file, p.focus_version, p.ingested_at, p.period_start, p.period_end "
                "FROM line_items li "
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

    def reconcile(self) -> list[ReconcileRow]:
        """Every ingested partition's totals per currency against all the sources that stated totals for it:
        each source against its own rows, and the sum of the sources against every row of the partition."""
        with self.reader() as conn:
            # What the store holds per (partition key, source, currency): a source's rows of one billing period.
            held: dict[tuple[str, str, str, int, str], tuple[int, int, int]] = {
                (str(r[0]), str(r[1]), str(r[2]), int(r[3]), str(r[4])): (int(r[5]), int(r[6]), int(r[7]))
                for r in conn.execute(
                    "SELECT p.provider_name, p.billing_account_id, p.billing_period_start, p.source_id, s.value, "
                    "SUM(li.billed_cost), SUM(li.effective_cost), COUNT(*) FROM partitions p "
                    "JOIN line_items li ON li.partition_id = p.id JOIN strings s ON s.id = li.billing_currency "
                    "WHERE p.kind = 'export' GROUP BY p.id, s.value"
                )
            }
            stated = conn.execute(
                "SELECT st.provider_name, st.billing_account_id, st.billing_period_start, st.source_id, st.currency, "
                "st.billed, st.effective, st.row_count, s.label, s.format FROM source_totals st "
                "JOIN sources s ON s.id = st.source_id "
                "ORDER BY st.billing_period_start, st.provider_name, st.billing_account_id, st.currency, s.label"
            ).fetchall()
        whole: dict[tuple[str, str, str, str], list[int]] = {}
        for (provider, account, period, _, currency), sums in held.items():
            acc = whole.setdefault((provider, account, period, currency), [0, 0, 0])
            for i, value in enumerate(sums):
                acc[i] += value
        out: dict[tuple[str, str, str, str], ReconcileRow] = {}
        for provider, account, period, source_id, currency, billed, effective, rows, label, fmt in stated:
            key = (str(provider), str(account), str(period), str(currency))
            row = out.get(key)
            if row is None:
                billed_all, effective_all, count = whole.get(key, (0, 0, 0))
                row = out[key] = ReconcileRow(
                    provider_name=provider,
                    billing_account_id=account,
                    billing_period_start=date.fromisoformat(period),
                    currency=currency,
                    files=[],
                    source_billed=Decimal(0),
                    store_billed=from_nanos(billed_all),
                    source_effective=Decimal(0),
                    store_effective=from_nanos(effective_all),
                    source_rows=0,
                    line_items=count,
                )
            mine = held.get((*key[:3], int(source_id), key[3]), (0, 0, 0))
            check = SourceCheck.of(label, fmt, (billed, effective, rows), mine)
            row.sources.append(check)
            row.files = sorted({*row.files, label})
            row.source_rows += check.stated_rows
            row.source_billed = _add(row.source_billed, check.stated_billed)
            row.source_effective = _add(row.source_effective, check.stated_effective)
        return list(out.values())

    def reconcile_files(self) -> list[FileCheck]:
        """Every ingested file's own totals per currency (over all its billing periods) against the rows the store
        holds of it: rows of a file that a later write removed show here even when their period's totals went too."""
        with self.reader() as conn:
            held = {
                (int(r[0]), str(r[1])): (int(r[2]), int(r[3]), int(r[4]))
                for r in conn.execute(
                    "SELECT p.source_id, s.value, SUM(li.billed_cost), SUM(li.effective_cost), COUNT(*) "
                    "FROM partitions p JOIN line_items li ON li.partition_id = p.id "
                    "JOIN strings s ON s.id = li.billing_currency WHERE p.kind = 'export' GROUP BY 1, 2"
                )
            }
            stated = conn.execute(
                "SELECT f.source_id, f.currency, f.billed, f.effective, f.row_count, s.label, s.format "
                "FROM source_file_totals f JOIN sources s ON s.id = f.source_id ORDER BY s.label, f.currency"
            ).fetchall()
        out: list[FileCheck] = []
        for source_id, currency, billed, effective, rows, label, fmt in stated:
            mine = held.get((int(source_id), str(currency)), (0, 0, 0))
            out.append(FileCheck.of(label, fmt, (billed, effective, rows), mine, currency=currency))
        return out

    def sources(self) -> list[SourceInfo]:
        """Every ingested file the store holds rows of (or an empty one), newest first."""
        with self.reader() as conn:
            names: dict[int, list[str]] = {}
            for label, source_id in conn.execute("SELECT label, source_id FROM source_labels ORDER BY label"):
                names.setdefault(int(source_id), []).append(str(label))
            rows = conn.execute(
                "SELECT id, label, format, content_hash, scope, assembly, ingested_at, row_count FROM sources "
                "WHERE kind = 'export' ORDER BY ingested_at DESC, id DESC"
            ).fetchall()
        return [
            SourceInfo(
                label=r["label"],
                names=names.get(int(r["id"]), []),
                format=r["format"],
                content_hash=r["content_hash"],
                scope=r["scope"],
                assembly=r["assembly"],
                ingested_at=datetime.fromisoformat(r["ingested_at"]),
                line_items=int(r["row_count"]),
            )
            for r in rows
        ]

    def info(self) -> StoreInfo:
        with self.reader() as conn:

            def count(sql: str) -> int:
                return int(conn.execute(sql).fetchone()[0])

            first, last = held_days(conn)
            providers = [str(r[0]) for r in conn.execute("SELECT DISTINCT provider_name FROM partitions ORDER BY 1")]
            totals = [
                Money(amount=from_nanos(int(nanos)), currency=str(cur))
                for cur, nanos in conn.execute(
                    "SELECT s.value, SUM(r.effective_cost) FROM rollup_day_base r "
                    "JOIN strings s ON s.id = r.billing_currency GROUP BY 1 ORDER BY 1"
                )
            ]
            return StoreInfo(
                path=str(self.path),
                size_bytes=_size(self.path),
                migrations=applied_migrations(conn),
                partitions=count("SELECT COUNT(*) FROM partitions"),
                line_items=count("SELECT COUNT(*) FROM line_items"),
                strings=count("SELECT COUNT(*) FROM strings"),
                first_day=date.fromisoformat(first) if first else None,
                last_day=date.fromisoformat(last) if last else None,
                providers=providers,
                effective_cost_totals=totals,
                sources=count("SELECT COUNT(*) FROM sources"),
            )


def _size(path: Path) -> int:
    """The store's bytes: the file, its write-ahead log and index (which come and go while others write)."""
    total = 0
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            total += part.stat().st_size
        except FileNotFoundError:
            continue
    return total
