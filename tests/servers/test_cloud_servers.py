"""The three per-cloud servers as an assistant sees them on a real account: which tools, how large their list,
what each promises, and that starting one imports no cloud SDK (tools/list must be quick, credentials or not)."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from finops_core.adapter import native_tools
from finops_core.clouds import entry, load
from finops_core.sandbox import SandboxProvider
from finops_core.server import build_server
from finops_core.settings import Settings
from mcp import Client

from tests.tool_budget import listed_bytes

pytestmark = pytest.mark.anyio
# Each cloud's smallest real configuration, and the SDK modules its start must not import.
CLOUDS: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "aws": ({"athena": {"database": "cur", "table": "data"}}, ("boto3", "botocore")),
    "azure": ({"subscriptions": ["00000000-0000-0000-0000-00000000aaaa"]}, ("azure.identity", "azure.mgmt")),
    "gcp": ({"projects": ["finops-demo-web"]}, ("google.cloud", "google.auth")),
}


async def _tools(cloud: str, home: Path, **overrides: Any) -> list[dict[str, Any]]:
    create: Callable[..., Any] = cast("Callable[..., Any]", load(entry(cloud).provider))
    settings = Settings.load({"FINOPS_HOME": str(home)}, overrides={cloud: CLOUDS[cloud][0], **overrides})
    provider = create(settings)
    async with Client(build_server(provider, settings, extend=native_tools(provider))) as client:
        tools = (await client.list_tools()).tools
    return [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]


@pytest.mark.parametrize("cloud", CLOUDS)
async def test_every_tool_fits_in_16_kb_with_remediation_switched_on(cloud: str, home: Path) -> None:
    tools = await _tools(cloud, home, remediation_enabled=True)
    assert f"{cloud}_apply_remediation" in {t["name"] for t in tools}
    assert listed_bytes(tools) <= 16 * 1024


@pytest.mark.parametrize("cloud", CLOUDS)
async def test_read_only_by_default_and_every_tool_says_whether_it_changes_anything(cloud: str, home: Path) -> None:
    tools = await _tools(cloud, home)
    assert f"{cloud}_apply_remediation" not in {t["name"] for t in tools}
    assert len(tools) > 7  # the common tools and the cloud's own
    for tool in await _tools(cloud, home, remediation_enabled=True):
        changes = tool["name"] == f"{cloud}_apply_remediation"
        assert tool["annotations"]["readOnlyHint"] is not changes, tool["name"]
        assert tool["annotations"]["destructiveHint"] is changes, tool["name"]


@pytest.mark.parametrize("cloud", CLOUDS)
async def test_the_server_names_its_package_version_for_a_real_account_and_the_demo(cloud: str, home: Path) -> None:
    create: Callable[..., Any] = cast("Callable[..., Any]", load(entry(cloud).provider))
    settings = Settings.load({"FINOPS_HOME": str(home)}, overrides={cloud: CLOUDS[cloud][0]})
    provider = create(settings)
    installed = importlib.metadata.version(f"finops-mcp-{cloud}")
    for server in (
        build_server(provider, settings, extend=native_tools(provider)),
        build_server(SandboxProvider(cloud), settings),
    ):
        async with Client(server) as client:
            info = client.server_info
        assert info is not None
        assert (info.name, info.version) == (f"finops-{cloud}", installed)
    assert installed


@pytest.mark.parametrize("cloud", CLOUDS)
def test_the_demo_has_none_of_the_cloud_s_own_tools(cloud: str) -> None:
    assert native_tools(SandboxProvider(cloud)) is None


@pytest.mark.parametrize("cloud", CLOUDS)
def test_starting_the_server_imports_no_cloud_sdk(cloud: str, home: Path) -> None:
    # The SDKs take seconds to import: they wait for the first call that needs them.
    script = (
        "import sys\n"
        "from finops_core.settings import Settings\n"
        "from finops_core.server import build_server\n"
        "from finops_core.adapter import native_tools\n"
        f"from finops_{cloud}.provider import create_provider\n"
        f"settings = Settings.load({{'FINOPS_HOME': {str(home)!r}}}, overrides={{{cloud!r}: {CLOUDS[cloud][0]!r}}})\n"
        "provider = create_provider(settings)\n"
        "build_server(provider, settings, extend=native_tools(provider))\n"
        f"print(sorted(m for m in sys.modules if m.startswith({CLOUDS[cloud][1]!r} + ('sqlite_utils',))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
