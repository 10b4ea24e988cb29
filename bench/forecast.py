"""Forecast benchmark: prophet fit + predict time for 50 daily series, and its backtest error beside a
seasonal-naive forecast (the same weekday a week before) on the same held-out days, in the same run.

    uv run python bench/forecast.py [SERIES]        # default 50

Goal (issue 4): under 3 s for 50 series on 2 cores, and MAPE at most 0.85x seasonal-naive's. The series are
synthetic: a level, growth, weekday/weekend cycle, noise, and now and then a step change, over 400 days; the
last 28 days are held out. Fitting is ``finops_forecast``'s own (``analysis.fitting``: weekly seasonality, MAP
fit): sequentially, then on the worker pool (its first call, which starts the pool, and again warm), in one run.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import psutil

if TYPE_CHECKING:
    from types import ModuleType

    from prophet import Prophet

HOLD_OUT = 28
DAYS = 400


def synthetic(count: int, seed: int = 5) -> list[pd.DataFrame]:
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2025-10-01", periods=DAYS, freq="D")
    weekday = np.asarray(dates.day_of_week < 5, dtype=np.float64)
    out: list[pd.DataFrame] = []
    for _ in range(count):
        level = rng.uniform(50, 5000)
        trend = level * rng.uniform(-0.0005, 0.002) * np.arange(DAYS)
        weekly = level * rng.uniform(0.0, 0.4) * weekday
        step = np.where(np.arange(DAYS) > rng.integers(100, 300), level * rng.uniform(-0.2, 0.3), 0.0)
        noise = rng.normal(0, level * rng.uniform(0.01, 0.08), DAYS)
        out.append(pd.DataFrame({"ds": dates, "y": np.clip(level + trend + weekly + step + noise, 0, None)}))
    return out


def mape(predicted: np.ndarray, actual: np.ndarray) -> float:
    mask = actual > 0
    return float(np.mean(np.abs(predicted[mask] - actual[mask]) / actual[mask]) * 100)


def timed(
    fitting: ModuleType, series: list[pd.DataFrame], *, parallel: bool
) -> tuple[float, list[Prophet], list[np.ndarray]]:
    """Fit each series but its last HOLD_OUT days and predict those days (the point forecast), as one batch."""
    jobs = [
        fitting.Job(frame.iloc[:-HOLD_OUT], (("point", frame["ds"].iloc[-HOLD_OUT].date(), HOLD_OUT),))
        for frame in series
    ]
    started, cpu = time.perf_counter(), cpu_seconds()
    done = fitting.run_all(jobs, parallel=parallel)
    elapsed = time.perf_counter() - started
    CPU[parallel] = cpu_seconds() - cpu
    return elapsed, [m for m, _ in done], [p for _, [p] in done]


CPU: dict[bool, float] = {}


def cpu_seconds() -> float:
    """CPU time of this process, its workers and every CmdStan run they made: on a busy shared machine the wall
    time shows how many cores were free, this shows the work."""
    mine = os.times()
    total = mine.user + mine.system + mine.children_user + mine.children_system
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            times = child.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
    return total


def _spin(_: int) -> float:
    started, total = time.perf_counter(), 0
    for i in range(5_000_000):
        total += i
    return time.perf_counter() - started


def free_cores() -> float:
    """How many cores this run really has: the same pure-Python work on two processes at once, against one (2.0 on
    an idle 2-core machine, 1.0 when other work already takes a core's worth)."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_spin, [0, 0])  # the workers start before timing
        alone = statistics.median(pool.map(_spin, [0])[0] for _ in range(3))
        started = time.perf_counter()
        pool.map(_spin, [0, 1], chunksize=1)
        together = time.perf_counter() - started
    return 2 * alone / together


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    started = time.perf_counter()
    from finops_orchestrator.analysis import fitting  # imports prophet

    imported = time.perf_counter() - started
    series = synthetic(count)
    cores = free_cores()
    sequential, models, predicted = timed(fitting, series, parallel=False)
    sequential_cpu = CPU[False]
    cold, _, _ = timed(fitting, series, parallel=True)  # includes starting the pool (forkserver + workers)
    warm, pooled, pooled_predicted = timed(fitting, series, parallel=True)
    same = all(
        all(np.array_equal(a.params[k], b.params[k]) for k in a.params) for a, b in zip(models, pooled, strict=True)
    ) and all(np.array_equal(a, b) for a, b in zip(predicted, pooled_predicted, strict=True))
    errors, naive_errors = [], []
    for frame, forecast in zip(series, predicted, strict=True):
        held = frame["y"].to_numpy()[-HOLD_OUT:]
        errors.append(mape(forecast, held))
        last_week = frame["y"].to_numpy()[-HOLD_OUT - 7 : -HOLD_OUT]
        naive_errors.append(mape(np.array([last_week[i % 7] for i in range(HOLD_OUT)]), held))
    ours, naive = float(np.mean(errors)), float(np.mean(naive_errors))
    print(
        f"{count} series x {DAYS} days, fit+predict, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} "
        f"(prophet import {imported:.1f} s once); free cores measured in this run: {cores:.1f}\n"
        f"  sequential            {sequential:5.2f} s ({sequential / count * 1000:.0f} ms per series), "
        f"CPU {sequential_cpu:.2f} s\n"
        f"  parallel, pool warm   {warm:5.2f} s ({sequential / warm:.2f}x faster), CPU {CPU[True]:.2f} s\n"
        f"  parallel, first call  {cold:5.2f} s (starting the pool included)\n"
        f"  parallel fits identical to sequential: {same}\n"
        f"  MAPE prophet {ours:.1f}% vs seasonal naive {naive:.1f}% (ratio {ours / naive:.2f})"
    )


if __name__ == "__main__":
    main()
