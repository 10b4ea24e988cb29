"""Lake benchmark: each cross-cloud question's p50/p95 on DuckDB and on Spark (local mode) through the lake
reader (our query builder, the engine, the answer assembled as the store's), beside a DuckDB query written by hand
over the same Parquet files, with peak memory.

    uv run python bench/lake.py [--rows N] [--runs R] [--spark-runs S] [--folder DIR] [--no-spark]

Generates N FOCUS rows (default 100,000,000; hourly, resource-level, 13 billing periods, two currencies) as Parquet
partitioned by billing period (``billing_period=YYYY-MM``) under DIR (default /tmp/finops-lake-bench; kept for the
next run, never in the repository). Goals (issue 21): overhead <= 1.2x the hand-written query; every breakdown's
p95 under 2 s on DuckDB at 100M rows; memory under 4 GiB.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import psutil
from finops_core.models import CostQuery
from finops_core.settings import LakeSettings
from finops_orchestrator.lake.reader import LakeReader

LAST = date(2026, 11, 1)  # the last whole month is October 2026
FIRST = date(2025, 10, 1)  # 13 billing periods: 2025-10 .. 2026-10
HOURS = (LAST - FIRST).days * 24


def generate(folder: Path, rows: int) -> None:
    """``rows`` FOCUS line items from a hash of the row number (DuckDB, all cores), partitioned by billing period."""
    folder.mkdir(parents=True, exist_ok=True)
    db = duckdb.connect()
    db.execute("SET TimeZone = 'UTC'")
    db.execute("SET preserve_insertion_order = false")
    # Rows in time order within each file (as exports are written), so row groups carry useful min/max stats.
    db.execute(
        f"""
        COPY (
          WITH base AS (
            SELECT i, CAST(hash(i) >> 1 AS BIGINT) AS h,
                   TIMESTAMPTZ '{FIRST} 00:00:00+00' + to_hours(CAST(i * {HOURS} // {rows} AS BIGINT)) AS ts
            FROM range({rows}) t(i)
          ), keyed AS (
            SELECT *, h % 3 AS p, (h >> 8) % 20 AS s, (h >> 16) % 200 AS a, (h >> 24) % 12 AS r,
                   (h >> 32) % 1000000 AS res, (h >> 40) % 5000 AS sku, (h >> 52) % 1000 AS kind,
                   CAST((h >> 20) % 100000000 AS DECIMAL(38, 9)) / 10000000 AS price
            FROM base
          )
          SELECT
            ts AS ChargePeriodStart,
            ts + INTERVAL 1 HOUR AS ChargePeriodEnd,
            date_trunc('month', ts) AS BillingPeriodStart,
            date_trunc('month', ts) + INTERVAL 1 MONTH AS BillingPeriodEnd,
            strftime(ts, '%Y-%m') AS billing_period,
            ['AWS', 'Microsoft', 'Google Cloud'][p + 1] AS ProviderName,
            'billing-' || p || '-' || (a % 3) AS BillingAccountId,
            'account-' || p || '-' || a AS SubAccountId,
            ['Compute', 'Storage', 'Databases', 'Networking', 'Analytics'][s % 5 + 1] AS ServiceCategory,
            'service-' || p || '-' || s AS ServiceName,
            'region-' || r AS RegionId,
            'resource-' || p || '-' || res AS ResourceId,
            'sku-' || sku AS SkuId,
            CASE WHEN kind < 990 THEN 'Usage' WHEN kind < 995 THEN 'Purchase' WHEN kind < 998 THEN 'Credit'
                 ELSE 'Tax' END AS ChargeCategory,
            CASE WHEN p = 1 AND a % 4 = 0 THEN 'EUR' ELSE 'USD' END AS BillingCurrency,
            CASE WHEN kind < 300 THEN 'commitment-' || p || '-' || (a % 5) END AS CommitmentDiscountId,
            CASE WHEN kind < 300 THEN 'Savings Plan' END AS CommitmentDiscountType,
            CASE WHEN kind < 300 THEN 'Spend' END AS CommitmentDiscountCategory,
            CASE WHEN kind < 280 THEN 'Used' WHEN kind < 300 THEN 'Unused' END AS CommitmentDiscountStatus,
            ['{{"team":"payments","env":"prod"}}', '{{"team":"data","env":"dev"}}', '{{"env":"prod"}}', '{{}}']
              [(h >> 60) % 4 + 1] AS Tags,
            CAST(CASE WHEN kind >= 995 AND kind < 998 THEN -price ELSE price END AS DECIMAL(38, 9)) AS BilledCost,
            CAST(CASE WHEN kind < 300 THEN price * 0.72 ELSE price END AS DECIMAL(38, 9)) AS EffectiveCost,
            CAST(price * 1.25 AS DECIMAL(38, 9)) AS ListCost,
            CAST(price * 1.05 AS DECIMAL(38, 9)) AS ContractedCost
          FROM keyed
        ) TO '{folder}' (FORMAT parquet, PARTITION_BY (billing_period), COMPRESSION zstd, ROW_GROUP_SIZE 1000000)
        """
    )
    db.close()


# The questions the cross-cloud tools ask, each with the DuckDB query a data engineer would write by hand for it.
OCT = (date(2026, 10, 1), date(2026, 11, 1))
MONTH = "CAST(date_trunc('month', ChargePeriodStart) AS DATE)"
GLOB = "read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"
WHERE = "ChargePeriodStart >= TIMESTAMPTZ '{start} 00:00:00+00' AND ChargePeriodStart < TIMESTAMPTZ '{end} 00:00:00+00'"


def _top(groups: list[str], measure: str, start: date, end: date, top: int, period: str = "NULL") -> str:
    """By hand: the top groups by absolute cost and the rest summed, like the tool's answer."""
    named = ", ".join(f"{g} AS g{i}" for i, g in enumerate(groups))
    names = ", ".join(f"g{i}" for i in range(len(groups)))
    nulls = ", ".join("NULL" for _ in groups)
    return f"""
      WITH cells AS (SELECT {period} AS period, BillingCurrency AS currency, {named}, SUM({measure}) AS amount
                     FROM {GLOB} WHERE {WHERE.format(start=start, end=end)} GROUP BY ALL),
           ranked AS (SELECT *, DENSE_RANK() OVER (ORDER BY w DESC, {names}) AS rk
                      FROM (SELECT *, SUM(ABS(amount)) OVER (PARTITION BY {names}) AS w FROM cells))
      SELECT period, currency, {names}, amount FROM ranked WHERE rk <= {top}
      UNION ALL SELECT period, currency, {nulls}, SUM(amount) FROM ranked WHERE rk > {top} GROUP BY period, currency"""


QUESTIONS: dict[str, tuple[Callable[[LakeReader], Any], str]] = {
    "last month by service": (
        lambda r: r.query_costs(CostQuery(start=OCT[0], end=OCT[1], group_by=("service",)), source="", is_demo=False),
        _top(["ServiceName"], "EffectiveCost", *OCT, 20),
    ),
    "13 months monthly by provider": (
        lambda r: r.query_costs(
            CostQuery(start=FIRST, end=LAST, group_by=("provider",), granularity="monthly"), source="", is_demo=False
        ),
        _top(
            ["ProviderName"], "EffectiveCost", FIRST, LAST, 20, "CAST(date_trunc('month', ChargePeriodStart) AS DATE)"
        ),
    ),
    "last month top resources": (
        lambda r: r.query_costs(
            CostQuery(start=OCT[0], end=OCT[1], group_by=("resource",), top_n=20), source="", is_demo=False
        ),
        _top(["ResourceId"], "EffectiveCost", *OCT, 20),
    ),
    "quarter by account and region, billed": (
        lambda r: r.query_costs(
            CostQuery(start=date(2026, 8, 1), end=LAST, group_by=("sub_account", "region"), metric="billed"),
            source="",
            is_demo=False,
        ),
        _top(["SubAccountId", "RegionId"], "BilledCost", date(2026, 8, 1), LAST, 20),
    ),
    "last month by provider and team tag": (
        lambda r: r.query_costs(
            CostQuery(start=OCT[0], end=OCT[1], group_by=("provider",), tag_key="team"), source="", is_demo=False
        ),
        _top(["ProviderName", "Tags->>'$.team'"], "EffectiveCost", *OCT, 20),
    ),
    "90 days daily series (anomalies)": (
        lambda r: r.daily_series(
            date(2026, 8, 3), LAST, by=("provider_name", "service_name", "sub_account_id"), metric="effective"
        ),
        f"SELECT CAST(ChargePeriodStart AS DATE), ProviderName, ServiceName, SubAccountId, BillingCurrency, "
        f"SUM(EffectiveCost) FROM {GLOB} WHERE {WHERE.format(start=date(2026, 8, 3), end=LAST)} GROUP BY ALL",
    ),
    "last month commitments": (
        lambda r: r.commitment_sums(*OCT),
        f"SELECT ProviderName, BillingCurrency, CommitmentDiscountId, CommitmentDiscountType, "
        f"CommitmentDiscountCategory, ChargeCategory, CommitmentDiscountStatus, SUM(BilledCost), SUM(EffectiveCost), "
        f"SUM(ListCost) FROM {GLOB} WHERE {WHERE.format(start=OCT[0], end=OCT[1])} GROUP BY ALL",
    ),
}


SPARK_CONF = {"spark.driver.memory": "3g", "spark.sql.shuffle.partitions": "8"}


def _times(run: Callable[[], Any], runs: int) -> list[float]:
    run()  # warm: file metadata and the OS cache, as on a server that has answered before
    out: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        out.append(time.perf_counter() - start)
    return out


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _rss_peak_gib() -> float:
    """This process's peak resident memory and its children's (Spark's JVM), GiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    children = 0
    for child in psutil.Process().children(recursive=True):
        try:
            with open(f"/proc/{child.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        children += int(line.split()[1]) * 1024
        except OSError:
            continue
    return (own + children) / 2**30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--spark-runs", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/finops-lake-bench"))
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--memory-limit", default="2GB", help="DuckDB's memory_limit for both DuckDB columns.")
    args = parser.parse_args()
    folder: Path = args.folder / f"rows-{args.rows}"
    if not (folder / "billing_period=2026-10").exists():
        started = time.perf_counter()
        generate(folder, args.rows)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
    size = sum(f.stat().st_size for f in folder.rglob("*.parquet"))
    print(f"{args.rows:,} FOCUS rows, {size / 2**30:.2f} GiB of Parquet in {folder}, {os.cpu_count()} cores")

    duck = LakeReader(LakeSettings(engine="duckdb", path=str(folder), duckdb={"memory_limit": args.memory_limit}))
    hand = duckdb.connect()
    hand.execute("SET TimeZone = 'UTC'")
    hand.execute(f"SET memory_limit = '{args.memory_limit}'")
    results: dict[str, dict[str, list[float]]] = {}
    for name, (ask, sql) in QUESTIONS.items():
        by_hand = sql.format(folder=folder)
        results[name] = {
            "hand": _times(lambda q=by_hand: hand.execute(q).fetchall(), args.runs),
            "duckdb": _times(lambda a=ask: a(duck), args.runs),
        }
        print(f"  {name}: duckdb done", flush=True)
    duck_peak = _rss_peak_gib()
    if not args.no_spark:
        spark = LakeReader(
            LakeSettings(
                engine="spark",
                path=str(folder),
                spark={
                    "master": "local[*]",
                    "conf": {"spark.driver.memory": "3g", "spark.sql.shuffle.partitions": "8"},
                },
            )
        )
        for name, (ask, _) in QUESTIONS.items():
            results[name]["spark"] = _times(lambda a=ask: a(spark), args.spark_runs)
            print(f"  {name}: spark done", flush=True)
    header = f"{'question':38} {'hand p50':>9} {'p95':>7} {'duckdb p50':>11} {'p95':>7} {'ratio':>6}"
    header += "" if args.no_spark else f" {'spark p50':>10} {'p95':>7}"
    print(header)
    for name, r in results.items():
        line = (
            f"{name:38} {statistics.median(r['hand']):9.3f} {_p(r['hand'], 0.95):7.3f} "
            f"{statistics.median(r['duckdb']):11.3f} {_p(r['duckdb'], 0.95):7.3f} "
            f"{statistics.median(r['duckdb']) / statistics.median(r['hand']):6.2f}"
        )
        if "spark" in r:
            line += f" {statistics.median(r['spark']):10.3f} {_p(r['spark'], 0.95):7.3f}"
        print(line)
    print(f"seconds; ratio = ours / by hand. Peak RSS: DuckDB part {duck_peak:.2f} GiB, ", end="")
    print(f"with Spark's JVM {_rss_peak_gib():.2f} GiB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
