"""The ``finops-gcp`` console script: an MCP server for Google Cloud projects and their billing account.

``finops-gcp --demo`` serves the built-in demo company; without it, the projects ``[gcp]`` names with the
credentials Application Default Credentials find. Read-only unless ``--allow-remediation``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from finops_core.provider import CloudProvider
    from finops_core.settings import Settings
    from mcp.server import MCPServer


def gcp_tools(provider: CloudProvider, settings: Settings) -> Callable[[MCPServer], None] | None:
    """The Google-only tools (costs gross and net of credits by native dimensions, budgets) for a real account;
    none for the demo."""
    from finops_gcp.provider import GcpProvider

    if not isinstance(provider, GcpProvider):
        return None

    def register(server: MCPServer) -> None:
        from finops_gcp.costs.tools import register_cost_tools

        register_cost_tools(server, provider.costs)

    return register


def main(argv: Sequence[str] | None = None) -> None:
    from finops_core.startup import gc_paused

    with gc_paused():
        from finops_core.serve import run_cloud_server

        from finops_gcp.provider import create_provider

    sys.exit(run_cloud_server("gcp", argv, real_provider=create_provider, extend=gcp_tools))


if __name__ == "__main__":
    main()
