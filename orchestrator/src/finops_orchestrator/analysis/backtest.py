"""Model choice by rolling-origin backtest, and intervals from the backtest's own errors.

Each series is forecast over the question's horizon from ``ORIGINS`` origins before the end of its history
(back-to-back windows, the latest ending on the last Sunday before today), every candidate fitted only on the
days before its origin:

- ``seasonal_naive``: the same weekday a week before, on the series as it is: the baseline and the fallback;
- ``ets``: Holt-Winters exponential smoothing with a weekly season (``smoothing``), and ``ets_multiplicative``,
  the same on the logarithm (cycle and trend in proportion to the level);
- ``prophet_additive``, ``prophet_multiplicative``: prophet with weekly seasonality and the 1st and last day of
  the month as effects (``fitting``);
- ``combination``: the mean of the two smoothings and the two prophets.

All but the baseline learn the history without its recurring calendar charges, which they add back as known
amounts (``calendar_charges``), and without its outliers (``clean``): a spike in the training days otherwise bends
prophet's trend and lifts the smoothing's level for weeks.

A candidate's error is its absolute daily error summed over every backtest day, as a share of the actual cost on
those days (WAPE: weighted by cost, so a day without cost breaks nothing). The lowest error wins, but only if it
is below the baseline's; otherwise the baseline is the answer.

Intervals: a total over the first m days ahead is the point forecast +- t(0.9, K - 1) x the root mean square of
the K origins' errors of the same total (actual - forecast). With K errors of mean zero, a new error over their
RMS is Student-t with K degrees of freedom; one is spent on the choice, which favours a model whose backtest
errors were small. Checked leave-one-out: each origin's total against the band made from the other origins.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from finops_orchestrator.analysis import calendar_charges, smoothing

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


Candidate = Literal[
    "seasonal_naive", "ets", "ets_multiplicative", "prophet_additive", "prophet_multiplicative", "combination"
]
CANDIDATES: tuple[Candidate, ...] = (
    "seasonal_naive",
    "ets",
    "ets_multiplicative",
    "prophet_additive",
    "prophet_multiplicative",
    "combination",
)
BASELINE: Candidate = "seasonal_naive"
Mode = Literal["additive", "multiplicative"]
_PROPHETS: dict[Candidate, tuple[Mode, ...]] = {
    "prophet_additive": ("additive",),
    "prophet_multiplicative": ("multiplicative",),
    "combination": ("additive", "multiplicative"),
}
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
        return _T80[max(len(totals) - 1, 1)] * float(np.sqrt(np.mean(totals**2)))

    def interval_hits(self) -> int:
        """Backtest windows whose actual total fell inside the 80% band made from the other windows."""
        import numpy as np

        totals = self.misses.sum(axis=1)
        hits = 0
        for k, total in enumerate(totals):
            others = np.delete(totals, k)
            hits += int(abs(total) <= _T80[max(len(others) - 1, 1)] * float(np.sqrt(np.mean(others**2))))
        return hits


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
    median = np.nanmedian(near, axis=1)
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
    def cut(cls, values: npt.NDArray[np.float64], first: date, at: int, days: int) -> _Context:
        raw = values[:at]
        charges = calendar_charges.find(raw, first)
        usage = clean(raw - charges.removed)
        return cls(raw, usage, charges.ahead(first + timedelta(days=at), days), first, days)

    @functools.cached_property
    def ets(self) -> npt.NDArray[np.float64]:
        return smoothing.forecast(self.usage, self.days)

    @functools.cached_property
    def ets_multiplicative(self) -> npt.NDArray[np.float64]:
        return _ets_multiplicative(self.usage, self.days)

    def fits(self, modes: Sequence[Mode]) -> list[ProphetFit]:
        return [ProphetFit(self.usage, self.first, mode, self.days) for mode in modes]

    def forecast(self, model: Candidate, prophets: dict[Mode, npt.NDArray[np.float64]]) -> npt.NDArray[np.float64]:
        import numpy as np

        if model == "seasonal_naive":
            return seasonal_naive(self.raw, self.days)
        if model == "ets":
            usage = self.ets
        elif model == "ets_multiplicative":
            usage = self.ets_multiplicative
        elif model == "combination":
            usage = np.mean(
                [self.ets, self.ets_multiplicative, prophets["additive"], prophets["multiplicative"]], axis=0
            )
        else:
            usage = prophets[_PROPHETS[model][0]]
        return usage + self.known


def _ets_multiplicative(usage: npt.NDArray[np.float64], days: int) -> npt.NDArray[np.float64]:
    """Exponential smoothing of the logarithm: weekly cycle and trend in proportion to the level."""
    import numpy as np

    if (usage < 0).any():  # credits: no logarithm; the additive model stands in
        return smoothing.forecast(usage, days)
    return np.expm1(smoothing.forecast(np.log1p(usage), days))


def _error(predicted: npt.NDArray[np.float64], actual: npt.NDArray[np.float64]) -> float | None:
    import numpy as np

    scale = float(np.abs(actual).sum())
    return None if scale == 0 else round(float(np.abs(predicted - actual).sum()) / scale * 100, 2)


def choose_all(
    series: Sequence[tuple[npt.NDArray[np.float64], date]], horizon: int, ahead: int, run_prophet: Runner
) -> list[Choice]:
    """For each (daily values, first day) with at least ``needed_days(horizon)`` days: the model chosen by a
    ``horizon``-day backtest, and its forecast of the ``ahead`` days after the history. Prophet runs through
    ``run_prophet``, in two batches (backtests, then the final fits the chosen models need) so it can use every
    core."""
    import numpy as np

    cuts = [
        [_Context.cut(values, first, at, horizon) for at in origins(first, len(values), horizon)]
        for values, first in series
    ]
    wanted = [fit for contexts in cuts for context in contexts for fit in context.fits(("additive", "multiplicative"))]
    done = iter(run_prophet(wanted))
    predictions: list[list[dict[Candidate, npt.NDArray[np.float64]]]] = []
    for contexts in cuts:
        mine: list[dict[Candidate, npt.NDArray[np.float64]]] = []
        for context in contexts:
            prophets: dict[Mode, npt.NDArray[np.float64]] = {"additive": next(done), "multiplicative": next(done)}
            mine.append({model: context.forecast(model, prophets) for model in CANDIDATES})
        predictions.append(mine)
    chosen: list[tuple[Candidate, dict[Candidate, float | None], npt.NDArray[np.float64]]] = []
    for (values, _), contexts, mine in zip(series, cuts, predictions, strict=True):
        actual = np.concatenate([values[c.raw.size : c.raw.size + horizon] for c in contexts])
        errors: dict[Candidate, float | None] = {
            m: _error(np.concatenate([p[m] for p in mine]), actual) for m in CANDIDATES
        }
        baseline = errors[BASELINE]
        scored = sorted((e, CANDIDATES.index(m)) for m, e in errors.items() if m != BASELINE and e is not None)
        model: Candidate = BASELINE
        if scored and baseline is not None and scored[0][0] < baseline:  # ties go to the earlier candidate
            model = CANDIDATES[scored[0][1]]
        misses = np.array([actual[k * horizon : (k + 1) * horizon] - p[model] for k, p in enumerate(mine)])
        chosen.append((model, errors, misses))
    finals = [_Context.cut(values, first, len(values), ahead) for values, first in series]
    wanted = [
        fit
        for context, (model, _, _) in zip(finals, chosen, strict=True)
        for fit in context.fits(_PROPHETS.get(model, ()))
    ]
    done = iter(run_prophet(wanted))
    out: list[Choice] = []
    for context, (model, errors, misses) in zip(finals, chosen, strict=True):
        prophets = {mode: next(done) for mode in _PROPHETS.get(model, ())}
        known = np.zeros(ahead) if model == BASELINE else context.known
        out.append(Choice(model, errors, context.forecast(model, prophets), known, misses))
    return out


def every_forecast(
    series: Sequence[tuple[npt.NDArray[np.float64], date]], ahead: int, run_prophet: Runner
) -> list[dict[Candidate, npt.NDArray[np.float64]]]:
    """Every candidate's forecast of the ``ahead`` days after each history (for benchmarks: what each would have
    said, beside the one the backtest chose)."""
    finals = [_Context.cut(values, first, len(values), ahead) for values, first in series]
    done = iter(run_prophet([fit for context in finals for fit in context.fits(("additive", "multiplicative"))]))
    out: list[dict[Candidate, npt.NDArray[np.float64]]] = []
    for context in finals:
        prophets: dict[Mode, npt.NDArray[np.float64]] = {"additive": next(done), "multiplicative": next(done)}
        out.append({model: context.forecast(model, prophets) for model in CANDIDATES})
    return out
