"""``AzureProvider``: the Azure ``CloudProvider`` (costs, inventory, recommendations, remediation) over the Azure SDKs,
and its entry point ``create_provider`` (see ``finops_core.cloud_package``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from finops_core.adapter import AdapterProvider
from finops_core.cloud_context import paid_calls
from finops_core.cloud_package import package_parts
from finops_core.dates import today_utc
from finops_core.models import ProviderInfo
from finops_core.settings import Settings
from finops_core.waiting import SLEEP, Wait

from finops_azure import inventory, recommendations, remediation
from finops_azure.clients import AzureClients
from finops_azure.context import AzureContext
from finops_azure.costs import CostManagement
from finops_azure.settings import AzureSettings

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential
    from mcp.server import MCPServer

SOURCES = "Azure Advisor and finops waste rules"


class AzureProvider(AdapterProvider[AzureContext, CostManagement]):
    """The Azure subscriptions (or management group, or billing scope) that ``[azure]`` names."""

    async def info(self) -> ProviderInfo:
        subscriptions = await self.ctx.subscriptions()
        # Billing currencies are per subscription (EUR, USD...).
        currencies = await self.billed_currencies(self.ctx.today())
        cloud = self.ctx.settings.cloud
        display_name = "Azure" if cloud == "public" else f"Azure ({cloud})"
        return self.live_info(display_name, subscriptions, currencies, "forecast", "budgets")

    def tools(self, server: MCPServer) -> None:
        """Forecast, budgets, benefits and Cost Management's native cost dimensions."""
        from finops_azure.costs.tools import register_cost_tools

        register_cost_tools(server, self.costs)


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
    ctx = AzureContext(azure, clients, paid_calls(settings, azure, clients.caller), today=today, sleep=sleep)
    return AzureProvider(
        ctx, package_parts(CostManagement(ctx), inventory, recommendations, remediation, sources=SOURCES)
    )
