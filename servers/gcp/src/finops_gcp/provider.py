"""``GcpProvider``: the Google Cloud ``CloudProvider`` (costs from the BigQuery billing export, inventory,
Recommender recommendations, remediation) over the Google Cloud client libraries, and its entry point
``create_provider`` (see ``finops_core.cloud_package``).
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

from finops_gcp import inventory, recommendations, remediation
from finops_gcp.billing import account_currency
from finops_gcp.clients import GcpClients
from finops_gcp.context import GcpContext
from finops_gcp.costs import BillingExport
from finops_gcp.settings import GcpSettings

if TYPE_CHECKING:
    from google.auth.credentials import Credentials
    from mcp.server import MCPServer

SOURCES = "Google Cloud Recommender and finops waste rules"


class GcpProvider(AdapterProvider[GcpContext, BillingExport]):
    """The Google Cloud projects (or billing account) that ``[gcp]`` names."""

    async def info(self) -> ProviderInfo:
        projects = await self.ctx.projects()
        if self.ctx.settings.billing_account:
            currencies = [await account_currency(self.ctx)]
        else:  # no account to ask: the currencies of last month's costs
            currencies = await self.billed_currencies(self.ctx.today())
        return self.live_info("Google Cloud", projects, currencies, "budgets", "bigquery-export")

    def tools(self, server: MCPServer) -> None:
        """Costs gross and net of credits by the export's native dimensions, and budgets."""
        from finops_gcp.costs.tools import register_cost_tools

        register_cost_tools(server, self.costs)


def create_provider(
    settings: Settings,
    *,
    credentials_factory: Callable[[], Credentials] | None = None,
    today: Callable[[], date] = today_utc,
    sleep: Wait = SLEEP,
) -> GcpProvider:
    """The Google Cloud provider for ``settings`` (its ``[gcp]`` section); ``credentials_factory`` replaces
    Application Default Credentials and ``sleep`` the waits (tests). Raises ``ConfigError`` for a wrong ``[gcp]``
    section; never calls Google."""
    gcp = GcpSettings.from_settings(settings)
    clients = GcpClients(gcp, credentials_factory)
    ctx = GcpContext(gcp, clients, paid_calls(settings, gcp, clients.caller), today=today, sleep=sleep)
    return GcpProvider(ctx, package_parts(BillingExport(ctx), inventory, recommendations, remediation, sources=SOURCES))
