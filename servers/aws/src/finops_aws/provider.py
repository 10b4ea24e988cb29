"""``AwsProvider``: the AWS ``CloudProvider`` (costs, inventory, recommendations, remediation) over boto3.

``create_provider(settings)`` is the entry point the orchestrator imports for ``mode = "in-process"`` and the
``finops-aws`` server uses. It touches nothing on AWS: credentials are looked up on the first call, so the
server starts and lists its tools without any. (No module here imports boto3 before a call needs it.)
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

from finops_aws.clients import AwsClients
from finops_aws.context import AwsContext
from finops_aws.costs.explorer import CostExplorer
from finops_aws.inventory.pricing import PriceBook
from finops_aws.inventory.resources import list_resources
from finops_aws.inventory.waste import waste_findings
from finops_aws.recommendations import all_recommendations, merge
from finops_aws.remediation import apply_remediation, plan_remediation, resource_tags
from finops_aws.settings import AwsSettings

if TYPE_CHECKING:
    import boto3
    from mcp.server import MCPServer

SOURCES = "AWS Cost Optimization Hub, Compute Optimizer, Cost Explorer and finops waste rules"


class AwsProvider(AdapterProvider[AwsContext]):
    """One AWS organization or account, seen through the credentials' account and the roles in ``[aws]``."""

    def __init__(self, ctx: AwsContext) -> None:
        self.explorer = CostExplorer(ctx)
        prices = PriceBook()  # list prices, fetched once per provider lifetime
        parts = Parts[AwsContext](
            costs=self.explorer,
            list_resources=functools.partial(list_resources, prices=prices),
            recommendations=(all_recommendations, functools.partial(waste_findings, prices=prices)),
            merge=merge,
            plan=plan_remediation,
            apply=apply_remediation,
            tags=resource_tags,
            sources=SOURCES,
        )
        super().__init__("aws", ctx, parts)

    async def info(self) -> ProviderInfo:
        accounts = await self.ctx.accounts()
        partition = accounts[0].partition if accounts else self.ctx.clients.partition()
        return ProviderInfo(
            provider="aws",
            display_name="AWS" if partition.name == "aws" else f"AWS ({partition.name})",
            is_demo=False,
            accounts=[a.account_id for a in accounts],
            currencies=["CNY" if partition.name == "aws-cn" else "USD"],
            capabilities=["costs", "inventory", "recommendations", "remediation", "cost-explorer", "athena"],
            read_only=True,
        )

    def tools(self) -> Callable[[MCPServer], None]:
        """Cost Explorer's native questions and the Athena export (listed when ``[aws.athena]`` names it)."""

        def register(server: MCPServer) -> None:
            from finops_aws.athena_tools import register_athena_tools
            from finops_aws.costs.tools import register_cost_tools

            register_cost_tools(server, self.explorer)
            register_athena_tools(server, self.ctx)

        return register

    def close(self) -> None:
        self.ctx.paid.close()


def create_provider(
    settings: Settings,
    *,
    session_factory: Callable[[], boto3.Session] | None = None,
    today: Callable[[], date] = today_utc,
) -> AwsProvider:
    """The AWS provider for ``settings`` (its ``[aws]`` section); ``session_factory`` replaces the credential
    chain (tests). Raises ``ConfigError`` for a wrong ``[aws]`` section; never calls AWS."""
    aws = AwsSettings.from_settings(settings)
    clients = AwsClients(aws, session_factory)
    paid = PaidCalls.in_store(
        settings.store_file,
        cache_hours=aws.cache_hours,
        provider="aws",
        caller=clients.caller,
        busy_seconds=settings.store_busy_seconds,
    )
    return AwsProvider(AwsContext(aws, clients, paid, today=today))
