"""One write transaction over the store: all or nothing.

A file of billing data can span several billing periods (accounts, months) and arrive in chunks. An ingested file
is a *source* (``store.sources``): the writer first removes the earlier sources it replaces (itself loaded before,
the same content under another name, an earlier delivery of the scope its manifest declares), then puts its rows
under partition rows of its own, one per billing period, beside other sources' rows of the same periods. A write
without a source (a sync) replaces each partition it touches whole. Rows come in chunks; the writer builds the
rollups as they come, records the file's stated totals, and commits once, at the end; any error or interruption
before that rolls the whole transaction back, so the store is as it was before the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import compress, islice
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel, ConfigDict

from finops_core.dates import midnight, next_month_start
from finops_core.errors import InvalidInput
from finops_core.focus import CostLineItem, Lineage
from finops_core.money import to_nanos
from finops_core.store.codec import (
    NULL_COST,
    BatchEncoder,
    ColumnBatch,
    Dictionary,
    insert_rows,
    items_to_batch,
)
from finops_core.store.columns import codes_of, distinct_rows, group_sums
from finops_core.store.schema import (
    BASE_DIMENSIONS,
    ROLLUP_METRICS,
    ROLLUP_SHAPES,
    ROLLUP_TABLES,
    TAG_SHAPES,
    WIDE_DIMENSIONS,
    RollupShape,
)
from finops_core.store.sources import (
    SAME_CONTENT,
    SAME_FILE,
    ReplacedSource,
    SourceIdentity,
    delete_slices,
    delete_sources,
    describe,
    inherited_labels,
    matching,
    recount,
)

if TYPE_CHECKING:  # numpy is imported where used: the servers import this module at start-up
    import numpy.typing as npt

    from finops_core.store.columns import Ints


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
    """Adds line items inside one transaction. Get one from ``Store.writer()``.

    With a ``source`` (an ingested file), the write is that source: the earlier sources it is (the same path or
    URL, the same content) or that its format declares it supersedes are removed first, and its rows go into
    partition rows of its own beside other sources' rows of the same billing periods. Without one (a sync, or a
    caller that owns whole partitions such as the demo), every partition it touches is replaced whole.
    Either way an export supersedes synced aggregates of its partition, and a sync never writes over an export.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        dictionary: Dictionary,
        lineage: Lineage,
        kind: str,
        progress: Callable[[int], None] | None = None,
        source: SourceIdentity | None = None,
    ) -> None:
        self._conn = conn
        self._lineage = lineage
        self._kind = kind
        self._source = source
        self._encoder = BatchEncoder(conn, dictionary)
        self._ids: dict[tuple[str, str, date], int | None] = {}  # None: partition skipped
        self._results: dict[tuple[str, str, date], WriteResult] = {}
        self._progress = progress
        self._periods: dict[int, tuple[int, int]] = {}
        self._counts: dict[int, int] = {}  # partition id -> its rows after this write
        self._touched: set[int] = set()  # sources whose rows this write removed in part
        self._rollups = RollupAccumulator()
        self.rows = 0
        self.replaced: list[ReplacedSource] = []
        self.source_id = self._begin()

    @property
    def results(self) -> list[WriteResult]:
        return list(self._results.values())

    def _begin(self) -> int:
        """Remove the sources this one replaces and register it; its id."""
        conn, lineage, source = self._conn, self._lineage, self._source
        labels = {lineage.file or lineage.source}
        if source is not None:
            labels = {source.label}
            found = matching(conn, source)
            self.replaced = describe(conn, found, found)
            # A copy (or the file itself) answers to the names it had; another delivery's files keep theirs.
            labels |= inherited_labels(conn, [i for i, why in found.items() if why in (SAME_FILE, SAME_CONTENT)])
            delete_sources(conn, list(found))
        cursor = conn.execute(
            "INSERT INTO sources (kind, format, label, content_hash, scope, assembly, focus_version, ingested_at, "
            "row_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
            (
                self._kind,
                lineage.source,
                source.label if source is not None else lineage.file or lineage.source,
                *((source.content_hash, source.scope, source.assembly) if source is not None else (None, None, None)),
                lineage.focus_version,
                lineage.ingested_at.isoformat(),
            ),
        )
        assert cursor.lastrowid is not None
        conn.executemany(
            "INSERT OR IGNORE INTO source_labels VALUES (?, ?)", [(label, cursor.lastrowid) for label in labels]
        )
        return cursor.lastrowid

    def open_partition(self, key: PartitionKey) -> int | None:
        """The partition row this write's rows of ``key`` go under (made once), or None if it may not write there."""
        k = (key.provider_name, key.billing_account_id, key.billing_period_start)
        if k in self._ids:
            return self._ids[k]
        conn = self._conn
        others = conn.execute(
            "SELECT id, kind, source, file, row_count, source_id FROM partitions WHERE provider_name = ? AND "
            "billing_account_id = ? AND billing_period_start = ?",
            (key.provider_name, key.billing_account_id, key.billing_period_start.isoformat()),
        ).fetchall()
        if self._kind == "sync" and any(kind == "export" for _, kind, *_ in others):
            self._ids[k] = None
            self._results[k] = WriteResult(
                key=key,
                written=False,
                rows=0,
                reason="an ingested export already covers this partition; synced aggregates would count the "
                "same costs twice",
            )
            return None
        if self._source is not None:
            self._refuse_another_format(key, [(fmt, file) for _, kind, fmt, file, *_ in others if kind == "export"])
        # An export supersedes synced aggregates; a write without a source replaces the partition whole.
        removed = [row for row in others if row[1] == "sync" or self._source is None]
        delete_slices(conn, [int(row[0]) for row in removed])
        self._touched.update(int(row[5]) for row in removed)
        for _, kind, fmt, file, rows, _ in removed:
            if kind == "sync" and self._kind == "export":
                reason = "synced aggregates of this billing period: an ingested export supersedes them"
                self.replaced.append(ReplacedSource(label=file or fmt, format=fmt, rows=int(rows), reason=reason))
        lineage = self._lineage
        start, default_end = midnight(key.billing_period_start), next_month_start(key.billing_period_start)
        cursor = conn.execute(
            "INSERT INTO partitions (provider_name, billing_account_id, billing_period_start, period_start, "
            "period_end, kind, source, file, focus_version, ingested_at, row_count, source_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
            (
                key.provider_name,
                key.billing_account_id,
                key.billing_period_start.isoformat(),
                int(start.timestamp()),
                int(default_end.timestamp()),
                self._kind,
                lineage.source,
                self._source.label if self._source is not None else lineage.file,
                lineage.focus_version,
                lineage.ingested_at.isoformat(),
                self.source_id,
            ),
        )
        assert cursor.lastrowid is not None
        partition_id = cursor.lastrowid
        self._ids[k] = partition_id
        self._counts[partition_id] = 0
        self._results[k] = WriteResult(key=key, written=True, rows=0, replaced_rows=sum(int(row[4]) for row in removed))
        return partition_id

    def _refuse_another_format(self, key: PartitionKey, exports: list[tuple[str, str | None]]) -> None:
        """One billing period of one account comes from one export format: two formats (Azure's actual and
        amortized cost details, a FOCUS export and a CUR) describe the same charges, and would count them twice."""
        fmt = self._lineage.source
        other = next(((f, file) for f, file in exports if f != fmt), None)
        if other is None:
            return
        name = self._source.label if self._source is not None else "this file"
        raise InvalidInput(
            f"{name}: {key.provider_name} {key.billing_account_id} {key.billing_period_start:%Y-%m} is already loaded "
            f"from {other[1]} ({other[0]}); this file is {fmt}. Two kinds of export of one billing period repeat "
            "each other's charges (Azure's actual and amortized cost details do): load one of them. To switch, "
            f"remove the other first with `finops store forget {other[1]}`. Nothing from this file was written."
        )

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
        import numpy as np

        if rows == 0:
            return
        for name in REQUIRED:
            column = batch.get(name)
            if column is None or None in column:
                row = 0 if column is None else next(i for i, x in enumerate(column) if x is None)
                raise InvalidInput(
                    f"{where}row {row + 1}: {name} is empty, and every FOCUS line item needs it. Nothing was "
                    "written; fix or drop that row and try again."
                )
        partition_ids = self._partition_ids(batch)
        columns = self._encoder.columns(batch)
        keep = partition_ids != 0  # 0: a partition this write may not replace
        if not keep.all():
            partition_ids = partition_ids[keep]
            columns = {
                name: values[keep] if isinstance(values, np.ndarray) else list(compress(values, keep.tolist()))
                for name, values in columns.items()
            }
        cursor = self._conn.executemany(*insert_rows(partition_ids, columns))
        self._rollups.add(partition_ids, columns)
        for partition_id, count in zip(*np.unique(partition_ids, return_counts=True), strict=True):
            self._counts[int(partition_id)] += int(count)
        written = max(cursor.rowcount, 0)
        self.rows += written
        if self._progress is not None:
            self._progress(self.rows)

    def _partition_ids(self, batch: ColumnBatch) -> Ints:
        """Per row, the id of the partition it goes to (opened on first sight), or 0 if that one is protected."""
        import numpy as np

        names = ("provider_name", "billing_account_id", "billing_period_start", "billing_period_end")
        firsts, inverse = distinct_rows([codes_of(batch[name]) for name in names])
        ids: list[int] = []
        for first in firsts.tolist():
            provider, account, start, end = (batch[name][first] for name in names)
            key = PartitionKey(provider_name=provider, billing_account_id=account, billing_period_start=start.date())
            partition_id = self.open_partition(key)
            if partition_id is not None:
                self._set_period(partition_id, key, int(start.timestamp()), int(end.timestamp()))
            ids.append(partition_id or 0)
        return np.array(ids, dtype=np.int64)[inverse]

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
        """Remember what ``file`` itself says it adds to each partition, for ``Store.reconcile``. The totals
        belong to the source, so rows of it that later went missing show as a difference."""
        rows: list[tuple[Any, ...]] = []
        whole: dict[str, list[Any]] = {}  # currency -> billed, effective, rows over every period of the file
        for (provider, account, start, currency), total in totals.items():
            if self._ids.get((provider, account, start.date())) is None:
                continue
            acc = whole.setdefault(currency, [Decimal(0), Decimal(0), 0])
            acc[0] = None if acc[0] is None or total.billed is None else acc[0] + total.billed
            acc[1] = None if acc[1] is None or total.effective is None else acc[1] + total.effective
            acc[2] += total.rows
            billed, effective = (None if t is None else to_nanos(t) for t in (total.billed, total.effective))
            if any(t is not None and abs(t) > _INT64_MAX for t in (billed, effective)):
                raise InvalidInput(
                    f"{file} states a total for {provider} / {account} beyond what the store holds (about 9.2 billion "
                    "at nano precision). Nothing was written; check the file for corrupt amounts."
                )
            period = start.date().isoformat()
            rows.append((self.source_id, provider, account, period, currency, billed, effective, total.rows))
        self._conn.executemany("INSERT INTO source_totals VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        files: list[tuple[Any, ...]] = []
        for currency, (billed_all, effective_all, count) in whole.items():
            billed, effective = (None if t is None else to_nanos(t) for t in (billed_all, effective_all))
            if any(t is not None and abs(t) > _INT64_MAX for t in (billed, effective)):
                raise InvalidInput(
                    f"{file} states a total in {currency} beyond what the store holds (about 9.2 billion at nano "
                    "precision). Nothing was written; check the file for corrupt amounts."
                )
            files.append((self.source_id, currency, billed, effective, count))
        self._conn.executemany("INSERT INTO source_file_totals VALUES (?, ?, ?, ?, ?)", files)

    def finish(self) -> list[WriteResult]:
        """Store new strings, rollups and row counts of every touched partition and source (before COMMIT)."""
        self._encoder.flush()
        self._rollups.write(self._conn)
        for k, partition_id in self._ids.items():
            if partition_id is None:
                continue
            count = self._counts[partition_id]
            self._conn.execute("UPDATE partitions SET row_count = ? WHERE id = ?", (count, partition_id))
            self._results[k] = self._results[k].model_copy(update={"rows": count})
        recount(self._conn, {self.source_id, *self._touched})
        return self.results


_DAY = 86_400
# Partial sums an accumulator merges past (groups: ~120 bytes each, and a merge sorts copies of them). At 500,000
# the six roots held up to ~300 MB at 5M rows; at 100,000 they hold a fifth of that for the same time.
_COMPACT_AT = 100_000
# Rows of an accumulator's sums: the rollup metrics (contracted summed over its non-null values), how many
# contracted values were not null, and the row count.
_SUMS = len(ROLLUP_METRICS) + 2

Keyed = tuple[tuple[str, ...], "Ints", "npt.NDArray[Any]"]
"""(names of the key rows, keys k x n, sums m x n): one group per column. Key rows: partition_id, the period
(a day number: days since 1970, or the first day of its month), then dimension sids (0 = null)."""


class _Accumulator:
    """Sums of line items grouped by ``names`` (key rows), built chunk by chunk with numpy.

    Each chunk is summed by its keys; the partial sums are merged whenever they pile up, so memory follows the
    number of distinct groups, not of rows.
    """

    def __init__(self, names: tuple[str, ...], *, monthly: bool = False, tagged_only: bool = False) -> None:
        self.names = names
        self._monthly = monthly
        self._tagged_only = tagged_only  # keep only rows with a tag set (the tag rollups sum nothing else)
        self._keys: list[Ints] = []
        self._sums: list[npt.NDArray[Any]] = []
        self._pending = 0
        self._merged = 0  # groups after the last merge

    def add(self, keys: Mapping[str, Ints], sums: npt.NDArray[Any]) -> None:
        import numpy as np

        rows = [keys[name] for name in self.names]
        if self._monthly:
            rows[1] = _month_start(rows[1])
        matrix = np.vstack(rows)
        if self._tagged_only:
            keep = keys["tags"] != 0
            if not keep.any():
                return
            matrix, sums = matrix[:, keep], sums[:, keep]
        grouped_keys, grouped_sums = group_sums(matrix, sums)
        self._keys.append(grouped_keys)
        self._sums.append(grouped_sums)
        self._pending += grouped_keys.shape[1]
        # Merge when the partial sums have grown well past what the last merge left: with many distinct groups
        # (every row its own day x service x account x region), merging at a fixed size would re-sort them all
        # on every chunk.
        if self._pending > max(_COMPACT_AT, 2 * self._merged):
            self.compact()

    def compact(self) -> Keyed:
        import numpy as np

        if not self._keys:
            return self.names, np.empty((len(self.names), 0), dtype=np.int64), np.empty((_SUMS, 0), dtype=np.int64)
        keys, sums = np.hstack(self._keys), _hstack(self._sums)
        if len(self._keys) > 1:
            keys, sums = group_sums(keys, sums)
        self._keys, self._sums, self._pending = [keys], [sums], keys.shape[1]
        self._merged = keys.shape[1]
        return self.names, keys, sums


def _month_start(days: Ints) -> Ints:
    """Day numbers -> the day number of the first of their month."""
    import numpy as np

    return days.astype("datetime64[D]").astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _project(source: Keyed, names: tuple[str, ...], *, monthly: bool = False) -> Keyed:
    """``source`` summed again by fewer key rows (``names``, a subset of its own), by month if ``monthly``."""
    import numpy as np

    have, keys, sums = source
    rows = [keys[have.index(name)] for name in names]
    if monthly:
        rows[1] = _month_start(rows[1])
    if keys.shape[1] == 0:
        return names, np.empty((len(names), 0), dtype=np.int64), sums
    grouped_keys, grouped_sums = group_sums(np.vstack(rows), sums)
    return names, grouped_keys, grouped_sums


def _names(shape: RollupShape) -> tuple[str, ...]:
    return ("partition_id", "day", *(("tag_key", "tag_value") if shape.tagged else ()), *shape.dimensions)


def _by_dims(*dimensions: str) -> RollupShape:
    return next(s for s in (*ROLLUP_SHAPES, *TAG_SHAPES) if set(s.dimensions) == set(dimensions) and not s.tagged)


_SERVICE_ACCOUNT = _by_dims(*BASE_DIMENSIONS, "service_name", "sub_account_id")
_REGION = _by_dims(*BASE_DIMENSIONS, "region_id")
_SERVICE_REGION = _by_dims(*BASE_DIMENSIONS, "service_name", "region_id")
_ACCOUNT_REGION = _by_dims(*BASE_DIMENSIONS, "sub_account_id", "region_id")
_ALL = _by_dims(*BASE_DIMENSIONS, *WIDE_DIMENSIONS)
_TAG_ROOT = ("partition_id", "day", *BASE_DIMENSIONS, "service_name", "sub_account_id", "tags")


class RollupAccumulator:
    """Sums for every rollup table (``ROLLUP_SHAPES``, ``TAG_SHAPES``) built while rows are encoded, so a write
    need not sort the partition again in SQL afterwards (that rebuild was the slowest step of an ingest).

    A few root accumulators see every chunk (day x service x sub-account, day x region, day x service x region,
    day x sub-account x region, month x all three, and day x service x sub-account x tag set for tagged rows); every
    other table is summed from the smallest root or table that holds its dimensions, once, at the end.
    """

    def __init__(self) -> None:
        self._roots = {
            "service_account": _Accumulator(_names(_SERVICE_ACCOUNT)),
            "region": _Accumulator(_names(_REGION)),
            "service_region": _Accumulator(_names(_SERVICE_REGION)),
            "account_region": _Accumulator(_names(_ACCOUNT_REGION)),
            "all": _Accumulator(_names(_ALL), monthly=True),
            "tags": _Accumulator(_TAG_ROOT, tagged_only=True),
        }

    def add(self, partition_ids: Ints, columns: Mapping[str, Ints | list[Any]]) -> None:
        import numpy as np

        rows = len(partition_ids)
        if rows == 0:
            return

        def ints(name: str, absent: int = 0) -> Ints:
            values = columns.get(name)
            return np.full(rows, absent, dtype=np.int64) if values is None else np.asarray(values, dtype=np.int64)

        keys = {name: ints(name) for name in (*BASE_DIMENSIONS, *WIDE_DIMENSIONS, "tags")}
        keys["partition_id"] = partition_ids
        keys["day"] = ints("charge_period_start") // _DAY
        contracted = ints("contracted_cost", NULL_COST)
        present = contracted != NULL_COST
        sums = np.vstack(
            [
                *[ints(m) for m in ROLLUP_METRICS[:3]],
                np.where(present, contracted, 0),
                present.astype(np.int64),
                np.ones(rows, dtype=np.int64),
            ]
        )
        for root in self._roots.values():
            root.add(keys, sums)

    def write(self, conn: sqlite3.Connection) -> None:
        """Insert the sums. A partition that an earlier file of the same run wrote keeps that file's rollup rows
        beside these: readers always SUM rollup rows, so one key may have several. Call after the tag pairs of
        the write are stored."""
        roots = {name: root.compact() for name, root in self._roots.items()}
        service_account, region = roots["service_account"], roots["region"]
        tables: list[tuple[str, Keyed]] = [
            ("rollup_daily", service_account),
            ("rollup_month_service_sub_account", _project(service_account, service_account[0], monthly=True)),
            ("rollup_day_service_region", roots["service_region"]),
            ("rollup_month_service_region", _project(roots["service_region"], _names(_SERVICE_REGION), monthly=True)),
            ("rollup_day_sub_account_region", roots["account_region"]),
            (
                "rollup_month_sub_account_region",
                _project(roots["account_region"], _names(_ACCOUNT_REGION), monthly=True),
            ),
            ("rollup_monthly", roots["all"]),
            ("rollup_day_service", _project(service_account, _names(_by_dims(*BASE_DIMENSIONS, "service_name")))),
            ("rollup_day_sub_account", _project(service_account, _names(_by_dims(*BASE_DIMENSIONS, "sub_account_id")))),
            ("rollup_day_region", region),
            ("rollup_day_base", _project(region, _names(_by_dims(*BASE_DIMENSIONS)))),
        ]
        pairs = _tag_pairs(conn, roots["tags"])
        for shape in TAG_SHAPES:
            day = _project(pairs, _names(shape))
            assert shape.day is not None
            assert shape.month is not None
            tables += [(shape.day, day), (shape.month, _project(day, day[0], monthly=True))]
        assert {t for t, _ in tables} == set(ROLLUP_TABLES)
        for table, keyed in tables:
            _insert(conn, table, keyed)


def _tag_pairs(conn: sqlite3.Connection, source: Keyed) -> Keyed:
    """The tag-set groups of ``source`` expanded into one group per (tag key, tag value) pair of the set."""
    import numpy as np

    names, keys, sums = source
    out_names = (*names[:-1], "tag_key", "tag_value")
    tag_row = names.index("tags")
    tagsets = np.unique(keys[tag_row]).tolist()
    pairs: list[tuple[int, int, int]] = []
    for i in range(0, len(tagsets), 500):
        chunk = tagsets[i : i + 500]
        pairs += conn.execute(
            f"SELECT tagset, key, COALESCE(value, 0) FROM tag_pairs WHERE tagset IN ({', '.join('?' * len(chunk))})",
            chunk,
        ).fetchall()
    if not pairs or keys.shape[1] == 0:
        return out_names, np.empty((len(out_names), 0), dtype=np.int64), sums[:, :0]
    table: Ints = np.array(sorted(pairs), dtype=np.int64).T  # tagset, key, value; sorted by tag set
    sets: Ints = table[0]
    first = cast("Ints", np.searchsorted(sets, keys[tag_row], side="left"))
    count = cast("Ints", np.searchsorted(sets, keys[tag_row], side="right")) - first
    group: Ints = np.repeat(np.arange(keys.shape[1], dtype=np.int64), count)
    pair = np.repeat(first, count) + (np.arange(len(group)) - np.repeat(np.cumsum(count) - count, count))
    expanded = np.vstack([np.delete(keys, tag_row, axis=0)[:, group], table[1][pair], table[2][pair]])
    return out_names, expanded, sums[:, group]


def _insert(conn: sqlite3.Connection, table: str, keyed: Keyed) -> None:
    names, keys, sums = keyed
    period = "month" if table.startswith(("rollup_month", "rollup_monthly")) else "day"
    columns = ", ".join((*names[2:], *ROLLUP_METRICS))
    # Null dimensions travel as 0 and a contracted sum of no value as NULL_COST: NULLIF is cheaper than binding None.
    values = ", ".join(["?", "?", *["NULLIF(?, 0)"] * (len(names) - 2), "?", "?", "?", f"NULLIF(?, {NULL_COST})", "?"])
    conn.executemany(
        f"INSERT INTO {table} (partition_id, {period}, {columns}, row_count) VALUES ({values})",
        _rollup_rows(keys, sums),
    )


def _hstack(parts: list[npt.NDArray[Any]]) -> npt.NDArray[Any]:
    import numpy as np

    if any(p.dtype == object for p in parts):
        return np.hstack([p.astype(object) for p in parts])
    return np.hstack(parts)


def _rollup_rows(keys: Ints, sums: npt.NDArray[Any]) -> Iterable[tuple[Any, ...]]:
    """Rollup rows: partition id, ISO day, dimension sids (0 for null), metrics (contracted NULL_COST when no row
    had one), row count. Built column by column: a Python loop per row was most of a write's rollup time."""
    import numpy as np

    if sums.dtype == object and any(abs(x) > _INT64_MAX for x in sums[:4].ravel().tolist()):
        raise InvalidInput(
            "The costs of one day (one service, account and currency) add up to more than the store holds (about "
            "9.2 billion at nano precision). Nothing was written; check the file for corrupt amounts."
        )
    distinct, inverse = np.unique(keys[1], return_inverse=True)
    labels = [(_EPOCH + timedelta(days=d)).isoformat() for d in distinct.tolist()]
    days: list[str] = [labels[i] for i in inverse.tolist()]
    contracted = np.where(sums[4] != 0, sums[3], NULL_COST)
    return zip(
        keys[0].tolist(),
        days,
        *keys[2:].tolist(),
        *sums[:3].tolist(),
        contracted.tolist(),
        sums[5].tolist(),
        strict=True,
    )


_EPOCH = date(1970, 1, 1)
_INT64_MAX = 2**63 - 1
