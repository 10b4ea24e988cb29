"""Costs from the CUR 2.0 or FOCUS data export, aggregated by Athena.

Cost Explorer stops where line-item detail begins (resource ids over 14 days, usage types across a large
organization, any tag): there the export table in Athena answers, and the grouping, ranking and folding into
'(other)' run on AWS's engine, so only ``top_n`` rows per currency come back however large the table is.

Safety: identifiers (columns, the table) come only from fixed maps below and from ``[aws.athena]``; every
value a caller gives (dates, filters, the tag key, top_n) travels as an Athena execution parameter (``?``)
rendered as one SQL literal, never spliced into the SQL text. The SQL we show the user therefore holds no
user value. A query that scans more than ``max_bytes_scanned`` is stopped (Athena bills by bytes scanned).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal, TypedDict, Unpack

import anyio
from finops_core.cost_tables import Line
from finops_core.errors import ConfigError, InvalidInput, InvalidQuery, Unavailable
from finops_core.models import METRIC_MEANING, CostMetric
from finops_core.money import Amount, Money, normalize_amount
from finops_core.redact import redact_text
from pydantic import BaseModel, Field

from finops_aws.errors import P, aws_errors
from finops_aws.settings import AthenaSettings

if TYPE_CHECKING:
    from finops_aws.context import AwsContext

AthenaDimension = Literal[
    "account", "service", "region", "usage_type", "operation", "resource", "instance_type", "charge_type"
]
MAX_GROUPS = 3
CONFIGURE_HINT = (
    "Athena is not configured: add [aws.athena] to finops.toml with database, table (the CUR 2.0 or FOCUS "
    'data export), workgroup, output_location ("s3://bucket/prefix/" unless the workgroup sets one) and '
    'schema_kind ("cur2" or "focus"), then restart the server.'
)
FRESHNESS_NOTE = (
    "From the {kind} data export through Athena: the export lags usage by up to a day, so the last day may "
    "be incomplete."
)
# Athena's limit for one execution parameter.
MAX_PARAMETER_CHARS = 1024
# Seconds between status checks: short at first (small queries finish in a second or two), then steady.
POLL_DELAYS: tuple[float, ...] = (0.2, 0.4, 0.8, 1.5, 2.5)
DEFAULT_TIME_LIMIT = 240.0  # seconds; the query is stopped after it (our own deadline, not a cancel scope)
TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")


@dataclass(frozen=True)
class Schema:
    """How one kind of export names the columns a question needs."""

    kind: str
    time: str
    currency: str
    metrics: dict[CostMetric, str]
    meanings: dict[CostMetric, str]
    dimensions: dict[AthenaDimension, str]
    tags: str
    tag_prefix: str


# CUR 2.0's documented amortized cost (the CUR query library's formula): Savings Plan and RI covered usage at
# their effective cost, the unused part of each commitment fee, and nothing for the up-front fees and
# negations that the amortized lines already spread.
_CUR2_AMORTIZED = (
    "CASE line_item_line_item_type"
    " WHEN 'SavingsPlanCoveredUsage' THEN savings_plan_savings_plan_effective_cost"
    " WHEN 'SavingsPlanRecurringFee' THEN savings_plan_total_commitment_to_date - savings_plan_used_commitment"
    " WHEN 'SavingsPlanNegation' THEN 0"
    " WHEN 'SavingsPlanUpfrontFee' THEN 0"
    " WHEN 'DiscountedUsage' THEN reservation_effective_cost"
    " WHEN 'RIFee' THEN reservation_unused_amortized_upfront_fee_for_billing_period"
    " + reservation_unused_recurring_fee"
    " WHEN 'Fee' THEN IF(coalesce(reservation_reservation_a_r_n, '') <> '', 0, line_item_unblended_cost)"
    " ELSE line_item_unblended_cost END"
)

CUR2 = Schema(
    kind="cur2",
    time="line_item_usage_start_date",
    currency="line_item_currency_code",
    metrics={
        "billed": "line_item_unblended_cost",
        "effective": _CUR2_AMORTIZED,
        "list": "pricing_public_on_demand_cost",
        "contracted": "coalesce(line_item_net_unblended_cost, line_item_unblended_cost)",
    },
    meanings={
        "billed": "billed cost: line_item_unblended_cost, what the invoice charges before negotiated discounts",
        "effective": "effective cost: amortized (CUR 2.0 formula over savings_plan_* and reservation_* columns)",
        "list": "list cost: pricing_public_on_demand_cost, public on-demand prices before any discount",
        "contracted": "contracted cost: line_item_net_unblended_cost, after negotiated discounts "
        "(unblended where the export has no net amount)",
    },
    dimensions={
        "account": "line_item_usage_account_id",
        "service": "line_item_product_code",
        "region": "product_region_code",
        "usage_type": "line_item_usage_type",
        "operation": "line_item_operation",
        "resource": "line_item_resource_id",
        "instance_type": "product_instance_type",
        "charge_type": "line_item_line_item_type",
    },
    tags="resource_tags",
    tag_prefix="user_",
)

FOCUS = Schema(
    kind="focus",
    time="ChargePeriodStart",
    currency="BillingCurrency",
    metrics={
        "billed": "BilledCost",
        "effective": "EffectiveCost",
        "list": "ListCost",
        "contracted": "ContractedCost",
    },
    meanings={metric: f"{meaning} (FOCUS column)" for metric, meaning in METRIC_MEANING.items()},
    dimensions={
        "account": "SubAccountId",
        "service": "ServiceName",
        "region": "RegionId",
        "usage_type": "x_UsageType",
        "operation": "x_Operation",
        "resource": "ResourceId",
        "charge_type": "ChargeCategory",
        # FOCUS has no instance type column: asking for it is refused with a hint.
    },
    tags="Tags",
    tag_prefix="",
)
SCHEMAS = {"cur2": CUR2, "focus": FOCUS}
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


@dataclass(frozen=True)
class CurQuestion:
    """A cost question for the export table: ``[start, end)``, one metric, up to three groupings."""

    start: date
    end: date
    metric: CostMetric = "effective"
    group_by: tuple[AthenaDimension, ...] = ()
    tag_key: str | None = None
    services: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    resource_prefix: str | None = None
    top_n: int = 15


@dataclass(frozen=True)
class AthenaQuery:
    """SQL with ``?`` placeholders and the literals bound to them, in order."""

    sql: str
    parameters: list[str]
    labels: list[str] = field(default_factory=lambda: list[str]())


def sql_literal(value: str, name: str) -> str:
    """``value`` as one SQL string literal (quotes doubled): how Athena takes a string execution parameter."""
    literal = "'" + value.replace("'", "''") + "'"
    if len(literal) > MAX_PARAMETER_CHARS:
        raise InvalidInput(f"{name} is too long ({len(value)} characters); Athena takes at most about 1,000.")
    return literal


def _quoted_name(value: str, what: str) -> str:
    if not _NAME.match(value):
        raise ConfigError(
            f"[aws.athena] {what} {value!r} is not a Glue name (letters, digits, _ and - only). Check finops.toml."
        )
    return f'"{value}"'


def schema_of(settings: AthenaSettings) -> Schema:
    return SCHEMAS[settings.schema_kind]


def build_query(question: CurQuestion, settings: AthenaSettings) -> AthenaQuery:
    """The SQL and its parameters for ``question`` over the configured export table.

    Groups are ranked by the sum of their absolute amounts over every currency (refunds weigh like charges);
    groups past ``top_n`` fold into one row per currency with ``group_rank`` NULL; ``group_count`` counts them.
    """
    schema = schema_of(settings)
    if question.end <= question.start:
        raise InvalidInput(f"end ({question.end}) must be after start ({question.start}); end is exclusive.")
    if len(set(question.group_by)) != len(question.group_by):
        raise InvalidInput("group_by lists a dimension twice.")
    if len(question.group_by) + (question.tag_key is not None) > MAX_GROUPS:
        raise InvalidInput(f"Group by at most {MAX_GROUPS} dimensions, a tag key included.")
    if not 1 <= question.top_n <= 500:
        raise InvalidInput("top_n must be between 1 and 500.")
    table = f"{_quoted_name(settings.database, 'database')}.{_quoted_name(settings.table, 'table')}"
    cost = f"CAST({schema.metrics[question.metric]} AS DECIMAL(38, 10))"  # exact sums, not doubles

    params: list[str] = []
    exprs: list[str] = []
    labels: list[str] = []
    for dim in question.group_by:
        column = schema.dimensions.get(dim)
        if column is None:
            raise InvalidInput(f"The {schema.kind} export has no {dim} column; group by another dimension.")
        exprs.append(column)
        labels.append(dim)
    if question.tag_key is not None:
        if not question.tag_key.strip():
            raise InvalidInput("tag_key is empty; give a tag key such as team or cost-center.")
        exprs.append(f"element_at({schema.tags}, ?)")  # NULL when untagged (a [] lookup would fail)
        params.append(sql_literal(schema.tag_prefix + question.tag_key, "tag_key"))
        labels.append(f"tag:{question.tag_key}")

    where = [f"{schema.time} >= CAST(? AS TIMESTAMP)", f"{schema.time} < CAST(? AS TIMESTAMP)"]
    params += [sql_literal(question.start.isoformat(), "start"), sql_literal(question.end.isoformat(), "end")]
    filters: tuple[tuple[AthenaDimension, str, tuple[str, ...]], ...] = (
        ("service", "services", question.services),
        ("account", "accounts", question.accounts),
        ("region", "regions", question.regions),
    )
    for dim, name, values in filters:
        if values:
            where.append(f"{schema.dimensions[dim]} IN ({', '.join(['?'] * len(values))})")
            params += [sql_literal(v, name) for v in values]
    if question.resource_prefix:
        where.append(f"starts_with({schema.dimensions['resource']}, ?)")
        params.append(sql_literal(question.resource_prefix, "resource_id_prefix"))

    groups = [f"g{i + 1}" for i in range(len(exprs))]
    selected = "".join(f"{e} AS {g}, " for e, g in zip(exprs, groups, strict=True))
    # Project first, group by plain names after: no parameter sits inside a GROUP BY expression.
    lines = (
        f"lines AS (\n  SELECT {selected}{schema.currency} AS currency, {cost} AS cost\n"
        f"  FROM {table}\n  WHERE " + "\n    AND ".join(where) + "\n)"
    )
    keys = ", ".join(groups)
    columns = ", ".join([*groups, "currency"])
    grouped = f"grouped AS (SELECT {columns}, SUM(cost) AS cost FROM lines GROUP BY {columns})"
    if not groups:
        sql = f"WITH {lines},\n{grouped}\nSELECT currency, cost FROM grouped ORDER BY currency"
        return AthenaQuery(sql, params, labels)
    kept = "".join(f"IF(kept, {g}, NULL) AS {g}, " for g in groups)
    sql = (
        f"WITH {lines},\n{grouped},\n"
        f"weighted AS (SELECT *, SUM(ABS(cost)) OVER (PARTITION BY {keys}) AS weight FROM grouped),\n"
        f"ranked AS (SELECT *, DENSE_RANK() OVER (ORDER BY weight DESC, {keys}) AS rk FROM weighted),\n"
        "marked AS (SELECT *, rk <= ? AS kept FROM ranked)\n"
        f"SELECT IF(kept, rk, NULL) AS group_rank, {kept}currency, SUM(cost) AS cost, MAX(rk) AS group_count\n"
        "FROM marked\n"
        f"GROUP BY {', '.join(str(i + 1) for i in range(len(groups) + 2))}\n"
        "ORDER BY 1 NULLS LAST, currency"
    )
    params.append(str(question.top_n))  # an int we made: a number literal
    return AthenaQuery(sql, params, labels)


# -- running -------------------------------------------------------------------------------------


@dataclass
class QueryRun:
    """A finished query: its rows (header first), the bytes it scanned, and anything the answer should say."""

    execution_id: str
    rows: list[list[str | None]]
    bytes_scanned: int
    notes: list[str] = field(default_factory=lambda: list[str]())


def over_cap(statistics: dict[str, Any], cap: int) -> int | None:
    """The bytes scanned when they exceed ``cap``, else None."""
    scanned = int(statistics.get("DataScannedInBytes") or 0)
    return scanned if scanned > cap else None


def _gb(n: int) -> str:
    return f"{n / 1024**3:,.2f} GB"


def _start_request(query: AthenaQuery, settings: AthenaSettings) -> dict[str, Any]:
    request: dict[str, Any] = {
        "QueryString": query.sql,
        "QueryExecutionContext": {"Database": settings.database},
        "WorkGroup": settings.workgroup,
        "ExecutionParameters": query.parameters,
    }
    if settings.output_location:
        request["ResultConfiguration"] = {"OutputLocation": settings.output_location}
    return request


def _failure(execution: dict[str, Any], settings: AthenaSettings) -> InvalidQuery:
    status = execution.get("Status") or {}
    reason = status.get("StateChangeReason") or (status.get("AthenaError") or {}).get("ErrorMessage") or "no reason"
    return InvalidQuery(
        f"Athena {str(status.get('State', 'FAILED')).lower()} the query in workgroup {settings.workgroup}: "
        f"{redact_text(str(reason))}. Check that [aws.athena] database, table and schema_kind "
        f'("{settings.schema_kind}") match the data export, and that the workgroup has an output location.',
        provider=P,
    )


class Polling(TypedDict, total=False):
    """How a running query is waited for."""

    time_limit: float  # seconds (default DEFAULT_TIME_LIMIT)
    delays: Sequence[float]  # seconds between status checks, the last repeated (default POLL_DELAYS)
    progress: Callable[[str], Awaitable[None]] | None  # told the query's state at each check


async def run_query(ctx: AwsContext, query: AthenaQuery, **polling: Unpack[Polling]) -> QueryRun:
    """Run ``query`` in the configured workgroup and read all its result pages.

    Polls with back-off (no wait when the query is already done); stops the query and raises when it scans
    more than ``max_bytes_scanned`` or runs past ``time_limit`` seconds.
    """
    time_limit = polling.get("time_limit", DEFAULT_TIME_LIMIT)
    delays = polling.get("delays", POLL_DELAYS)
    progress = polling.get("progress")
    settings = ctx.settings.athena
    if settings is None:
        raise ConfigError(CONFIGURE_HINT)
    region = ctx.clients.home_region()
    athena = await ctx.run(ctx.clients.client, "athena", region)
    where = f"in Athena workgroup {settings.workgroup} ({region})"

    def call(what: str, fn: Callable[..., dict[str, Any]], **request: Any) -> dict[str, Any]:
        with aws_errors(f"{what} {where}"):
            return fn(**request)

    started = await ctx.run(
        call, "starting the cost query", athena.start_query_execution, **_start_request(query, settings)
    )
    execution_id = str(started["QueryExecutionId"])
    deadline = anyio.current_time() + time_limit
    attempt = 0
    while True:
        got = await ctx.run(call, "checking the cost query", athena.get_query_execution, QueryExecutionId=execution_id)
        execution: dict[str, Any] = got["QueryExecution"]
        state = str((execution.get("Status") or {}).get("State", ""))
        statistics: dict[str, Any] = execution.get("Statistics") or {}
        if state in TERMINAL:
            break
        scanned = over_cap(statistics, settings.max_bytes_scanned)
        if scanned is not None or anyio.current_time() >= deadline:
            await ctx.run(call, "stopping the cost query", athena.stop_query_execution, QueryExecutionId=execution_id)
            if scanned is not None:
                raise InvalidQuery(
                    f"Stopped the Athena query after it scanned {_gb(scanned)}, more than max_bytes_scanned "
                    f"({_gb(settings.max_bytes_scanned)}) in [aws.athena]; Athena bills by bytes scanned. Narrow "
                    "the period or add filters, or raise max_bytes_scanned.",
                    provider=P,
                )
            raise Unavailable(
                f"The Athena query ({execution_id}) did not finish within {time_limit:.0f} s and was stopped. Narrow "
                "the period or add filters, or try again when the workgroup is less busy.",
                provider=P,
            )
        if progress is not None:
            await progress(f"Athena query {state.lower()}, {_gb(int(statistics.get('DataScannedInBytes') or 0))}")
        await anyio.sleep(delays[min(attempt, len(delays) - 1)])
        attempt += 1
    if state != "SUCCEEDED":
        raise _failure(execution, settings)

    scanned_bytes = int(statistics.get("DataScannedInBytes") or 0)
    run = QueryRun(execution_id, [], scanned_bytes)
    if over_cap(statistics, settings.max_bytes_scanned) is not None:
        # Finished between two checks: the scan is paid for, so the answer is still worth giving.
        run.notes.append(
            f"This query scanned {_gb(scanned_bytes)}, more than max_bytes_scanned "
            f"({_gb(settings.max_bytes_scanned)}). A workgroup data usage limit stops such queries inside Athena."
        )
    token: str | None = None
    while True:
        request: dict[str, Any] = {"QueryExecutionId": execution_id, "MaxResults": 1000}
        if token:
            request["NextToken"] = token
        page = await ctx.run(call, "reading the cost query's results", athena.get_query_results, **request)
        for row in page["ResultSet"]["Rows"]:
            run.rows.append([cell.get("VarCharValue") for cell in row.get("Data", [])])
        token = page.get("NextToken")
        if not token:
            return run


# -- answering -----------------------------------------------------------------------------------


class CurRow(BaseModel):
    group: dict[str, str | None] = Field(description="Dimension (or 'tag:<key>') -> value; null = not set.")
    cost: Amount
    currency: str


class CurAnswer(BaseModel):
    """Costs from the data export, aggregated in Athena: top groups, '(other)' per currency, totals."""

    start: date
    end: date = Field(description="Exclusive end date.")
    metric: CostMetric
    metric_meaning: str
    group_by: list[str]
    rows: list[CurRow]
    other: list[CurRow] = Field(description="Per currency, the sum of groups beyond top_n.")
    totals: list[Money] = Field(description="Per currency: rows + other. Currencies are never added together.")
    groups: int = Field(description="How many groups the data has (rows shows the top_n).")
    truncated: bool
    bytes_scanned: int = Field(description="Bytes Athena scanned (it bills by them).")
    query_execution_id: str
    sql: str = Field(description="The SQL Athena ran; values are bound to its ? parameters.")
    source: str
    note: str

    def cost_lines(self) -> tuple[list[str], bool, list[Line], list[Line]]:
        def line(row: CurRow) -> Line:
            return Line(None, tuple(row.group.values()), row.currency, row.cost)

        return self.group_by, False, [line(r) for r in self.rows], [line(r) for r in self.other]


def _amount(text: str | None) -> Decimal:
    try:
        value = Decimal(text or "0")
    except InvalidOperation as exc:
        raise InvalidQuery(f"Athena returned {text!r} where an amount was expected.", provider=P) from exc
    if not value.is_finite():
        raise InvalidQuery(f"Athena returned {text!r} where an amount was expected.", provider=P)
    return value


def answer_of(question: CurQuestion, query: AthenaQuery, run: QueryRun, settings: AthenaSettings) -> CurAnswer:
    """The answer from a finished run's rows (the first row is the header: columns are read by name)."""
    schema = schema_of(settings)
    if not run.rows:
        raise InvalidQuery("Athena returned no header row for the cost query.", provider=P)
    header = [h or "" for h in run.rows[0]]
    col = {name.lower(): i for i, name in enumerate(header)}
    missing = {"currency", "cost"} - col.keys()
    if missing:
        raise InvalidQuery(f"Athena's result lacks the columns {sorted(missing)} (it has {header}).", provider=P)
    group_cols = [col.get(f"g{i + 1}") for i in range(len(query.labels))]
    rows: list[CurRow] = []
    other: list[CurRow] = []
    totals: dict[str, Decimal] = {}
    groups = 0
    for values in run.rows[1:]:

        def get(i: int | None, values: list[str | None] = values) -> str | None:
            return values[i] if i is not None and i < len(values) else None

        currency = get(col["currency"]) or "(none)"
        amount = _amount(get(col["cost"]))
        totals[currency] = totals.get(currency, Decimal(0)) + amount
        if "group_count" in col:
            groups = max(groups, int(get(col["group_count"]) or 0))
        is_other = bool(query.labels) and get(col.get("group_rank")) is None
        group = dict(zip(query.labels, (get(i) for i in group_cols), strict=True))
        if is_other:
            other.append(
                CurRow(group=dict.fromkeys(query.labels, "(other)"), cost=normalize_amount(amount), currency=currency)
            )
        else:
            rows.append(CurRow(group=group, cost=normalize_amount(amount), currency=currency))
    if not query.labels:
        groups = 1 if rows else 0
    notes = [FRESHNESS_NOTE.format(kind="CUR 2.0" if schema.kind == "cur2" else "FOCUS"), *run.notes]
    if not rows and not other:
        notes.insert(
            0,
            "No cost lines matched. Check the period (the export starts when it was created), the filters' "
            "spelling (service is "
            + (
                "the product code, e.g. AmazonEC2"
                if schema.kind == "cur2"
                else "the ServiceName, e.g. Amazon Elastic Compute Cloud"
            )
            + "), and that the table is the live export.",
        )
    return CurAnswer(
        start=question.start,
        end=question.end,
        metric=question.metric,
        metric_meaning=schema.meanings[question.metric],
        group_by=query.labels,
        rows=rows,
        other=other,
        totals=[Money(amount=normalize_amount(a), currency=c) for c, a in sorted(totals.items())],
        groups=groups,
        truncated=bool(other),
        bytes_scanned=run.bytes_scanned,
        query_execution_id=run.execution_id,
        sql=query.sql,
        source=f"AWS {'CUR 2.0' if schema.kind == 'cur2' else 'FOCUS'} export via Athena: "
        f"{settings.database}.{settings.table}",
        note=" ".join(notes),
    )


async def cur_query(ctx: AwsContext, question: CurQuestion, **polling: Unpack[Polling]) -> CurAnswer:
    """Answer ``question`` from the configured export table in Athena, waiting for it as ``polling`` says."""
    settings = ctx.settings.athena
    if settings is None:
        raise ConfigError(CONFIGURE_HINT)
    query = build_query(question, settings)
    run = await run_query(ctx, query, **polling)
    return answer_of(question, query, run, settings)
