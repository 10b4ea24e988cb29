"""The analysis tools on real outside data: the FOCUS 1.0 sample export (AWS, Microsoft, Oracle; September 2024),
ingested, asked through an MCP client, and checked against pandas over the CSV itself, to the cent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import pandas as pd
import pytest
from finops_core.store import Store
from finops_orchestrator.ingest import ingest
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client

from tests.conftest import SHARED

SAMPLE = SHARED / "data/focus-samples/FOCUS-1.0/focus_sample_1000.csv"
TODAY = date(2024, 9, 20)
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store(Path(tmp_path_factory.mktemp("shared")) / "sample.sqlite") as store:
        ingest(store, [str(SAMPLE)])
        yield store


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    data = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    data["effective"] = [Decimal(v or "0") for v in data["EffectiveCost"]]
    data["day"] = pd.to_datetime(data["ChargePeriodStart"], utc=True).dt.date
    data["tags"] = [{} if t in ("", "NULL") else json.loads(t) for t in data["Tags"]]
    return data


def _call(store: Store, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    async def call() -> dict[str, Any]:
        async with Client(
            build_orchestrator(OrchestratorState(store=store, is_demo=False, today=lambda: TODAY))
        ) as client:
            result = await client.call_tool(tool, arguments)
        assert not result.is_error, result.content
        assert result.structured_content is not None
        return result.structured_content

    return anyio.run(call)


def _cents(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def _sum(rows: pd.DataFrame) -> Decimal:
    return sum(rows["effective"], Decimal(0))


def test_drivers_of_the_second_half_of_september_match_pandas_and_add_up(store: Store, frame: pd.DataFrame) -> None:
    body = _call(
        store,
        "finops_explain_change",
        {"start": "2024-09-16", "end": "2024-10-01", "baseline_start": "2024-09-01", "baseline_end": "2024-09-16"},
    )
    (usd,) = body["currencies"]
    current = frame[frame["day"] >= date(2024, 9, 16)].groupby("ServiceName")["effective"].sum()
    baseline = frame[frame["day"] < date(2024, 9, 16)].groupby("ServiceName")["effective"].sum()
    change = current.sub(baseline, fill_value=Decimal(0))
    assert _cents(usd["change"]) == _cents(sum(change, Decimal(0)))
    for driver in usd["drivers"]:
        if driver["value"] != "(other)":
            assert _cents(driver["change"]) == _cents(change[driver["value"]]), driver["value"]
    assert sum(Decimal(d["change"]) for d in usd["drivers"]) == Decimal(usd["change"])


def test_tag_coverage_of_application_matches_pandas_per_provider(store: Store, frame: pd.DataFrame) -> None:
    body = _call(store, "finops_tag_coverage", {"tag_key": "application", "start": "2024-09-01", "end": "2024-10-01"})
    tagged = frame[[("application" in t) for t in frame["tags"]]]
    for row in body["coverage"]:
        mine = frame[frame["ProviderName"] == row["provider"]]
        assert _cents(row["total"]) == _cents(_sum(mine)), row
        assert _cents(row["tagged"]) == _cents(_sum(tagged[tagged["ProviderName"] == row["provider"]])), row
        assert Decimal(row["untagged"]) == Decimal(row["total"]) - Decimal(row["tagged"])
    assert {r["provider"] for r in body["coverage"]} == set(frame["ProviderName"])


def test_a_budget_over_every_cloud_counts_the_month_to_date_like_pandas(store: Store, frame: pd.DataFrame) -> None:
    body = _call(store, "finops_budget_set", {"name": "september", "amount": "10"})
    assert _cents(body["actual"]) == _cents(_sum(frame[frame["day"] < TODAY]))
    assert body["days_elapsed"] == (TODAY - date(2024, 9, 1)).days


def test_anomalies_check_one_series_per_provider_service_and_account(store: Store, frame: pd.DataFrame) -> None:
    body = _call(store, "finops_anomalies", {"end": "2024-10-01", "days": 10})
    series = frame.groupby(["ProviderName", "ServiceName", "SubAccountId"]).ngroups
    assert body["series_checked"] == series
    assert "under 3 weeks of history" in body["note"]


def test_a_month_of_history_is_too_short_to_forecast_and_the_answer_says_so(store: Store) -> None:
    body = _call(store, "finops_forecast", {})
    assert body["series"] == []
    assert "Not forecast (under" in body["note"]


def test_sql_counts_every_line_item_of_the_file(store: Store, frame: pd.DataFrame) -> None:
    body = _call(store, "finops_sql", {"query": "SELECT COUNT(*) AS n FROM line_items"})
    assert body["rows"] == [[len(frame)]]
