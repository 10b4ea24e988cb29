"""Athena on DuckDB: our SQL, read in Athena's dialect and translated by sqlglot, run over tables a test fills.

Athena runs Trino SQL; the tests have DuckDB. Rather than keep a second, hand-written DuckDB copy of each query,
the engine takes exactly what the adapter sends Athena (the query string and its ``ExecutionParameters``) and:

1. binds the parameters as Athena does: each ``?`` in the text, in order, is replaced by one parameter, which
   must be a single SQL literal in Athena's dialect (a parameter that parses as anything else is refused: it
   would be SQL injected, not a value);
2. parses the bound SQL with ``sqlglot`` in Athena's dialect (``read="athena"``) and writes it for DuckDB
   (``write="duckdb"``);
3. runs it, and returns the rows as Athena's ``GetQueryResults`` does: the header first, every value as text,
   NULL as a cell without ``VarCharValue``.

``install(fake, engine)`` serves Athena's query calls (AWS JSON 1.1) on an ``AwsJsonFake`` from the engine.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.tokenizer_core import TokenType

from tests.fakes.aws.json_service import AwsFault, AwsJsonFake

PREFIX = "AmazonAthena"
Rows = list[list[str | None]]


def bind(sql: str, parameters: Sequence[str]) -> str:
    """``sql`` with its ``?`` placeholders replaced by ``parameters`` in order, as Athena applies them."""
    tokens = sqlglot.Dialect.get_or_raise("athena").tokenize(sql)
    places = [t for t in tokens if t.token_type == TokenType.PLACEHOLDER]
    if len(places) != len(parameters):
        raise AwsFault(
            "InvalidRequestException", f"the query has {len(places)} parameters but {len(parameters)} were given"
        )
    for parameter in parameters:
        value = sqlglot.parse_one(parameter, read="athena")
        negative = isinstance(value, exp.Neg) and isinstance(value.this, exp.Literal)
        if not isinstance(value, exp.Literal) and not negative:
            raise AwsFault("InvalidRequestException", f"execution parameter {parameter!r} is not one literal")
    out = sql
    for token, parameter in reversed(list(zip(places, parameters, strict=True))):
        out = out[: token.start] + parameter + out[token.end + 1 :]
    return out


def to_duckdb(sql: str, parameters: Sequence[str] = ()) -> str:
    """The Athena query ``sql`` (with ``parameters`` bound) in DuckDB's dialect, by sqlglot's transpiler."""
    [translated] = sqlglot.transpile(bind(sql, parameters), read="athena", write="duckdb")
    return translated


def _text(value: object) -> str | None:
    """A value as Athena's results show it (VarCharValue)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="milliseconds")
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


class AthenaEngine:
    """A DuckDB database with the export tables; ``run`` answers an Athena query over them."""

    def __init__(self) -> None:
        self.db = duckdb.connect()
        self.queries: list[str] = []  # the DuckDB SQL each run executed

    def table(self, name: str, columns: Mapping[str, str], rows: Sequence[Mapping[str, Any]] = ()) -> None:
        """Create ``name`` (``schema.table``, each part quoted as in Athena) with ``columns`` (DuckDB types)."""
        schema, _, table = name.rpartition(".")
        if schema:
            self.db.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        quoted = f'"{schema}"."{table}"' if schema else f'"{table}"'
        self.db.execute(f"CREATE TABLE {quoted} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
        if rows:
            marks = ", ".join("?" * len(columns))
            self.db.executemany(f"INSERT INTO {quoted} VALUES ({marks})", [[r.get(c) for c in columns] for r in rows])

    def run(self, sql: str, parameters: Sequence[str] = ()) -> Rows:
        """Header row, then each row's values as text."""
        translated = to_duckdb(sql, parameters)
        self.queries.append(translated)
        cursor = self.db.execute(translated)
        header: list[str | None] = [d[0] for d in cursor.description]
        return [header, *[[_text(v) for v in row] for row in cursor.fetchall()]]


def install(fake: AwsJsonFake, engine: AthenaEngine, *, page_size: int = 1000) -> None:
    """Serve StartQueryExecution (the query runs at once), GetQueryExecution (SUCCEEDED or FAILED with DuckDB's
    reason), GetQueryResults (pages of ``page_size`` rows, the header on the first) and StopQueryExecution."""
    executions: dict[str, dict[str, Any]] = {}
    counter = itertools.count(1)

    def start(body: dict[str, Any]) -> dict[str, Any]:
        execution_id = f"00000000-0000-4000-8000-{next(counter):012d}"
        status: dict[str, Any] = {"State": "SUCCEEDED"}
        rows: Rows = []
        try:
            rows = engine.run(body["QueryString"], body.get("ExecutionParameters") or [])
        except (duckdb.Error, SqlglotError) as exc:
            status = {"State": "FAILED", "StateChangeReason": str(exc).splitlines()[0]}
        executions[execution_id] = {"body": body, "status": status, "rows": rows}
        return {"QueryExecutionId": execution_id}

    def get(body: dict[str, Any]) -> dict[str, Any]:
        execution_id = body["QueryExecutionId"]
        found = executions.get(execution_id)
        if found is None:
            raise AwsFault("InvalidRequestException", f"QueryExecution {execution_id} was not found")
        request = found["body"]
        return {
            "QueryExecution": {
                "QueryExecutionId": execution_id,
                "Query": request["QueryString"],
                "StatementType": "DML",
                "QueryExecutionContext": request.get("QueryExecutionContext") or {},
                "ExecutionParameters": request.get("ExecutionParameters") or [],
                "WorkGroup": request.get("WorkGroup") or "primary",
                "Status": found["status"],
                "Statistics": {"DataScannedInBytes": 0, "EngineExecutionTimeInMillis": 1},
            }
        }

    def results(body: dict[str, Any]) -> dict[str, Any]:
        found = executions[body["QueryExecutionId"]]
        if found["status"]["State"] != "SUCCEEDED":
            raise AwsFault("InvalidRequestException", "Query has not yet finished or has failed")
        offset = int(body.get("NextToken") or 0)
        size = min(int(body.get("MaxResults") or 1000), page_size)
        rows: Rows = found["rows"][offset : offset + size]
        page: dict[str, Any] = {
            "UpdateCount": 0,
            "ResultSet": {
                "Rows": [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]} for row in rows],
                "ResultSetMetadata": {
                    "ColumnInfo": [{"Name": str(h), "Type": "varchar"} for h in found["rows"][0]]
                    if found["rows"]
                    else []
                },
            },
        }
        if offset + size < len(found["rows"]):
            page["NextToken"] = str(offset + size)
        return page

    fake.route(f"{PREFIX}.StartQueryExecution", start)
    fake.route(f"{PREFIX}.GetQueryExecution", get)
    fake.route(f"{PREFIX}.GetQueryResults", results)
    fake.route(f"{PREFIX}.StopQueryExecution", lambda body: {})
