"""``AzureProvider``: the Azure ``CloudProvider`` (costs, inventory, recommendations, remediation) over the Azure SDKs.

``create_provider(settings)`` is the entry point the orchestrator imports for ``mode = "in-process"`` and the
``finops-azure`` server uses. It touches nothing on Azure: credentials are looked up on the first call, so the
server starts and lists its tools without any.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from finops_core.adapter import AdapterProvider, Parts
from finops_core.dates import today_utc
from finops_core.models import ProviderInfo
from finops_core.paid import PaidCalls
from finops_core.settings import Settings
from finops_core.waiting import SLEEP, Wait

from finops_azure.clients import AzureClients
from finops_azure.context import AzureContext
from finops_azure.costs import CostManagement
from finops_azure.inventory import PriceBook, list_resources, waste_findings
from finops_azure.recommendations import all_recommendations, merge
from finops_azure.remediation import apply_remediation, plan_remediation, resource_tags
from finops_azure.settings import AzureSettings

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential
    from mcp.server import MCPServer

SOURCES = "Azure Advisor and finops waste rules"


class AzureProvider(AdapterProvider[AzureContext]):
    """The Azure subscriptions (or management group, or billing scope) that ``[azure]`` names."""

    def __init__(self, ctx: AzureContext) -> None:
        self.costs = CostManagement(ctx)
        prices = PriceBook()  # list prices, fetched once per provider lifetime
        parts = Parts[AzureContext](
            costs=self.costs,
            list_resources=functools.partial(list_resources, prices=prices),
            recommendations=(all_recommendations, functools.partial(waste_findings, prices=prices)),
            merge=merge,
            plan=plan_remediation,
            apply=apply_remediation,
            tags=resource_tags,
            sources=SOURCES,
        )
        super().__init__("azure", ctx, parts)

    async def info(self) -> ProviderInfo:
        subscriptions = await self.ctx.subscriptions()
        # Billing currencies are per subscription (EUR, USD...).
        currencies = await self.billed_currencies(self.ctx.today())
        return ProviderInfo(
            provider="azure",
            display_name="Azure" if self.ctx.settings.cloud == "public" else f"Azure ({self.ctx.settings.cloud})",
            is_demo=False,
            accounts=subscriptions,
            currencies=currencies,
            capabilities=["costs", "inventory", "recommendations", "remediation", "forecast", "budgets"],
            read_only=True,
        )

    def tools(self) -> Callable[[MCPServer], None]:
        """Forecast, budgets, benefits and Cost Management's native cost dimensions."""

        def register(server: MCPServer) -> None:
            from finops_azure.costs.tools import register_cost_tools

            register_cost_tools(server, self.costs)

        return register

    def close(self) -> None:
        self.ctx.paid.close()


def create_provider(
    settings: Settings,
    *,
    credential_factory: Callable[[], TokenCredential] | None = None,
    today: Callable[[], date] = today_utc,
    sleep: Wait = SLEEP,
) -> AzureProvider:
    """The Azure provider for ``settings`` (its ``[azure]`` section); ``credential_factory`` replaces
    ``DefaultAzureCredential`` and ``sleep`` the waits (tests). Raises ``ConfigError`` for a wrong ``[azure]``
    section; never calls Azure."""
    azure = AzureSettings.from_settings(settings)
    clients = AzureClients(azure, credential_factory)
    paid = PaidCalls.in_store(
        settings.store_file,
        cache_hours=azure.cache_hours,
        provider="azure",
        caller=clients.caller,
        busy_seconds=settings.store_busy_seconds,
    )
    ctx = AzureContext(azure, clients, paid, today=today, sleep=sleep)
    return AzureProvider(ctx)
