"""Ingest benchmark: rows/s for N synthetic FOCUS rows from CSV and Parquet, peak RSS, store size,
against DuckDB loading the same files in the same run (``read_csv`` / ``read_parquet`` into a table).

    uv run python bench/ingest.py [ROWS] [parquet|csv]     # default 1,000,000 rows, both formats

Goals (issue 3): SQLite ingest >= 0.3x DuckDB's rate on the same Parquet file; peak RSS < 1 GiB for 5M
rows; <= 150 MB of store per million line items. Each ingest runs in a child process so its peak RSS is
its own.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

CHILD = """
import json, sys, time
from pathlib import Path
from finops_core.store import Store
from finops_orchestrator.ingest import ingest
store = Store(Path(sys.argv[1]))
started = time.perf_counter()
ingest(store, [sys.argv[2]])
elapsed = time.perf_counter() - started
store.close()
# VmHWM, not ru_maxrss: ru_maxrss survives exec, so it would report the parent's peak at fork time.
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": elapsed, "peak_rss_mb": peak_kb / 1024}))
"""


def synthetic_focus(rows: int, seed: int = 3) -> pa.Table:
    rng = random.Random(seed)
    services = [f"Service {i}" for i in range(30)]
    accounts = [f"{200000000000 + i}" for i in range(20)]
    regions = ["us-east-1", "us-west-2", "eu-west-1", "ap-south-1"]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    days = [start + timedelta(days=d) for d in range(31)]
    tags = ['{"team":"web","env":"prod"}', '{"team":"data"}', "", '{"env":"dev"}']
    cost = [f"{rng.randint(0, 99_999_999) / 10**6:.6f}" for _ in range(rows)]
    day = [days[rng.randrange(31)] for _ in range(rows)]
    return pa.table(
        {
            "BillingAccountId": ["999999999999"] * rows,
            "BillingCurrency": ["USD"] * rows,
            "BillingPeriodStart": [start] * rows,
            "BillingPeriodEnd": [datetime(2026, 2, 1, tzinfo=UTC)] * rows,
            "ChargeCategory": ["Usage"] * rows,
            "ChargePeriodStart": day,
            "ChargePeriodEnd": [d + timedelta(days=1) for d in day],
            "ProviderName": ["AWS"] * rows,
            "PublisherName": ["AWS"] * rows,
            "InvoiceIssuerName": ["AWS"] * rows,
            "ServiceName": [rng.choice(services) for _ in range(rows)],
            "ServiceCategory": ["Compute"] * rows,
            "SubAccountId": [rng.choice(accounts) for _ in range(rows)],
            "RegionId": [rng.choice(regions) for _ in range(rows)],
            "ResourceId": [f"i-{rng.randrange(30_000):08x}" for _ in range(rows)],
            "SkuId": [f"SKU{rng.randrange(500)}" for _ in range(rows)],
            "BilledCost": cost,
            "EffectiveCost": cost,
            "ListCost": cost,
            "ContractedCost": cost,
            "PricingQuantity": [str(rng.randint(1, 24)) for _ in range(rows)],
            "PricingUnit": ["Hours"] * rows,
            "Tags": [rng.choice(tags) for _ in range(rows)],
        }
    )


def ours(store: Path, data: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(store), str(data)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def duck(data: Path, folder: Path) -> float:
    conn = duckdb.connect(str(folder / f"duck-{data.suffix[1:]}.db"))
    reader = "read_parquet" if data.suffix == ".parquet" else "read_csv"
    started = time.perf_counter()
    conn.execute(f"CREATE TABLE t AS SELECT * FROM {reader}('{data}')")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        table = synthetic_focus(rows)
        parquet, csv = folder / "focus.parquet", folder / "focus.csv"
        pq.write_table(table, parquet)
        pacsv.write_csv(table, csv)
        del table
        print(f"rows: {rows:,}; parquet {parquet.stat().st_size / 1e6:.0f} MB, csv {csv.stat().st_size / 1e6:.0f} MB")
        kinds = sys.argv[2:] or ["parquet", "csv"]
        for data in [p for p in (parquet, csv) if p.suffix[1:] in kinds]:
            store = folder / f"store-{data.suffix[1:]}.sqlite"
            result = ours(store, data)
            duck_seconds = duck(data, folder)
            size = store.stat().st_size
            rate, duck_rate = rows / result["seconds"], rows / duck_seconds
            print(
                f"{data.suffix[1:]:8} finops: {result['seconds']:.1f} s = {rate:,.0f} rows/s, peak RSS "
                f"{result['peak_rss_mb']:,.0f} MB, store {size / 1e6:,.0f} MB ({size / rows * 1e6 / 1e6:,.0f} MB per "
                f"million rows); duckdb: {duck_seconds:.2f} s = {duck_rate:,.0f} rows/s; ratio finops/duckdb "
                f"rate = {rate / duck_rate:.3f}"
            )


if __name__ == "__main__":
    main()
