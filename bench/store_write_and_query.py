"""Store benchmark: write rate and rollup query time on N synthetic line items.

Each figure is reported with a baseline measured in the same run, because this machine is shared and
noisy: writes against a plain ``sqlite3.executemany`` of 16-column tuples into an unindexed table (the
fastest bulk insert SQLite offers from Python), rollup queries against the same question asked of the
raw ``line_items`` table.

    uv run python bench/store_write_and_query.py [ROWS]      # default 1,000,000
"""

from __future__ import annotations

import itertools
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from finops_core.dates import epoch_seconds
from finops_core.focus import CostLineItem, Lineage
from finops_core.models import CostQuery
from finops_core.store import Store, split_by_partition

POOL = 50_000  # distinct line items, cycled to reach ROWS (keeps item construction out of the timing)


def synthetic_items(count: int, seed: int = 1) -> list[CostLineItem]:
    rng = random.Random(seed)
    services = [f"Service {i}" for i in range(20)]
    accounts = [f"{100000000000 + i}" for i in range(10)]
    regions = ["us-east-1", "us-west-2", "eu-west-1", "ap-south-1", "eu-central-1"]
    tagsets = [{"team": f"t{i % 7}", "env": ("prod", "dev", "stage")[i % 3]} for i in range(40)] + [{}] * 10
    items = []
    for n in range(count):
        day = date(2026, 1, 1) + timedelta(days=n % 31)  # one billing period: one partition per account
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        cost = Decimal(rng.randint(1, 10_000_000)).scaleb(-6)
        items.append(
            CostLineItem(
                provider_name="AWS",
                billing_account_id="999999999999",
                billing_currency="USD",
                billing_period_start=datetime(2026, 1, 1, tzinfo=UTC),
                billing_period_end=datetime(2026, 2, 1, tzinfo=UTC),
                charge_category="Usage",
                charge_period_start=start,
                charge_period_end=start + timedelta(days=1),
                service_name=rng.choice(services),
                sub_account_id=rng.choice(accounts),
                region_id=rng.choice(regions),
                resource_id=f"i-{rng.randrange(20_000):08x}",
                sku_id=f"SKU{rng.randrange(300)}",
                pricing_unit="Hours",
                pricing_quantity=Decimal(rng.randint(1, 24)),
                tags=rng.choice(tagsets),
                billed_cost=cost,
                effective_cost=cost,
                list_cost=cost * 2,
                contracted_cost=cost,
            )
        )
    return items


def baseline_insert(rows: int, folder: Path) -> float:
    conn = sqlite3.connect(folder / "baseline.sqlite", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE t ({})".format(", ".join(f"c{i}" for i in range(16))))
    data = ((i, i % 31, "AWS", "svc", 1.5, 2.5, "us-east-1", i, "x", 3, 4, 5, "y", 6, 7, 8) for i in range(rows))
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO t VALUES ({})".format(", ".join("?" * 16)), data)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    pool = synthetic_items(min(POOL, rows))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = baseline_insert(rows, folder)
        store = Store(folder / "store.sqlite")
        lineage = Lineage(source="bench", ingested_at=datetime.now(UTC))
        ((key, _),) = split_by_partition(pool[:1]).items()

        def stream() -> Iterator[CostLineItem]:
            return itertools.islice(itertools.cycle(pool), rows)

        started = time.perf_counter()
        result = store.replace_partition(key, stream(), lineage, kind="export")
        write = time.perf_counter() - started
        assert result.rows == rows
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = (folder / "store.sqlite").stat().st_size

        month = (date(2026, 1, 1), date(2026, 2, 1))
        lo, hi = (epoch_seconds(d) for d in month)
        raw = (
            "SELECT {cols}, billing_currency, SUM(effective_cost) FROM line_items "
            "WHERE charge_period_start >= ? AND charge_period_start < ? GROUP BY {cols}, billing_currency"
        )
        day = "date(charge_period_start, 'unixepoch')"
        queries = {
            "month by service (rollup_daily)": (
                CostQuery(start=month[0], end=month[1], group_by=("service",)),
                raw.format(cols="service_name"),
            ),
            "daily by account (rollup_daily)": (
                CostQuery(start=month[0], end=month[1], group_by=("sub_account",), granularity="daily"),
                raw.format(cols=f"{day}, sub_account_id"),
            ),
            "month by region (rollup_monthly)": (
                CostQuery(start=month[0], end=month[1], group_by=("region",), granularity="monthly"),
                raw.format(cols="region_id"),
            ),
            "month by tag team (line_items + tag_pairs)": (
                CostQuery(start=month[0], end=month[1], tag_key="team"),
                raw.format(cols="tags"),
            ),
        }
        print(f"rows: {rows:,}  (pool of {len(pool):,} distinct items cycled)")
        print(
            f"write: {write:.2f} s = {rows / write:,.0f} rows/s; baseline raw executemany 16 cols: "
            f"{base:.2f} s = {rows / base:,.0f} rows/s; ratio store/baseline time = {write / base:.1f}x"
        )
        print(f"file size: {size / 1e6:,.1f} MB = {size / rows:,.0f} bytes/row")
        with store.reader() as conn:
            for label, (query, sql) in queries.items():
                answer = timed(lambda q=query: store.query_costs(q))
                scan = timed(lambda s=sql: conn.execute(s, (lo, hi)).fetchall(), repeat=3)
                print(
                    f"{label}: {answer * 1000:.1f} ms; same question as a raw line_items GROUP BY: "
                    f"{scan * 1000:.0f} ms; ratio {scan / answer:,.1f}x"
                )
        store.close()


if __name__ == "__main__":
    main()
