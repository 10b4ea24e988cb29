"""The writer's rollup sums stay small while rows stream through: partial sums are merged before they pile up."""

from __future__ import annotations

import tracemalloc

import numpy as np
from finops_core.store.schema import BASE_DIMENSIONS, ROLLUP_METRICS
from finops_core.store.writer import RollupAccumulator


def test_the_rollup_sums_of_many_chunks_of_the_same_groups_hold_little_more_than_those_groups() -> None:
    rows = 20_000  # a chunk: every row its own group in every rollup, and the same groups in every chunk
    i = np.arange(rows, dtype=np.int64)
    columns = {name: np.ones(rows, dtype=np.int64) for name in BASE_DIMENSIONS}
    columns |= dict.fromkeys(("service_name", "sub_account_id", "region_id", "tags"), i + 1)
    columns |= {"charge_period_start": (i % 31) * 86_400, **dict.fromkeys(ROLLUP_METRICS, i)}
    sums = RollupAccumulator()
    tracemalloc.start()
    try:
        for _ in range(12):
            sums.add(np.ones(rows, dtype=np.int64), columns)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Merging only past 500,000 partial groups per rollup held 171 MB here; past 100,000, 98 MB.
    assert peak < 120 * 2**20, f"{peak / 2**20:.0f} MB"
