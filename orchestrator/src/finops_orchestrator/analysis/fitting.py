"""Fitting prophet models: in this process, or on every core through a pool of worker processes.

A prophet fit is single-threaded (a CmdStan run plus pandas work), so many fits go faster in parallel: a job
fits one history and predicts from it, all in one worker. A forecast's jobs are the backtest origins and final
fits of the series where prophet is tried (see ``backtest``). The pool is made on first use and reused. Its
workers fork from a forkserver that imported this module (and so prophet) once: ``fork`` itself is unsafe in a
process with threads (the server's), and ``spawn`` would import prophet again in every worker. A MAP fit from
prophet's fixed initial values is deterministic, so a job gives the same numbers wherever it ran.

Imported lazily (by ``forecast``): importing prophet takes about a second.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from finops_orchestrator.analysis.backtest import Mode, ProphetFit

MAX_WORKERS = 2  # each holds prophet and pandas (~150 MB); the calling process works beside them
POOL_MIN_JOBS = 4  # fewer are quicker here than the pool's round trips (and its first start)

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def quiet_prophet_logs() -> None:
    """prophet logs an ERROR when plotly (optional, plots only) is missing; cmdstanpy logs every fit at INFO
    through its own handler, which it adds only to a logger without one."""
    logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)
    log = logging.getLogger("cmdstanpy")
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    log.setLevel(logging.WARNING)


quiet_prophet_logs()  # before importing prophet, which logs that ERROR while it is imported
from prophet import Prophet  # noqa: E402


@dataclass(frozen=True)
class Job:
    """Fit prophet (``mode`` seasonality) on ``history`` (columns ``ds``, ``y``), then predict ``days`` days from
    ``first``."""

    history: pd.DataFrame
    mode: Mode
    first: date
    days: int


def with_calendar(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the billing-calendar regressors: the 1st of a month and its last day, when monthly fees,
    commitment purchases and credits land."""
    days = pd.to_datetime(frame["ds"])
    return frame.assign(
        first_of_month=(days.dt.day == 1).astype(np.float64), month_end=days.dt.is_month_end.astype(np.float64)
    )


def new_model(mode: Mode) -> Prophet:
    """The model every forecast fits: weekly seasonality, the billing-calendar days as additive effects (a fee does
    not scale with usage, even when the weekly cycle does), MAP fit. No predictive samples: intervals come from the
    backtest's errors (see ``backtest``). No yearly seasonality: the forecast reads two years at most, so only a
    final fit on exactly 730 days could have had one (prophet itself warns that is too little), a model no backtest
    origin (all shorter) ever judged."""
    model = Prophet(
        weekly_seasonality=True,
        yearly_seasonality=False,
        daily_seasonality=False,
        seasonality_mode=mode,
        uncertainty_samples=0,
    )
    for name in ("first_of_month", "month_end"):
        model.add_regressor(name, mode="additive", standardize=False)
    return model


def fit(history: pd.DataFrame, mode: Mode) -> Prophet:
    """A model fitted on ``history`` (columns ``ds``, ``y``)."""
    model = new_model(mode)
    # prophet optimizes with Newton's method under 100 days of history (backtest origins often have fewer): on a
    # noise-free series that took 1.6-4.5 s here against 0.05 s with L-BFGS, its choice from 100 days on.
    model.fit(with_calendar(history), algorithm="LBFGS")
    return model


def run(job: Job) -> npt.NDArray[np.float64]:
    """Fit the job's history, then its point forecast (prophet's ``yhat``) of daily cost, floored at zero."""
    model = fit(job.history, job.mode)
    future = with_calendar(pd.DataFrame({"ds": pd.date_range(job.first, periods=job.days, freq="D")}))
    return np.clip(np.asarray(model.predict(future)["yhat"], dtype=np.float64), 0.0, None)


Result = npt.NDArray[np.float64]


def run_all(jobs: Sequence[Job], *, parallel: bool = True) -> list[Result]:
    """``run`` for every job, in order; with ``parallel`` and enough jobs, on the worker pool and here at once.

    Workers take jobs from the front, one each at a time, while this process takes them from the back: no core
    idles while the pool starts (about a second, on the first call), and no job waits for a worker that is not
    up yet. A worker that fails hands its job back, so a broken pool only makes the answer slower."""
    # One process per core, this one included: a third process on two cores only adds switching.
    workers = min(MAX_WORKERS, (os.cpu_count() or 1) - 1)
    if not parallel or workers < 1 or len(jobs) < POOL_MIN_JOBS:
        quiet_prophet_logs()
        return [run(job) for job in jobs]
    pool = _worker_pool(workers)
    queue = deque(range(len(jobs)))  # jobs nobody has taken yet
    handed: set[int] = set()  # jobs a worker has now
    done: dict[int, Result] = {}
    changed = threading.Condition()

    def feed() -> None:
        # One job per worker in flight: a job handed over early would wait in the pool's queue for a busy worker
        # (or one still starting) while this process could have run it. On any failure the job goes back to the
        # queue and feeding stops: this process runs the rest.
        running: dict[Future[Any], int | None] = {}
        try:
            running = {pool.submit(_ready): None for _ in range(workers)}
        except RuntimeError:  # a broken or shut-down pool
            return
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                index, failed = running.pop(future), future.exception() is not None
                with changed:
                    if index is not None:
                        handed.discard(index)
                        if failed:
                            queue.appendleft(index)
                        else:
                            done[index] = future.result()
                    following = queue.popleft() if queue and not failed else None
                    if following is not None:
                        handed.add(following)
                    changed.notify_all()
                if failed:
                    return
                if following is not None:
                    try:
                        running[pool.submit(run, jobs[following])] = following
                    except RuntimeError:
                        with changed:
                            handed.discard(following)
                            queue.appendleft(following)
                            changed.notify_all()
                        return

    threading.Thread(target=feed, name="prophet-pool-feeder", daemon=True).start()
    while True:
        with changed:
            while not queue and handed:  # wait for the workers' last jobs (or for one they hand back)
                changed.wait()
            if not queue:
                break
            index = queue.pop()
        result = run(jobs[index])
        with changed:
            done[index] = result
    return [done[i] for i in range(len(jobs))]


def _ready() -> None:
    return None


def _worker_pool(workers: int) -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker)
        return _pool


def close_pool() -> None:
    """Stop the fitting workers (and wait for them): a command about to exit calls it, so no worker is still
    starting while the interpreter tears down the semaphores it needs."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True)
            _pool = None


def _start_worker() -> None:
    # A worker inherits the server's stdout, which may be the MCP stdio transport: anything printed there would
    # corrupt it, so the worker's stdout goes to stderr.
    os.dup2(2, 1)
    quiet_prophet_logs()


def job(fit: ProphetFit) -> Job:
    """The pool's job for one of the backtest's prophet fits."""
    days = pd.date_range(fit.first, periods=len(fit.history), freq="D")
    return Job(
        pd.DataFrame({"ds": days, "y": fit.history}), fit.mode, fit.first + timedelta(days=len(fit.history)), fit.days
    )
