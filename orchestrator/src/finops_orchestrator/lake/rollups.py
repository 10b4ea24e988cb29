"""Daily rollups of the lake kept in the local store, so interactive questions stay fast (``[lake] answer_from =
"rollups"``), and the reader that answers from them saying how old they are.

``finops lake sync`` asks the lake for one row per charge day x provider x billing account x sub-account x service
x service category x region x charge category x currency x commitment (id, type, category, status) x tag set, with
the four cost sums (exact decimals), for every billing period of the last ``[lake] sync_months`` months, and writes
them as synced partitions (provider, billing account, billing period) in one transaction: each is replaced whole,
one the lake no longer has is emptied, and one filled from an ingested export is left alone (the same dollars are
never counted twice). Resource and SKU are left out: they are what makes line items many; those questions go to
the lake.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from finops_core.breakdown import Cell
from finops_core.dates import midnight, next_month_start
from finops_core.errors import LakeError
from finops_core.focus import FOCUS_COLUMNS, CostLineItem, Lineage
from finops_core.models import CostBreakdown, CostMetric, CostQuery
from finops_core.money import from_nanos, to_nanos
from finops_core.reading import CommitmentSums, SeriesKey
from finops_core.settings import LakeSettings
from finops_core.store import PartitionKey, Store, partition_key
from pydantic import BaseModel, Field, ValidationError

from finops_orchestrator.lake.builder import ROLLUP_COLUMNS, rollups_sql
from finops_orchestrator.lake.engines import describe
from finops_orchestrator.lake.reader import LakeReader, as_day, exact, text_or_none

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


def sync_source(settings: LakeSettings) -> str:
    """The lineage source of partitions synced from this lake."""
    return f"lake sync: {settings.engine} {settings.location}"


class LakeSyncReport(BaseModel):
    lake: str
    start: date = Field(description="First billing period synced.")
    end: date = Field(description="Exclusive.")
    rollup_rows: int = 0
    partitions_written: list[str] = Field(default_factory=lambda: list[str]())
    partitions_emptied: list[str] = Field(
        default_factory=lambda: list[str](), description="Synced before, no longer in the lake: now empty."
    )
    kept_exports: list[str] = Field(
        default_factory=lambda: list[str](), description="Left alone: an ingested export covers them."
    )
    synced_at: datetime


def _stamp(value: Any, what: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    day = as_day(value)
    if day is None:
        raise LakeError(f"A lake row has no {what} (FOCUS requires it); fill it in the lake.")
    return midnight(day)


def _items(rows: list[tuple[Any, ...]], settings: LakeSettings) -> Iterator[CostLineItem]:
    """The lake's rollup rows as line items of one day each (tags parsed from their JSON text)."""
    names = ("day", *ROLLUP_COLUMNS, "tags", "billed", "effective", "list", "contracted")
    for raw in rows:
        row = dict(zip(names, raw, strict=True))
        day = as_day(row["day"])
        if day is None:
            continue
        tags: dict[str, str] = {}
        if row["tags"]:
            try:
                parsed = json.loads(str(row["tags"]))
            except ValueError as exc:
                raise LakeError(f"A lake row's Tags is not JSON ({str(row['tags'])[:80]!r}); set [lake] tags.") from exc
            if isinstance(parsed, dict):
                tags = {str(k): str(v) for k, v in parsed.items() if v is not None}  # pyright: ignore[reportUnknownVariableType]
        amounts = {k: from_nanos(to_nanos(exact(row[k], settings))) for k in ("billed", "effective", "list")}
        contracted = None if row["contracted"] is None else from_nanos(to_nanos(exact(row["contracted"], settings)))
        try:
            yield CostLineItem.model_validate(
                {
                    "billed_cost": amounts["billed"],
                    "effective_cost": amounts["effective"],
                    "list_cost": amounts["list"],
                    "contracted_cost": contracted,
                    "billing_account_id": text_or_none(row["BillingAccountId"]),
                    "billing_currency": text_or_none(row["BillingCurrency"]),
                    "billing_period_start": _stamp(row["BillingPeriodStart"], "BillingPeriodStart"),
                    "billing_period_end": _stamp(row["BillingPeriodEnd"], "BillingPeriodEnd"),
                    "charge_period_start": midnight(day),
                    "charge_period_end": midnight(day + timedelta(days=1)),
                    "charge_category": text_or_none(row["ChargeCategory"]),
                    "provider_name": text_or_none(row["ProviderName"]),
                    "service_name": text_or_none(row["ServiceName"]),
                    "service_category": text_or_none(row["ServiceCategory"]),
                    "sub_account_id": text_or_none(row["SubAccountId"]),
                    "region_id": text_or_none(row["RegionId"]),
                    "commitment_discount_id": text_or_none(row["CommitmentDiscountId"]),
                    "commitment_discount_type": text_or_none(row["CommitmentDiscountType"]),
                    "commitment_discount_category": text_or_none(row["CommitmentDiscountCategory"]),
                    "commitment_discount_status": text_or_none(row["CommitmentDiscountStatus"]),
                    "tags": tags,
                }
            )
        except ValidationError as exc:  # a required FOCUS column is empty, or a value is out of bounds
            names = {c.name: c.focus_name for c in FOCUS_COLUMNS}
            wrong = ", ".join(f"{names.get(str(e['loc'][0]), e['loc'][0])}: {e['msg']}" for e in exc.errors())
            raise LakeError(
                f"A lake row of {row['ProviderName']} {row['BillingAccountId']} on {day} cannot be kept as a "
                f"rollup ({wrong}). Fix that row in the lake, or answer from the lake."
            ) from exc


def sync_window(today: date, months: int) -> tuple[date, date]:
    """Billing periods from the first of the month ``months`` back to the end of today's month."""
    start = today.replace(day=1)
    for _ in range(months - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    return start, next_month_start(today).date()


def sync_rollups(
    store: Store,
    reader: LakeReader,
    *,
    start: date,
    end: date,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> LakeSyncReport:
    """Replace the store's rollups of the billing periods in ``[start, end)`` with the lake's (one transaction)."""
    settings = reader.settings
    rows = reader.engine.run(rollups_sql(start, end, reader.engine.target))
    by_key: dict[PartitionKey, list[CostLineItem]] = {}
    for item in _items(rows, settings):
        by_key.setdefault(partition_key(item), []).append(item)
    source = sync_source(settings)
    # Partitions this lake filled before, in the window: emptied if the lake has no rows for them any more.
    earlier = {
        p.key
        for p in store.partitions()
        if p.kind == "sync" and p.lineage.source == source and start <= p.key.billing_period_start < end
    }
    synced_at = now()
    report = LakeSyncReport(lake=describe(settings), start=start, end=end, rollup_rows=len(rows), synced_at=synced_at)
    lineage = Lineage(source=source, ingested_at=synced_at)
    with store.writer(lineage, kind="sync", what=f"lake sync from {describe(settings)}") as writer:
        for key in sorted(
            by_key.keys() | earlier, key=lambda k: (k.billing_period_start, k.provider_name, k.billing_account_id)
        ):
            label = f"{key.provider_name} {key.billing_account_id} {key.billing_period_start:%Y-%m}"
            if writer.open_partition(key) is None:
                report.kept_exports.append(label)
                continue
            items = by_key.get(key, [])
            writer.add_items(items, only=key)
            (report.partitions_written if items else report.partitions_emptied).append(label)
    return report


class RollupReader:
    """The store's synced rollups of a lake, answering as the store does, with a source that says how old they
    are. Questions by resource or SKU, which the rollups do not keep, are refused with what to do."""

    def __init__(self, store: Store, settings: LakeSettings, now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.store = store
        self.settings = settings
        self._now = now

    def synced_at(self) -> datetime | None:
        source = sync_source(self.settings)
        stamps = [p.lineage.ingested_at for p in self.store.partitions() if p.lineage.source == source]
        return max(stamps) if stamps else None

    def source_label(self) -> str:
        at = self.synced_at()
        lake = describe(self.settings)
        if at is None:
            return f"local rollups of the {lake}: never synced, so empty; run `finops lake sync`"
        hours = (self._now() - at).total_seconds() / 3600
        age = f"{hours:.1f} hours" if hours < 48 else f"{hours / 24:.1f} days"
        return f"local daily rollups of the {lake}, synced {at:%Y-%m-%d %H:%M} UTC ({age} old)"

    def _check(self, query: CostQuery) -> None:
        kept_out = [d for d in (*query.group_by, *query.filters) if d in ("resource", "sku")]
        if kept_out:
            raise LakeError(
                f"The local rollups of the {describe(self.settings)} do not keep {' or '.join(kept_out)} (only "
                'daily totals): set [lake] answer_from = "lake" to ask the lake itself, or drop that dimension.'
            )

    def query_costs(self, query: CostQuery, *, source: str, is_demo: bool) -> CostBreakdown:
        self._check(query)
        return self.store.query_costs(query, source=source, is_demo=is_demo)

    def cost_cells(self, query: CostQuery) -> list[Cell]:
        self._check(query)
        return self.store.cost_cells(query)

    def daily_series(
        self, start: date, end: date, *, by: tuple[str, ...], metric: CostMetric, providers: tuple[str, ...] = ()
    ) -> dict[SeriesKey, npt.NDArray[np.int64]]:
        return self.store.daily_series(start, end, by=by, metric=metric, providers=providers)

    def commitment_sums(self, start: date, end: date) -> list[CommitmentSums]:
        return self.store.commitment_sums(start, end)
