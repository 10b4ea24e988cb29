"""Forecasts: exact month-to-date, intervals around the estimate, the model a backtest chose with its error and
seasonal naive's, the intervals' backtest coverage, monthly fees as known amounts, and fits reused until their
data changes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from finops_core.store import Store
from finops_orchestrator.analysis import backtest, forecast
from finops_orchestrator.server import build_orchestrator
from mcp import Client

from tests.conftest import AS_OF
from tests.factories import key_of, line_item, lineage
from tests.orchestrator.conftest import copy_of

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def store(demo_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Store:
    return copy_of(demo_store, Path(tmp_path_factory.mktemp("copy")))


async def _call(store: Store, arguments: dict[str, Any]) -> Any:
    async with Client(build_orchestrator(store, is_demo=True, today=lambda: AS_OF)) as client:
        result = await client.call_tool("finops_forecast", arguments)
    assert not result.is_error, result.content
    return result.structured_content


async def test_each_provider_gets_an_exact_month_to_date_and_a_forecast_inside_its_interval(
    store: Store, demo_frame: pd.DataFrame
) -> None:
    body = await _call(store, {"by": "provider", "horizon_days": 14})
    assert {(s["series"], s["currency"]) for s in body["series"]} == {
        ("AWS", "USD"),
        ("Google Cloud", "USD"),
        ("Microsoft", "EUR"),
    }
    november = demo_frame[(demo_frame["day"] >= date(2026, 11, 1)) & (demo_frame["day"] < AS_OF)]
    for s in body["series"]:
        rows = november[(november["provider"] == s["series"]) & (november["currency"] == s["currency"])]
        assert Decimal(s["month_to_date"]) == sum(rows["effective"], Decimal(0))
        low, point, high = (Decimal(s[k]) for k in ("month_end_low", "month_end", "month_end_high"))
        assert Decimal(s["month_to_date"]) <= low <= point <= high
        assert Decimal(s["next_days_low"]) <= Decimal(s["next_days"]) <= Decimal(s["next_days_high"])
        # Four more days of a month running at this pace: the estimate is near the recent daily average.
        daily = Decimal(s["month_to_date"]) / 25
        assert abs(point - Decimal(s["month_to_date"]) - 5 * daily) < 5 * daily * Decimal("0.2")
        # The answer names the model the backtest chose, its error and seasonal naive's: never a worse one.
        assert s["model"] in s["candidate_errors"]
        assert s["backtest_error_percent"] == s["candidate_errors"][s["model"]]
        assert s["seasonal_naive_error_percent"] == s["candidate_errors"]["seasonal_naive"]
        assert s["backtest_error_percent"] <= s["seasonal_naive_error_percent"]
        assert s["backtest_windows"] == 5
        assert 0 <= s["interval_hits"] <= 5
    assert body["backtest_days"] == 14
    hits = sum(s["interval_hits"] for s in body["series"])
    assert body["interval_coverage_percent"] == round(100 * hits / 15, 1)


async def test_a_monthly_purchase_is_a_known_amount_on_the_next_first(store: Store) -> None:
    # Billed cost: the AWS Savings Plan's monthly fee of 3,650.00 lands on every 1st (amortized cost spreads it).
    body = await _call(store, {"by": "provider", "metric": "billed", "horizon_days": 10})
    aws = next(s for s in body["series"] if s["series"] == "AWS")
    [charge] = aws["known_charges"]
    assert charge["day"] == "2026-12-01"
    assert Decimal(charge["amount"]) == pytest.approx(Decimal("3650"), rel=Decimal("0.01"))
    for s in body["series"]:  # the other clouds have no such fee, in billed cost
        assert s["series"] == "AWS" or all(abs(Decimal(c["amount"])) < 500 for c in s["known_charges"])


async def test_the_same_question_again_gives_the_same_forecast(store: Store) -> None:
    first = await _call(store, {"by": "total"})
    again = await _call(store, {"by": "total"})
    assert again["series"] == first["series"]


def test_prophet_fits_are_reused_until_their_history_changes() -> None:
    # Prophet runs only where the numpy models leave room (backtest), so its fits are cached by their exact input.
    history = 100 + np.random.default_rng(11).normal(0, 5, 60).cumsum()
    fits = [
        backtest.ProphetFit(history, date(2026, 1, 1), "multiplicative", 7),
        backtest.ProphetFit(history * 2, date(2026, 1, 1), "multiplicative", 7),
    ]
    runner = forecast.CachedProphet()
    first = runner(fits)
    assert runner.reused == 0
    again = runner(fits)
    assert runner.reused == 2
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    one_more_day = backtest.ProphetFit(np.append(history * 2, 250.0), date(2026, 1, 1), "multiplicative", 7)
    runner([fits[0], one_more_day])
    assert runner.reused == 3  # the unchanged history's fit only


async def test_a_series_with_too_little_history_is_named_not_forecast(tmp_path: Path) -> None:
    store = Store(tmp_path / "short.sqlite")
    rows = [line_item(AS_OF - timedelta(days=d)) for d in range(1, 20)]
    for month in {r.billing_period_start for r in rows}:
        part = [r for r in rows if r.billing_period_start == month]
        store.replace_partition(key_of(part[0]), part, lineage(), kind="export")
    body = await _call(store, {"by": "total"})
    assert body["series"] == []
    assert "Not forecast (under 94 days of history, which a backtest of 30-day windows needs" in body["note"]
    assert "total (USD): 19 days of history" in body["note"]


async def test_the_same_question_gets_the_same_forecast(store: Store) -> None:
    first = await _call(store, {"by": "provider"})
    second = await _call(store, {"by": "provider"})
    assert first["series"] == second["series"]
