"""The finops_ingest tool loads billing exports through MCP, with progress, and refuses what it cannot load."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from finops_core.models import CostQuery
from finops_core.store import Store
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client

from tests.conftest import AS_OF, SHARED

pytestmark = pytest.mark.anyio
SAMPLE = SHARED / "data/focus-samples/FOCUS-1.0/focus_sample_1000.csv"


async def test_an_export_loads_through_the_tool_and_its_billed_totals_match_the_file(tmp_path: Path) -> None:
    seen: list[str | None] = []

    async def progress(done: float, total: float | None, message: str | None) -> None:
        seen.append(message)

    with Store(tmp_path / "s.sqlite") as store:
        server = build_orchestrator(
            OrchestratorState(store=store, is_demo=False, today=lambda: AS_OF, ingest_roots=[SAMPLE.parent])
        )
        async with Client(server) as client:
            result = await client.call_tool("finops_ingest", {"paths": [str(SAMPLE)]}, progress_callback=progress)
        body = result.structured_content
        assert body is not None, result.content
        (file,) = body["files"]
        frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
        days = pd.to_datetime(frame["ChargePeriodStart"], utc=True)
        stored = store.query_costs(
            CostQuery(start=days.min().date(), end=days.max().date() + pd.Timedelta(days=1), metric="billed")
        )
    expected = frame.groupby("BillingCurrency")["BilledCost"].apply(lambda c: sum(Decimal(v or "0") for v in c))
    cent = Decimal("0.01")
    assert {t.currency: t.amount.quantize(cent) for t in stored.totals} == {
        c: v.quantize(cent) for c, v in expected.items()
    }
    assert file["format"].startswith("focus")
    assert file["rows_read"] == len(frame)
    assert body["line_items"] == file["line_items"] > 0
    assert any(m and "focus_sample_1000.csv" in m for m in seen)


async def test_a_path_with_no_export_is_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("user,password\nalice,hunter2\n")
    with Store(tmp_path / "s.sqlite") as store:
        async with Client(
            build_orchestrator(
                OrchestratorState(store=store, is_demo=False, today=lambda: AS_OF, ingest_roots=[tmp_path])
            )
        ) as client:
            result = await client.call_tool("finops_ingest", {"paths": [str(tmp_path / "notes.csv")]})
        assert store.info().line_items == 0
    assert result.is_error
    text = result.content[0].text  # type: ignore[union-attr]
    assert "cannot tell which billing export" in text
    assert "hunter2" not in text


async def test_the_demo_server_does_not_mix_real_exports_into_the_demo_store(demo_store: Store) -> None:
    async with Client(
        build_orchestrator(OrchestratorState(store=demo_store, is_demo=True, today=lambda: AS_OF))
    ) as client:
        result = await client.call_tool("finops_ingest", {"paths": [str(SAMPLE)]})
    assert result.is_error
    assert "without --demo" in result.content[0].text  # type: ignore[union-attr]
