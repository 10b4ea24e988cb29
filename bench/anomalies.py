"""Anomaly benchmark: precision and recall of ``finops_anomalies``' detector on series with injected anomalies of
known dates, sizes and shapes, beside normal series that must not be flagged.

    uv run python bench/anomalies.py [COPIES]         # default 8 copies of each kind, different sizes and dates

Every series is a daily cost with a weekday/weekend cycle and noise, loaded into a store as line items (one
service each) and checked over the last CHECKED days, as the tool does. Kinds:

- anomalies (each must be found once, starting on its first day, or for a drift by the day it is 25% up):
  ``spike`` (x1.8-4 for 1-3 days), ``step`` (+25-80% from a day on), ``drift`` (+1-3% a day, compounding,
  from a day on), ``weekend_workload`` (a new job adding 40-150% on Saturdays and Sundays from a day on);
- normal (nothing may be flagged): ``plain``, ``weekend_only`` (cost on weekends only), ``first_of_month`` (a
  fee of 3-8 days' cost on every 1st), ``month_end`` (a charge on every last day of the month).

A detection matches an anomaly of its series when it starts between the anomaly's first day and its last
(``drift``: the day it is 25% up, give or take a week); every other detection is a false positive, and so is a
second detection of one anomaly (a step must be reported once). Precision = matched / detections, recall =
anomalies found / anomalies.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
from finops_core.focus import CostLineItem, Lineage
from finops_core.store import PartitionKey, Store
from finops_orchestrator.analysis.anomalies import find_anomalies

END = date(2026, 11, 26)
DAYS = 200
CHECKED = 90
ANOMALIES = ("spike", "step", "drift", "weekend_workload")
NORMAL = ("plain", "weekend_only", "first_of_month", "month_end")


@dataclass(frozen=True)
class Injected:
    kind: str
    first: date  # first day a detection may start
    last: date  # last day a detection may start


def series(kind: str, rng: np.random.Generator) -> tuple[np.ndarray, Injected | None]:
    days = [END - timedelta(days=DAYS - i) for i in range(DAYS)]
    weekend = np.array([d.weekday() >= 5 for d in days])
    level = rng.uniform(80, 3000)
    values = level * np.where(weekend, rng.uniform(0.5, 0.9), 1.0) * rng.normal(1, rng.uniform(0.01, 0.08), DAYS)
    at = DAYS - int(rng.integers(15, CHECKED - 10))  # the anomaly's first day, inside the checked days
    start = days[at]
    injected = None
    if kind == "spike":
        length = int(rng.integers(1, 4))
        values[at : at + length] *= rng.uniform(1.8, 4)
        injected = Injected(kind, start, days[at + length - 1])
    elif kind == "step":
        values[at:] *= 1 + rng.uniform(0.25, 0.8)
        injected = Injected(kind, start, start)
    elif kind == "drift":
        rate = rng.uniform(0.01, 0.03)
        values[at:] *= (1 + rate) ** np.arange(1, DAYS - at + 1)
        up = at + int(np.ceil(np.log(1.25) / np.log(1 + rate)))
        injected = Injected(kind, start, days[min(up + 7, DAYS - 1)])
    elif kind == "weekend_workload":
        while not weekend[at]:
            at += 1
        values[at:] += np.where(weekend[at:], level * rng.uniform(0.4, 1.5), 0.0)
        injected = Injected(kind, days[at], days[at + 1])
    elif kind == "weekend_only":
        values = np.where(weekend, values, 0.0)
    elif kind == "first_of_month":
        values += np.array([d.day == 1 for d in days]) * level * rng.uniform(3, 8)
    elif kind == "month_end":
        values += np.array([(d + timedelta(days=1)).day == 1 for d in days]) * level * rng.uniform(1, 3)
    return np.round(np.clip(values, 0, None), 2), injected


def load(store: Store, all_series: dict[str, np.ndarray]) -> None:
    days = [END - timedelta(days=DAYS - i) for i in range(DAYS)]
    by_month: dict[date, list[CostLineItem]] = defaultdict(list)
    for name, values in all_series.items():
        for day, value in zip(days, values, strict=True):
            month = day.replace(day=1)
            after = (month + timedelta(days=32)).replace(day=1)
            cost = Decimal(str(value))
            by_month[month].append(
                CostLineItem(
                    provider_name="AWS",
                    billing_account_id="111111111111",
                    billing_currency="USD",
                    billing_period_start=datetime(month.year, month.month, 1, tzinfo=UTC),
                    billing_period_end=datetime(after.year, after.month, 1, tzinfo=UTC),
                    charge_category="Usage",
                    charge_period_start=datetime(day.year, day.month, day.day, tzinfo=UTC),
                    charge_period_end=datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1),
                    service_name=name,
                    sub_account_id="222222222222",
                    billed_cost=cost,
                    effective_cost=cost,
                    list_cost=cost,
                    contracted_cost=cost,
                )
            )
    lineage = Lineage(source="bench", file="bench.csv", ingested_at=datetime(2026, 11, 27, tzinfo=UTC))
    for month, rows in by_month.items():
        store.replace_partition(
            PartitionKey(provider_name="AWS", billing_account_id="111111111111", billing_period_start=month),
            rows,
            lineage,
            kind="export",
        )


def main() -> None:
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    rng = np.random.default_rng(18)
    all_series: dict[str, np.ndarray] = {}
    injected: dict[str, Injected] = {}
    for kind in (*ANOMALIES, *NORMAL):
        for copy in range(copies):
            name = f"{kind}-{copy}"
            all_series[name], found = series(kind, rng)
            if found is not None:
                injected[name] = found
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.sqlite")
        load(store, all_series)
        started = time.perf_counter()
        report = find_anomalies(store, start=END - timedelta(days=CHECKED), end=END, top_n=10_000)
        elapsed = time.perf_counter() - started
    detections: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for a in report.anomalies:
        detections[a.service].append((a.start, getattr(a, "shape", "?")))
    matched, false_positives = 0, defaultdict(int)
    found_kinds: dict[str, int] = defaultdict(int)
    once: dict[str, int] = defaultdict(int)
    for name in all_series:
        kind = name.rsplit("-", 1)[0]
        target = injected.get(name)
        hit = False
        for start, _ in sorted(detections[name]):
            if target is not None and not hit and target.first <= start <= target.last:
                hit = True
                matched += 1
                found_kinds[kind] += 1
                once[kind] += int(len(detections[name]) == 1)
            else:
                false_positives[kind] += 1
    total = sum(len(v) for v in detections.values())
    print(
        f"{len(all_series)} series x {DAYS} days ({copies} of each kind), last {CHECKED} days checked in "
        f"{elapsed * 1000:.0f} ms; {total} anomalies reported"
    )
    for kind in ANOMALIES:
        print(
            f"  {kind:17} found {found_kinds[kind]}/{copies}, reported once {once[kind]}/{copies}, "
            f"false positives {false_positives[kind]}"
        )
    for kind in NORMAL:
        print(f"  {kind:17} (normal) false positives {false_positives[kind]}")
    precision = matched / total if total else 1.0
    recall = matched / len(injected)
    print(f"precision {precision:.2f}  recall {recall:.2f}")


if __name__ == "__main__":
    main()
