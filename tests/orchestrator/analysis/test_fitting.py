"""Forecast fitting gives the same numbers wherever it runs: here, in a pool worker, or in a batch shared by
both."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from finops_orchestrator.analysis import fitting


def _jobs(count: int) -> list[fitting.Job]:
    rng = np.random.default_rng(3)
    days = pd.date_range("2026-01-01", periods=120, freq="D")
    weekday = np.asarray(days.day_of_week < 5, dtype=np.float64)
    jobs = []
    for _ in range(count):
        y = 100 + 30 * weekday + rng.normal(0, 3, len(days))
        windows: tuple[fitting.Window, ...] = (("draws", date(2026, 5, 1), 10), ("point", date(2026, 5, 1), 10))
        jobs.append(fitting.Job(pd.DataFrame({"ds": days, "y": y}), windows))
    return jobs


def _same(a: fitting.Result, b: fitting.Result) -> bool:
    params = all(np.array_equal(a[0].params[k], b[0].params[k]) for k in a[0].params)
    return params and all(np.array_equal(x, y) for x, y in zip(a[1], b[1], strict=True))


def test_a_job_run_in_a_pool_worker_gives_exactly_what_it_gives_here() -> None:
    job = _jobs(1)[0]
    here = fitting.run(job)
    there = fitting._worker_pool(2).submit(fitting.run, job).result(timeout=300)
    assert _same(here, there)


def test_a_batch_shared_by_the_pool_and_this_process_keeps_every_result_in_order() -> None:
    jobs = _jobs(fitting.POOL_MIN_JOBS + 2)
    alone = fitting.run_all(jobs, parallel=False)
    shared = fitting.run_all(jobs, parallel=True)
    assert len(shared) == len(jobs)
    assert all(_same(a, b) for a, b in zip(alone, shared, strict=True))


def test_a_cached_model_predicts_without_refitting() -> None:
    job = _jobs(1)[0]
    model, _ = fitting.run(job)
    again, predictions = fitting.run(fitting.Job(job.history, job.windows, model))
    assert again is model
    assert predictions[0].shape == (10, fitting.SAMPLES)
    assert (predictions[0] >= 0).all()
