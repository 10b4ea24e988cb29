"""The SQL the adapter sends to BigQuery over the Cloud Billing export, built from allow-lists only.

Three export tables exist (``[gcp]`` names each): the standard usage cost export
(``gcp_billing_export_v1_<ACCOUNT>``), the detailed one (``gcp_billing_export_resource_v1_<ACCOUNT>``: the standard
columns plus ``resource.name`` / ``resource.global_name``) and a FOCUS view (FOCUS column names).

Money in the standard and detailed exports:

* ``cost`` is the **gross** charge: usage at the account's (negotiated) prices, before any credit;
* ``credits`` is a REPEATED RECORD ``(name, amount, full_name, id, type)`` whose amounts are **negative**
  (sustained-use and committed-use discounts, free tier, promotions, ...);
* so **net** = ``cost + SUM(credits.amount)``: what the invoice charges;
* ``cost_at_list`` (newer exports) is the same usage at public list prices.

Every amount is summed as ``NUMERIC`` (exact to 10^-9; ``cost`` itself is FLOAT64) and credits come from a scalar
subquery per row, ``(SELECT SUM(c.amount) FROM UNNEST(credits) AS c)``, so a row with several credits still counts
its gross once. Labels are read the same way, ``(SELECT l.value FROM UNNEST(labels) AS l WHERE l.key = @label_0
LIMIT 1)``: the row is never multiplied by its labels, and an unlabelled row counts once, with NULL.

Identifiers (columns, the table) come only from the tables below and from ``GcpSettings``' table-id pattern;
every value (dates, filter values, label keys) is a BigQuery query parameter. Rows are grouped by UTC day of
``usage_start_time``; weeks and months are rolled up in Python. The scan is bounded by ``_PARTITIONTIME`` (the
export is partitioned by the day rows were exported, never before their usage): from the period's start to
``LATE_DAYS`` after its end, which keeps late corrections of the invoice month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from finops_core.errors import ConfigError, InvalidQuery

ExportKind = Literal["standard", "detailed", "focus"]
LATE_DAYS = 35  # rows for a day keep arriving until the invoice month closes (early in the next month)
_TABLE = re.compile(r"^([A-Za-z0-9_.:-]+)\.([A-Za-z0-9_]+)\.([A-Za-z0-9_$]+)$")
_PARAM = re.compile(r"^[a-z_][a-z0-9_]*$")

# Credit types Google documents (credits.type); anything else is summed as OTHER.
CREDIT_TYPES: tuple[str, ...] = (
    "COMMITTED_USAGE_DISCOUNT",
    "COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE",
    "DISCOUNT",
    "FEE_UTILIZATION_OFFSET",
    "FREE_TIER",
    "PROMOTION",
    "RESELLER_MARGIN",
    "SUBSCRIPTION_BENEFIT",
    "SUSTAINED_USAGE_DISCOUNT",
)
OTHER_CREDITS = "OTHER"

# Grouping/filtering keys -> SQL expression, per export kind. ``label:<key>`` and ``credit_type`` are handled apart.
_EXPORT_COLUMNS: dict[str, str] = {
    "billing_account": "billing_account_id",
    "project": "project.id",
    "project_number": "project.number",
    "service": "service.description",
    "service_id": "service.id",
    "sku": "sku.description",
    "location": "IFNULL(location.region, location.location)",
    "cost_type": "cost_type",
}
_DETAILED_COLUMNS: dict[str, str] = {**_EXPORT_COLUMNS, "resource": "resource.global_name"}
_FOCUS_COLUMNS: dict[str, str] = {
    "billing_account": "BillingAccountId",
    "project": "SubAccountId",
    "service": "ServiceName",
    "sku": "SkuId",
    "location": "RegionId",
    "resource": "ResourceId",
    "charge_category": "ChargeCategory",
}
FOCUS_METRICS: dict[str, str] = {
    "billed": "BilledCost",
    "effective": "EffectiveCost",
    "list": "ListCost",
    "contracted": "ContractedCost",
}


def columns(kind: ExportKind) -> dict[str, str]:
    """The grouping keys ``kind`` can answer, with their SQL."""
    return {"standard": _EXPORT_COLUMNS, "detailed": _DETAILED_COLUMNS, "focus": _FOCUS_COLUMNS}[kind]


def quoted_table(table_id: str) -> str:
    """``project.dataset.table`` checked against the settings' pattern, in backticks."""
    if not _TABLE.fullmatch(table_id) or "`" in table_id:
        raise ConfigError(f"{table_id!r} is not a BigQuery table id (project.dataset.table); fix [gcp] in finops.toml.")
    return f"`{table_id}`"


def table_project(table_id: str) -> str:
    found = _TABLE.fullmatch(table_id)
    assert found is not None
    return found.group(1)


@dataclass
class ExportQuery:
    """One aggregate over an export table: per (day,) group keys, labels and currency, gross / credits / list
    (standard, detailed) or the FOCUS metric columns."""

    table: str
    kind: ExportKind
    start: date
    end: date
    keys: list[str] = field(default_factory=lambda: list[str]())  # from columns(kind)
    labels: list[str] = field(default_factory=lambda: list[str]())  # label keys to read
    filters: dict[str, list[str]] = field(default_factory=lambda: dict[str, list[str]]())  # key -> values
    daily: bool = True
    with_list: bool = True  # standard/detailed: also SUM(cost_at_list)

    def sql_and_parameters(self) -> tuple[str, list[tuple[str, str, Any]]]:
        """The SQL text and its parameters as (name, BigQuery type, value); the same inputs give the same text."""
        cols = columns(self.kind)
        unknown = [k for k in [*self.keys, *self.filters] if k not in cols]
        if unknown:
            raise InvalidQuery(f"The {self.kind} export cannot group or filter by {unknown[0]}.", provider="gcp")
        params: list[tuple[str, str, Any]] = [
            ("start", "TIMESTAMP", _midnight(self.start)),
            ("end", "TIMESTAMP", _midnight(self.end)),
        ]
        focus = self.kind == "focus"
        time_col = "ChargePeriodStart" if focus else "usage_start_time"
        select: list[str] = []
        group: list[str] = []
        if self.daily:
            select.append(f"DATE({time_col}) AS day")
            group.append("day")
        for i, key in enumerate(self.keys):
            select.append(f"{cols[key]} AS k{i}")
            group.append(f"k{i}")
        label_array = "Tags" if focus else "labels"
        for i, label in enumerate(self.labels):
            params.append((f"label_{i}", "STRING", label))
            select.append(
                f"(SELECT l.value FROM UNNEST({label_array}) AS l WHERE l.key = @label_{i} LIMIT 1) AS label_{i}"
            )
            group.append(f"label_{i}")
        currency = "BillingCurrency" if focus else "currency"
        select.append(f"{currency} AS currency")
        group.append("currency")
        if focus:
            select.extend(f"SUM(CAST({col} AS NUMERIC)) AS {metric}" for metric, col in FOCUS_METRICS.items())
        else:
            select.append("SUM(CAST(cost AS NUMERIC)) AS gross")
            select.append(f"SUM(IFNULL({_credit_sum()}, 0)) AS credits")
            for t in CREDIT_TYPES:
                params.append((f"ct_{t.lower()}", "STRING", t))
                select.append(f"SUM(IFNULL({_credit_sum(f'c.type = @ct_{t.lower()}')}, 0)) AS credits_{t.lower()}")
            if self.with_list:
                select.append("SUM(CAST(cost_at_list AS NUMERIC)) AS list")
        where = [f"{time_col} >= @start", f"{time_col} < @end"]
        if not focus:
            params.append(("scan_start", "TIMESTAMP", _midnight(self.start)))
            params.append(("scan_end", "TIMESTAMP", _midnight(self.end + timedelta(days=LATE_DAYS))))
            where.insert(0, "_PARTITIONTIME >= @scan_start AND _PARTITIONTIME < @scan_end")
        for i, (key, values) in enumerate(sorted(self.filters.items())):
            name = f"f_{i}"
            assert _PARAM.fullmatch(name)
            params.append((name, "ARRAY<STRING>", list(values)))
            where.append(f"{cols[key]} IN UNNEST(@{name})")
        sql = (
            "SELECT " + ", ".join(select) + f" FROM {quoted_table(self.table)}"
            " WHERE " + " AND ".join(where) + " GROUP BY " + ", ".join(group) + " ORDER BY " + ", ".join(group)
        )
        return sql, params


def _credit_sum(condition: str | None = None) -> str:
    where = f" WHERE {condition}" if condition else ""
    return f"(SELECT SUM(CAST(c.amount AS NUMERIC)) FROM UNNEST(credits) AS c{where})"


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
