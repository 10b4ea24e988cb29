"""Explaining a change: drivers that add up exactly to the change, totals that match the source to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from finops_core.store import Store
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client

from tests.conftest import AS_OF

pytestmark = pytest.mark.anyio


async def _call(store: Store, arguments: dict[str, Any]) -> Any:
    async with Client(build_orchestrator(OrchestratorState(store=store, is_demo=True, today=lambda: AS_OF))) as client:
        return await client.call_tool("finops_explain_change", arguments)


def _sum(frame: pd.DataFrame, start: date, end: date, currency: str) -> Decimal:
    picked = frame[(frame["day"] >= start) & (frame["day"] < end) & (frame["currency"] == currency)]
    return sum(picked["effective"], Decimal(0))


async def test_the_last_30_days_against_the_30_before_match_the_source_and_drivers_add_up(
    demo_store: Store, demo_frame: pd.DataFrame
) -> None:
    result = await _call(demo_store, {"drill_down": "sub_account", "top_n": 3})
    body = result.structured_content
    assert body["current"] == {"start": "2026-10-27", "end": "2026-11-26", "days": 30}
    assert body["baseline"] == {"start": "2026-09-27", "end": "2026-10-27", "days": 30}
    assert [c["currency"] for c in body["currencies"]] == ["EUR", "USD"]
    for currency in body["currencies"]:
        code = currency["currency"]
        base = _sum(demo_frame, date(2026, 9, 27), date(2026, 10, 27), code)
        cur = _sum(demo_frame, date(2026, 10, 27), date(2026, 11, 26), code)
        assert Decimal(currency["baseline"]) == base
        assert Decimal(currency["current"]) == cur
        assert Decimal(currency["change"]) == cur - base
        drivers = currency["drivers"]
        assert len(drivers) == 4
        assert drivers[-1]["value"] == "(other)"
        assert sum(Decimal(d["change"]) for d in drivers) == cur - base
        changes = [abs(Decimal(d["change"])) for d in drivers[:-1]]
        assert changes == sorted(changes, reverse=True)
        for driver in drivers[:-1]:
            assert sum(Decimal(b["change"]) for b in driver["breakdown"]) == Decimal(driver["change"])


async def test_a_service_s_change_matches_pandas_over_the_source(demo_store: Store, demo_frame: pd.DataFrame) -> None:
    args = {"start": "2026-10-01", "end": "2026-11-01", "baseline_start": "2026-09-01", "baseline_end": "2026-10-01"}
    body = (await _call(demo_store, {**args, "providers": ["AWS"], "top_n": 50})).structured_content
    (usd,) = body["currencies"]
    aws = demo_frame[demo_frame["provider"] == "AWS"]
    for driver in usd["drivers"]:
        rows = aws[aws["service"] == driver["value"]]
        assert Decimal(driver["current"]) == _sum(rows, date(2026, 10, 1), date(2026, 11, 1), "USD")
        assert Decimal(driver["baseline"]) == _sum(rows, date(2026, 9, 1), date(2026, 10, 1), "USD")
    assert "differ in length (30 vs 31 days)" in body["note"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"dimension": "service", "drill_down": "service"}, "drill_down must differ"),
        ({"start": "2026-10-01", "baseline_start": "2026-10-15", "baseline_end": "2026-11-15"}, "The periods overlap"),
        ({"end": "2026-13-01"}, "YYYY-MM-DD"),
        ({"dimension": "colour"}, "dimension"),
    ],
)
async def test_bad_periods_and_dimensions_are_clear_errors(
    demo_store: Store, arguments: dict[str, Any], message: str
) -> None:
    result = await _call(demo_store, arguments)
    assert result.is_error
    assert message in result.content[0].text
    assert "Traceback" not in result.content[0].text


async def test_an_empty_store_says_what_to_do(tmp_path: Any) -> None:
    body = (await _call(Store(tmp_path / "empty.sqlite"), {})).structured_content
    assert body["currencies"] == []
    assert "No cost data" in body["note"]
