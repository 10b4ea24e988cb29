"""``export``: the store (or part of it) as FOCUS 1.2 Parquet or CSV, with the spec's column names.

One row per stored line item. Costs are exact decimals (Parquet ``decimal128(38, 9)``, the store's nano
precision); quantities and unit prices ``decimal128(38, 18)``; timestamps UTC (in CSV as the spec's ISO 8601
``2024-05-01T00:00:00Z``); ``Tags`` and ``SkuPriceDetails`` JSON text; provider-specific extras as their own
``x_`` columns.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Context, Decimal
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from finops_core.dates import epoch_seconds
from finops_core.errors import InvalidInput
from finops_core.focus import FOCUS_COLUMNS, ColumnKind
from finops_core.store import Store

ExportFileFormat = Literal["parquet", "csv"]
CHUNK_ROWS = 50_000
_COST = pa.decimal128(38, 9)
_QUANTITY = pa.decimal128(38, 18)
_Q18 = Decimal(1).scaleb(-18)
_WIDE = Context(prec=60)  # 38 digits fit; the default context's 28 would reject large quantities
_TIMESTAMP = pa.timestamp("s", tz="UTC")
# FOCUS's date/time format; Arrow's CSV writer would put a space where the spec wants the "T".
_ISO_8601 = "%Y-%m-%dT%H:%M:%SZ"


def _arrow_type(kind: ColumnKind, file_format: ExportFileFormat = "parquet") -> pa.DataType:
    if kind is ColumnKind.DATETIME and file_format == "csv":
        return pa.string()
    return {ColumnKind.COST: _COST, ColumnKind.DECIMAL: _QUANTITY, ColumnKind.DATETIME: _TIMESTAMP}.get(
        kind, pa.string()
    )


def _where(providers: Sequence[str], since: date | None, until: date | None) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if providers:
        clauses.append(f"provider_name IN ({', '.join('?' * len(providers))})")
        params += list(providers)
    if since is not None:
        clauses.append("charge_period_start >= ?")
        params.append(epoch_seconds(since))
    if until is not None:
        clauses.append("charge_period_start < ?")
        params.append(epoch_seconds(until))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def export(
    store: Store,
    output: Path,
    file_format: ExportFileFormat,
    *,
    providers: Sequence[str] = (),
    since: date | None = None,
    until: date | None = None,
) -> int:
    """Write the matching line items to ``output``; returns how many rows were written."""
    where, params = _where(providers, since, until)
    with store.reader() as conn:
        extra_keys = sorted(
            str(r[0])
            for r in conn.execute(
                f"SELECT DISTINCT j.key FROM focus_line_items, json_each(focus_line_items.x_extras) j{where}"
                + (" AND" if where else " WHERE")
                + " x_extras IS NOT NULL",
                params,
            )
        )
        fields = [pa.field(c.focus_name, _arrow_type(c.kind, file_format)) for c in FOCUS_COLUMNS]
        fields += [pa.field(k, pa.string()) for k in extra_keys]
        schema = pa.schema(fields)
        cursor = conn.execute(f"SELECT * FROM focus_line_items{where} ORDER BY id", params)
        names = [d[0] for d in cursor.description]
        output.parent.mkdir(parents=True, exist_ok=True)
        writer: Any = pq.ParquetWriter(output, schema) if file_format == "parquet" else pacsv.CSVWriter(output, schema)
        written = 0
        try:
            for batch in _batches(cursor, names, schema, extra_keys):
                writer.write_table(batch)
                written += batch.num_rows
        finally:
            writer.close()
    if written == 0:
        output.unlink(missing_ok=True)
        raise InvalidInput("Nothing to export: no line items match. Check `finops store info` and the filters.")
    return written


def _batches(cursor: Any, names: list[str], schema: pa.Schema, extra_keys: list[str]) -> Iterator[pa.Table]:
    index = {n: i for i, n in enumerate(names)}
    while rows := cursor.fetchmany(CHUNK_ROWS):
        columns: list[pa.Array] = []
        derived = _derived(rows, index)
        for column in FOCUS_COLUMNS:
            values = derived.get(column.name) or [row[index[column.name]] for row in rows]
            array = pa.array(_convert(column.kind, column.name, values), type=_arrow_type(column.kind))
            if array.type != schema.field(column.focus_name).type:  # a CSV timestamp, written as ISO 8601 text
                array = pc.call_function("strftime", [array], pc.StrftimeOptions(_ISO_8601))
            columns.append(array)
        extras = [json.loads(row[index["x_extras"]]) if row[index["x_extras"]] else {} for row in rows]
        for key in extra_keys:
            columns.append(pa.array([None if (v := e.get(key)) is None else str(v) for e in extras], pa.string()))
        yield pa.Table.from_arrays(columns, schema=schema)


def _derived(rows: list[Any], index: dict[str, int]) -> dict[str, list[Any]]:
    """Columns FOCUS defines in terms of others, filled where the source left them empty:
    PricingCurrency defaults to BillingCurrency (and then PricingCurrencyEffectiveCost is EffectiveCost);
    ConsumedQuantity is null off Usage rows and PricingQuantity null on Tax rows, as the spec requires, and
    each unit goes with its quantity (a unit without a quantity is null too)."""

    def col(name: str) -> list[Any]:
        return [row[index[name]] for row in rows]

    billing, pricing = col("billing_currency"), col("pricing_currency")
    pricing_cost, effective = col("pricing_currency_effective_cost"), col("effective_cost")
    category = col("charge_category")
    filled_pricing = [p if p is not None else b for p, b in zip(pricing, billing, strict=True)]
    consumed = [q if k == "Usage" else None for q, k in zip(col("consumed_quantity"), category, strict=True)]
    priced = [q if k != "Tax" else None for q, k in zip(col("pricing_quantity"), category, strict=True)]
    return {
        "pricing_currency": filled_pricing,
        "pricing_currency_effective_cost": [
            c if c is not None else (e if p == b else None)
            for c, e, p, b in zip(pricing_cost, effective, filled_pricing, billing, strict=True)
        ],
        "consumed_quantity": consumed,
        "consumed_unit": [u if q is not None else None for u, q in zip(col("consumed_unit"), consumed, strict=True)],
        "pricing_quantity": priced,
        "pricing_unit": [u if q is not None else None for u, q in zip(col("pricing_unit"), priced, strict=True)],
    }


def _convert(kind: ColumnKind, name: str, values: list[Any]) -> list[Any]:
    if kind is ColumnKind.COST:
        return [None if v is None else Decimal(v).scaleb(-9) for v in values]
    if kind is ColumnKind.DECIMAL:
        return [None if v is None else Decimal(v).quantize(_Q18, context=_WIDE) for v in values]
    if kind is ColumnKind.DATETIME:
        return [None if v is None else datetime.fromtimestamp(v, tz=UTC) for v in values]
    return values  # strings, and Tags / SkuPriceDetails as the JSON text the store keeps
