"""Model choice by rolling-origin backtest, and intervals from the backtest's own errors.

Each series is forecast over the question's horizon from ``ORIGINS`` origins before the end of its history
(back-to-back windows, the latest ending on the last Sunday before today), every candidate fitted only on the
days before its origin:

- ``seasonal_naive``: the same weekday a week before, on the series as it is: the baseline and the fallback;
- ``naive`` (the last day's cost ahead) and ``drift`` (its straight line from the first day of the last year
  through the last): for series that wander without a weekly cycle, where last week's value is the wrong shape;
- ``ets``: Holt-Winters exponential smoothing with a weekly season (``smoothing``); ``ets_multiplicative``, the
  same on the logarithm (cycle and trend in proportion to the level); ``ets_nonseasonal``, damped-trend or simple
  exponential smoothing without a season;
- ``linear_weekly``: a straight line plus weekday effects, least squares over the last ``LINEAR_WEEKS`` weeks, on
  the logarithm: steady growth with a weekly cycle, the usual shape of cloud cost;
- ``prophet_additive``, ``prophet_multiplicative``: prophet with weekly seasonality and the 1st and last day of
  the month as effects (``fitting``), tried only where the numpy models leave room (below);
- ``combination``: the median of all the others (the M4 competition's lesson: a combination is often better than
  any one model, and a median does not follow one model's bad day).

All but the baseline learn the history without its recurring calendar charges, which they add back as known
amounts (``calendar_charges``), and without its outliers (``clean``): a spike in the training days otherwise bends
prophet's trend and lifts the smoothing's level for weeks.

A candidate's error is its absolute daily error summed over every backtest day, as a share of the actual cost on
those days (WAPE: weighted by cost, so a day without cost breaks nothing). The lowest error wins, but only if it
is below the baseline's; otherwise the baseline is the answer.

Prophet costs ~50 ms of CPU a fit (mostly pandas and process start-up around a ~9 ms optimization), the numpy
models together well under a millisecond a fit. Measured on the benchmark's sets, prophet improved the chosen
forecasts only where no numpy model beat seasonal naive's backtest error by ``PROPHET_ROOM`` or more; so prophet
is backtested (at every origin, so its error and intervals are comparable with the others') only there, both
forms at once.

Intervals: a total over the first m days ahead is the point forecast +- t(0.9, K - 2) x the root mean square of
the K origins' errors of the same total (actual - forecast). With K errors of mean zero, a new error over their
RMS is Student-t with K degrees of freedom; two are spent on the choice among many candidates, which favours a
model whose backtest errors were small (one left the benchmark's coverage at 77%, two at 80%). Checked
leave-one-out: each origin's total against the band made from the other origins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal, get_args

from finops_orchestrator.analysis import calendar_charges, smoothing

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


Candidate = Literal[
    "seasonal_naive",
    "naive",
    "drift",
    "ets",
    "ets_multiplicative",
    "ets_nonseasonal",
    "linear_weekly",
    "prophet_additive",
    "prophet_multiplicative",
    "combination",
]
CANDIDATES: tuple[Candidate, ...] = get_args(Candidate)  # in order: ties go to the earlier
CHEAP: tuple[Candidate, ...] = CANDIDATES[:7]  # numpy models: backtested for every series at every origin
BASELINE: Candidate = "seasonal_naive"
PROPHETS: tuple[Candidate, ...] = ("prophet_additive", "prophet_multiplicative")  # tried together, or neither
PROPHET: Candidate = PROPHETS[-1]  # either one's error in a choice says prophet was tried
PROPHET_ROOM = 0.9  # prophet is tried where no numpy model's backtest error is below this share of the baseline's
Mode = Literal["additive", "multiplicative"]
LINEAR_WEEKS = 13
MIN_TRAIN = 28  # days a model learns from at the earliest origin
ORIGINS = 5
OUTLIER_SCORES = 5.0
_T80 = {1: 3.078, 2: 1.886, 3: 1.638, 4: 1.533, 5: 1.476}  # Student-t 90th percentile by degrees of freedom


@dataclass(frozen=True)
class ProphetFit:
    """Fit prophet (``mode``) on ``history`` (daily, from ``first``), then forecast ``days`` days after it."""

    history: npt.NDArray[np.float64]
    first: date
    mode: Mode
    days: int


Runner = Callable[[Sequence[ProphetFit]], list["npt.NDArray[np.float64]"]]


@dataclass(frozen=True)
class Choice:
    """A series' chosen model, its forecast and what the backtest said about it."""

    model: Candidate
    errors: dict[Candidate, float | None]  # backtest error (%) per candidate
    path: npt.NDArray[np.float64]  # the chosen model's daily forecast after the history, known charges included
    known: npt.NDArray[np.float64]  # the known calendar charges inside ``path`` (0 where none, all 0 for the baseline)
    misses: npt.NDArray[np.float64]  # origins x horizon: actual - forecast of the chosen model, per backtest day

    @property
    def origins(self) -> int:
        return len(self.misses)

    def half_width(self, days: int) -> float:
        """Half the 80% interval of the total over the first ``days`` days ahead."""
        import numpy as np

        totals = self.misses[:, :days].sum(axis=1)
        return _t80(len(totals)) * float(np.sqrt(np.mean(totals**2)))

    def interval_hits(self) -> int:
        """Backtest windows whose actual total fell inside the 80% band made from the other windows."""
        import numpy as np

        totals = self.misses.sum(axis=1)
        hits = 0
        for k, total in enumerate(totals):
            others = np.delete(totals, k)
            hits += int(abs(total) <= _t80(len(others)) * float(np.sqrt(np.mean(others**2))))
        return hits


def _t80(windows: int) -> float:
    """The Student-t factor of an 80% band from ``windows`` backtest errors: two degrees of freedom spent on the
    choice (at least one left)."""
    return _T80[min(max(windows - 2, 1), 5)]


def needed_days(horizon: int) -> int:
    """History a ``horizon``-day backtest needs: two origins, each with ``MIN_TRAIN`` days before it, and up to six
    days between the last window and the end (see ``origins``)."""
    return MIN_TRAIN + 2 * horizon + 6


def origins(first: date, days: int, horizon: int) -> list[int]:
    """Backtest origins (day indexes, oldest first) for ``days`` days of history from ``first``. The last window
    ends on the last Sunday before today, not on the last day: the origins then stay put for a week while new days
    arrive, and so do the histories before them, whose prophet fits are cached (``forecast``)."""
    end = days - (first + timedelta(days=days)).weekday()
    count = min(ORIGINS, (end - MIN_TRAIN) // horizon)
    return [end - horizon * k for k in range(count, 0, -1)]


def clean(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``values`` with outliers replaced by the median of the same weekday in the three weeks either side. A day is
    an outlier when it is further from that median than ``OUTLIER_SCORES`` robust deviations (of all days). The
    last week is kept as it is: with no week after it, a new level there would look like an outlier."""
    import numpy as np

    n = len(values)
    if n < 6 * 7:
        return values
    near = np.full((n, 6), np.nan)
    for column, shift in enumerate((-21, -14, -7, 7, 14, 21)):
        if shift < 0:
            near[-shift:, column] = values[:shift]
        else:
            near[:-shift, column] = values[shift:]
    # Only the first and last three weeks lack a neighbour: nanmedian, slow, only there.
    median = np.empty(n)
    median[21:-21] = np.median(near[21:-21], axis=1)
    median[:21], median[-21:] = calendar_charges.row_medians(near[:21]), calendar_charges.row_medians(near[-21:])
    residual = values - median
    spread = 1.4826 * float(np.median(np.abs(residual[:-7] - np.median(residual[:-7]))))
    scale = np.maximum(spread, 0.02 * np.abs(median))
    out = values.copy()
    outliers = np.abs(residual) > OUTLIER_SCORES * scale
    outliers[-7:] = False
    out[outliers] = median[outliers]
    return out


def seasonal_naive(history: npt.NDArray[np.float64], days: int) -> npt.NDArray[np.float64]:
    import numpy as np

    week = history[-7:]
    return np.array([week[i % 7] for i in range(days)], dtype=np.float64)


@dataclass(frozen=True)
class _Context:
    """A series cut at one origin (or at its end): what the models learn and the known charges after it."""

    raw: npt.NDArray[np.float64]
    usage: npt.NDArray[np.float64]
    known: npt.NDArray[np.float64]
    first: date
    days: int

    @classmethod
    def cut(
        cls,
        values: npt.NDArray[np.float64],
        first: date,
        at: int,
        days: int,
        calendar: Sequence[calendar_charges.Anchor | None],
    ) -> _Context:
        raw = values[:at]
        charges = calendar_charges.find(raw, first, calendar[:at])
        usage = clean(raw - charges.removed)
        return cls(raw, usage, charges.ahead(first + timedelta(days=at), days), first, days)

    def fits(self) -> list[ProphetFit]:
        return [ProphetFit(self.usage, self.first, mode, self.days) for mode in ("additive", "multiplicative")]


Paths = dict[Candidate, "npt.NDArray[np.float64]"]


def _cheap(contexts: Sequence[_Context]) -> list[Paths]:
    """Every cheap candidate's forecast of each context's days, known charges included (the baseline is made from
    the history as it is). The smoothings run once for all contexts."""
    import numpy as np

    days = max(c.days for c in contexts)
    usages = [c.usage for c in contexts]
    ets = smoothing.forecast_many(usages, days)
    flat = smoothing.forecast_many(usages, days, seasonal=False)
    logged = ets.copy()  # credits (below zero) have no logarithm: the additive model stands in
    positive = [i for i, usage in enumerate(usages) if usage.min() >= 0]
    if positive:
        logged[positive] = np.expm1(smoothing.forecast_many([np.log1p(usages[i]) for i in positive], days))
    linear = _linear_weekly(usages, days)
    out: list[Paths] = []
    for i, context in enumerate(contexts):
        usage, n = context.usage, context.days
        recent = usage[-smoothing.MAX_DAYS :]
        slope = (recent[-1] - recent[0]) / max(len(recent) - 1, 1)
        floor = 0.0 if usage.min() >= 0 else -np.inf
        paths: Paths = {
            "naive": np.full(n, usage[-1]),
            "drift": np.maximum(usage[-1] + slope * np.arange(1, n + 1), floor),
            "ets": ets[i, :n],
            "ets_multiplicative": logged[i, :n],
            "ets_nonseasonal": flat[i, :n],
            "linear_weekly": linear[i, :n],
        }
        mine: Paths = {"seasonal_naive": seasonal_naive(context.raw, n)}
        mine.update({model: path + context.known for model, path in paths.items()})
        out.append(mine)
    return out


def _linear_weekly(usages: Sequence[npt.NDArray[np.float64]], days: int) -> npt.NDArray[np.float64]:
    """A straight line plus a weekday effect, fitted by least squares to the last ``LINEAR_WEEKS`` weeks (on the
    logarithm, so growth and the weekly cycle are in proportion to the level; credits: as they are). Histories of
    one length share one design matrix: one solve for all of them."""
    import numpy as np

    out = np.empty((len(usages), days))
    windows = [min(len(u), 7 * LINEAR_WEEKS) for u in usages]
    for window in sorted(set(windows)):
        rows = [i for i, w in enumerate(windows) if w == window]
        t = np.arange(window + days)
        design = np.column_stack([np.ones(t.size), t, *((t % 7 == k).astype(np.float64) for k in range(1, 7))])
        y = np.array([usages[i][-window:] for i in rows])
        logs: npt.NDArray[np.bool_] = np.all(y >= 0, axis=1, keepdims=True)
        y = np.where(logs, np.log1p(np.maximum(y, 0)), y)
        coefficients = np.linalg.pinv(design[:window]) @ y.T  # lstsq took 0.4 s for 300 right-hand sides here
        ahead = (design[window:] @ coefficients).T
        out[rows] = np.where(logs, np.maximum(np.expm1(ahead), 0.0), ahead)
    return out


def _error(predicted: npt.NDArray[np.float64], actual: npt.NDArray[np.float64]) -> float | None:
    import numpy as np

    scale = float(np.abs(actual).sum())
    return None if scale == 0 else round(float(np.abs(predicted - actual).sum()) / scale * 100, 2)


def _with_prophet(
    contexts: Sequence[_Context], cheap: Sequence[Paths], tried: Sequence[bool], run_prophet: Runner
) -> list[Paths]:
    """``cheap`` with prophet's forecast where ``tried``, and the combination (the median of all of them)."""
    import numpy as np

    wanted = [fit for context, mine in zip(contexts, tried, strict=True) if mine for fit in context.fits()]
    done = iter(run_prophet(wanted))
    out: list[Paths] = []
    for context, paths, mine in zip(contexts, cheap, tried, strict=True):
        full = dict(paths)
        if mine:
            for model in PROPHETS:  # in the order of context.fits()
                full[model] = next(done) + context.known
        full["combination"] = np.median(list(full.values()), axis=0)
        out.append(full)
    return out


def choose_all(
    series: Sequence[tuple[npt.NDArray[np.float64], date]], horizon: int, ahead: int, run_prophet: Runner
) -> list[Choice]:
    """For each (daily values, first day) with at least ``needed_days(horizon)`` days: the model chosen by a
    ``horizon``-day backtest, and its forecast of the ``ahead`` days after the history. The numpy models run for
    all series at once; prophet through ``run_prophet``, in two batches (backtests where it is tried, then the
    final fits the chosen models need) so it can use every core."""
    import numpy as np

    if not series:  # every series' choice was cached
        return []
    calendars = [calendar_charges.anchors(first, len(values)) for values, first in series]
    cuts = [
        [_Context.cut(values, first, at, horizon, calendar) for at in origins(first, len(values), horizon)]
        for (values, first), calendar in zip(series, calendars, strict=True)
    ]
    finals = [
        _Context.cut(values, first, len(values), ahead, calendar)
        for (values, first), calendar in zip(series, calendars, strict=True)
    ]
    flat = [context for contexts in cuts for context in contexts]
    cheap = _cheap([*flat, *finals])
    actuals = [
        np.concatenate([values[c.raw.size : c.raw.size + horizon] for c in contexts])
        for (values, _), contexts in zip(series, cuts, strict=True)
    ]
    tried: list[bool] = []
    start = 0
    for actual, contexts in zip(actuals, cuts, strict=True):
        mine = cheap[start : start + len(contexts)]
        start += len(contexts)
        errors = {m: _error(np.concatenate([p[m] for p in mine]), actual) for m in CHEAP}
        baseline, best = errors[BASELINE], [e for m, e in errors.items() if m != BASELINE and e is not None]
        tried.append(baseline is not None and (not best or min(best) >= PROPHET_ROOM * baseline))
    per_context = [t for t, contexts in zip(tried, cuts, strict=True) for _ in contexts]
    backtests = iter(_with_prophet(flat, cheap[: len(flat)], per_context, run_prophet))
    chosen: list[tuple[Candidate, dict[Candidate, float | None], npt.NDArray[np.float64]]] = []
    for actual, contexts in zip(actuals, cuts, strict=True):
        mine = [next(backtests) for _ in contexts]
        errors: dict[Candidate, float | None] = {
            m: _error(np.concatenate([p[m] for p in mine]), actual) for m in CANDIDATES if m in mine[0]
        }
        baseline = errors[BASELINE]
        scored = sorted((e, CANDIDATES.index(m)) for m, e in errors.items() if m != BASELINE and e is not None)
        model: Candidate = BASELINE
        if scored and baseline is not None and scored[0][0] < baseline:  # ties go to the earlier candidate
            model = CANDIDATES[scored[0][1]]
        misses = np.array([actual[k * horizon : (k + 1) * horizon] - p[model] for k, p in enumerate(mine)])
        chosen.append((model, errors, misses))
    # Prophet's final fit only where its forecast is the answer or a part of it (the combination).
    needed = [model in PROPHETS or (model == "combination" and PROPHET in errors) for model, errors, _ in chosen]
    completed = _with_prophet(finals, cheap[len(flat) :], needed, run_prophet)
    out: list[Choice] = []
    for context, paths, (model, errors, misses) in zip(finals, completed, chosen, strict=True):
        known = np.zeros(ahead) if model == BASELINE else context.known
        out.append(Choice(model, errors, paths[model], known, misses))
    return out


def every_forecast(
    series: Sequence[tuple[npt.NDArray[np.float64], date]], ahead: int, run_prophet: Runner
) -> list[Paths]:
    """Every candidate's forecast of the ``ahead`` days after each history, prophet included (for benchmarks: what
    each would have said, beside the one the backtest chose)."""
    finals = [
        _Context.cut(values, first, len(values), ahead, calendar_charges.anchors(first, len(values)))
        for values, first in series
    ]
    return _with_prophet(finals, _cheap(finals), [True] * len(finals), run_prophet)
