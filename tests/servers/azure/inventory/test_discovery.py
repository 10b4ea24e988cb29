"""Subscriptions found through Resource Graph when [azure] names none."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from finops_azure.context import AzureContext
from finops_azure.discovery import discover_subscriptions
from finops_core.errors import ConfigError

from tests.fakes.azure.arm import ArmFake
from tests.fakes.azure.resource_graph import ResourceGraphFake

pytestmark = pytest.mark.anyio
Ctx = Callable[..., AzureContext]
S1, S2, S3 = (f"11111111-0000-0000-0000-00000000000{i}" for i in (1, 2, 3))


async def test_the_enabled_subscriptions_the_credentials_see_are_found_at_tenant_scope(
    arm: ArmFake, azure_context: Ctx
) -> None:
    graph = ResourceGraphFake(arm)
    graph.add_subscription(S2, "prod")
    graph.add_subscription(S1, "dev")
    graph.add_subscription(S3, "old", state="Disabled")
    ctx = azure_context(subscriptions=[])
    assert await ctx.subscriptions() == [S1, S2]
    assert await ctx.subscriptions() == [S1, S2]  # found once
    (request,) = graph.queries()
    assert "subscriptions" not in request
    assert "managementGroups" not in request
    assert "ResourceContainers | where type =~ 'microsoft.resources/subscriptions'" in request["query"]


async def test_a_management_group_scopes_the_discovery(arm: ArmFake, azure_context: Ctx) -> None:
    graph = ResourceGraphFake(arm)
    graph.add_subscription(S1, management_groups=("mg-finance", "root"))
    graph.add_subscription(S2, management_groups=("mg-research", "root"))
    ctx = azure_context(subscriptions=[], management_group="mg-finance")
    found = await discover_subscriptions(ctx, ctx.settings)
    assert found == [S1]
    assert graph.queries()[0]["managementGroups"] == ["mg-finance"]


async def test_no_visible_subscription_is_a_config_error_that_says_what_to_do(arm: ArmFake, azure_context: Ctx) -> None:
    ResourceGraphFake(arm).add_subscription(S3, state="Disabled")
    ctx = azure_context(subscriptions=[], management_group="mg-empty")
    with pytest.raises(ConfigError) as raised:
        await discover_subscriptions(ctx, ctx.settings)
    assert "mg-empty" in str(raised.value)
    assert "subscriptions under [azure]" in str(raised.value)
