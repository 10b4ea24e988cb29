"""A fourth cloud plugs in by its registry entry alone: the registry's views, the settings, the demo sandbox, the
per-cloud server, the orchestrator (connect, sync, store, costs, savings, a plan), the policy and the provider
contract all take it without a change to any file of finops-mcp."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from finops_core.adapter import native_tools
from finops_core.clouds import CLOUD_NAMES, CLOUDS, FOCUS_PROVIDER_NAMES, entry, load
from finops_core.models import CostQuery
from finops_core.provider import CloudProvider
from finops_core.sandbox import SandboxProvider
from finops_core.server import build_server
from finops_core.settings import Settings
from finops_core.store import Store
from finops_core.testing.contract import CloudProviderContract
from finops_orchestrator.providers.registry import connect_providers
from finops_orchestrator.remediation.policy import Policy
from finops_orchestrator.server import build_orchestrator
from mcp import Client
from mcp.types import TextContent

from tests.conftest import AS_OF

pytestmark = pytest.mark.anyio
MONTH = CostQuery(start=date(2026, 10, 1), end=date(2026, 11, 1))


def _settings(home: Path, **overrides: Any) -> Settings:
    return Settings.load({"FINOPS_HOME": str(home), "FINOPS_TOY__SEED": "11"}, overrides=overrides)


def _text(result: Any) -> str:
    return " ".join(c.text for c in result.content if isinstance(c, TextContent))


def test_the_registry_views_and_the_settings_include_it(tmp_path: Path) -> None:
    assert list(CLOUDS) == ["aws", "azure", "gcp", "toy"]
    assert (CLOUD_NAMES["toy"], FOCUS_PROVIDER_NAMES["toy"]) == ("Toy Cloud", "Toy Cloud Inc.")
    settings = _settings(tmp_path, providers={"toy": {"mode": "in-process"}})
    assert settings.section("toy") == {"seed": "11"}
    assert settings.providers["toy"].mode == "in-process"


async def test_the_demo_sandbox_costs_add_up_to_its_line_items() -> None:
    sandbox = SandboxProvider("toy", as_of=AS_OF)
    answer = await sandbox.query_costs(MONTH.model_copy(update={"group_by": ("service",), "metric": "billed"}))
    assert {r.group["service"] for r in answer.rows} == {"Toy Machines", "Toy Disks"}
    items = await sandbox.daily_costs(MONTH.start, MONTH.end)
    assert {i.provider_name for i in items} == {"Toy Cloud Inc."}
    assert [(t.currency, t.amount) for t in answer.totals] == [("USD", sum(i.billed_cost for i in items))]


async def test_its_own_server_serves_its_tools_under_its_prefix(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    provider = cast("Callable[[Settings], CloudProvider]", load(entry("toy").provider))(settings)
    async with Client(build_server(provider, settings, extend=native_tools(provider))) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        info = client.server_info
    assert {"toy_daily_costs", "toy_list_resources", "toy_list_recommendations"} <= names
    assert info is not None
    assert info.name == "finops-toy"


async def test_the_orchestrator_connects_syncs_and_answers_with_it(tmp_path: Path) -> None:
    settings = _settings(tmp_path, providers={"toy": {"mode": "in-process"}, "aws": {"mode": "sandbox"}})
    store = Store(tmp_path / "finops.sqlite")
    async with connect_providers(settings, as_of=AS_OF) as connected:
        assert [p.cloud for p in connected.providers] == ["aws", "toy"]
        toy = {s.provider: s for s in connected.statuses}["toy"]
        assert (toy.state, toy.detail) == ("connected", "Toy Cloud in-process")
        server = build_orchestrator(
            store,
            is_demo=False,
            today=lambda: AS_OF,
            providers=connected.providers,
            statuses=connected.statuses,
            remediation=True,
        )
        async with Client(server) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            synced = await client.call_tool("finops_sync", {"start": "2026-10-01"})
            assert not synced.is_error, _text(synced)
            info = (await client.call_tool("finops_store_info", {})).structured_content
            costs = await client.call_tool(
                "finops_cost_query",
                {"start": "2026-10-01", "end": "2026-11-01", "group_by": ["provider"], "metric": "billed"},
            )
            savings = (await client.call_tool("finops_savings", {"top_n": 100})).structured_content
    assert info is not None
    assert savings is not None
    assert costs.structured_content is not None
    # Schemas that enumerate clouds (an explicit action's provider, a cloud's status) enumerate the registered ones.
    assert '"enum": ["aws", "azure", "gcp", "toy"]' in json.dumps(tools["finops_plan_remediation"].input_schema)
    assert '"enum": ["aws", "azure", "gcp", "toy"]' in json.dumps(tools["finops_store_info"].output_schema)
    assert info["providers"] == ["AWS", "Toy Cloud Inc."]
    assert {c["provider"]: c["state"] for c in info["clouds"]}["toy"] == "connected"
    rows = {r[0]: r for r in costs.structured_content["rows"]}
    direct = await connected.providers[1].query_costs(MONTH.model_copy(update={"metric": "billed"}))
    assert Decimal(str(rows["Toy Cloud Inc."][-1])) == direct.totals[0].amount  # to the cent, through the store
    own = await connected.providers[1].list_recommendations(limit=100)
    toy_savings = [o["recommendation"] for o in savings["opportunities"] if o["recommendation"]["provider"] == "toy"]
    assert {r["recommendation_id"] for r in toy_savings} == {r.recommendation_id for r in own.recommendations}


async def test_a_plan_takes_its_resources_and_the_policy_refuses_its_protected_ones(tmp_path: Path) -> None:
    provider = SandboxProvider("toy", as_of=AS_OF)
    store = Store(tmp_path / "finops.sqlite")
    recommendations = (await provider.list_recommendations(limit=100)).recommendations
    by_resource = {r.resource_id: r.recommendation_id for r in recommendations if r.action}
    server = build_orchestrator(store, is_demo=True, today=lambda: AS_OF, providers=[provider], remediation=True)
    async with Client(server) as client:
        planned = await client.call_tool(
            "finops_plan_remediation", {"recommendation_ids": [by_resource["toy://lab/machines/forgotten"]]}
        )
        refused = await client.call_tool(
            "finops_plan_remediation", {"recommendation_ids": [by_resource["toy://lab/machines/keep"]]}
        )
    assert not planned.is_error, _text(planned)
    assert "toy://lab/machines/forgotten" in str(planned.structured_content)
    assert "carries the protected tag finops.protect=true" in _text(refused)


def test_the_policy_protects_its_tag_and_takes_rules_for_it(tmp_path: Path) -> None:
    assert "finops.protect=true" in Policy().guardrails.protected_tags
    (tmp_path / "policy.toml").write_text('[[guardrails.allow]]\ncloud = "toy"\nactions = ["stop_instance"]\n')
    rule = Policy.load(tmp_path / "policy.toml").guardrails.allow[0]
    assert rule.covers("toy", "stop_instance")
    assert not rule.covers("aws", "stop_instance")
    assert rule.describe() == "Toy Cloud, any environment: stop_instance"


class TestToyCloudContract(CloudProviderContract):
    @pytest.fixture
    def provider(self, tmp_path: Path) -> CloudProvider:
        create = cast("Callable[[Settings], CloudProvider]", load(entry("toy").provider))
        return create(_settings(tmp_path))

    @pytest.fixture
    def cost_period(self) -> tuple[date, date]:
        return date(2026, 10, 1), date(2026, 11, 1)
