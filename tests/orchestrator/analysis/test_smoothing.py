"""Exponential smoothing follows a weekly cycle and a trend."""

from __future__ import annotations

import numpy as np
from finops_orchestrator.analysis import smoothing


def test_the_forecast_continues_the_weekly_cycle_and_the_trend() -> None:
    days = np.arange(300)
    cycle = np.where(days % 7 >= 5, -200.0, 100.0)
    history = 1000 + 2 * days + cycle + np.random.default_rng(2).normal(0, 5, len(days))
    ahead = np.arange(300, 314)
    expected = 1000 + 2 * ahead + np.where(ahead % 7 >= 5, -200.0, 100.0)
    assert np.abs(smoothing.forecast(history, 14) - expected).max() < 40


def test_a_falling_cost_is_never_forecast_below_zero() -> None:
    history = np.maximum(500 - 5 * np.arange(120.0), 0) + 1
    assert (smoothing.forecast(history, 60) >= 0).all()
