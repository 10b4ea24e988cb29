"""``AwsProvider``: the AWS ``CloudProvider`` (costs, inventory, recommendations, remediation) over boto3, and
its entry point ``create_provider`` (see ``finops_core.cloud_package``). No module here imports boto3 before a call
needs it.
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

from finops_aws import inventory, recommendations, remediation
from finops_aws.clients import AwsClients
from finops_aws.context import AwsContext
from finops_aws.costs.explorer import CostExplorer
from finops_aws.settings import AwsSettings

if TYPE_CHECKING:
    import boto3
    from mcp.server import MCPServer

SOURCES = "AWS Cost Optimization Hub, Compute Optimizer, Cost Explorer and finops waste rules"


class AwsProvider(AdapterProvider[AwsContext, CostExplorer]):
    """One AWS organization or account, seen through the credentials' account and the roles in ``[aws]``."""

    async def info(self) -> ProviderInfo:
        accounts = await self.ctx.accounts()
        partition = accounts[0].partition if accounts else self.ctx.clients.partition()
        return self.live_info(
            "AWS" if partition.name == "aws" else f"AWS ({partition.name})",
            [a.account_id for a in accounts],
            ["CNY" if partition.name == "aws-cn" else "USD"],
            "cost-explorer",
            "athena",
        )

    def tools(self, server: MCPServer) -> None:
        """Cost Explorer's native questions and the Athena export (listed when ``[aws.athena]`` names it)."""
        from finops_aws.athena_tools import register_athena_tools
        from finops_aws.costs.tools import register_cost_tools

        register_cost_tools(server, self.costs)
        register_athena_tools(server, self.ctx)


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
    ctx = AwsContext(aws, clients, paid_calls(settings, aws, clients.caller), today=today)
    return AwsProvider(ctx, package_parts(CostExplorer(ctx), inventory, recommendations, remediation, sources=SOURCES))
