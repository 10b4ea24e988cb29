"""Commitments: coverage, utilization and savings from the FOCUS commitment columns, exact to the source."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from finops_core.sandbox.company import SAVINGS_PLAN_ARN, SAVINGS_PLAN_MONTHLY
from finops_core.store import Store
from finops_orchestrator.ingest import ingest
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client

from tests.conftest import AS_OF, SHARED

pytestmark = pytest.mark.anyio


async def _call(store: Store, arguments: dict[str, Any], *, is_demo: bool = True) -> Any:
    async with Client(
        build_orchestrator(OrchestratorState(store=store, is_demo=is_demo, today=lambda: AS_OF))
    ) as client:
        return await client.call_tool("finops_commitments", arguments)


async def test_the_savings_plan_s_use_coverage_and_savings_match_the_source(
    demo_store: Store, demo_frame: pd.DataFrame
) -> None:
    body = (await _call(demo_store, {"start": "2026-11-01", "providers": ["AWS"]})).structured_content
    (plan,) = body["commitments"]
    rows = demo_frame[(demo_frame["day"] >= date(2026, 11, 1)) & (demo_frame["day"] < AS_OF)]
    aws = rows[rows["provider"] == "AWS"]
    covered = aws[(aws["commitment"] == SAVINGS_PLAN_ARN) & (aws["status"] == "Used")]
    assert plan["commitment_id"] == SAVINGS_PLAN_ARN
    assert Decimal(plan["purchased"]) == SAVINGS_PLAN_MONTHLY
    assert Decimal(plan["used"]) == sum(covered["effective"], Decimal(0))
    assert Decimal(plan["savings_vs_list"]) == sum(covered["list"], Decimal(0)) - sum(covered["effective"], Decimal(0))
    assert plan["utilization_percent"] == 100.0
    (coverage,) = body["coverage"]
    usage = aws[aws["charge"] == "Usage"]
    assert Decimal(coverage["usage"]) == sum(usage["effective"], Decimal(0))
    assert Decimal(coverage["covered"]) == Decimal(plan["used"])


async def test_the_focus_sample_s_commitments_match_pandas(tmp_path: Path) -> None:
    path = SHARED / "data/focus-samples/FOCUS-1.0/focus_sample_1000.csv"
    store = Store(tmp_path / "s.sqlite")
    ingest(store, [str(path)])
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    start = frame["ChargePeriodStart"].min()[:10]
    end = (date.fromisoformat(frame["ChargePeriodEnd"].max()[:10]) + timedelta(days=1)).isoformat()
    body = (await _call(store, {"start": start, "end": end}, is_demo=False)).structured_content
    used = frame[frame["CommitmentDiscountStatus"] == "Used"]
    expected = {
        cid: sum(map(Decimal, rows["EffectiveCost"]), Decimal(0)) for cid, rows in used.groupby("CommitmentDiscountId")
    }
    assert {c["commitment_id"]: Decimal(c["used"]) for c in body["commitments"]} == expected


async def test_a_store_without_commitments_says_so(tmp_path: Path) -> None:
    body = (await _call(Store(tmp_path / "e.sqlite"), {})).structured_content
    assert body["commitments"] == []
    assert "No commitment discounts" in body["note"]
