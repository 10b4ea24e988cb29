"""Forecast benchmark: prophet fit + predict time for 50 daily series, and its backtest error beside a
seasonal-naive forecast (the same weekday a week before) on the same held-out days, in the same run.

    uv run python bench/forecast.py [SERIES]        # default 50

Goal (issue 4): under 3 s for 50 series on 2 cores, and MAPE at most 0.85x seasonal-naive's. The series are
synthetic: a level, growth, weekday/weekend cycle, noise, and now and then a step change, over 400 days; the
last 28 days are held out. Fitting uses the settings of ``finops_forecast`` (weekly seasonality, MAP fit).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd
from finops_orchestrator.analysis.forecast import quiet_prophet_logs

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


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    quiet_prophet_logs()
    started = time.perf_counter()
    from prophet import Prophet

    imported = time.perf_counter() - started
    series = synthetic(count)
    errors, naive_errors = [], []
    started = time.perf_counter()
    for frame in series:
        train, held = frame.iloc[:-HOLD_OUT], frame["y"].to_numpy()[-HOLD_OUT:]
        model = Prophet(
            weekly_seasonality=True, yearly_seasonality=False, daily_seasonality=False, uncertainty_samples=0
        )
        model.fit(train)
        predicted = model.predict(frame.iloc[-HOLD_OUT:][["ds"]])["yhat"].to_numpy()
        errors.append(mape(np.clip(predicted, 0, None), held))
        last_week = train["y"].to_numpy()[-7:]
        naive_errors.append(mape(np.array([last_week[i % 7] for i in range(HOLD_OUT)]), held))
    elapsed = time.perf_counter() - started
    ours, naive = float(np.mean(errors)), float(np.mean(naive_errors))
    print(
        f"{count} series x {DAYS} days: prophet fit+predict {elapsed:.2f} s sequential "
        f"({elapsed / count * 1000:.0f} ms per series; import {imported:.1f} s once); "
        f"MAPE prophet {ours:.1f}% vs seasonal naive {naive:.1f}% "
        f"(ratio {ours / naive:.2f})"
    )


if __name__ == "__main__":
    main()
