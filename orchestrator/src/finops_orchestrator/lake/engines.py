"""The engines that run the builder's SQL where the FOCUS data lives, each through its own client.

- DuckDB over Parquet (local paths, ``s3://``, ``gs://``, ``az://``): one in-process database, a cursor per query
  (cursors share the database's Parquet metadata cache and are safe in parallel threads). Buckets are read through
  fsspec filesystems over pyarrow's own S3, GCS and Azure clients, registered with ``register_filesystem``, so
  nothing is downloaded at run time (DuckDB's httpfs extension would be) and the clouds' usual credential chains
  apply.
- Spark: a ``SparkSession`` (local, a master URL, or Spark Connect), session time zone UTC; a Parquet path is read
  as a temporary view.
- Athena (boto3), BigQuery (google-cloud-bigquery), Trino (``trino``) and Snowflake
  (``snowflake-connector-python``): each client is imported only when that engine is configured. They run the same
  builder's SQL in their dialect; without accounts here, their SQL is checked by parsing, not by running.

Every failure to reach or read the lake is a ``LakeError`` that names the engine and the path or table.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from finops_core.errors import LakeError
from finops_core.redact import redact_text
from finops_core.settings import LakeSettings

from finops_orchestrator.lake.azure_account import azure_account
from finops_orchestrator.lake.builder import Dialect, Target

VIEW = "focus_lake"
"""The name DuckDB and Spark give a Parquet path (tables are read by their own names)."""

Rows = list[tuple[Any, ...]]


class Engine(Protocol):
    """Runs builder SQL and returns rows of Python values (``Decimal`` amounts, ``date`` days, ``str``)."""

    name: str
    target: Target

    def run(self, sql: str) -> Rows: ...

    def close(self) -> None: ...


def describe(settings: LakeSettings) -> str:
    """The lake as answers name it: engine and path or table."""
    return f"lake ({settings.engine} {settings.location})"


def unreachable(settings: LakeSettings, exc: BaseException) -> LakeError:
    """The error for a lake that could not answer: what failed, and what to do."""
    reason = _shown(str(exc).strip().splitlines()[0]) if str(exc).strip() else type(exc).__name__
    where = "path" if settings.path else "table"
    return LakeError(
        f"The {describe(settings)} could not answer: {reason}. Check [lake] {where} = {settings.location!r}, the "
        f'{settings.engine} connection and its credentials; or set [lake] answer_from = "rollups" and run '
        "`finops lake sync` while the lake is reachable, to answer from daily rollups kept in the local store."
    )


_URL_QUERY = re.compile(r"(?<!\w)(\w++://[^\s'\"?]*+)\?[^\s'\"]*+")  # starts only at a word's start: linear


def _shown(reason: str) -> str:
    """A client's error, fit to show: secrets redacted, URL queries (an Azure SAS rides in them) dropped, so the
    host and the cause fit in 300 characters."""
    return _URL_QUERY.sub(r"\1", redact_text(reason[:2000]))[:300]


def _parquet_glob(path: str) -> str:
    """A folder means every Parquet file under it (partitioned by billing period or not)."""
    if any(c in path for c in "*?[") or path.endswith(".parquet"):
        return path
    return path.rstrip("/") + "/**/*.parquet"


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, settings: LakeSettings) -> None:
        import duckdb

        self._settings = settings
        self.target = Target(VIEW, "duckdb", settings.tags)
        self._db = duckdb.connect(":memory:")
        options = settings.duckdb
        self._db.execute("SET TimeZone = 'UTC'")  # days and weeks of timestamps with time zone are UTC days
        self._db.execute(f"SET memory_limit = '{_plain(options.memory_limit)}'")
        if options.threads is not None:
            self._db.execute(f"SET threads = {int(options.threads)}")
        path = settings.path or ""
        scheme = path.split("://", 1)[0] if "://" in path else ""
        self._fs: Any = None
        if scheme:
            self._fs = _bucket_filesystem(scheme, settings)
            self._db.register_filesystem(self._fs)
        self._glob = _parquet_glob(path).replace("'", "''")
        self._lock = threading.Lock()
        self._viewed = False

    def _view(self) -> None:
        """The view over the files, made on first use: a lake that is unreachable at start-up fails its queries
        with a clear error, not the server's start."""
        with self._lock:
            if not self._viewed:
                if self._fs is not None:
                    # DuckDB's glob reports an unreachable bucket as "no files found": ask the bucket first, so
                    # the error says what failed (connection refused, access denied, no such bucket).
                    root = (self._settings.path or "").split("://", 1)[1]
                    root = root.split("*", 1)[0].split("?", 1)[0].rstrip("/")
                    self._fs.info(root)
                # union_by_name: files of different FOCUS versions or providers may hold different column sets.
                self._db.execute(
                    f"CREATE OR REPLACE VIEW {VIEW} AS SELECT * FROM read_parquet('{self._glob}', "
                    "hive_partitioning = true, union_by_name = true)"
                )
                self._viewed = True

    def run(self, sql: str) -> Rows:
        import duckdb

        cursor = self._db.cursor()  # one per query: a cursor is its own connection to the shared database
        limit = self._settings.query_timeout_seconds
        timer = threading.Timer(limit, cursor.interrupt)  # bounded: a runaway scan stops instead of holding a worker
        timer.daemon = True
        timer.start()
        try:
            self._view()
            return [tuple(r) for r in cursor.execute(sql).fetchall()]
        except duckdb.InterruptException as exc:
            raise LakeError(
                f"The {describe(self._settings)} query ran past [lake] query_timeout_seconds = {limit:g} and was "
                "stopped. Ask a shorter period or fewer groups, raise the limit, or answer from the local rollups "
                '([lake] answer_from = "rollups").'
            ) from exc
        except duckdb.Error as exc:
            raise unreachable(self._settings, exc) from exc
        except OSError as exc:  # an fsspec filesystem's failure (bucket unreachable, no credentials)
            raise unreachable(self._settings, exc) from exc
        finally:
            timer.cancel()
            cursor.close()

    def close(self) -> None:
        self._db.close()


def _plain(value: str) -> str:
    """A setting spliced into a SET statement: digits, letters, dots and spaces only."""
    if not all(c.isalnum() or c in ". " for c in value):
        raise LakeError(f"[lake.duckdb] memory_limit {value!r} is not a size such as '2GB'.")
    return value


def _bucket_filesystem(scheme: str, settings: LakeSettings) -> Any:
    """An fsspec filesystem for ``scheme`` over pyarrow's own cloud client, answering to the URL's scheme."""
    import pyarrow.fs as pafs
    from fsspec.implementations.arrow import ArrowFSWrapper

    options = settings.duckdb
    arrow: Any
    if scheme in ("s3", "s3a"):
        kwargs: dict[str, Any] = {}
        if options.s3_endpoint_url:
            endpoint = options.s3_endpoint_url
            kwargs["scheme"] = "http" if endpoint.startswith("http://") else "https"
            kwargs["endpoint_override"] = endpoint.split("://", 1)[-1]
        if options.s3_region:
            kwargs["region"] = options.s3_region
        arrow = pafs.S3FileSystem(**kwargs)
    elif scheme in ("gs", "gcs"):
        # Google's client retries transient errors for 15 minutes by default: an unreachable bucket would hold the
        # call that long. No retry outlives the query it serves.
        kwargs = {"retry_time_limit": timedelta(seconds=max(1.0, settings.query_timeout_seconds))}
        if options.gcs_endpoint_url:
            endpoint = options.gcs_endpoint_url
            kwargs["scheme"] = "http" if endpoint.startswith("http://") else "https"
            kwargs["endpoint_override"] = endpoint.split("://", 1)[-1]
            kwargs["anonymous"] = True
        arrow = pafs.GcsFileSystem(**kwargs)
    elif scheme == "az":
        arrow = pafs.AzureFileSystem(**azure_account(options).arrow_options())
    elif scheme in ("abfs", "abfss"):
        # abfs[s]://CONTAINER@ACCOUNT.dfs.../PATH names the account in the host, which pyarrow's Azure client does
        # not read: it took "CONTAINER@ACCOUNT..." for the container and looked in the wrong place.
        raise LakeError(
            f"[lake] path {settings.path!r}: write an Azure path as az://CONTAINER/PATH and name the account in "
            "[lake.duckdb] azure_account_name (or azure_blob_endpoint / azure_connection_string)."
        )
    else:
        raise LakeError(f"[lake] path {settings.path!r}: DuckDB reads local paths and s3://, gs://, az:// URLs.")

    class BucketFileSystem(ArrowFSWrapper):
        # DuckDB hands this scheme's paths to the filesystem (ArrowFSWrapper's property names its arrow type).
        protocol = (scheme,)  # pyright: ignore[reportIncompatibleMethodOverride, reportAssignmentType]

        @classmethod
        def _strip_protocol(cls, path: Any) -> Any:
            text = str(path)
            return text.split("://", 1)[1] if "://" in text else text

        def find(
            self, path: Any, maxdepth: int | None = None, withdirs: bool = False, detail: bool = False, **_: Any
        ) -> Any:
            """Every object under ``path`` in one recursive listing (fsspec's default walks folder by folder: a
            request per billing period, and some stores answer folder listings poorly)."""
            root = str(self._strip_protocol(path)).rstrip("/")
            found: dict[str, Any] = {}
            for info in self.fs.get_file_info(pafs.FileSelector(root, recursive=True, allow_not_found=True)):
                depth = info.path[len(root) :].strip("/").count("/") + 1
                if (info.type == pafs.FileType.Directory and not withdirs) or (maxdepth and depth > maxdepth):
                    continue
                found[info.path] = self._make_entry(info)
            return found if detail else sorted(found)

    return BucketFileSystem(arrow)


class SparkEngine:
    name = "spark"

    def __init__(self, settings: LakeSettings, session: Any = None) -> None:
        self._settings = settings
        self._given = session
        self._session: Any = None
        self._lock = threading.Lock()
        table = VIEW if settings.path else settings.table or VIEW
        self.target = Target(table, "spark", settings.tags)

    def _spark(self) -> Any:
        with self._lock:  # one session, made on first use (seconds), shared by every query after
            if self._session is not None:
                return self._session
            session = self._given
            if session is None:
                from pyspark.sql import SparkSession

                builder: Any = SparkSession.builder.appName("finops-lake")
                options = self._settings.spark
                builder = builder.remote(options.remote) if options.remote else builder.master(options.master)
                defaults = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false"}
                if not options.remote and options.master.startswith("local"):
                    # Spark's 200 shuffle partitions cost seconds per query on one machine's small answers.
                    defaults["spark.sql.shuffle.partitions"] = "4"
                for key, value in {**defaults, **options.conf}.items():
                    builder = builder.config(key, value)
                session = builder.getOrCreate()
            session.conf.set("spark.sql.session.timeZone", "UTC")
            if self._settings.path:
                frame = session.read.option("mergeSchema", "true").parquet(self._settings.path)
                frame.createOrReplaceTempView(VIEW)
            self._session = session
            return session

    def run(self, sql: str) -> Rows:
        try:
            rows = self._spark().sql(sql).collect()
        except LakeError:
            raise
        except Exception as exc:  # Py4J and Spark's analysis errors share no base class worth naming here
            raise unreachable(self._settings, exc) from exc
        return [tuple(r) for r in rows]

    def close(self) -> None:
        if self._session is not None and self._given is None:
            self._session.stop()


class AthenaEngine:
    """Athena through boto3: start the query, wait (bounded), page through the results."""

    name = "athena"

    def __init__(self, settings: LakeSettings, client: Any = None) -> None:
        self._settings = settings
        self.target = Target(settings.table or "", "athena", settings.tags)
        if client is None:
            import boto3

            options = settings.athena
            client = boto3.client("athena", region_name=options.region, endpoint_url=options.endpoint_url)
        self._client = client

    def run(self, sql: str) -> Rows:
        options = self._settings.athena
        request: dict[str, Any] = {"QueryString": sql, "WorkGroup": options.workgroup}
        if options.output_location:
            request["ResultConfiguration"] = {"OutputLocation": options.output_location}
        try:
            query_id = self._client.start_query_execution(**request)["QueryExecutionId"]
            deadline = time.monotonic() + options.timeout_seconds
            pause = 0.2
            while True:
                status = self._client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
                if status["State"] == "SUCCEEDED":
                    break
                if status["State"] in ("FAILED", "CANCELLED"):
                    raise LakeError(
                        f"Athena query {query_id} {status['State'].lower()}: "
                        f"{status.get('StateChangeReason', 'no reason given')}. Check [lake] table and workgroup."
                    )
                if time.monotonic() > deadline:
                    self._client.stop_query_execution(QueryExecutionId=query_id)
                    raise LakeError(
                        f"Athena query {query_id} ran past [lake.athena] timeout_seconds = {options.timeout_seconds}:"
                        " stopped. Narrow the period, or raise the timeout."
                    )
                time.sleep(pause)  # Athena has no push notification; poll with a growing pause
                pause = min(pause * 2, 2.0)
            return _athena_rows(self._client, query_id)
        except LakeError:
            raise
        except Exception as exc:  # botocore's errors (no credentials, endpoint unreachable, access denied)
            raise unreachable(self._settings, exc) from exc

    def close(self) -> None:
        return None


def _athena_rows(client: Any, query_id: str) -> Rows:
    """Every result row, each value converted by its column's type (Athena returns text)."""
    rows: Rows = []
    types: list[str] = []
    first = True
    for page in client.get_paginator("get_query_results").paginate(QueryExecutionId=query_id):
        if not types:
            types = [c.get("Type", "varchar").lower() for c in page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]]
        data = page["ResultSet"]["Rows"]
        if first:  # the first row of the first page repeats the column names
            data, first = data[1:], False
        for row in data:
            cells = [cell.get("VarCharValue") for cell in row["Data"]]
            kinds = types if len(types) == len(cells) else ["varchar"] * len(cells)  # text is read exactly anyway
            rows.append(tuple(_typed(t, v) for t, v in zip(kinds, cells, strict=True)))
    return rows


def _typed(kind: str, value: str | None) -> Any:
    if value is None:
        return None
    if kind.startswith("decimal"):
        return Decimal(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind.startswith("timestamp"):
        return datetime.fromisoformat(value.replace(" UTC", "+00:00"))
    if kind in ("bigint", "integer", "smallint", "tinyint"):
        return int(value)
    return value


class BigQueryEngine:
    """BigQuery through google-cloud-bigquery (application default credentials)."""

    name = "bigquery"

    def __init__(self, settings: LakeSettings, client: Any = None) -> None:
        self._settings = settings
        self.target = Target(settings.table or "", "bigquery", settings.tags)
        if client is None:
            try:
                from google.cloud import bigquery
            except ImportError as exc:
                raise LakeError(
                    "[lake] engine = \"bigquery\" needs google-cloud-bigquery: pip install 'finops-mcp[gcp]'."
                ) from exc
            options = settings.bigquery
            client = bigquery.Client(project=options.project, location=options.location)
        self._client = client

    def run(self, sql: str) -> Rows:
        try:
            from google.cloud import bigquery

            config = bigquery.QueryJobConfig(maximum_bytes_billed=self._settings.bigquery.maximum_bytes_billed)
            return [tuple(r.values()) for r in self._client.query(sql, job_config=config).result()]
        except Exception as exc:  # google.api_core's errors: auth, not found, bytes billed exceeded
            raise unreachable(self._settings, exc) from exc

    def close(self) -> None:
        self._client.close()


class DbApiEngine:
    """Trino and Snowflake through their DB-API clients: a connection per query (their clients pool HTTP)."""

    def __init__(self, settings: LakeSettings, dialect: Dialect, connect: Callable[[], Any]) -> None:
        self._settings = settings
        self.name = dialect
        self.target = Target(settings.table or "", dialect, settings.tags)
        self._connect = connect

    def run(self, sql: str) -> Rows:
        try:
            conn = self._connect()
            try:
                cursor = conn.cursor()
                cursor.execute(sql)
                return [tuple(r) for r in cursor.fetchall()]
            finally:
                conn.close()
        except Exception as exc:  # each client has its own error classes (DB-API's Error, HTTP errors)
            raise unreachable(self._settings, exc) from exc

    def close(self) -> None:
        return None


def _trino(settings: LakeSettings) -> Callable[[], Any]:
    try:
        import trino  # pyright: ignore[reportMissingImports]
    except ImportError as exc:
        raise LakeError('[lake] engine = "trino" needs the Trino client: pip install trino.') from exc
    options = settings.trino
    if not options.host:
        raise LakeError('[lake.trino] needs host = "trino.example.com" (and user, catalog, schema).')
    auth = None
    if options.password is not None:
        auth = trino.auth.BasicAuthentication(options.user, options.password.get_secret_value())

    def connect() -> Any:
        return trino.dbapi.connect(
            host=options.host,
            port=options.port,
            user=options.user,
            catalog=options.catalog,
            schema=options.schema_name,
            http_scheme=options.http_scheme,
            auth=auth,
        )

    return connect


def _snowflake(settings: LakeSettings) -> Callable[[], Any]:
    try:
        import snowflake.connector  # pyright: ignore[reportMissingImports]
    except ImportError as exc:
        raise LakeError(
            '[lake] engine = "snowflake" needs the Snowflake client: pip install snowflake-connector-python.'
        ) from exc
    options = settings.snowflake
    if not options.account:
        raise LakeError('[lake.snowflake] needs account = "ORG-ACCOUNT" (and user, warehouse, database, schema).')

    def connect() -> Any:
        kwargs: dict[str, Any] = {
            "account": options.account,
            "user": options.user,
            "warehouse": options.warehouse,
            "database": options.database,
            "schema": options.schema_name,
            "role": options.role,
        }
        if options.password is not None:
            kwargs["password"] = options.password.get_secret_value()
        return snowflake.connector.connect(**{k: v for k, v in kwargs.items() if v is not None})

    return connect


def open_engine(settings: LakeSettings) -> Engine:
    """The engine ``settings`` names, ready to run (clients are made here; Spark's session on first use)."""
    try:
        if settings.engine == "duckdb":
            return DuckDBEngine(settings)
        if settings.engine == "spark":
            return SparkEngine(settings)
        if settings.engine == "athena":
            return AthenaEngine(settings)
        if settings.engine == "bigquery":
            return BigQueryEngine(settings)
        if settings.engine == "trino":
            return DbApiEngine(settings, "trino", _trino(settings))
        return DbApiEngine(settings, "snowflake", _snowflake(settings))
    except LakeError:
        raise
    except ImportError as exc:
        raise LakeError(
            f"[lake] engine = \"{settings.engine}\" needs its client: pip install 'finops-mcp[lake]' (DuckDB), "
            f"'finops-mcp[spark]' (Spark), 'finops-mcp[s3]' (Athena). Missing: {exc.name}."
        ) from exc
    except Exception as exc:  # the engine's client could not be made (bad path, no credentials)
        raise unreachable(settings, exc) from exc
