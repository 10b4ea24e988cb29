"""Model choice by backtest: the numpy models are backtested for every series, prophet only where they leave room;
the lowest error wins but never over seasonal naive's; a series without a weekly cycle gets a model without one;
known calendar charges are added on their days; intervals and their coverage come from the backtest's errors."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pytest
from finops_orchestrator.analysis import backtest, forecast

FIRST = date(2026, 3, 1)
NON_SEASONAL = {"naive", "drift", "ets_nonseasonal"}


class Recording(forecast.CachedProphet):
    """The real prophet runner, keeping the histories it was asked to fit."""

    def __init__(self) -> None:
        super().__init__()
        self.histories: list[npt.NDArray[np.float64]] = []

    def __call__(self, fits: Sequence[backtest.ProphetFit]) -> list[npt.NDArray[np.float64]]:
        self.histories += [f.history for f in fits]
        return super().__call__(fits)


def _weekly(days: int) -> np.ndarray:
    return np.array([700.0 if (FIRST + timedelta(days=i)).weekday() >= 5 else 1000.0 for i in range(days)])


def test_the_chosen_model_never_has_a_higher_backtest_error_than_seasonal_naive() -> None:
    rng = np.random.default_rng(7)
    days = 150
    trending = _weekly(days) * np.linspace(1, 1.6, days) * rng.normal(1, 0.02, days)
    repeating = _weekly(days)  # the same week over and over: nothing beats the same weekday a week before
    choices = backtest.choose_all([(s, FIRST) for s in (trending, repeating)], 14, 14, forecast.CachedProphet())
    for choice in choices:
        assert {*backtest.CHEAP, "combination"} <= set(choice.errors) <= set(backtest.CANDIDATES)
        chosen, naive = choice.errors[choice.model], choice.errors[backtest.BASELINE]
        assert chosen is not None
        assert naive is not None
        assert chosen <= naive
        better = [m for m, e in choice.errors.items() if e is not None and e < naive]
        assert (choice.model == backtest.BASELINE) == (not better)
    assert choices[0].model != backtest.BASELINE  # growth: naive lags a week behind it
    assert choices[1].model == backtest.BASELINE
    assert choices[1].errors[backtest.BASELINE] == 0.0


def test_a_monthly_fee_is_added_on_its_day_as_a_known_amount() -> None:
    days = 120  # 2026-03-01 .. 2026-06-28: the next 1st is 2 days ahead
    fee = np.array([3650.0 * ((FIRST + timedelta(days=i)).day == 1) for i in range(days)])
    series = _weekly(days) * np.random.default_rng(3).normal(1, 0.01, days) + fee
    [choice] = backtest.choose_all([(series, FIRST)], 14, 14, forecast.CachedProphet())
    assert choice.model != backtest.BASELINE
    assert np.flatnonzero(choice.known).tolist() == [2]
    assert choice.known[2] == pytest.approx(3650, abs=40)
    # The day's forecast is its usage plus the fee, not a fee spread over the weeks around it.
    usage = np.delete(choice.path, 2)
    assert choice.path[2] - choice.known[2] == pytest.approx(float(np.median(usage[usage > 900])), rel=0.05)
    assert usage.max() < 1100


def test_the_interval_is_student_t_times_the_rms_of_the_backtest_totals_and_checked_leave_one_out() -> None:
    misses = np.array([[1.0, 1.0], [-2.0, 0.0], [3.0, -1.0], [1.0, 1.0], [-1.0, -1.0]])  # totals 2, -2, 2, 2, -2
    choice = backtest.Choice("ets", {}, np.zeros(2), np.zeros(2), misses)
    # Five windows, two degrees of freedom spent on the choice among the candidates: t(0.9, 3) = 1.638.
    assert choice.half_width(2) == pytest.approx(1.638 * 2)
    assert choice.half_width(1) == pytest.approx(1.638 * np.sqrt(16 / 5))
    assert choice.interval_hits() == 5
    outlier = backtest.Choice("ets", {}, np.zeros(1), np.zeros(1), np.array([[1.0], [1.0], [10.0]]))
    assert outlier.interval_hits() == 2  # 10 is outside 3.078 x RMS(1, 1): one degree of freedom at the least


def test_every_numpy_model_is_backtested_and_prophet_only_where_they_leave_room() -> None:
    rng = np.random.default_rng(7)
    days = 150
    weekly = _weekly(days) * np.linspace(1, 1.3, days) * rng.normal(1, 0.02, days)  # the numpy models fit it well
    repeating = _weekly(days)  # the same week over and over: no numpy model beats last week's same weekday
    runner = Recording()
    choices = backtest.choose_all([(weekly, FIRST), (repeating, FIRST)], 14, 14, runner)
    for choice in choices:
        assert all(choice.errors[m] is not None for m in (*backtest.CHEAP, "combination"))
    easy, hard = choices
    assert easy.errors[easy.model] is not None
    assert min(easy.errors[m] or 0 for m in backtest.CHEAP[1:]) < backtest.PROPHET_ROOM * easy.errors[backtest.BASELINE]
    assert backtest.PROPHET not in easy.errors
    assert backtest.PROPHET in hard.errors
    assert set(backtest.PROPHETS) <= set(hard.errors)  # additive and multiplicative, tried together
    # Prophet fitted the repeating week only, in both forms: at each of its five origins, and once more if its
    # forecast is (part of) the answer.
    assert len(runner.histories) in (2 * backtest.ORIGINS, 2 * backtest.ORIGINS + 2)
    assert all(np.array_equal(h, repeating[: len(h)]) for h in runner.histories)


def test_random_walks_get_models_without_a_weekly_season() -> None:
    # Random walks (the M4 daily series are of this kind): last week's value lags behind, and a weekly cycle is noise.
    walks = [1000 + np.cumsum(np.random.default_rng(seed).normal(0, 20, 300)) for seed in range(10)]
    choices = backtest.choose_all([(w, FIRST) for w in walks], 30, 30, forecast.CachedProphet())
    assert all(c.model != backtest.BASELINE for c in choices)
    assert sum(c.model in NON_SEASONAL for c in choices) >= 8


def test_origins_stay_put_for_a_week_as_new_days_arrive() -> None:
    monday = date(2026, 11, 23)
    assert monday.weekday() == 0
    first = monday - timedelta(days=250)
    today = backtest.origins(first, 250, 30)
    assert len(today) == backtest.ORIGINS
    assert today[-1] + 30 == 250  # the last window ends the day before today (a Monday)
    for later in range(1, 7):  # Tuesday to Sunday: the same origins, so the same histories before them
        assert backtest.origins(first, 250 + later, 30) == today
    assert backtest.origins(first, 257, 30) == [o + 7 for o in today]
