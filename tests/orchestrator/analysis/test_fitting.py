"""Prophet fitting gives the same numbers wherever it runs: here, in a pool worker, or in a batch shared by both;
and a fit already made for the same history is not made again."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from finops_orchestrator.analysis import backtest, fitting, forecast


def _jobs(count: int) -> list[fitting.Job]:
    rng = np.random.default_rng(3)
    days = pd.date_range("2026-01-01", periods=120, freq="D")
    weekday = np.asarray(days.day_of_week < 5, dtype=np.float64)
    jobs = []
    for i in range(count):
        y = 100 + 30 * weekday + rng.normal(0, 3, len(days))
        mode: backtest.Mode = "additive" if i % 2 else "multiplicative"
        jobs.append(fitting.Job(pd.DataFrame({"ds": days, "y": y}), mode, date(2026, 5, 1), 10))
    return jobs


def test_a_job_run_in_a_pool_worker_gives_exactly_what_it_gives_here() -> None:
    job = _jobs(1)[0]
    here = fitting.run(job)
    there = fitting._worker_pool(2).submit(fitting.run, job).result(timeout=300)
    assert np.array_equal(here, there)
    assert here.shape == (10,)
    assert (here >= 0).all()


def test_a_batch_shared_by_the_pool_and_this_process_keeps_every_result_in_order() -> None:
    jobs = _jobs(fitting.POOL_MIN_JOBS + 2)
    alone = fitting.run_all(jobs, parallel=False)
    shared = fitting.run_all(jobs, parallel=True)
    assert len(shared) == len(jobs)
    assert all(np.array_equal(a, b) for a, b in zip(alone, shared, strict=True))


def test_a_fit_of_the_same_history_is_taken_from_the_cache() -> None:
    history = np.linspace(100, 130, 90)
    fits = [backtest.ProphetFit(history, date(2026, 1, 1), "additive", 7)]
    first = forecast.CachedProphet()
    made = first(fits)
    again = forecast.CachedProphet()
    assert np.array_equal(again(fits), made)
    assert (first.reused, again.reused) == (0, 1)
    changed = forecast.CachedProphet()
    changed([backtest.ProphetFit(history + 1, date(2026, 1, 1), "additive", 7)])
    assert changed.reused == 0


def test_a_short_history_is_fitted_with_lbfgs_not_newtons_method() -> None:
    # Under 100 days prophet would pick Newton's method, which took seconds on a noise-free series like this one.
    history = pd.DataFrame({"ds": pd.date_range("2026-01-01", periods=90, freq="D"), "y": np.linspace(101, 131, 90)})
    fitted = fitting.fit(history, "additive").stan_fit
    assert fitted is not None
    assert fitted.metadata.cmdstan_config["algorithm"] == "lbfgs"
