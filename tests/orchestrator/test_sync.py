"""Sync pulls each connected cloud's daily costs, inventory and recommendations into the store: incrementally,
leaving ingested exports alone, with progress, and a partial result when a cloud fails."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from finops_core.errors import Unavailable
from finops_core.focus import CostLineItem, Lineage
from finops_core.models import FOCUS_PROVIDER_NAMES, CostQuery
from finops_core.provider import CloudProvider
from finops_core.sandbox import DEMO_LABEL, SandboxProvider
from finops_core.settings import SyncSettings
from finops_core.store import Store, split_by_partition
from finops_orchestrator.providers import ProviderStatus, not_configured
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from finops_orchestrator.sync import refresh_forever, sync
from mcp import Client

from tests.commands import run_finops
from tests.conftest import AS_OF

pytestmark = pytest.mark.anyio
END = AS_OF  # through yesterday


class Recording:
    """A sandbox cloud that records which days were asked of it, and can be made to fail."""

    def __init__(self, cloud: Any, *, fail: bool = False) -> None:
        self._sandbox = SandboxProvider(cloud, as_of=AS_OF)
        self.asked: list[tuple[date, date]] = []
        self.fail = fail

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sandbox, name)

    async def daily_costs(self, start: date, end: date) -> list[CostLineItem]:
        if self.fail:
            raise Unavailable("the billing API timed out after 5 tries", provider=self._sandbox.cloud)
        self.asked.append((start, end))
        return await self._sandbox.daily_costs(start, end)


def _connected(*providers: Any) -> list[ProviderStatus]:
    clouds = {p.cloud for p in providers}
    return [
        ProviderStatus(provider=c, state="connected", detail="sandbox") if c in clouds else not_configured(c)
        for c in ("aws", "azure", "gcp")
    ]


async def _billed(store: Store, provider: CloudProvider, start: date, end: date) -> tuple[Any, Any]:
    query = CostQuery(start=start, end=end, metric="billed")
    source = await provider.query_costs(query)
    name = FOCUS_PROVIDER_NAMES[provider.cloud]
    stored = store.query_costs(query.model_copy(update={"filters": {"provider": (name,)}}))
    return source.totals, stored.totals


async def test_a_first_sync_fetches_every_month_and_the_store_matches_the_cloud_to_the_cent(tmp_path: Path) -> None:
    aws = Recording("aws")
    with Store(tmp_path / "s.sqlite") as store:
        report = await sync(store, [aws], _connected(aws), start=date(2026, 8, 1), end=END, restate_months=1)
        source, stored = await _billed(store, aws, date(2026, 8, 1), END)
        sources = {p.lineage.source for p in store.partitions()}
    assert aws.asked == [
        (date(2026, 8, 1), date(2026, 9, 1)),
        (date(2026, 9, 1), date(2026, 10, 1)),
        (date(2026, 10, 1), date(2026, 11, 1)),
        (date(2026, 11, 1), END),
    ]
    assert source == stored
    (result, *others) = report.providers
    assert result.state == "synced"
    assert result.months_written == ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert result.resources
    assert result.recommendations
    assert sources == {f"sync ({DEMO_LABEL})"}  # sandbox data synced into a store stays recognisable
    assert {o.state for o in others} == {"not configured"}
    assert report.complete


async def test_a_second_sync_fetches_only_the_open_month_and_the_restated_ones(tmp_path: Path) -> None:
    gcp = Recording("gcp")
    with Store(tmp_path / "s.sqlite") as store:
        await sync(store, [gcp], _connected(gcp), start=date(2026, 6, 1), end=END, restate_months=1)
        gcp.asked.clear()
        again = await sync(store, [gcp], _connected(gcp), start=date(2026, 6, 1), end=END, restate_months=1)
        source, stored = await _billed(store, gcp, date(2026, 6, 1), END)
    assert gcp.asked == [(date(2026, 10, 1), date(2026, 11, 1)), (date(2026, 11, 1), END)]
    assert again.providers[0].fetched == ["2026-10-01..2026-11-01", "2026-11-01..2026-11-26"]
    assert source == stored  # nothing counted twice


async def test_a_month_held_in_part_is_asked_only_for_its_missing_days(tmp_path: Path) -> None:
    azure = Recording("azure")
    with Store(tmp_path / "s.sqlite") as store:
        await sync(store, [azure], _connected(azure), start=date(2026, 7, 1), end=date(2026, 8, 10), restate_months=0)
        azure.asked.clear()
        await sync(store, [azure], _connected(azure), start=date(2026, 7, 1), end=date(2026, 10, 1), restate_months=0)
        source, stored = await _billed(store, azure, date(2026, 7, 1), date(2026, 10, 1))
    assert azure.asked == [(date(2026, 8, 10), date(2026, 9, 1)), (date(2026, 9, 1), date(2026, 10, 1))]
    assert source == stored
    assert all(t.amount > Decimal(0) for t in stored)


async def test_months_with_an_ingested_export_are_left_alone(tmp_path: Path) -> None:
    aws = Recording("aws")
    sandbox = SandboxProvider("aws", as_of=AS_OF)
    with Store(tmp_path / "s.sqlite") as store:
        exported = await sandbox.daily_costs(date(2026, 9, 1), date(2026, 10, 1))
        lineage = Lineage(source="cur.parquet", ingested_at=sandbox.line_items[0].charge_period_start)
        for key, rows in split_by_partition(exported).items():
            store.replace_partition(key, rows, lineage, kind="export")
        report = await sync(store, [aws], _connected(aws), start=date(2026, 9, 1), end=END, restate_months=3)
        kinds = {(p.key.billing_period_start.month, p.kind) for p in store.partitions()}
    assert (date(2026, 9, 1), date(2026, 10, 1)) not in aws.asked
    assert report.providers[0].kept_exports == ["2026-09"]
    assert (9, "export") in kinds
    assert (9, "sync") not in kinds


async def test_one_cloud_failing_gives_a_partial_result_that_names_it_while_the_others_sync(tmp_path: Path) -> None:
    aws, azure = Recording("aws", fail=True), Recording("azure")
    with Store(tmp_path / "s.sqlite") as store:
        report = await sync(
            store, [aws, azure], _connected(aws, azure), start=date(2026, 11, 1), end=END, restate_months=0
        )
        names = {p.key.provider_name for p in store.partitions()}
    states = {r.provider: r for r in report.providers}
    assert states["aws"].state == "failed"
    assert "timed out" in (states["aws"].message or "")
    assert states["azure"].state == "synced"
    assert names == {"Microsoft"}
    assert not report.complete
    assert "AWS failed" in report.note


async def test_the_sync_tool_reports_progress_and_per_cloud_status(tmp_path: Path) -> None:
    gcp = Recording("gcp")
    seen: list[tuple[float, float | None, str | None]] = []

    async def progress(done: float, total: float | None, message: str | None) -> None:
        seen.append((done, total, message))

    with Store(tmp_path / "s.sqlite") as store:
        server = build_orchestrator(
            OrchestratorState(store=store, is_demo=True, today=lambda: AS_OF, providers=[gcp], statuses=_connected(gcp))
        )
        async with Client(server) as client:
            result = await client.call_tool("finops_sync", {"start": "2026-10-01"}, progress_callback=progress)
    assert not result.is_error
    assert result.structured_content is not None
    assert result.structured_content["providers"][0]["state"] == "synced"
    assert [s[0] for s in seen] == [1, 2, 3]
    assert all(s[1] == 3 for s in seen)


def test_finops_sync_on_the_command_line_syncs_the_configured_clouds(home: Path) -> None:
    (home / "finops.toml").write_text('[providers.aws]\nmode = "sandbox"\n[providers.gcp]\nmode = "in-process"\n')
    first = run_finops(home, "sync", "--since", "2026-10-01")
    again = run_finops(home, "sync", "--since", "2026-10-01", "--json")
    assert first.returncode == 1, first.stderr  # gcp is configured without projects: a partial sync
    assert "AWS" in first.stdout
    assert "FINOPS_GCP__PROJECTS" in first.stdout.replace("\n", " ")
    assert '"state": "synced"' in again.stdout


class Stop(Exception):
    pass


async def test_the_serve_refresh_syncs_at_once_and_then_every_interval(tmp_path: Path) -> None:
    aws = Recording("aws")
    waits: list[float] = []

    async def wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            raise Stop

    settings = SyncSettings(refresh_minutes=15, history_months=1, restate_months=0)
    with Store(tmp_path / "s.sqlite") as store, pytest.raises(Stop):
        await refresh_forever(store, [aws], _connected(aws), settings, today=lambda: AS_OF, wait=wait)
    assert waits == [900, 900]
    assert aws.asked == [(date(2026, 10, 1), date(2026, 11, 1)), (date(2026, 11, 1), END), (date(2026, 11, 1), END)]


async def test_savings_of_an_unreachable_cloud_come_from_the_last_sync_and_say_so(tmp_path: Path) -> None:
    gcp = Recording("gcp")
    down = [ProviderStatus(provider="gcp", state="unavailable", detail="gcp: cannot reach the server")]
    with Store(tmp_path / "s.sqlite") as store:
        await sync(store, [gcp], _connected(gcp), start=date(2026, 11, 1), end=END, restate_months=0)
        server = build_orchestrator(
            OrchestratorState(store=store, is_demo=False, today=lambda: AS_OF, providers=[], statuses=down)
        )
        async with Client(server) as client:
            body = (await client.call_tool("finops_savings", {"top_n": 200})).structured_content
            info = (await client.call_tool("finops_store_info", {})).structured_content
    live = await SandboxProvider("gcp", as_of=AS_OF).list_recommendations(limit=500)
    assert body is not None
    assert info is not None
    assert body["total_monthly_savings"] == [m.model_dump(mode="json") for m in live.total_monthly_savings]
    (stale,) = body["from_last_sync"]
    assert stale["provider"] == "gcp"
    assert "cannot reach the server" in stale["reason"]
    assert {c["provider"]: c["state"] for c in info["clouds"]} == {
        "aws": "not configured",
        "azure": "not configured",
        "gcp": "unavailable",
    }
    assert {(s["provider"], s["kind"]) for s in info["snapshots"]} == {("gcp", "resources"), ("gcp", "recommendations")}


async def test_finops_serve_connects_the_configured_clouds_and_syncs_them_over_stdio(home: Path) -> None:
    from mcp.client.stdio import StdioServerParameters

    from tests.commands import BIN, finops_env

    (home / "finops.toml").write_text('[providers.azure]\nmode = "sandbox"\n')
    params = StdioServerParameters(command=str(BIN / "finops"), args=["serve"], env=finops_env(home))
    async with Client(params) as client:
        synced = await client.call_tool("finops_sync", {"start": "2026-11-01"})
        costs = await client.call_tool(
            "finops_cost_query", {"start": "2026-11-01", "end": "2026-11-26", "metric": "billed"}
        )
        info = await client.call_tool("finops_store_info", {})
    assert synced.structured_content is not None
    assert [p["state"] for p in synced.structured_content["providers"]] == [
        "synced",
        "not configured",
        "not configured",
    ]
    expected = await SandboxProvider("azure", as_of=AS_OF).query_costs(
        CostQuery(start=date(2026, 11, 1), end=AS_OF, metric="billed")
    )
    assert costs.structured_content is not None
    totals = {c: Decimal(v) for c, v in costs.structured_content["totals"].items()}
    assert totals == {t.currency: t.amount for t in expected.totals}
    assert info.structured_content is not None
    assert {c["provider"]: c["state"] for c in info.structured_content["clouds"]}["azure"] == "connected"
