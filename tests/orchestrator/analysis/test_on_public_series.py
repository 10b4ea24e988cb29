"""Forecasting a public series no one here made (tests/data/README.md: Capital Bikeshare daily rentals, UCI,
CC BY 4.0): the backtest's choice beats seasonal naive on a month it never saw, and that month's total falls
inside the 80% interval."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from finops_orchestrator.analysis import backtest, forecast

DATA = Path(__file__).parents[2] / "data" / "bike_sharing_daily.csv"


def test_the_chosen_model_beats_seasonal_naive_on_a_held_out_month_of_bike_rentals() -> None:
    frame = pd.read_csv(DATA, parse_dates=["date"])
    rentals = frame["cnt"].to_numpy(dtype=np.float64)
    cut = int(np.flatnonzero(frame["date"] == "2012-09-01")[0])  # September 2012 is held out
    history = rentals[cut - 400 : cut]
    first = date(2012, 9, 1) - timedelta(days=len(history))
    [choice] = backtest.choose_all([(history, first)], 30, 30, forecast.CachedProphet())
    actual = rentals[cut : cut + 30]
    naive = backtest.seasonal_naive(history, 30)
    assert choice.model != backtest.BASELINE
    assert np.abs(choice.path - actual).mean() < 0.95 * np.abs(naive - actual).mean()
    assert abs(actual.sum() - choice.path.sum()) <= choice.half_width(30)
