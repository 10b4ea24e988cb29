"""Forecast benchmark: prophet fit + predict time for 50 daily series, and its backtest error beside a
seasonal-naive forecast (the same weekday a week before) on the same held-out days, in the same run.

    uv run python bench/forecast.py [SERIES]        # default 50

Goal (issue 4): under 3 s for 50 series on 2 cores, and MAPE at most 0.85x seasonal-naive's. The series are
synthetic: a level, growth, weekday/weekend cycle, noise, and now and then a step change, over 400 days; the
last 28 days are held out. Fitting is ``finops_forecast``'s own (``analysis.fitting``: weekly seasonality, MAP
fit): sequentially, then on the worker pool (its first call, which starts the pool, and again warm), in one run.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

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


def predict(models: list[Prophet], series: list[pd.DataFrame]) -> list[np.ndarray]:
    out = []
    for model, frame in zip(models, series, strict=True):
        model.uncertainty_samples = 0  # the point forecast only (the tool's intervals draw 300 samples)
        out.append(np.clip(model.predict(frame.iloc[-HOLD_OUT:][["ds"]])["yhat"].to_numpy(), 0, None))
    return out


def timed(
    fitting: ModuleType, series: list[pd.DataFrame], *, parallel: bool
) -> tuple[float, list[Prophet], list[np.ndarray]]:
    started = time.perf_counter()
    models = fitting.fit_all([frame.iloc[:-HOLD_OUT] for frame in series], parallel=parallel)
    predicted = predict(models, series)
    return time.perf_counter() - started, models, predicted


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    started = time.perf_counter()
    from finops_orchestrator.analysis import fitting  # imports prophet

    imported = time.perf_counter() - started
    series = synthetic(count)
    sequential, models, predicted = timed(fitting, series, parallel=False)
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
        f"(prophet import {imported:.1f} s once):\n"
        f"  sequential            {sequential:5.2f} s ({sequential / count * 1000:.0f} ms per series)\n"
        f"  parallel, pool warm   {warm:5.2f} s ({sequential / warm:.2f}x faster)\n"
        f"  parallel, first call  {cold:5.2f} s (starting the pool included)\n"
        f"  parallel fits identical to sequential: {same}\n"
        f"  MAPE prophet {ours:.1f}% vs seasonal naive {naive:.1f}% (ratio {ours / naive:.2f})"
    )


if __name__ == "__main__":
    main()
