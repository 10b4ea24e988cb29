"""The ``finops-aws`` console script: an MCP server for one AWS organization or account.

``finops-aws --demo`` serves the built-in demo company; without it, the real account the standard credential
chain (or ``[aws]`` in finops.toml) points at. Read-only unless ``--allow-remediation``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from finops_core.provider import CloudProvider
    from finops_core.settings import Settings
    from mcp.server import MCPServer


def aws_tools(provider: CloudProvider, settings: Settings) -> Callable[[MCPServer], None] | None:
    """The AWS-only tools (Cost Explorer's native questions, Athena), for a real account; none for the demo."""
    from finops_aws.provider import AwsProvider

    if not isinstance(provider, AwsProvider):
        return None

    def register(server: MCPServer) -> None:
        from finops_aws.athena_tools import register_athena_tools
        from finops_aws.costs.tools import register_cost_tools

        register_cost_tools(server, provider.explorer)
        register_athena_tools(server, provider.ctx)

    return register


def main(argv: Sequence[str] | None = None) -> None:
    from finops_core.startup import gc_paused

    with gc_paused():
        from finops_core.serve import run_cloud_server

        from finops_aws.provider import create_provider

    sys.exit(run_cloud_server("aws", argv, real_provider=create_provider, extend=aws_tools))


if __name__ == "__main__":
    main()
