"""Anomalies: the sandbox's two injected spikes are found, on the right days, with exact amounts, and nothing else;
a step is reported once from its first day; recurring billing-calendar charges are not anomalies."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from finops_core.models import CLOUDS
from finops_core.sandbox.company import demo_spec
from finops_core.store import Store
from finops_orchestrator.server import build_orchestrator
from mcp import Client

from tests.conftest import AS_OF
from tests.factories import key_of, line_item, lineage

pytestmark = pytest.mark.anyio


async def _call(store: Store, arguments: dict[str, Any]) -> Any:
    async with Client(build_orchestrator(store, is_demo=True, today=lambda: AS_OF)) as client:
        return await client.call_tool("finops_anomalies", arguments)


async def test_the_two_injected_spikes_are_found_with_their_start_length_and_exact_cost(
    demo_store: Store, demo_frame: pd.DataFrame
) -> None:
    body = (await _call(demo_store, {"days": 90})).structured_content
    injected = {
        (spec.provider_name, spike.service, spike.account_id): spike
        for spec in map(demo_spec, CLOUDS)
        for spike in spec.spikes
    }
    found = {(a["provider"], a["service"], a["account"]): a for a in body["anomalies"]}
    assert set(found) == set(injected)
    for key, spike in injected.items():
        anomaly = found[key]
        start = AS_OF - timedelta(days=spike.days_before_as_of)
        assert anomaly["start"] == start.isoformat()
        assert anomaly["days"] == spike.days
        series = demo_frame[
            (demo_frame["provider"] == key[0]) & (demo_frame["service"] == key[1]) & (demo_frame["account"] == key[2])
        ]
        days = series[(series["day"] >= start) & (series["day"] < start + timedelta(days=spike.days))]
        actual = sum(days["effective"], Decimal(0))
        assert Decimal(anomaly["actual"]) == actual
        assert Decimal(anomaly["impact"]) == actual - Decimal(anomaly["expected"])
        # The injected factor multiplies the usual cost: the excess is about (1 - 1/factor) of what was paid.
        assert float(anomaly["impact"]) == pytest.approx(float(actual) * (1 - 1 / spike.factor), rel=0.15)
    assert body["spike_impact"] == [
        {"amount": str(sum(Decimal(a["impact"]) for a in body["anomalies"])), "currency": "USD"}
    ]
    impacts = [Decimal(a["impact"]) for a in body["anomalies"]]
    assert impacts == sorted(impacts, reverse=True)


async def test_only_the_largest_are_listed_and_the_rest_counted(demo_store: Store) -> None:
    body = (await _call(demo_store, {"days": 90, "top_n": 1})).structured_content
    assert [a["service"] for a in body["anomalies"]] == ["Amazon Elastic Compute Cloud"]
    assert (body["count"], body["truncated"]) == (2, True)
    assert "Listing the 1 largest" in body["note"]
    assert len(body["spike_impact"]) == 1  # both spikes are in USD, listed or not


async def test_drops_are_reported_only_when_asked(demo_store: Store) -> None:
    spikes = (await _call(demo_store, {"days": 90})).structured_content["anomalies"]
    both = (await _call(demo_store, {"days": 90, "drops": True})).structured_content["anomalies"]
    assert {a["direction"] for a in spikes} == {"spike"}
    assert len(both) >= len(spikes)
    assert all(Decimal(a["impact"]) < 0 for a in both if a["direction"] == "drop")


async def test_a_store_with_too_little_history_judges_nothing_and_says_so(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    rows = [line_item(AS_OF - timedelta(days=d), effective_cost=Decimal(10 + 90 * (d == 1))) for d in range(1, 10)]
    for month in {r.billing_period_start for r in rows}:
        part = [r for r in rows if r.billing_period_start == month]
        store.replace_partition(key_of(part[0]), part, lineage(), kind="export")
    body = (await _call(store, {"days": 7})).structured_content
    assert body["anomalies"] == []
    assert "not judged" in body["note"]


async def test_a_malformed_threshold_is_a_clear_error(demo_store: Store) -> None:
    result = await _call(demo_store, {"min_impact": "ten dollars"})
    assert result.is_error
    assert "min_impact must be a number" in result.content[0].text


def _store(tmp_path: Path, costs: dict[str, list[float]]) -> Store:
    """One series per service, daily costs ending the day before AS_OF."""
    store = Store(tmp_path / "series.sqlite")
    rows = [
        line_item(AS_OF - timedelta(days=len(values) - i), service_name=service, effective_cost=Decimal(f"{v:.2f}"))
        for service, values in costs.items()
        for i, v in enumerate(values)
    ]
    for month in sorted({r.billing_period_start for r in rows}):
        part = [r for r in rows if r.billing_period_start == month]
        store.replace_partition(key_of(part[0]), part, lineage(), kind="export")
    return store


def _weekly(days: int, seed: int) -> list[float]:
    rng = np.random.default_rng(seed)
    return [
        (600.0 if (AS_OF - timedelta(days=days - i)).weekday() >= 5 else 1000.0) * rng.normal(1, 0.03)
        for i in range(days)
    ]


async def test_a_step_is_reported_once_from_its_first_day_with_its_daily_change(tmp_path: Path) -> None:
    costs = _weekly(150, seed=4)
    step = 150 - 30  # index of the first day at the new level
    costs[step:] = [c * 1.3 for c in costs[step:]]
    body = (await _call(_store(tmp_path, {"Step": costs}), {"days": 60})).structured_content
    assert len(body["anomalies"]) == 1, body["anomalies"]
    anomaly = body["anomalies"][0]
    assert anomaly["start"] == (AS_OF - timedelta(days=30)).isoformat()
    assert anomaly["shape"] == "shift"
    assert 150 < float(anomaly["daily_change"]) < 350  # +30% of 1000 on weekdays, of 600 on weekends


async def test_a_fee_on_every_first_of_the_month_is_not_flagged_but_a_new_one_is(tmp_path: Path) -> None:
    days = 150
    firsts = [(AS_OF - timedelta(days=days - i)).day == 1 for i in range(days)]
    usual = [c + 4000 * f for c, f in zip(_weekly(days, seed=5), firsts, strict=True)]
    last_first = max(i for i, f in enumerate(firsts) if f)
    new = _weekly(days, seed=6)
    new[last_first] += 4000  # the first time: unusual
    body = (await _call(_store(tmp_path, {"Monthly fee": usual, "New fee": new}), {"days": 60})).structured_content
    assert [(a["service"], a["start"]) for a in body["anomalies"]] == [
        ("New fee", (AS_OF - timedelta(days=days - last_first)).isoformat())
    ]
