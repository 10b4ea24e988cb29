"""Budgets across clouds: kept in the store, held against exact period-to-date costs, projected, and dated."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from finops_core.models import Budget
from finops_core.money import Money
from finops_core.store import Store
from finops_orchestrator.analysis.budgets import budget_period
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client

from tests.conftest import AS_OF
from tests.orchestrator.conftest import copy_of

pytestmark = pytest.mark.anyio


@pytest.fixture
def store(demo_store: Store, tmp_path: Path) -> Store:
    """A copy of the demo store, so budgets written here stay here."""
    return copy_of(demo_store, tmp_path)


async def _call(store: Store, tool: str, arguments: dict[str, Any]) -> Any:
    async with Client(build_orchestrator(OrchestratorState(store=store, is_demo=True, today=lambda: AS_OF))) as client:
        return await client.call_tool(tool, arguments)


def _november(frame: pd.DataFrame, provider: str | None, currency: str) -> pd.DataFrame:
    rows = frame[(frame["day"] >= date(2026, 11, 1)) & (frame["day"] < AS_OF) & (frame["currency"] == currency)]
    return rows if provider is None else rows[rows["provider"] == provider]


async def test_a_budget_is_held_against_the_exact_month_to_date_cost_and_projected(
    store: Store, demo_frame: pd.DataFrame
) -> None:
    rows = _november(demo_frame, "AWS", "USD")
    actual = sum(rows["effective"], Decimal(0))
    limit = (actual / 25 * 30 * Decimal("0.9")).quantize(Decimal(1))  # the month-end projection passes it
    body = (
        await _call(store, "finops_budget_set", {"name": "aws", "amount": str(limit), "providers": ["AWS"]})
    ).structured_content
    assert (body["period_start"], body["period_end"], body["days_elapsed"]) == ("2026-11-01", "2026-12-01", 25)
    assert Decimal(body["actual"]) == actual
    assert Decimal(body["burn_rate"]) == (actual / 25).quantize(Decimal("0.01"))
    assert Decimal(body["projected"]) == (actual + actual / 25 * 5).quantize(Decimal("0.01"))
    assert body["state"] == "at risk"
    # The forecast day is the first day the linear projection passes the limit.
    forecast = date.fromisoformat(body["forecast_exceed_date"])
    days_after = (forecast - AS_OF).days
    assert actual + actual / 25 * days_after <= limit < actual + actual / 25 * (days_after + 1)
    assert body["thresholds_projected"] == ["0.8", "1.0"]


async def test_an_overspent_budget_names_the_day_it_was_passed(store: Store, demo_frame: pd.DataFrame) -> None:
    daily = _november(demo_frame, None, "USD").groupby("day")["effective"].apply(lambda s: sum(s, Decimal(0)))
    crossed = next(day for day, total in daily.cumsum().items() if total > Decimal(5000))
    body = (await _call(store, "finops_budget_set", {"name": "all usd", "amount": "5000"})).structured_content
    assert body["state"] == "over"
    assert body["exceeded_on"] == crossed.isoformat()
    assert body["thresholds_reached"] == ["0.8", "1.0"]
    assert body["other_currencies"] == ["EUR"]


async def test_budgets_are_listed_updated_in_place_and_each_counts_only_its_currency(
    store: Store, demo_frame: pd.DataFrame
) -> None:
    await _call(store, "finops_budget_set", {"name": "azure", "amount": "1000", "currency": "eur"})
    await _call(store, "finops_budget_set", {"name": "azure", "amount": "90000", "currency": "EUR"})
    await _call(store, "finops_budget_set", {"name": "gcp", "amount": "50000", "providers": ["Google Cloud"]})
    body = (await _call(store, "finops_budget_status", {})).structured_content
    assert [b["budget"]["name"] for b in body["budgets"]] == ["azure", "gcp"]
    azure = body["budgets"][0]
    assert azure["budget"]["amount"] == {"amount": "90000", "currency": "EUR"}
    assert Decimal(azure["actual"]) == sum(_november(demo_frame, None, "EUR")["effective"], Decimal(0))
    assert azure["state"] == "ok"


@pytest.mark.parametrize(
    ("tool", "arguments", "message"),
    [
        ("finops_budget_set", {"name": "x", "amount": "lots"}, "amount must be a number"),
        ("finops_budget_set", {"name": "x", "amount": "-5"}, "positive number"),
        ("finops_budget_status", {"name": "missing"}, "No budget named 'missing'"),
    ],
)
async def test_bad_budget_input_is_a_clear_error_and_writes_nothing(
    store: Store, tool: str, arguments: dict[str, Any], message: str
) -> None:
    result = await _call(store, tool, arguments)
    assert result.is_error
    assert message in result.content[0].text
    assert store.budgets() == []


@pytest.mark.parametrize(
    ("period", "today", "expected"),
    [
        ("monthly", date(2026, 12, 1), (date(2026, 11, 1), date(2026, 12, 1))),
        ("quarterly", date(2026, 11, 26), (date(2026, 10, 1), date(2027, 1, 1))),
        ("yearly", date(2027, 1, 1), (date(2026, 1, 1), date(2027, 1, 1))),
    ],
)
def test_the_budget_period_holds_the_last_complete_day(period: Any, today: date, expected: tuple[date, date]) -> None:
    budget = Budget(name="b", amount=Money(amount=Decimal(1), currency="USD"), period=period)
    assert budget_period(budget, today) == expected
    assert expected[0] <= today - timedelta(days=1) < expected[1]
