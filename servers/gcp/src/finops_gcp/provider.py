"""``GcpProvider``: the Google Cloud ``CloudProvider`` (costs from the BigQuery billing export, inventory,
Recommender recommendations, remediation) over the Google Cloud client libraries.

``create_provider(settings)`` is the entry point the orchestrator imports for ``mode = "in-process"`` and the
``finops-gcp`` server uses. It touches nothing on Google Cloud: credentials are looked up on the first call, so the
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

from finops_gcp.billing import account_currency
from finops_gcp.clients import GcpClients
from finops_gcp.context import GcpContext
from finops_gcp.costs import BillingExport
from finops_gcp.inventory import PriceBook, list_resources, waste_findings
from finops_gcp.recommendations import all_recommendations, merge
from finops_gcp.remediation import apply_remediation, plan_remediation, resource_tags
from finops_gcp.settings import GcpSettings

if TYPE_CHECKING:
    from google.auth.credentials import Credentials
    from mcp.server import MCPServer

SOURCES = "Google Cloud Recommender and finops waste rules"


class GcpProvider(AdapterProvider[GcpContext]):
    """The Google Cloud projects (or billing account) that ``[gcp]`` names."""

    def __init__(self, ctx: GcpContext) -> None:
        self.costs = BillingExport(ctx)
        prices = PriceBook()  # list prices, fetched once per provider lifetime
        parts = Parts[GcpContext](
            costs=self.costs,
            list_resources=functools.partial(list_resources, prices=prices),
            recommendations=(all_recommendations, functools.partial(waste_findings, prices=prices)),
            merge=merge,
            plan=plan_remediation,
            apply=apply_remediation,
            tags=resource_tags,
            sources=SOURCES,
        )
        super().__init__("gcp", ctx, parts)

    async def info(self) -> ProviderInfo:
        projects = await self.ctx.projects()
        if self.ctx.settings.billing_account:
            currencies = [await account_currency(self.ctx)]
        else:  # no account to ask: the currencies of last month's costs
            currencies = await self.billed_currencies(self.ctx.today())
        return ProviderInfo(
            provider="gcp",
            display_name="Google Cloud",
            is_demo=False,
            accounts=projects,
            currencies=currencies,
            capabilities=["costs", "inventory", "recommendations", "remediation", "budgets", "bigquery-export"],
            read_only=True,
        )

    def tools(self) -> Callable[[MCPServer], None]:
        """Costs gross and net of credits by the export's native dimensions, and budgets."""

        def register(server: MCPServer) -> None:
            from finops_gcp.costs.tools import register_cost_tools

            register_cost_tools(server, self.costs)

        return register

    def close(self) -> None:
        self.ctx.paid.close()


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
    paid = PaidCalls.in_store(
        settings.store_file,
        cache_hours=gcp.cache_hours,
        provider="gcp",
        caller=clients.caller,
        busy_seconds=settings.store_busy_seconds,
    )
    ctx = GcpContext(gcp, clients, paid, today=today, sleep=sleep)
    return GcpProvider(ctx)
