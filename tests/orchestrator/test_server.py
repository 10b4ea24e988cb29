"""The finops server answers cross-cloud questions from the store and offers prompts."""

from __future__ import annotations

import importlib.metadata
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from finops_core.models import CLOUDS, CostQuery
from finops_core.sandbox import SandboxProvider
from finops_core.store import Store
from finops_orchestrator.server import build_orchestrator
from mcp import Client, MCPError
from mcp.types import INVALID_PARAMS

from tests.conftest import AS_OF
from tests.tool_budget import hosted_bytes

pytestmark = pytest.mark.anyio


async def test_cross_cloud_costs_group_by_provider_with_one_total_per_currency(demo_store: Store) -> None:
    server = build_orchestrator(demo_store, is_demo=True, today=lambda: AS_OF)
    async with Client(server) as client:
        result = await client.call_tool(
            "finops_cost_query", {"start": "2026-10-01", "end": "2026-11-01", "group_by": ["provider"]}
        )
    body = result.structured_content
    assert body is not None
    assert body["is_demo"] is True
    assert body["columns"] == ["provider", "currency", "cost"]
    assert {r[0] for r in body["rows"]} == {"AWS", "Microsoft", "Google Cloud"}
    assert sorted(body["totals"]) == ["EUR", "USD"]


async def test_store_answers_match_each_provider_to_the_cent(demo_store: Store) -> None:
    query = CostQuery(start=date(2026, 1, 1), end=date(2026, 11, 26), metric="billed")
    for cloud in CLOUDS:
        provider = SandboxProvider(cloud, as_of=AS_OF)
        direct = await provider.query_costs(query)
        stored = demo_store.query_costs(
            query.model_copy(update={"filters": {"provider": (provider.spec.provider_name,)}})
        )
        assert direct.totals == stored.totals


async def test_weekly_store_answers_match_each_provider_row_for_row(demo_store: Store) -> None:
    query = CostQuery(
        start=date(2026, 9, 17), end=date(2026, 11, 4), granularity="weekly", group_by=("service",), top_n=500
    )
    for cloud in CLOUDS:
        provider = SandboxProvider(cloud, as_of=AS_OF)
        direct = await provider.query_costs(query)
        stored = demo_store.query_costs(
            query.model_copy(update={"filters": {"provider": (provider.spec.provider_name,)}})
        )
        assert sorted(direct.rows, key=repr) == sorted(stored.rows, key=repr)
        assert direct.partial_periods == stored.partial_periods
        assert [(p.start, p.end) for p in stored.partial_periods] == [
            (date(2026, 9, 17), date(2026, 9, 21)),
            (date(2026, 11, 2), date(2026, 11, 4)),
        ]


async def test_the_server_names_its_package_version(demo_store: Store) -> None:
    async with Client(build_orchestrator(demo_store, is_demo=True)) as client:
        info = client.server_info
    assert info is not None
    assert (info.name, info.version) == ("finops", importlib.metadata.version("finops-mcp"))
    assert info.version


async def test_store_info_reports_what_is_loaded(demo_store: Store) -> None:
    async with Client(build_orchestrator(demo_store, is_demo=True)) as client:
        result = await client.call_tool("finops_store_info", {})
    body = result.structured_content
    assert body is not None
    assert body["providers"] == ["AWS", "Google Cloud", "Microsoft"]
    assert body["partitions"] == 39


async def test_prompts_are_listed_and_render_with_defaults(demo_store: Store) -> None:
    async with Client(build_orchestrator(demo_store, is_demo=True)) as client:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
        rendered = await client.get_prompt("investigate-cost-change", {"days": "14"})
    assert {"monthly-cost-review", "investigate-cost-change"} <= set(prompts)
    text = rendered.messages[0].content.text  # type: ignore[union-attr]
    assert "last 14 days" in text
    assert "all services" in text


async def test_an_unknown_prompt_argument_is_refused_naming_it_and_the_arguments_the_prompt_takes(
    demo_store: Store,
) -> None:
    async with Client(build_orchestrator(demo_store, is_demo=True)) as client:
        with pytest.raises(MCPError) as raised:
            await client.get_prompt("investigate-spike", {"dayz": "14"})
    assert raised.value.code == INVALID_PARAMS
    assert str(raised.value.error.message) == "Unknown argument 'dayz': the prompt investigate-spike takes only days."


async def test_an_over_long_prompt_argument_and_an_unknown_prompt_are_refused_saying_what_to_send(
    demo_store: Store,
) -> None:
    async with Client(build_orchestrator(demo_store, is_demo=True)) as client:
        with pytest.raises(MCPError) as long:
            await client.get_prompt("investigate-spike", {"days": "1" * 1_000_000})
        with pytest.raises(MCPError) as unknown:
            await client.get_prompt("investigate-spikes", {})
    assert long.value.error.message.startswith("Argument 'days' is 1,000,000 characters; send at most 512")
    assert unknown.value.error.message.startswith("Unknown prompt 'investigate-spikes': the prompts are ")
    assert "investigate-spike," in unknown.value.error.message


async def test_ingested_exports_are_answered_as_real_data_with_their_source(tmp_path: Path) -> None:
    from finops_orchestrator.ingest import ingest

    from tests.conftest import SHARED

    store = Store(tmp_path / "real.sqlite")
    ingest(store, [str(SHARED / "data/focus-samples/FOCUS-1.0/focus_sample_1000.csv")])
    async with Client(build_orchestrator(store, is_demo=False)) as client:
        result = await client.call_tool(
            "finops_cost_query",
            {"start": "2024-09-01", "end": "2024-10-01", "group_by": ["provider"], "metric": "billed"},
        )
    body = result.structured_content
    assert body is not None
    assert body["is_demo"] is False
    assert str(tmp_path) in body["source"]
    assert {r[0] for r in body["rows"]} == {"AWS", "Microsoft", "Oracle"}


async def test_finops_serve_demo_answers_over_stdio(home: Path) -> None:
    from mcp.client.stdio import StdioServerParameters

    from tests.commands import BIN, finops_env

    params = StdioServerParameters(command=str(BIN / "finops"), args=["serve", "--demo"], env=finops_env(home))
    async with Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        result = await client.call_tool("finops_store_info", {})
    assert {"finops_cost_query", "finops_store_info"} <= names
    assert result.structured_content is not None
    assert result.structured_content["partitions"] == 39 + 4  # the company and the bundled FOCUS sample


async def test_finops_serve_converts_with_the_rate_table_from_finops_toml(home: Path) -> None:
    from mcp.client.stdio import StdioServerParameters

    from tests.commands import BIN, finops_env

    (home / "finops.toml").write_text('[currency]\nrates = { EUR = "1.08" }\nsource = "test table"\n')
    params = StdioServerParameters(command=str(BIN / "finops"), args=["serve", "--demo"], env=finops_env(home))
    async with Client(params) as client:
        result = await client.call_tool(
            "finops_cost_query", {"start": "2026-10-01", "end": "2026-11-01", "convert": True}
        )
    assert not result.is_error
    assert result.structured_content is not None
    converted = result.structured_content["converted"]
    assert (converted["rates"], converted["rates_source"]) == ({"EUR": "1.08"}, "test table")


async def test_the_tool_list_fits_the_context_budget_and_answers_stay_structured(demo_store: Store) -> None:

    # Measured with remediation on: its three tools are the largest the list gets.
    server = build_orchestrator(demo_store, is_demo=True, today=lambda: AS_OF, remediation=True)
    async with Client(server) as client:
        tools = await client.list_tools()
        result = await client.call_tool("finops_cost_query", {"start": "2026-10-01", "end": "2026-11-01"})
    assert {"finops_plan_remediation", "finops_execute_plan"} <= {t.name for t in tools.tools}
    size = hosted_bytes(tools.tools)
    assert size <= 20_000, f"the tools' names, descriptions and input schemas are {size} bytes"
    assert result.structured_content is not None
    text = result.content[0].text  # type: ignore[union-attr]
    assert all(f"{Decimal(a):,.2f} {c}" in text for c, a in result.structured_content["totals"].items())


async def test_the_store_summary_and_the_focus_glossary_are_readable_resources(demo_store: Store) -> None:
    import json

    async with Client(build_orchestrator(demo_store, is_demo=True)) as client:
        listed = {str(r.uri) for r in (await client.list_resources()).resources}
        summary = await client.read_resource("finops://store/summary")
        columns = await client.read_resource("finops://focus/columns")
    assert listed == {"finops://store/summary", "finops://focus/columns", "finops://reports/latest"}
    assert json.loads(summary.contents[0].text)["partitions"] == 39  # type: ignore[union-attr]
    text = columns.contents[0].text  # type: ignore[union-attr]
    assert "| EffectiveCost | effective_cost | exact integer nanos (divide by 1e9) | no | the amortized cost" in text
    assert text.count("\n| ") == 59  # the header, its rule and 57 columns


async def test_every_shipped_prompt_is_served(demo_store: Store) -> None:
    async with Client(build_orchestrator(demo_store, is_demo=True)) as client:
        names = {p.name for p in (await client.list_prompts()).prompts}
    assert names == {
        "monthly-cost-review",
        "investigate-cost-change",
        "investigate-spike",
        "savings-hunt",
        "tagging-cleanup",
        "remediation-review",
    }
