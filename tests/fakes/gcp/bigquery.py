"""A BigQuery REST fake that really runs the SQL it is sent, on DuckDB, over a Cloud Billing export.

Routes (the paths ``google-cloud-bigquery`` 3.x calls, under ``/bigquery/v2``):

* ``POST /projects/{p}/jobs`` (jobs.insert: what ``client.query()`` sends; ``dryRun`` answers the bytes it would
  scan without running; a real job comes back RUNNING, as BigQuery's usually do),
* ``POST /projects/{p}/queries`` (jobs.query, for ``client.query_and_wait()``),
* ``GET /projects/{p}/jobs/{id}`` (jobs.get: DONE, with statistics, or the job's ``errorResult``),
* ``GET /projects/{p}/queries/{id}`` (jobs.getQueryResults: schema and rows ``{"f": [{"v": ...}]}``, paged by
  ``maxResults`` / ``pageToken``; NUMERIC as strings, DATE as ``YYYY-MM-DD``, TIMESTAMP as float seconds, or
  int64 microseconds when ``formatOptions.useInt64Timestamp`` is set).

The SQL is read as BigQuery reads it (sqlglot, ``read="bigquery"``: a syntax error is BigQuery's 400) and
transpiled to DuckDB by sqlglot (``IN UNNEST(@p)``, ``@name`` parameters, ``IFNULL``, ``DATE(ts)``, scalar
subqueries over ``UNNEST(credits)`` / ``UNNEST(labels)``, BigQuery's NULLS FIRST ordering ...). On top of the
transpiler, only what is about this BigQuery and not the dialect:

* a table id -> the DuckDB table registered for it (unknown ids: 404 ``notFound``);
* ``NUMERIC`` -> ``DECIMAL(38, 9)`` (BigQuery's NUMERIC; DuckDB's bare DECIMAL keeps only 3 decimals);
* parameter values typed from ``queryParameters`` (TIMESTAMP, DATE, STRING, INT64, NUMERIC, ARRAY<...>);
* the connection runs in UTC, as BigQuery's ``DATE(timestamp)`` does; ``_PARTITIONTIME`` is a column here.

Bytes processed are rows scanned x ``ROW_BYTES``, where rows scanned are those of the partitions a ``_PARTITIONTIME
>= @a AND _PARTITIONTIME < @b`` filter keeps (the whole table without one); bytes billed round up to a MiB with
BigQuery's 10 MiB minimum, and a job whose bytes billed pass ``maximumBytesBilled`` fails with
``bytesBilledLimitExceeded`` (jobs.query: HTTP 400).

The data: the native sample ``koku_gcp_bq_export_2020-11.csv`` (25 rows of project ``billing-example-00000``,
2020-11-08 to 11, ``credits`` / ``labels`` parsed from their Python-repr text) converted to the export's nested
schema, plus generated rows for a second project, ``finops-demo-data``, on every day of November 2020 (the core
contract needs costs in every week): Compute Engine with two labels and two credits per row, Cloud Storage with
one label, BigQuery with a free-tier credit, a tax row and an adjustment. The sample predates ``cost_at_list``:
its rows have NULL there.
"""

from __future__ import annotations

import ast
import csv
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
import sqlglot.errors
from sqlglot import exp

from tests.conftest import SHARED
from tests.fakes.gcp.google_api import GoogleError, GoogleFake, GoogleRequest, GoogleResponse

SAMPLE = SHARED / "data/native-samples/gcp/koku_gcp_bq_export_2020-11.csv"
ACCOUNT = "000000-B0BBA4-940A77"
SAMPLE_PROJECT = "billing-example-00000"
DATA_PROJECT = "finops-demo-data"
PROJECT_NUMBERS = {SAMPLE_PROJECT: "100000000001", DATA_PROJECT: "100000000002"}
ROW_BYTES = 1024
MIB = 1024 * 1024
V2 = "/bigquery/v2/projects/([^/]+)"
# Service id, service, SKU id and SKU of the generated Compute Engine rows (and of the adjustment to them).
N1_CORE = ("6F81-5844-456A", "Compute Engine", "2E27-4F75-95CD", "N1 Predefined Instance Core running in Americas")
Tree = Any  # a sqlglot expression (its base class is named differently across sqlglot versions)


@dataclass(frozen=True)
class Credit:
    name: str
    amount: Decimal
    type: str


@dataclass(frozen=True)
class ExportRow:
    """One row of the standard export (``resource`` is the detailed export's extra column)."""

    service_id: str
    service: str
    sku_id: str
    sku: str
    usage_start: datetime
    project: str
    labels: tuple[tuple[str, str], ...]
    location: str | None
    region: str | None
    export_time: datetime
    cost: Decimal
    currency: str
    credits: tuple[Credit, ...]
    cost_type: str
    cost_at_list: Decimal | None = None
    resource: str | None = None
    billing_account: str = ACCOUNT

    @property
    def day(self) -> date:
        return self.usage_start.date()


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def sample_rows(path: Path = SAMPLE) -> list[ExportRow]:
    """The native sample, amounts exactly as written in the CSV."""
    out: list[ExportRow] = []
    with path.open(newline="") as f:
        for r in csv.DictReader(f):
            credits = tuple(
                Credit(str(c["name"]), Decimal(repr(c["amount"])), str(c["type"]))
                for c in ast.literal_eval(r["credits"] or "[]")
            )
            labels = tuple((str(x["key"]), str(x["value"])) for x in ast.literal_eval(r["labels"] or "[]"))
            out.append(
                ExportRow(
                    service_id=r["service.id"],
                    service=r["service.description"],
                    sku_id=r["sku.id"],
                    sku=r["sku.description"],
                    usage_start=_parse_time(r["usage_start_time"]),
                    project=r["project.id"],
                    labels=labels,
                    location=r["location.location"] or None,
                    region=r["location.region"] or None,
                    export_time=_parse_time(r["export_time"]),
                    cost=Decimal(r["cost"]),
                    currency=r["currency"],
                    credits=credits,
                    cost_type=r["cost_type"],
                    billing_account=r["billing_account_id"],
                )
            )
    return out


def generated_rows(first: date = date(2020, 11, 1), last: date = date(2020, 11, 30)) -> list[ExportRow]:
    """Rows of ``finops-demo-data`` on every day from ``first`` to ``last`` (inclusive)."""
    out: list[ExportRow] = []
    day = first
    while day <= last:
        n = day.day
        at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        exported = at + timedelta(hours=5)
        compute = Decimal("10.123456") + Decimal(n) / 2
        compute_credits = [
            Credit("Sustained usage discount", -(compute / 5).quantize(Decimal("0.000001")), "SUSTAINED_USAGE_DISCOUNT")
        ]
        if n % 2 == 0:
            compute_credits.append(Credit("Committed use discount", Decimal("-1.5"), "COMMITTED_USAGE_DISCOUNT"))
        out.append(
            ExportRow(
                *N1_CORE,
                at,
                DATA_PROJECT,
                (("team", "web"), ("env", "prod")),
                "us-central1",
                "us-central1",
                exported,
                compute,
                "USD",
                tuple(compute_credits),
                "regular",
                cost_at_list=(compute * Decimal("1.25")).quantize(Decimal("0.000001")),
                resource=f"//compute.googleapis.com/projects/{DATA_PROJECT}/zones/us-central1-a/instances/web-1",
            )
        )
        out.append(
            ExportRow(
                "95FF-2EF5-5EA1",
                "Cloud Storage",
                "E5F0-6A5D-7BAD",
                "Standard Storage US Multi-region",
                at,
                DATA_PROJECT,
                (("team", "data"),),
                "us",
                None,
                exported,
                Decimal("2.5"),
                "USD",
                (),
                "regular",
                cost_at_list=Decimal("2.5"),
                resource=f"//storage.googleapis.com/projects/_/buckets/{DATA_PROJECT}-lake",
            )
        )
        if n % 3 != 0:
            out.append(
                ExportRow(
                    "24E6-581D-38E5",
                    "BigQuery",
                    "F17B-412E-CB64",
                    "Analysis",
                    at,
                    DATA_PROJECT,
                    (),
                    "US",
                    None,
                    exported,
                    Decimal("3.75"),
                    "USD",
                    (Credit("Free tier", Decimal("-1"), "FREE_TIER"),),
                    "regular",
                    cost_at_list=Decimal("3.75"),
                )
            )
        day += timedelta(days=1)
    tax_day = datetime(last.year, last.month, last.day, 23, tzinfo=UTC)
    out.append(
        ExportRow(
            "",
            "Invoice",
            "",
            "Tax",
            tax_day,
            DATA_PROJECT,
            (),
            None,
            None,
            tax_day + timedelta(hours=3),
            Decimal("4.2"),
            "USD",
            (),
            "tax",
            cost_at_list=Decimal("0"),
        )
    )
    adjusted = datetime(first.year, first.month, 15, 10, tzinfo=UTC)
    out.append(
        ExportRow(
            *N1_CORE,
            adjusted,
            DATA_PROJECT,
            (),
            "us-central1",
            "us-central1",
            adjusted + timedelta(days=9),
            Decimal("-0.75"),
            "USD",
            (),
            "adjustment",
            cost_at_list=Decimal("0"),
        )
    )
    return out


def export_rows() -> list[ExportRow]:
    return sample_rows() + generated_rows()


_CREATE = """CREATE TABLE {name} (
    billing_account_id VARCHAR,
    service STRUCT(id VARCHAR, description VARCHAR),
    sku STRUCT(id VARCHAR, description VARCHAR),
    usage_start_time TIMESTAMPTZ,
    usage_end_time TIMESTAMPTZ,
    project STRUCT(id VARCHAR, number VARCHAR, name VARCHAR),
    labels STRUCT(key VARCHAR, value VARCHAR)[],
    location STRUCT(location VARCHAR, country VARCHAR, region VARCHAR, zone VARCHAR),
    export_time TIMESTAMPTZ,
    cost DOUBLE,
    currency VARCHAR,
    credits STRUCT(name VARCHAR, amount DOUBLE, full_name VARCHAR, id VARCHAR, type VARCHAR)[],
    invoice STRUCT(month VARCHAR),
    cost_type VARCHAR,
    _PARTITIONTIME TIMESTAMPTZ
    {extra}
)"""


def load(
    con: duckdb.DuckDBPyConnection, name: str, rows: list[ExportRow], *, detailed: bool = False, with_list: bool = True
) -> None:
    """Create table ``name`` in the export's nested schema and fill it with ``rows``."""
    extra = ""
    if with_list:
        extra += ", cost_at_list DOUBLE"
    if detailed:
        extra += ", resource STRUCT(name VARCHAR, global_name VARCHAR)"
    con.execute(_CREATE.format(name=name, extra=extra))
    batch: list[list[Any]] = []
    for r in rows:
        values: list[Any] = [
            r.billing_account,
            {"id": r.service_id, "description": r.service},
            {"id": r.sku_id, "description": r.sku},
            r.usage_start,
            r.usage_start + timedelta(hours=1),
            {"id": r.project, "number": PROJECT_NUMBERS.get(r.project), "name": r.project},
            [{"key": k, "value": v} for k, v in r.labels],
            {"location": r.location, "country": None, "region": r.region, "zone": None},
            r.export_time,
            float(r.cost),
            r.currency,
            [
                {"name": c.name, "amount": float(c.amount), "full_name": None, "id": c.name, "type": c.type}
                for c in r.credits
            ],
            {"month": f"{r.usage_start:%Y%m}"},
            r.cost_type,
            datetime(r.export_time.year, r.export_time.month, r.export_time.day, tzinfo=UTC),
        ]
        if with_list:
            values.append(None if r.cost_at_list is None else float(r.cost_at_list))
        if detailed:
            values.append(
                None if r.resource is None else {"name": r.resource.rsplit("/", 1)[-1], "global_name": r.resource}
            )
        batch.append(values)
    if batch:
        con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(batch[0]))})", batch)


@dataclass
class _Job:
    project: str
    job_id: str
    sql: str
    config: dict[str, Any]
    schema: list[dict[str, str]] = field(default_factory=lambda: list[dict[str, str]]())
    rows: list[tuple[Any, ...]] = field(default_factory=lambda: list[tuple[Any, ...]]())
    bytes_processed: int = 0
    bytes_billed: int = 0
    error: dict[str, str] | None = None


_TYPES = {
    "DATE": "DATE",
    "VARCHAR": "STRING",
    "DOUBLE": "FLOAT",
    "BIGINT": "INTEGER",
    "INTEGER": "INTEGER",
    "BOOLEAN": "BOOLEAN",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
    "TIMESTAMP": "TIMESTAMP",
}


class BigQueryFake:
    """Install on a ``GoogleFake``: ``BigQueryFake(google, {"p.d.gcp_billing_export_v1_X": "standard"})``, the
    values naming DuckDB tables made with ``load``. ``jobs_run`` counts real (not dry-run) jobs."""

    def __init__(self, google: GoogleFake, tables: dict[str, str], con: duckdb.DuckDBPyConnection) -> None:
        self.google = google
        self.tables = tables
        self.con = con
        self.jobs: dict[str, _Job] = {}
        self.jobs_run = 0
        self.dry_runs = 0
        self.sql_seen: list[str] = []
        self.lost_inserts = 0  # this many real jobs are started, then answered 503 (the answer lost on the way)
        self._lock = threading.Lock()
        google.route("bq.jobs.insert", "POST", V2 + "/jobs", self._insert)
        google.route("bq.jobs.query", "POST", V2 + "/queries", self._query)
        google.route("bq.jobs.get", "GET", V2 + "/jobs/([^/]+)", self._get)
        google.route("bq.getQueryResults", "GET", V2 + "/queries/([^/]+)", self._results)

    # -- SQL -------------------------------------------------------------------------------------

    def _parse(self, sql: str) -> Tree:
        """The query as BigQuery reads it (GoogleSQL); a syntax error is BigQuery's 400 ``invalidQuery``."""
        try:
            tree = sqlglot.parse_one(sql, read="bigquery")
        except sqlglot.errors.ParseError as exc:
            raise _BadQuery(f"Syntax error: {str(exc).splitlines()[0]}") from exc
        for table in tree.find_all(exp.Table):
            table_id = ".".join(p for p in (table.catalog, table.db, table.name) if p)
            if table_id not in self.tables:
                raise GoogleError(404, "notFound", f"Not found: Table {table_id} was not found")
        return tree

    def _translate(self, tree: Tree) -> str:
        """``tree`` transpiled to DuckDB by sqlglot, with what BigQuery means that DuckDB does not by default: the
        export table ids name our DuckDB tables, and ``NUMERIC`` is BigQuery's DECIMAL(38, 9) (DuckDB's bare
        DECIMAL keeps 3 decimals)."""

        def rewrite(node: Tree) -> Tree:
            if isinstance(node, exp.Table):
                ours = exp.to_table(self.tables[".".join(p for p in (node.catalog, node.db, node.name) if p)])
                return ours.as_(node.alias) if node.alias else ours
            if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.DECIMAL and not node.expressions:
                return exp.DataType.build("DECIMAL(38, 9)")
            return node

        return tree.copy().transform(rewrite).sql(dialect="duckdb")

    @staticmethod
    def _value(ptype: dict[str, Any], pvalue: dict[str, Any]) -> Any:
        kind = ptype.get("type")
        if kind == "ARRAY":
            return [BigQueryFake._value(ptype["arrayType"], v) for v in pvalue.get("arrayValues", [])]
        value = pvalue.get("value")
        if value is None:
            return None
        if kind == "TIMESTAMP":
            return datetime.fromisoformat(str(value)).astimezone(UTC)
        if kind == "DATE":
            return date.fromisoformat(str(value))
        if kind in ("INT64", "INTEGER"):
            return int(value)
        if kind in ("NUMERIC", "BIGNUMERIC"):
            return Decimal(str(value))
        if kind in ("FLOAT64", "FLOAT"):
            return float(value)
        return str(value)

    def _params(self, query: dict[str, Any]) -> dict[str, Any]:
        if query.get("queryParameters") and query.get("parameterMode", "NAMED") != "NAMED":
            raise GoogleError(400, "invalid", "The fake takes named parameters only.")
        return {
            p["name"]: self._value(p["parameterType"], p["parameterValue"]) for p in query.get("queryParameters", [])
        }

    def _scanned(self, tree: Tree, params: dict[str, Any]) -> int:
        """Bytes a query scans: the rows of the partitions its ``_PARTITIONTIME >= @a AND _PARTITIONTIME < @b``
        keeps (BigQuery prunes on them), or the whole table."""
        bounds: dict[type, str] = {}
        for node in tree.find_all(exp.GTE, exp.LT):
            partition = isinstance(node.this, exp.Column) and node.this.name.upper() == "_PARTITIONTIME"
            if partition and isinstance(node.expression, exp.Parameter):
                bounds[type(node)] = node.expression.name
        rows = 0
        cursor = self.con.cursor()  # a cursor per thread: the HTTP server answers in threads
        for table in tree.find_all(exp.Table):
            name = self.tables[".".join(p for p in (table.catalog, table.db, table.name) if p)]
            if len(bounds) == 2:
                found = cursor.execute(
                    f"SELECT count(*) FROM {name} WHERE _PARTITIONTIME >= $a AND _PARTITIONTIME < $b",
                    {"a": params[bounds[exp.GTE]], "b": params[bounds[exp.LT]]},
                ).fetchone()
            else:
                found = cursor.execute(f"SELECT count(*) FROM {name}").fetchone()
            rows += int(found[0]) if found else 0
        return rows * ROW_BYTES

    def _run(self, project: str, sql: str, config: dict[str, Any], dry: bool) -> _Job:
        if config.get("useLegacySql") is not False:  # BigQuery's default is legacy SQL: clients must say so
            raise GoogleError(400, "invalid", "The fake runs GoogleSQL only (useLegacySql=false).")
        params = self._params(config)
        tree = self._parse(sql)
        translated = self._translate(tree)
        job = _Job(project, f"job_{uuid.uuid4().hex[:16]}", sql, config)
        job.bytes_processed = self._scanned(tree, params)
        with self._lock:
            self.sql_seen.append(sql)
            try:
                cursor = self.con.cursor()
                cursor.execute("SET TimeZone = 'UTC'")
                if dry:
                    cursor.execute(translated + " LIMIT 0", params)
                else:
                    cursor.execute(translated, params)
                    job.rows = list(cursor.fetchall())
                job.schema = [
                    {"name": d[0], "type": _bq_type(str(d[1])), "mode": "NULLABLE"} for d in cursor.description or []
                ]
            except duckdb.Error as exc:
                message = str(exc).splitlines()[0]
                missing = re.search(r'Referenced column "([^"]+)" not found', message)
                if missing:  # BigQuery's wording
                    message = f"Unrecognized name: {missing.group(1)} at [1:1]"
                raise _BadQuery(message) from None
        if dry:
            self.dry_runs += 1
            return job
        self.jobs_run += 1
        job.bytes_billed = max(10 * MIB, -(-job.bytes_processed // MIB) * MIB)
        cap = config.get("maximumBytesBilled")
        if cap is not None and job.bytes_billed > int(cap):
            job.error = {
                "reason": "bytesBilledLimitExceeded",
                "message": f"Query exceeded limit for bytes billed: {cap}. {job.bytes_billed} or higher required.",
            }
            job.rows = []
        self.jobs[job.job_id] = job
        return job

    # -- REST --------------------------------------------------------------------------------------

    def _resource(self, job: _Job, *, state: str = "DONE", dry: bool = False) -> dict[str, Any]:
        stats: dict[str, Any] = {
            "creationTime": "1604880000000",
            "totalBytesProcessed": str(job.bytes_processed),
            "query": {
                "totalBytesProcessed": str(job.bytes_processed),
                "statementType": "SELECT",
                "cacheHit": False,
                "schema": {"fields": job.schema},
            },
        }
        if not dry and state == "DONE":
            stats.update(startTime="1604880000100", endTime="1604880000200")
            stats["query"]["totalBytesBilled"] = str(job.bytes_billed)
        status: dict[str, Any] = {"state": state}
        if job.error and state == "DONE":
            status.update(errorResult=job.error, errors=[job.error])
        return {
            "kind": "bigquery#job",
            "id": f"{job.project}:US.{job.job_id}",
            "jobReference": {"projectId": job.project, "jobId": job.job_id, "location": "US"},
            "configuration": {"query": job.config, "dryRun": dry, "jobType": "QUERY"},
            "status": status,
            "statistics": stats,
        }

    def _insert(self, request: GoogleRequest) -> dict[str, Any] | GoogleResponse:
        project = request.path.split("/")[4]
        body = request.body or {}
        config = body.get("configuration") or {}
        query = config.get("query") or {}
        dry = bool(config.get("dryRun"))
        ref = body.get("jobReference") or {}
        if ref.get("jobId") and not dry and str(ref["jobId"]) in self.jobs:
            # BigQuery's answer to a job id it already has: the job is not run again.
            raise GoogleError(409, "duplicate", f"Already Exists: Job {project}:US.{ref['jobId']}")
        try:
            job = self._run(project, str(query.get("query", "")), query, dry)
        except _BadQuery as exc:
            return _invalid(str(exc))
        if ref.get("jobId") and not dry:
            self.jobs.pop(job.job_id, None)
            job.job_id = str(ref["jobId"])
            self.jobs[job.job_id] = job
        if dry:
            return self._resource(job, dry=True)
        if self.lost_inserts:
            self.lost_inserts -= 1
            raise GoogleError(503, "backendError", "The job was started, but this answer was lost.")
        return self._resource(job, state="DONE" if job.error else "RUNNING")

    def _query(self, request: GoogleRequest) -> dict[str, Any] | GoogleResponse:
        project = request.path.split("/")[4]
        body = request.body or {}
        try:
            job = self._run(project, str(body.get("query", "")), body, bool(body.get("dryRun")))
        except _BadQuery as exc:
            return _invalid(str(exc))
        if job.error:
            return GoogleResponse(
                400,
                {
                    "error": {
                        "code": 400,
                        "message": job.error["message"],
                        "status": "INVALID_ARGUMENT",
                        "errors": [job.error],
                    }
                },
            )
        page = self._page(job, {"maxResults": str(body.get("maxResults", ""))})
        return {**page, "kind": "bigquery#queryResponse", "totalBytesBilled": str(job.bytes_billed)}

    def _job(self, request: GoogleRequest) -> _Job:
        job = self.jobs.get(request.path.rsplit("/", 1)[-1])
        if job is None:
            raise GoogleError(404, "notFound", f"Not found: Job {request.path.rsplit('/', 1)[-1]}")
        return job

    def _get(self, request: GoogleRequest) -> dict[str, Any]:
        return self._resource(self._job(request))

    def _results(self, request: GoogleRequest) -> dict[str, Any]:
        job = self._job(request)
        if job.error:
            raise GoogleError(400, "bytesBilledLimitExceeded", job.error["message"])
        return {**self._page(job, request.query), "kind": "bigquery#getQueryResultsResponse"}

    def _page(self, job: _Job, query: dict[str, str]) -> dict[str, Any]:
        start = int(query.get("pageToken") or query.get("startIndex") or 0)
        size = int(query["maxResults"]) if query.get("maxResults") not in (None, "") else 100_000
        chunk = job.rows[start : start + size] if size > 0 else []
        int64 = query.get("formatOptions.useInt64Timestamp", "").lower() == "true"
        page: dict[str, Any] = {
            "jobReference": {"projectId": job.project, "jobId": job.job_id, "location": "US"},
            "schema": {"fields": job.schema},
            "totalRows": str(len(job.rows)),
            "jobComplete": True,
            "totalBytesProcessed": str(job.bytes_processed),
            "cacheHit": False,
        }
        if size > 0:
            page["rows"] = [{"f": [{"v": _cell(v, int64)} for v in row]} for row in chunk]
        if size > 0 and start + size < len(job.rows):
            page["pageToken"] = str(start + size)
        return page


class _BadQuery(Exception):
    pass


def _invalid(message: str) -> GoogleResponse:
    error = {"reason": "invalidQuery", "message": message, "location": "query"}
    return GoogleResponse(
        400, {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT", "errors": [error]}}
    )


def _bq_type(duck: str) -> str:
    if duck.startswith("DECIMAL"):
        return "NUMERIC"
    return _TYPES.get(duck, "STRING")


def _cell(value: Any, int64_timestamps: bool) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "") else text
    if isinstance(value, datetime):
        micros = int(value.timestamp() * 1_000_000)
        return str(micros) if int64_timestamps else f"{micros / 1_000_000:.6f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def export_database(**tables: list[ExportRow]) -> duckdb.DuckDBPyConnection:
    """A DuckDB database with one table per keyword (``standard=rows``, ``detailed=rows``, ``standard_nolist=rows``:
    see ``TABLE_IDS``); read-only afterwards, so tests can share it."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for kind, rows in tables.items():
        load(con, kind, rows, detailed=kind.startswith("detailed"), with_list=not kind.endswith("nolist"))
    return con


def billing_fake(google: GoogleFake, con: duckdb.DuckDBPyConnection, kinds: list[str]) -> BigQueryFake:
    """The BigQuery fake serving ``con``'s tables ``kinds`` under their ``TABLE_IDS``."""
    return BigQueryFake(google, {TABLE_IDS[k]: k for k in kinds}, con)


TABLE_IDS = {
    "standard": f"finops-billing.billing.gcp_billing_export_v1_{ACCOUNT.replace('-', '_')}",
    "detailed": f"finops-billing.billing.gcp_billing_export_resource_v1_{ACCOUNT.replace('-', '_')}",
    "standard_nolist": "finops-billing.old.gcp_billing_export_v1_OLD",
}
