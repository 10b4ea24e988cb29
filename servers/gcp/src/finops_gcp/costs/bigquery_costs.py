"""``BillingExport``: Google Cloud costs from the Cloud Billing export in BigQuery, as the core ``CostSource`` and
as Google-native questions (gross, credits, net).

Core metrics over the standard and detailed exports (see ``export_sql`` for the columns):

* ``billed`` = net = ``cost + SUM(credits.amount)``: what the invoice charges;
* ``effective`` = net as well: the export does not amortize committed-use fees (they are ordinary rows on the
  days they are charged), so effective equals billed here, and the answer's source says so;
* ``contracted`` = ``cost``, the gross: negotiated prices before credits (committed-use, sustained-use, promotions);
* ``list`` = ``cost_at_list`` (exports without that column cannot answer it).

The answer's ``note`` always gives gross and credits beside the net. Over a FOCUS export the four FOCUS metric
columns are used as they are.

Every question is one BigQuery job (``paid_calls``: on-demand BigQuery bills bytes scanned), preceded by a free
dry run that refuses a scan above ``maximum_bytes_billed`` before anything is spent; the job itself carries the
same cap. Answers are cached (``cache_hours``) by SQL text and parameters.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from finops_core.breakdown import Cell, assemble, period_start, top_groups
from finops_core.daily_charges import day_periods
from finops_core.dates import check_period
from finops_core.errors import ConfigError, InvalidInput, InvalidQuery
from finops_core.focus import CostLineItem
from finops_core.models import CostBreakdown, CostQuery
from finops_core.money import normalize_amount

from finops_gcp.costs.answers import GcpCostRow, GcpCosts, GcpCostTotal
from finops_gcp.costs.export_sql import (
    CREDIT_TYPES,
    FOCUS_METRICS,
    OTHER_CREDITS,
    ExportKind,
    ExportQuery,
    columns,
    table_project,
)
from finops_gcp.errors import P, gcp_errors
from finops_gcp.retries import retried_in_thread

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

PROVIDER = "Google Cloud"
PAGE_SIZE = 1000
NativeGranularity = Literal["daily", "monthly", "total"]
CHARGE_CATEGORY = {"regular": "Usage", "tax": "Tax", "adjustment": "Adjustment", "rounding_error": "Adjustment"}
# Core dimension -> grouping key of the export (provider is a constant; the categories are derived).
_CORE_KEY: dict[str, str] = {
    "billing_account": "billing_account",
    "sub_account": "project",
    "service": "service",
    "service_category": "service",
    "region": "location",
    "sku": "sku",
    "resource": "resource",
}
_SQL_FILTERED = ("billing_account", "sub_account", "service", "region", "sku", "resource")
_SERVICE_CATEGORY = {
    "Compute Engine": "Compute",
    "Kubernetes Engine": "Compute",
    "Cloud Run": "Compute",
    "Cloud Functions": "Compute",
    "App Engine": "Compute",
    "Cloud Storage": "Storage",
    "Filestore": "Storage",
    "BigQuery": "Analytics",
    "Dataflow": "Analytics",
    "Dataproc": "Analytics",
    "Pub/Sub": "Integration",
    "Cloud SQL": "Databases",
    "Cloud Spanner": "Databases",
    "Cloud Memorystore for Redis": "Databases",
    "Firestore": "Databases",
    "Networking": "Networking",
    "Cloud DNS": "Networking",
    "Cloud CDN": "Networking",
    "Cloud Logging": "Management and Governance",
    "Stackdriver Logging": "Management and Governance",
    "Cloud Monitoring": "Management and Governance",
    "Stackdriver Monitoring": "Management and Governance",
    "Security Command Center": "Security",
    "Secret Manager": "Security",
    "Cloud Key Management Service (KMS)": "Security",
    "Vertex AI": "AI and Machine Learning",
}
NATIVE_GROUPS = ("service", "sku", "project", "location", "credit_type", "label:<key>")


def service_category(service: str | None) -> str:
    """The FOCUS ServiceCategory of a Google Cloud service description ("Other" when unknown)."""
    return _SERVICE_CATEGORY.get(service or "", "Other")


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class QueryResult:
    """A finished export query: its rows (plain JSON), bytes scanned and billed, jobs run, cached or not."""

    rows: list[dict[str, Any]]
    bytes_processed: int | None
    bytes_billed: int | None
    paid_calls: int
    cached: bool
    table: str
    kind: ExportKind
    cached_at: datetime | None = None  # when a cached answer was fetched

    def spent(self) -> dict[str, Any]:
        """What answering cost, as an answer model's fields: jobs run (``paid_calls``), ``cached``, ``cached_at``."""
        return {"paid_calls": self.paid_calls, "cached": self.cached, "cached_at": self.cached_at}

    def describe(self) -> str:
        jobs = "from the cache (no job run)" if self.cached else f"{self.paid_calls} job"
        return f"BigQuery processed {_bytes(self.bytes_processed)} and billed {_bytes(self.bytes_billed)} ({jobs})"


def _bytes(value: int | None) -> str:
    if value is None:
        return "an unknown number of bytes"
    size = float(value)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{value:,} bytes" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{value} bytes"


class BillingExport:
    """Costs from the configured BigQuery billing export table(s)."""

    def __init__(self, ctx: GcpContext, *, page_size: int = PAGE_SIZE) -> None:
        self.ctx = ctx
        self.page_size = page_size  # rows per getQueryResults page

    # -- plumbing --------------------------------------------------------------------------------

    def table_for(self, *, resource: bool = False) -> tuple[str, ExportKind]:
        """The export to ask: the detailed one when resources are needed; FOCUS only when it is the one set."""
        s = self.ctx.settings
        if resource:
            if s.detailed_export_table:
                return s.detailed_export_table, "detailed"
            if s.focus_export_table:
                return s.focus_export_table, "focus"
            raise InvalidQuery(
                "Costs per resource need the detailed billing export (gcp_billing_export_resource_v1_*): turn it on "
                "in Billing > Billing export and set detailed_export_table in [gcp].",
                provider=P,
            )
        for table, kind in (
            (s.standard_export_table, "standard"),
            (s.detailed_export_table, "detailed"),
            (s.focus_export_table, "focus"),
        ):
            if table:
                return table, kind  # pyright: ignore[reportReturnType]
        raise ConfigError(
            "No BigQuery billing export is configured: set standard_export_table (project.dataset."
            "gcp_billing_export_v1_<ACCOUNT>) in [gcp] of finops.toml, or FINOPS_GCP__STANDARD_EXPORT_TABLE. Turn "
            "the export on in the console under Billing > Billing export if it is off."
        )

    async def run(self, query: ExportQuery) -> QueryResult:
        """``query`` as one BigQuery job (after a free dry run), from the cache when asked before."""
        sql, params = query.sql_and_parameters()
        settings = self.ctx.settings
        project = settings.query_project or table_project(query.table)
        cap = settings.maximum_bytes_billed
        request = {
            "sql": sql,
            "parameters": [[n, t, _plain(v) if not isinstance(v, list) else v] for n, t, v in params],
            "project": project,
        }

        def fetch() -> tuple[Any, int]:
            from google.api_core import exceptions as gx
            from google.cloud import bigquery

            def parameter(name: str, kind: str, value: Any) -> Any:
                if kind.startswith("ARRAY<"):
                    return bigquery.ArrayQueryParameter(name, kind[6:-1], value)
                return bigquery.ScalarQueryParameter(name, kind, value)

            qparams = [parameter(n, t, v) for n, t, v in params]
            client = self.ctx.clients.bigquery(project)
            estimating = f"estimating the scan of {query.table} (a free dry run, project {project})"
            what = f"querying the billing export {query.table} in BigQuery (jobs run in project {project})"
            # Our id for the job, the same on every attempt: a retry after a lost answer finds the job the first
            # attempt started instead of starting (and billing) another. The library's retries are off: ours count.
            job_id = f"finops_{uuid.uuid4().hex}"

            def dry_run(seconds: float) -> Any:
                config = bigquery.QueryJobConfig(dry_run=True, use_query_cache=False, query_parameters=qparams)
                with gcp_errors(estimating):
                    return client.query(
                        sql,
                        job_config=config,
                        retry=None,  # pyright: ignore[reportArgumentType]
                        job_retry=None,
                        timeout=seconds,
                    )

            def start(seconds: float) -> Any:
                config = bigquery.QueryJobConfig(maximum_bytes_billed=cap, query_parameters=qparams)
                with gcp_errors(what):
                    try:
                        # retry=None switches the library's retries off (typed as Retry, None is what it checks).
                        return client.query(
                            sql,
                            job_config=config,
                            job_id=job_id,
                            retry=None,  # pyright: ignore[reportArgumentType]
                            job_retry=None,
                            timeout=seconds,
                        )
                    except gx.Conflict:  # an earlier attempt started it
                        return client.get_job(job_id, retry=None, timeout=seconds)  # pyright: ignore[reportArgumentType]

            def results(job: Any, seconds: float) -> list[dict[str, Any]]:
                with gcp_errors(what):
                    try:
                        found = job.result(page_size=self.page_size, retry=None, job_retry=None, timeout=seconds)
                        return [{k: _plain(v) for k, v in row.items()} for row in found]
                    except gx.GoogleAPICallError as exc:
                        reasons = {str(e.get("reason")) for e in (exc.errors or []) if isinstance(e, dict)}
                        if "bytesBilledLimitExceeded" in reasons:
                            raise InvalidQuery(
                                f"BigQuery refused to bill more than maximum_bytes_billed ({_bytes(cap)}) for "
                                f"{query.table} ({str(exc.message)[:200]}); on-demand queries bill at least 10 MB. "
                                "Raise maximum_bytes_billed in [gcp] or ask for a shorter period.",
                                provider=P,
                            ) from exc
                        raise

            try:
                dry = retried_in_thread(self.ctx, estimating, dry_run)
                estimate = dry.total_bytes_processed
                if estimate is not None and estimate > cap:
                    raise InvalidQuery(
                        f"This question would scan {_bytes(estimate)} of {query.table}, above maximum_bytes_billed "
                        f"({_bytes(cap)}); nothing was run or billed. Ask for a shorter period, or raise "
                        "maximum_bytes_billed in [gcp] if that scan is worth it.",
                        provider=P,
                    )
                job = retried_in_thread(self.ctx, what, start)
                rows = retried_in_thread(self.ctx, what, functools.partial(results, job))
            except InvalidQuery as exc:
                if "cost_at_list" in str(exc):
                    raise InvalidQuery(
                        f"{query.table} has no cost_at_list column (older exports), so it has no list cost; ask "
                        "for billed, effective or contracted cost.",
                        provider=P,
                    ) from exc
                raise
            body = {
                "rows": rows,
                "bytes_processed": job.total_bytes_processed,
                "bytes_billed": job.total_bytes_billed,
            }
            return body, 1

        answer = await self.ctx.run(self.ctx.paid.call, "bigquery.query", request, fetch)
        return QueryResult(
            rows=answer.body["rows"],
            bytes_processed=answer.body.get("bytes_processed"),
            bytes_billed=answer.body.get("bytes_billed"),
            paid_calls=answer.paid_calls,
            cached=answer.cached_at is not None,
            table=query.table,
            kind=query.kind,
            cached_at=answer.cached_at,
        )

    # -- the core CostSource ---------------------------------------------------------------------

    async def query_costs(self, query: CostQuery) -> CostBreakdown:
        """``query`` answered by one aggregate over the export, re-aggregated by core."""
        wanted = {*query.group_by, *query.filters}
        table, kind = self.table_for(resource="resource" in wanted)
        provider_filter = query.filters.get("provider")
        if provider_filter is not None and PROVIDER not in provider_filter:
            note = f"No Google Cloud costs match provider in {list(provider_filter)}: this server's is {PROVIDER}."
            return assemble(query, [], source=f"BigQuery billing export {table}", is_demo=False, empty_note=note)
        keys: list[str] = []
        for dim in (*query.group_by, *query.filters):
            key = _CORE_KEY.get(dim)
            if dim == "charge_category":
                key = "charge_category" if kind == "focus" else "cost_type"
            if key is not None and key not in keys:
                keys.append(key)
        sql_filters = {_CORE_KEY[d]: list(v) for d, v in query.filters.items() if d in _SQL_FILTERED}
        export_query = ExportQuery(
            table=table,
            kind=kind,
            start=query.start,
            end=query.end,
            keys=keys,
            labels=[query.tag_key] if query.tag_key is not None else [],
            filters=sql_filters,
            daily=query.granularity != "total",
            with_list=query.metric == "list",
        )
        result = await self.run(export_query)
        python_filters = {d: set(v) for d, v in query.filters.items() if d not in _SQL_FILTERED and d != "provider"}
        cells: list[Cell] = []
        gross: dict[str, Decimal] = defaultdict(Decimal)
        credits: dict[str, Decimal] = defaultdict(Decimal)
        for row in result.rows:
            currency = str(row["currency"])
            period = period_start(date.fromisoformat(row["day"]), query.granularity) if "day" in row else None
            values: dict[str, str | None] = {"provider": PROVIDER}
            for i, key in enumerate(keys):
                values[key] = row[f"k{i}"]
            dims: dict[str, str | None] = {"provider": PROVIDER}
            for dim in wanted:
                if dim in _CORE_KEY:
                    dims[dim] = values.get(_CORE_KEY[dim])
            if "service_category" in wanted:
                dims["service_category"] = service_category(values.get("service"))
            label = (row.get("label_0"),) if query.tag_key is not None else ()
            for category, amount, part in self._parts(row, query, kind, values):
                if category is not None:
                    dims["charge_category"] = category
                if any(dims.get(d) not in allowed for d, allowed in python_filters.items()):
                    continue
                if part == "gross":
                    gross[currency] += amount
                elif part == "credits":
                    credits[currency] += amount
                group = (*(dims.get(d) for d in query.group_by), *label)
                cells.append(Cell(period, group, currency, amount))
        empty_note = (
            f"The billing export {table} has no costs from {query.start} to {query.end} (end exclusive) for this "
            "question. The export holds data from the day it was turned on, and a day's rows keep arriving for a "
            "few days; check the dates, filters and that the table is the export of this billing account."
        )
        source = f"BigQuery {kind} billing export {table}: {self._metric_text(query, kind)}. {result.describe()}"
        breakdown = assemble(query, cells, source=source, is_demo=False, empty_note=empty_note)
        update = result.spent()
        if cells and kind != "focus":
            update["note"] = (
                "; ".join(
                    f"gross {normalize_amount(gross[c])} {c}, credits {normalize_amount(credits[c])} {c}, net "
                    f"{normalize_amount(gross[c] + credits[c])} {c}"
                    for c in sorted(set(gross) | set(credits))
                )
                + " (net = gross cost + credits; credits are negative and can hide how much is used)."
            )
        return breakdown.model_copy(update=update)

    @staticmethod
    def _metric_text(query: CostQuery, kind: ExportKind) -> str:
        if kind == "focus":
            return f"{FOCUS_METRICS[query.metric]} (FOCUS)"
        return {
            "billed": "billed = net = cost + credits",
            "effective": "effective = net = cost + credits (the export does not amortize committed-use fees, so "
            "effective equals billed)",
            "contracted": "contracted = cost, the gross before credits",
            "list": "list = cost_at_list",
        }[query.metric]

    @staticmethod
    def _parts(
        row: Mapping[str, Any], query: CostQuery, kind: ExportKind, values: Mapping[str, str | None]
    ) -> list[tuple[str | None, Decimal, str]]:
        """(charge category or None, amount, 'gross'|'credits'|'other') of one result row for the query's metric."""
        if kind == "focus":
            return [(values.get("charge_category"), _dec(row[query.metric]), "other")]
        category = CHARGE_CATEGORY.get(str(values.get("cost_type")), "Adjustment") if "cost_type" in values else None
        gross = _dec(row["gross"])
        if query.metric == "list":
            return [(category, _dec(row.get("list")), "other")]
        if query.metric == "contracted":
            return [(category, gross, "gross")]
        credits = _dec(row["credits"])
        if category is None:
            return [(None, gross, "gross"), (None, credits, "credits")]
        return [(category, gross, "gross"), ("Credit", credits, "credits")]

    async def daily_costs(self, start: date, end: date) -> list[CostLineItem]:
        """Daily FOCUS rows per billing account, project, service and region: billed and effective are the net,
        contracted the gross, list ``cost_at_list`` (the gross when the export lacks it, said in ``x_extras``)."""
        if end <= start:
            raise InvalidInput(f"end ({end}) must be after start ({start}); the end date is exclusive.")
        check_period(start, end)
        table, kind = self.table_for()
        keys = ["billing_account", "project", "service", "location"]
        export_query = ExportQuery(table=table, kind=kind, start=start, end=end, keys=keys)
        try:
            result = await self.run(export_query)
            has_list = True
        except InvalidQuery as exc:
            if "cost_at_list" not in str(exc):
                raise
            export_query.with_list = False
            result = await self.run(export_query)
            has_list = False
        items: list[CostLineItem] = []
        for row in result.rows:
            day = date.fromisoformat(row["day"])
            account, project, service, region = (row[f"k{i}"] for i in range(4))
            if kind == "focus":
                billed, effective = _dec(row["billed"]), _dec(row["effective"])
                contracted, listed = _dec(row["contracted"]), _dec(row["list"])
                extras: dict[str, Any] = {"x_source": f"BigQuery FOCUS export {table}"}
            else:
                gross, credits = _dec(row["gross"]), _dec(row["credits"])
                billed = effective = gross + credits
                contracted = gross
                listed = _dec(row.get("list")) if has_list and row.get("list") is not None else gross
                extras = {
                    "x_source": f"BigQuery {kind} billing export {table}",
                    "x_gross_cost": str(normalize_amount(gross)),
                    "x_credits": str(normalize_amount(credits)),
                }
                if not has_list or row.get("list") is None:
                    extras["x_list_cost"] = "no cost_at_list in the export: the gross cost"
            items.append(
                CostLineItem(
                    billed_cost=billed,
                    effective_cost=effective,
                    contracted_cost=contracted,
                    list_cost=listed,
                    billing_currency=str(row["currency"]),
                    billing_account_id=str(account or ""),
                    **day_periods(day),
                    charge_category="Usage",
                    provider_name=PROVIDER,
                    service_name=str(service or "(unknown)"),
                    service_category=service_category(service),
                    region_id=region,
                    sub_account_id=project,
                    x_extras=extras,
                )
            )
        return items

    # -- Google-native questions -----------------------------------------------------------------

    async def costs_by(
        self,
        start: date,
        end: date,
        *,
        group_by: Sequence[str] = (),
        granularity: NativeGranularity = "monthly",
        filters: Mapping[str, Sequence[str]] | None = None,
        top_n: int = 10,
    ) -> GcpCosts:
        """Gross, credits (by type) and net by up to two of service, sku, project, location, credit_type and
        ``label:<key>``; ``filters`` maps service, sku, project or location to the values to keep. Grouped by
        credit_type, each credit type is a row of its credits and the gross sits in the row whose type is null,
        so nothing is counted twice."""
        check_period(start, end)
        if len(group_by) > 2:
            raise InvalidQuery(f"Group by at most two things at once, not {len(group_by)}.", provider=P)
        table, kind = self.table_for()
        if kind == "focus":
            raise InvalidQuery(
                "Gross and credits need the standard or detailed export (the FOCUS view has no credits column); "
                "set standard_export_table in [gcp], or ask gcp_cost_query for FOCUS metrics.",
                provider=P,
            )
        keys: list[str] = []
        labels: list[str] = []
        label_names: list[str] = []
        for name in group_by:
            if name.lower().startswith("label:") and name[6:]:
                labels.append(name[6:])
                label_names.append(name)
            elif name in ("service", "sku", "project", "location"):
                keys.append(name)
            elif name != "credit_type":
                raise InvalidQuery(f"Cannot group by {name!r}: use {', '.join(NATIVE_GROUPS)}.", provider=P)
        sql_filters: dict[str, list[str]] = {}
        for name, values in (filters or {}).items():
            if name not in ("service", "sku", "project", "location"):
                raise InvalidQuery(f"Cannot filter by {name!r}: use service, sku, project or location.", provider=P)
            if values:
                sql_filters[name] = list(values)
        export_query = ExportQuery(
            table=table,
            kind=kind,
            start=start,
            end=end,
            keys=keys,
            labels=labels,
            filters=sql_filters,
            daily=granularity != "total",
            with_list=False,
        )
        result = await self.run(export_query)
        # (period, group, currency) -> [gross, credits, {type: amount}]
        sums: dict[tuple[date | None, tuple[str | None, ...], str], _Sums] = defaultdict(_Sums)
        by_type = "credit_type" in group_by
        for row in result.rows:
            day = date.fromisoformat(row["day"]) if "day" in row else None
            period = None if day is None else (day if granularity == "daily" else max(day.replace(day=1), start))
            currency = str(row["currency"])
            values = {k: row[f"k{i}"] for i, k in enumerate(keys)}
            values.update({n: row[f"label_{i}"] for i, n in enumerate(label_names)})
            types = _credits_by_type(row)
            if not by_type:
                group = tuple(values[g] for g in group_by)
                sums[(period, group, currency)].add(_dec(row["gross"]), types)
                continue
            group = tuple(None if g == "credit_type" else values[g] for g in group_by)
            sums[(period, group, currency)].add(_dec(row["gross"]), {})
            for credit_type, amount in types.items():
                typed = tuple(credit_type if g == "credit_type" else values[g] for g in group_by)
                sums[(period, typed, currency)].add(Decimal(0), {credit_type: amount})
        return _native_answer(start, end, table, granularity, list(group_by), sums, top_n, result)

    async def spend(self, start: date, end: date, keys: Sequence[str]) -> tuple[list[dict[str, Any]], QueryResult]:
        """Rows of gross, credits and credits by type grouped by ``keys`` over ``[start, end)`` (for budgets)."""
        table, kind = self.table_for()
        if kind == "focus":
            raise InvalidQuery("Budget spend needs the standard or detailed export.", provider=P)
        unknown = [k for k in keys if k not in columns(kind)]
        if unknown:
            raise InvalidQuery(f"Cannot group by {unknown[0]}.", provider=P)
        result = await self.run(
            ExportQuery(table=table, kind=kind, start=start, end=end, keys=list(keys), daily=False, with_list=False)
        )
        return result.rows, result


def _credits_by_type(row: Mapping[str, Any]) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    known = Decimal(0)
    for t in CREDIT_TYPES:
        amount = _dec(row.get(f"credits_{t.lower()}"))
        known += amount
        if amount:
            found[t] = amount
    rest = _dec(row.get("credits")) - known
    if rest:
        found[OTHER_CREDITS] = rest
    return found


class _Sums:
    def __init__(self) -> None:
        self.gross = Decimal(0)
        self.types: dict[str, Decimal] = defaultdict(Decimal)

    def add(self, gross: Decimal, types: Mapping[str, Decimal]) -> None:
        self.gross += gross
        for t, amount in types.items():
            self.types[t] += amount

    def merge(self, other: _Sums) -> _Sums:
        """``other`` added to these sums, which are returned (``top_groups``' running total)."""
        self.add(other.gross, other.types)
        return self

    @property
    def weight(self) -> Decimal:
        """How much a group ranks by: gross and credits both count, so a fully credited group is not last."""
        return abs(self.gross) + abs(self.credits)

    @property
    def credits(self) -> Decimal:
        return sum(self.types.values(), Decimal(0))


def _row(period: date | None, group: dict[str, str | None], currency: str, sums: _Sums) -> GcpCostRow:
    return GcpCostRow(
        period=period,
        group=group,
        gross=normalize_amount(sums.gross),
        credits=normalize_amount(sums.credits),
        net=normalize_amount(sums.gross + sums.credits),
        credits_by_type={t: normalize_amount(a) for t, a in sorted(sums.types.items()) if a},
        currency=currency,
    )


def _total(currency: str, sums: _Sums) -> GcpCostTotal:
    return GcpCostTotal(
        currency=currency,
        gross=normalize_amount(sums.gross),
        credits=normalize_amount(sums.credits),
        net=normalize_amount(sums.gross + sums.credits),
        credits_by_type={t: normalize_amount(a) for t, a in sorted(sums.types.items()) if a},
    )


def _native_answer(
    start: date,
    end: date,
    table: str,
    granularity: str,
    labels: list[str],
    sums: Mapping[tuple[date | None, tuple[str | None, ...], str], _Sums],
    top_n: int,
    result: QueryResult,
) -> GcpCosts:
    top = top_groups(sums, top_n, weight=lambda s: s.weight, zero=_Sums, add=_Sums.merge)
    note = None
    if not sums:
        note = f"The billing export {table} has no costs from {start} to {end} (end exclusive) for this question."
    return GcpCosts(
        start=start,
        end=end,
        table=table,
        granularity=granularity,
        **top.fields(labels, _row, _total),
        bytes_processed=result.bytes_processed,
        bytes_billed=result.bytes_billed,
        **result.spent(),
        note=note,
    )
