"""Every server an assistant can connect to, in each configuration that changes its tools, for the tests that must
cover every tool (schema bounds, hostile arguments). A new tool on any of them is covered without a test change.

The per-cloud servers for a real account are built as their commands build them, with every endpoint pointed at a
closed local port: nothing in these tests may reach a cloud, and an argument that passed validation would try.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, cast

import anyio
from finops_core.adapter import native_tools
from finops_core.clouds import CLOUDS, Cloud, entry, load
from finops_core.sandbox import SandboxProvider
from finops_core.server import build_server
from finops_core.settings import Settings
from finops_core.store import Store
from finops_orchestrator.server import build_orchestrator
from mcp import Client
from mcp.server import MCPServer
from mcp.types import Tool

from tests.servers.aws.conftest import FAKE_SERVICES, MOTO_SERVICES

AS_OF = date(2026, 11, 26)
CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens, a connection is refused at once
GCP_APIS = ("bigquery", "recommender", "compute", "billing", "catalog", "budgets", "monitoring", "sqladmin")
# Each cloud's smallest real configuration (with Athena, so that aws_cur_query is listed too).
REAL: dict[str, dict[str, Any]] = {
    "aws": {
        "athena": {"database": "cur", "table": "data"},
        "regions": ["us-east-1"],
        "endpoint_urls": dict.fromkeys((*MOTO_SERVICES, *FAKE_SERVICES), CLOSED),
        "max_attempts": 1,
    },
    "azure": {
        "subscriptions": ["00000000-0000-0000-0000-00000000aaaa"],
        "resource_manager_url": CLOSED,
        "authority_host": CLOSED,
        "retail_prices_url": CLOSED,
    },
    "gcp": {"projects": ["finops-demo-web"], "endpoints": dict.fromkeys(GCP_APIS, CLOSED)},
}
# A server's name as a person starts it, and whether changes are switched on.
SERVERS: tuple[tuple[str, bool], ...] = tuple(
    (command, remediation)
    for command in ("finops --demo", *(f"finops-{c}" for c in CLOUDS), *(f"finops-{c} --demo" for c in CLOUDS))
    for remediation in (False, True)
)


def label(command: str, remediation: bool) -> str:
    return f"{command} --allow-remediation" if remediation else command


def build(command: str, remediation: bool, home: Path, store: Store) -> MCPServer:
    """The server ``command`` starts (``finops --demo`` over ``store``), with remediation on or off."""
    if command == "finops --demo":
        providers = [SandboxProvider(c, as_of=AS_OF) for c in CLOUDS]
        return build_orchestrator(
            store, is_demo=True, today=lambda: AS_OF, providers=providers, remediation=remediation
        )
    cloud: Cloud = next(c for c in CLOUDS if command.startswith(f"finops-{c}"))
    overrides: dict[str, Any] = {"remediation_enabled": remediation, "demo_as_of": AS_OF}
    if command.endswith("--demo"):
        settings = Settings.load({"FINOPS_HOME": str(home)}, overrides=overrides)
        return build_server(SandboxProvider(cloud, as_of=AS_OF), settings, today=lambda: AS_OF)
    settings = Settings.load({"FINOPS_HOME": str(home)}, overrides={**overrides, cloud: REAL[cloud]})
    create = cast("Callable[[Settings], Any]", load(entry(cloud).provider))
    provider = create(settings)
    return build_server(provider, settings, extend=native_tools(provider))


async def tools_of(server: MCPServer) -> list[Tool]:
    async with Client(server) as client:
        return (await client.list_tools()).tools


@functools.cache  # several test modules parametrize over it: list the tools once per test run
def every_tool() -> list[tuple[str, bool, Tool]]:
    """``(command, remediation, tool)`` for every tool of every server, as tools/list gives them."""
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        store = Store(home / "empty.sqlite")

        async def listed() -> list[tuple[str, bool, Tool]]:
            found: list[tuple[str, bool, Tool]] = []
            for command, remediation in SERVERS:
                for tool in await tools_of(build(command, remediation, home, store)):
                    found.append((command, remediation, tool))
            return found

        return anyio.run(listed)
