"""The ``finops-azure`` console script: an MCP server for Azure subscriptions.

``finops-azure --demo`` serves the built-in demo company; without it, the subscriptions ``[azure]`` names with
the credentials ``DefaultAzureCredential`` finds. Read-only unless ``--allow-remediation``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from finops_core.provider import CloudProvider
    from finops_core.settings import Settings
    from mcp.server import MCPServer


def azure_tools(provider: CloudProvider, settings: Settings) -> Callable[[MCPServer], None] | None:
    """The Azure-only tools (forecast, budgets, benefits, native cost dimensions) for a real account; none for
    the demo."""
    from finops_azure.provider import AzureProvider

    if not isinstance(provider, AzureProvider):
        return None

    def register(server: MCPServer) -> None:
        from finops_azure.costs.tools import register_cost_tools

        register_cost_tools(server, provider.costs)

    return register


def main(argv: Sequence[str] | None = None) -> None:
    from finops_core.startup import gc_paused

    with gc_paused():
        from finops_core.serve import run_cloud_server

        from finops_azure.provider import create_provider

    sys.exit(run_cloud_server("azure", argv, real_provider=create_provider, extend=azure_tools))


if __name__ == "__main__":
    main()
