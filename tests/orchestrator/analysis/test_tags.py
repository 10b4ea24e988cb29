"""Tag coverage: tagged and untagged cost per provider, showback per value, and the untagged contributors."""

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
        return await client.call_tool("finops_tag_coverage", arguments)


def _october(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[(frame["day"] >= date(2026, 10, 1)) & (frame["day"] < date(2026, 11, 1))]


async def test_coverage_per_provider_matches_the_source_to_the_cent(
    demo_store: Store, demo_frame: pd.DataFrame
) -> None:
    body = (await _call(demo_store, {"tag_key": "team", "start": "2026-10-01", "end": "2026-11-01"})).structured_content
    october = _october(demo_frame)
    for row in body["coverage"]:
        rows = october[(october["provider"] == row["provider"]) & (october["currency"] == row["currency"])]
        untagged = sum(rows[rows["team"].isna()]["effective"], Decimal(0))
        total = sum(rows["effective"], Decimal(0))
        assert (Decimal(row["untagged"]), Decimal(row["total"])) == (untagged, total)
        assert Decimal(row["tagged"]) + Decimal(row["untagged"]) == Decimal(row["total"])
    assert {r["provider"] for r in body["coverage"]} == {"AWS", "Microsoft", "Google Cloud"}


async def test_showback_per_value_adds_up_to_the_total(demo_store: Store, demo_frame: pd.DataFrame) -> None:
    body = (
        await _call(demo_store, {"tag_key": "team", "start": "2026-10-01", "end": "2026-11-01", "top_n": 50})
    ).structured_content
    october = _october(demo_frame)
    for share in body["showback"]:
        rows = october[october["currency"] == share["currency"]]
        rows = rows[rows["team"].isna()] if share["value"] is None else rows[rows["team"] == share["value"]]
        assert Decimal(share["cost"]) == sum(rows["effective"], Decimal(0))
    for currency in ("EUR", "USD"):
        by_service = sum(Decimal(s["cost"]) for s in body["untagged_by_service"] if s["currency"] == currency)
        by_account = sum(Decimal(s["cost"]) for s in body["untagged_by_account"] if s["currency"] == currency)
        untagged = sum(Decimal(c["untagged"]) for c in body["coverage"] if c["currency"] == currency)
        assert by_service == by_account == untagged


@pytest.mark.parametrize("key", ["", "te\nam", 'a"b', "x" * 200])
async def test_malformed_tag_keys_are_clear_errors(demo_store: Store, key: str) -> None:
    result = await _call(demo_store, {"tag_key": key})
    assert result.is_error
    assert "is not a tag key" in result.content[0].text


async def test_a_key_nobody_uses_is_called_out(demo_store: Store) -> None:
    body = (await _call(demo_store, {"tag_key": "Team"})).structured_content
    assert all(Decimal(c["tagged"]) == 0 for c in body["coverage"])
    assert "case-sensitive" in body["note"]
