"""One write transaction over the store: every partition it touches is replaced, all or nothing.

A file of billing data can span several partitions (accounts, months) and arrive in chunks. The writer
replaces a partition the first time a row of it arrives, appends later chunks, rebuilds the touched
partitions' rollups and commits once, at the end; any error or interruption before that rolls the
whole transaction back, so the store is as it was before the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from pydantic import BaseModel, ConfigDict

from finops_core.dates import midnight, next_month_start
from finops_core.errors import InvalidInput
from finops_core.focus import CostLineItem, Lineage
from finops_core.money import to_nanos
from finops_core.store.codec import NULL_COST, BatchEncoder, ColumnBatch, Dictionary, insert_sql, items_to_batch
from finops_core.store.schema import DAILY_DIMENSIONS, MONTHLY_DIMENSIONS, ROLLUP_METRICS

REQUIRED = (
    "provider_name",
    "billing_account_id",
    "billing_currency",
    "billing_period_start",
    "billing_period_end",
    "charge_category",
    "charge_period_start",
    "charge_period_end",
    "service_name",
    "billed_cost",
    "effective_cost",
    "list_cost",
)  # contracted_cost is mandatory in FOCUS but null in real files (the sample's Oracle rows): allowed


class PartitionKey(BaseModel):
    """What a write replaces: one provider's billing account for one billing period."""

    model_config = ConfigDict(frozen=True)

    provider_name: str
    billing_account_id: str
    billing_period_start: date

    def __hash__(self) -> int:  # pydantic makes frozen models hashable at runtime; say so for type checkers
        return hash((self.provider_name, self.billing_account_id, self.billing_period_start))


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


class WriteResult(BaseModel):
    key: PartitionKey
    written: bool
    rows: int
    replaced_rows: int = 0
    reason: str | None = None


SourceKey = tuple[str, str, datetime, str]
"""(provider_name, billing_account_id, billing_period_start, currency)."""


@dataclass
class SourceTotal:
    """What a file states for one partition and currency; None where its format states no such total."""

    billed: Decimal | None = None
    effective: Decimal | None = None
    rows: int = 0


class PartitionWriter:
    """Adds line items inside one transaction. Get one from ``Store.writer()``."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        dictionary: Dictionary,
        lineage: Lineage,
        kind: str,
        progress: Callable[[int], None] | None = None,
        append_to: frozenset[PartitionKey] = frozenset(),
    ) -> None:
        self._conn = conn
        self._lineage = lineage
        self._kind = kind
        self._encoder = BatchEncoder(conn, dictionary)
        self._ids: dict[tuple[str, str, date], int | None] = {}  # None: partition skipped
        self._results: dict[tuple[str, str, date], WriteResult] = {}
        self._progress = progress
        self._append_to = append_to
        self._periods: dict[int, tuple[int, int]] = {}
        self._rollups = RollupAccumulator()
        self.rows = 0

    @property
    def results(self) -> list[WriteResult]:
        return list(self._results.values())

    def open_partition(self, key: PartitionKey) -> int | None:
        """Replace ``key`` in this transaction (once); the id rows go under, or None if it is protected."""
        k = (key.provider_name, key.billing_account_id, key.billing_period_start)
        if k in self._ids:
            return self._ids[k]
        conn = self._conn
        existing = conn.execute(
            "SELECT id, kind, row_count FROM partitions WHERE provider_name = ? AND billing_account_id = ? "
            "AND billing_period_start = ?",
            (key.provider_name, key.billing_account_id, key.billing_period_start.isoformat()),
        ).fetchone()
        lineage = self._lineage
        values = (self._kind, lineage.source, lineage.file, lineage.focus_version, lineage.ingested_at.isoformat())
        if existing is not None and self._kind == "sync" and existing[1] == "export":
            self._ids[k] = None
            self._results[k] = WriteResult(
                key=key,
                written=False,
                rows=0,
                reason="an ingested export already covers this partition; synced aggregates would count the "
                "same costs twice",
            )
            return None
        if existing is not None and key in self._append_to:  # written earlier in the same run: add to it
            partition_id, replaced = int(existing[0]), 0
            period = conn.execute("SELECT period_start, period_end FROM partitions WHERE id = ?", (partition_id,))
            self._periods[partition_id] = tuple(period.fetchone())
        elif existing is not None:
            partition_id, replaced = int(existing[0]), int(existing[2])
            for table in ("line_items", "rollup_daily", "rollup_monthly", "source_totals"):
                conn.execute(f"DELETE FROM {table} WHERE partition_id = ?", (partition_id,))
            conn.execute(
                "UPDATE partitions SET kind = ?, source = ?, file = ?, focus_version = ?, ingested_at = ? WHERE id = ?",
                (*values, partition_id),
            )
        else:
            replaced = 0
            start, default_end = midnight(key.billing_period_start), next_month_start(key.billing_period_start)
            cursor = conn.execute(
                "INSERT INTO partitions (provider_name, billing_account_id, billing_period_start, period_start, "
                "period_end, kind, source, file, focus_version, ingested_at, row_count) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                (
                    key.provider_name,
                    key.billing_account_id,
                    key.billing_period_start.isoformat(),
                    int(start.timestamp()),
                    int(default_end.timestamp()),
                    *values,
                ),
            )
            assert cursor.lastrowid is not None
            partition_id = cursor.lastrowid
        self._ids[k] = partition_id
        self._results[k] = WriteResult(key=key, written=True, rows=0, replaced_rows=replaced)
        return partition_id

    def add_items(
        self, items: Iterable[CostLineItem], *, only: PartitionKey | None = None, chunk_size: int = 10_000
    ) -> None:
        """Add validated line items (any partitions; with ``only``, rows of another partition are an error)."""
        iterator = iter(items)
        while chunk := list(islice(iterator, chunk_size)):
            if only is not None:
                for item in chunk:
                    if partition_key(item) != only:
                        raise InvalidInput(
                            f"Line item for {item.provider_name} / {item.billing_account_id} / billing period "
                            f"{item.billing_period_start.date()} does not belong to partition {only.provider_name} "
                            f"/ {only.billing_account_id} / {only.billing_period_start}; split the rows by "
                            "partition first. Nothing was written."
                        )
            self.add_columns(items_to_batch(chunk), len(chunk))

    def add_columns(self, batch: ColumnBatch, rows: int, *, where: str = "") -> None:
        """Add ``rows`` line items given by column. ``where`` names their origin in error messages."""
        if rows == 0:
            return
        for name in REQUIRED:
            column = batch.get(name)
            if column is None or None in column:
                row = 0 if column is None else list(column).index(None)
                raise InvalidInput(
                    f"{where}row {row + 1}: {name} is empty, and every FOCUS line item needs it. Nothing was "
                    "written; fix or drop that row and try again."
                )
        partition_ids = self._partition_ids(batch, rows)
        columns = self._encoder.columns(batch)
        data: Iterable[tuple[Any, ...]] = zip(partition_ids, *columns.values(), strict=True)
        if None in self._ids.values():
            data = (row for row in data if row[0] is not None)
        cursor = self._conn.executemany(insert_sql(tuple(columns)), data)
        self._rollups.add(partition_ids, columns, rows)
        written = max(cursor.rowcount, 0)
        self.rows += written
        if self._progress is not None:
            self._progress(self.rows)

    def _partition_ids(self, batch: ColumnBatch, rows: int) -> list[int | None]:
        keys: dict[tuple[str, str, datetime, datetime], int | None] = {}
        out: list[int | None] = []
        for provider, account, start, end in zip(
            batch["provider_name"],
            batch["billing_account_id"],
            batch["billing_period_start"],
            batch["billing_period_end"],
            strict=True,
        ):
            k = (provider, account, start, end)
            if k not in keys:
                key = PartitionKey(
                    provider_name=provider, billing_account_id=account, billing_period_start=start.date()
                )
                partition_id = keys[k] = self.open_partition(key)
                if partition_id is not None:
                    self._set_period(partition_id, key, int(start.timestamp()), int(end.timestamp()))
            out.append(keys[k])
        return out

    def _set_period(self, partition_id: int, key: PartitionKey, start: int, end: int) -> None:
        """Record the partition's exact billing period (kept once, not per row); rows must agree on it."""
        known = self._periods.get(partition_id)
        if known == (start, end):
            return
        if known is not None:
            raise InvalidInput(
                f"Rows of {key.provider_name} / {key.billing_account_id} / {key.billing_period_start} disagree on "
                "the billing period's exact start or end; every row of one billing period must carry the same "
                "BillingPeriodStart and BillingPeriodEnd. Nothing was written."
            )
        self._periods[partition_id] = (start, end)
        self._conn.execute(
            "UPDATE partitions SET period_start = ?, period_end = ? WHERE id = ?", (start, end, partition_id)
        )

    def record_source_totals(self, file: str, totals: Mapping[SourceKey, SourceTotal]) -> None:
        """Remember what ``file`` itself says it adds to each partition, for ``Store.reconcile``."""
        rows: list[tuple[Any, ...]] = []
        for (provider, account, start, currency), total in totals.items():
            partition_id = self._ids.get((provider, account, start.date()))
            if partition_id is None:
                continue
            rows.append(
                (
                    partition_id,
                    file,
                    currency,
                    None if total.billed is None else to_nanos(total.billed),
                    None if total.effective is None else to_nanos(total.effective),
                    total.rows,
                )
            )
        self._conn.executemany("INSERT INTO source_totals VALUES (?, ?, ?, ?, ?, ?)", rows)

    def finish(self) -> list[WriteResult]:
        """Store new strings, rollups and row counts of every touched partition (before COMMIT)."""
        self._encoder.flush()
        self._rollups.write(self._conn)
        for k, partition_id in self._ids.items():
            if partition_id is None:
                continue
            count = int(
                self._conn.execute(
                    "SELECT COUNT(*) FROM line_items WHERE partition_id = ?", (partition_id,)
                ).fetchone()[0]
            )
            self._conn.execute("UPDATE partitions SET row_count = ? WHERE id = ?", (count, partition_id))
            self._results[k] = self._results[k].model_copy(update={"rows": count})
        return self.results


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY = 86_400


class RollupAccumulator:
    """Sums for ``rollup_daily`` and ``rollup_monthly`` built while rows are encoded, so a write need not
    sort the partition again in SQL afterwards (that rebuild was the slowest step of an ingest)."""

    def __init__(self) -> None:
        self._daily: dict[tuple[Any, ...], list[Any]] = {}  # [billed, effective, list, contracted|None, rows]
        self._monthly: dict[tuple[Any, ...], list[Any]] = {}
        self._months: dict[int, str] = {}

    def add(self, partition_ids: Sequence[int | None], columns: Mapping[str, Sequence[Any]], rows: int) -> None:
        def col(name: str) -> Sequence[Any]:
            values = columns.get(name)
            return values if values is not None else [None] * rows

        starts = col("charge_period_start")
        dims = [col(d) for d in DAILY_DIMENSIONS]
        regions = col("region_id")
        metrics = [col(m) for m in ROLLUP_METRICS]
        daily, monthly = self._daily, self._monthly
        for i in range(rows):
            pid = partition_ids[i]
            if pid is None:
                continue
            day = starts[i] // _DAY
            values: list[Any] = [m[i] for m in metrics]
            contracted = values[3]
            values[3] = None if contracted is None or contracted == NULL_COST else contracted
            key = (pid, day, *[d[i] for d in dims])
            for target, k in ((daily, key), (monthly, (*key, regions[i]))):
                sums = target.get(k)
                if sums is None:
                    target[k] = [values[0], values[1], values[2], values[3], 1]
                else:
                    sums[0] += values[0]
                    sums[1] += values[1]
                    sums[2] += values[2]
                    if values[3] is not None:
                        sums[3] = values[3] if sums[3] is None else sums[3] + values[3]
                    sums[4] += 1

    def write(self, conn: sqlite3.Connection) -> None:
        """Insert the sums. A partition that an earlier file of the same run wrote keeps that file's rollup rows
        beside these: readers always SUM rollup rows, so one key may have several."""
        metrics = ", ".join(ROLLUP_METRICS)
        daily_rows = [(k[0], _iso_day(k[1]), *k[2:], *v) for k, v in self._daily.items()]
        conn.executemany(
            f"INSERT INTO rollup_daily (partition_id, day, {', '.join(DAILY_DIMENSIONS)}, {metrics}, row_count) "
            f"VALUES ({', '.join('?' * (2 + len(DAILY_DIMENSIONS) + len(ROLLUP_METRICS) + 1))})",
            [tuple(None if x == 0 and i in _SID_POSITIONS else x for i, x in enumerate(r)) for r in daily_rows],
        )
        monthly: dict[tuple[Any, ...], list[Any]] = {}
        for k, v in self._monthly.items():
            month_key = (k[0], self._month(k[1]), *k[2:])
            sums = monthly.get(month_key)
            if sums is None:
                monthly[month_key] = list(v)
            else:
                for j in (0, 1, 2, 4):
                    sums[j] += v[j]
                if v[3] is not None:
                    sums[3] = v[3] if sums[3] is None else sums[3] + v[3]
        conn.executemany(
            f"INSERT INTO rollup_monthly (partition_id, month, {', '.join(MONTHLY_DIMENSIONS)}, {metrics}, "
            f"row_count) VALUES ({', '.join('?' * (2 + len(MONTHLY_DIMENSIONS) + len(ROLLUP_METRICS) + 1))})",
            [
                tuple(None if x == 0 and i in _SID_POSITIONS_MONTHLY else x for i, x in enumerate((*k, *v)))
                for k, v in monthly.items()
            ],
        )

    def _month(self, day: int) -> str:
        month = self._months.get(day)
        if month is None:
            month = self._months[day] = date.fromordinal(_EPOCH_ORDINAL + day).replace(day=1).isoformat()
        return month


def _iso_day(day: int) -> str:
    return date.fromordinal(_EPOCH_ORDINAL + day).isoformat()


# Positions of dimension sids in a rollup row (after partition_id and period): an encoded 0 means null.
_SID_POSITIONS = frozenset(range(2, 2 + len(DAILY_DIMENSIONS)))
_SID_POSITIONS_MONTHLY = frozenset(range(2, 2 + len(MONTHLY_DIMENSIONS)))
