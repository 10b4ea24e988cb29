"""Savings: every connected cloud's opportunities, de-duplicated per resource, ranked, totalled per currency;
a failing or missing cloud is named and the rest still answered."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from finops_core.errors import Unavailable
from finops_core.models import CLOUDS, Recommendation
from finops_core.money import Money
from finops_core.provider import RecommendationSet
from finops_core.sandbox import SandboxProvider
from finops_core.store import Store
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client

from tests.conftest import AS_OF

pytestmark = pytest.mark.anyio


class SecondOpinion(SandboxProvider):
    """The sandbox AWS, plus a second source recommending a smaller change on its largest opportunity."""

    async def list_recommendations(self, min_monthly_savings: float = 0.0, limit: int = 50) -> RecommendationSet:
        own = await super().list_recommendations(min_monthly_savings, limit)
        top = own.recommendations[0]
        rival = top.model_copy(
            update={
                "recommendation_id": "hub-1",
                "source": "aws-cost-optimization-hub",
                "monthly_savings": Money(amount=top.monthly_savings.amount / 2, currency="USD"),
            }
        )
        return own.model_copy(update={"recommendations": [*own.recommendations, rival]})


class Down(SandboxProvider):
    async def list_recommendations(self, min_monthly_savings: float = 0.0, limit: int = 50) -> RecommendationSet:
        raise Unavailable("Advisor answered 503 after 4 tries", provider=self.cloud)


async def _call(store: Store, providers: list[SandboxProvider], arguments: dict[str, Any]) -> Any:
    server = build_orchestrator(OrchestratorState(store=store, is_demo=True, today=lambda: AS_OF, providers=providers))
    async with Client(server) as client:
        return await client.call_tool("finops_savings", arguments)


async def test_every_cloud_s_opportunities_are_ranked_and_totalled_per_currency(demo_store: Store) -> None:
    providers = [SandboxProvider(c, as_of=AS_OF) for c in CLOUDS]
    body = (await _call(demo_store, providers, {"top_n": 100})).structured_content
    expected: dict[str, Decimal] = {}
    count = 0
    for provider in providers:
        own = await provider.list_recommendations(limit=500)
        count += own.total
        for money in own.total_monthly_savings:
            expected[money.currency] = expected.get(money.currency, Decimal(0)) + money.amount
    assert {m["currency"]: Decimal(m["amount"]) for m in body["total_monthly_savings"]} == expected
    assert body["count"] == count
    savings = [Decimal(o["recommendation"]["monthly_savings"]["amount"]) for o in body["opportunities"]]
    assert savings == sorted(savings, reverse=True)
    assert body["missing"] == []


async def test_two_recommendations_on_one_resource_count_once(demo_store: Store) -> None:
    alone = [SandboxProvider("aws", as_of=AS_OF)]
    doubled = [SecondOpinion("aws", as_of=AS_OF)]
    plain = (await _call(demo_store, alone, {})).structured_content
    body = (await _call(demo_store, doubled, {})).structured_content
    assert body["total_monthly_savings"] == plain["total_monthly_savings"]
    assert body["count"] == plain["count"]
    assert body["opportunities"][0]["alternatives"] == [
        "aws-cost-optimization-hub: " + Recommendation.model_validate(body["opportunities"][0]["recommendation"]).kind
    ]


async def test_a_failing_cloud_and_unconnected_ones_are_named_and_the_rest_answered(demo_store: Store) -> None:
    body = (
        await _call(demo_store, [SandboxProvider("aws", as_of=AS_OF), Down("azure", as_of=AS_OF)], {})
    ).structured_content
    reasons = {m["provider"]: m["reason"] for m in body["missing"]}
    assert reasons.keys() == {"azure", "gcp"}
    assert reasons["azure"] == "azure: Advisor answered 503 after 4 tries"
    assert "add [providers.gcp] to finops.toml" in reasons["gcp"]
    assert [m["currency"] for m in body["total_monthly_savings"]] == ["USD"]
    assert {o["recommendation"]["provider"] for o in body["opportunities"]} == {"aws"}


async def test_a_bad_threshold_is_a_clear_error(demo_store: Store) -> None:
    result = await _call(demo_store, [], {"min_monthly_savings": "a lot"})
    assert result.is_error
    assert "min_monthly_savings must be a number" in result.content[0].text
