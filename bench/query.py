"""Query benchmark: p50/p95 latency of the read tools over N synthetic FOCUS line items and 13 months, through an
in-process MCP client, beside the same aggregate in DuckDB over the same data in the same run.

    uv run python bench/query.py [ROWS] [RUNS]       # default 5,000,000 rows, 15 runs per question

Goal (issue 4): every breakdown's p95 under 100 ms and within 2x of DuckDB.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from finops_core.logs import configure_logging
from finops_core.store import Store
from finops_orchestrator.ingest import ingest
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client

AS_OF = date(2026, 11, 1)
MONTHS = 13


def synthetic(rows: int, seed: int = 11) -> pa.Table:
    rng = random.Random(seed)
    first = date(AS_OF.year - 1, AS_OF.month, 1)
    days = [first + timedelta(days=d) for d in range((AS_OF - first).days)]
    services = [f"Service {i}" for i in range(40)]
    accounts = [f"{300000000000 + i}" for i in range(25)]
    regions = ["us-east-1", "us-west-2", "eu-west-1", "ap-south-1", "eu-central-1"]
    tags = ['{"team":"web","env":"prod"}', '{"team":"data"}', "", '{"env":"dev"}', '{"team":"ml"}']
    day = [days[rng.randrange(len(days))] for _ in range(rows)]
    start = [datetime(d.year, d.month, d.day, tzinfo=UTC) for d in day]
    period = [datetime(d.year, d.month, 1, tzinfo=UTC) for d in day]
    cost = [f"{rng.randint(0, 9_999_999) / 10**4:.4f}" for _ in range(rows)]
    return pa.table(
        {
            "BillingAccountId": ["999999999999"] * rows,
            "BillingCurrency": ["USD"] * rows,
            "BillingPeriodStart": period,
            "BillingPeriodEnd": [datetime(p.year + p.month // 12, p.month % 12 + 1, 1, tzinfo=UTC) for p in period],
            "ChargeCategory": ["Usage"] * rows,
            "ChargePeriodStart": start,
            "ChargePeriodEnd": [s + timedelta(days=1) for s in start],
            "ProviderName": [rng.choice(["AWS", "AWS", "Microsoft", "Google Cloud"]) for _ in range(rows)],
            "ServiceName": [rng.choice(services) for _ in range(rows)],
            "ServiceCategory": ["Compute"] * rows,
            "SubAccountId": [rng.choice(accounts) for _ in range(rows)],
            "RegionId": [rng.choice(regions) for _ in range(rows)],
            "ResourceId": [f"r-{rng.randrange(50_000):06x}" for _ in range(rows)],
            "BilledCost": cost,
            "EffectiveCost": cost,
            "ListCost": cost,
            "ContractedCost": cost,
            "Tags": [rng.choice(tags) for _ in range(rows)],
        }
    )


LAST_MONTH = {"start": "2026-10-01", "end": "2026-11-01"}
# (label, tool, arguments, the same aggregate in DuckDB)
QUESTIONS: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "last month by service",
        "finops_cost_query",
        {**LAST_MONTH, "group_by": ["service"]},
        "SELECT ServiceName, SUM(EffectiveCost::DECIMAL(38,9)) FROM t WHERE ChargePeriodStart >= '2026-10-01' "
        "AND ChargePeriodStart < '2026-11-01' GROUP BY 1",
    ),
    (
        "13 months by provider, monthly",
        "finops_cost_query",
        {"start": "2025-11-01", "end": "2026-11-01", "group_by": ["provider"], "granularity": "monthly"},
        "SELECT date_trunc('month', ChargePeriodStart), ProviderName, SUM(EffectiveCost::DECIMAL(38,9)) FROM t "
        "GROUP BY 1, 2",
    ),
    (
        "half-month by region",
        "finops_cost_query",
        {"start": "2026-10-01", "end": "2026-10-15", "group_by": ["region"]},
        "SELECT RegionId, SUM(EffectiveCost::DECIMAL(38,9)) FROM t WHERE ChargePeriodStart >= '2026-10-01' "
        "AND ChargePeriodStart < '2026-10-15' GROUP BY 1",
    ),
    (
        "13 weeks by service, weekly",
        "finops_cost_query",
        {"start": "2026-08-03", "end": "2026-11-02", "group_by": ["service"], "granularity": "weekly"},
        "SELECT date_trunc('week', ChargePeriodStart), ServiceName, SUM(EffectiveCost::DECIMAL(38,9)) FROM t "
        "WHERE ChargePeriodStart >= '2026-08-03' AND ChargePeriodStart < '2026-11-02' GROUP BY 1, 2",
    ),
    (
        "half-month by region x service",
        "finops_cost_query",
        {"start": "2026-10-01", "end": "2026-10-15", "group_by": ["region", "service"]},
        "SELECT RegionId, ServiceName, SUM(EffectiveCost::DECIMAL(38,9)) FROM t WHERE ChargePeriodStart >= "
        "'2026-10-01' AND ChargePeriodStart < '2026-10-15' GROUP BY 1, 2",
    ),
    (
        "explain change by service",
        "finops_explain_change",
        {**LAST_MONTH, "drill_down": "sub_account"},
        "SELECT ServiceName, SubAccountId, SUM(CASE WHEN ChargePeriodStart >= '2026-10-01' THEN 1 ELSE -1 END * "
        "EffectiveCost::DECIMAL(38,9)) FROM t WHERE ChargePeriodStart >= '2026-08-31' AND ChargePeriodStart < "
        "'2026-11-01' GROUP BY 1, 2",
    ),
    (
        "tag coverage (team)",
        "finops_tag_coverage",
        {"tag_key": "team", **LAST_MONTH},
        "SELECT ProviderName, json_extract_string(NULLIF(Tags, ''), '$.team') IS NULL, "
        "SUM(EffectiveCost::DECIMAL(38,9)) FROM t WHERE ChargePeriodStart >= '2026-10-01' "
        "AND ChargePeriodStart < '2026-11-01' GROUP BY 1, 2",
    ),
    (
        "anomalies (60 days)",
        "finops_anomalies",
        {"days": 60},
        "SELECT ChargePeriodStart, ProviderName, ServiceName, SubAccountId, SUM(EffectiveCost::DECIMAL(38,9)) FROM t "
        "WHERE ChargePeriodStart >= '2026-06-04' GROUP BY 1, 2, 3, 4",
    ),
]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def timed(call: Callable[[], Awaitable[Any]], runs: int) -> list[float]:
    out: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        out.append((time.perf_counter() - started) * 1000)
    return out


async def run(store: Store, conn: duckdb.DuckDBPyConnection, runs: int) -> None:
    async with Client(build_orchestrator(OrchestratorState(store=store, is_demo=False, today=lambda: AS_OF))) as client:
        print(f"{'question':36} {'finops p50':>11} {'p95':>8} {'duckdb p50':>11} {'p95':>8} {'p95 ratio':>9}")
        for label, tool, arguments, sql in QUESTIONS:
            result = await client.call_tool(tool, arguments)
            assert not result.is_error, result.content
            ours = await timed(lambda t=tool, a=arguments: client.call_tool(t, a), runs)
            theirs = await timed(lambda s=sql: anyio.to_thread.run_sync(lambda: conn.execute(s).fetchall()), runs)
            (o50, o95), (d50, d95) = percentiles(ours), percentiles(theirs)
            size = len(json.dumps(result.structured_content))
            print(f"{label:36} {o50:9.1f}ms {o95:6.1f}ms {d50:9.1f}ms {d95:6.1f}ms {o95 / d95:8.2f}x  ({size} B)")


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    configure_logging("WARNING")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "focus.parquet"
        pq.write_table(synthetic(rows), data, row_group_size=250_000)
        store = Store(folder / "store.sqlite")
        started = time.perf_counter()
        ingest(store, [str(data)])
        print(f"{rows:,} line items over {MONTHS} months; ingested in {time.perf_counter() - started:.1f} s")
        conn = duckdb.connect()
        conn.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{data}')")
        anyio.run(run, store, conn, runs)


if __name__ == "__main__":
    main()
