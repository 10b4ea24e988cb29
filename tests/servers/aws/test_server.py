"""The ``finops-aws`` server as an assistant sees it: which tools, how large their list, what each promises."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from finops_aws.provider import create_provider
from finops_aws.server import aws_tools
from finops_core.sandbox import SandboxProvider
from finops_core.server import build_server
from finops_core.settings import Settings
from mcp import Client

pytestmark = pytest.mark.anyio
ATHENA = {"athena": {"database": "cur", "table": "data"}}


async def _tools(home: Path, **overrides: Any) -> list[dict[str, Any]]:
    settings = Settings.load({"FINOPS_HOME": str(home)}, overrides=overrides)
    provider = create_provider(settings)
    async with Client(build_server(provider, settings, extend=aws_tools(provider, settings))) as client:
        tools = (await client.list_tools()).tools
    return [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]


async def test_every_tool_fits_in_16_kb_even_with_athena_and_remediation_switched_on(home: Path) -> None:
    tools = await _tools(home, aws=ATHENA, remediation_enabled=True)
    names = {t["name"] for t in tools}
    assert {"aws_cur_query", "aws_apply_remediation", "aws_cost_explorer", "aws_commitments"} <= names
    assert len(json.dumps({"tools": tools}, separators=(",", ":"))) <= 16 * 1024


async def test_read_only_by_default_and_athena_only_when_configured(home: Path) -> None:
    names = {t["name"] for t in await _tools(home)}
    assert "aws_apply_remediation" not in names
    assert "aws_cur_query" not in names
    assert {"aws_cost_forecast", "aws_cost_anomalies", "aws_budgets"} <= names


async def test_every_tool_says_whether_it_changes_anything(home: Path) -> None:
    for tool in await _tools(home, aws=ATHENA, remediation_enabled=True):
        hints = tool["annotations"]
        changes = tool["name"] == "aws_apply_remediation"
        assert hints["readOnlyHint"] is not changes, tool["name"]
        assert hints["destructiveHint"] is changes, tool["name"]


def test_the_demo_has_no_aws_only_tools(home: Path) -> None:
    settings = Settings.load({"FINOPS_HOME": str(home)})
    assert aws_tools(SandboxProvider("aws"), settings) is None


def test_starting_the_server_imports_no_aws_sdk(home: Path) -> None:
    # boto3 and botocore take about a second to import: they wait for the first call, so tools/list is quick.
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from finops_core.settings import Settings\n"
        "from finops_core.server import build_server\n"
        "from finops_aws.provider import create_provider\n"
        "from finops_aws.server import aws_tools\n"
        f"settings = Settings.load({{'FINOPS_HOME': {str(home)!r}}})\n"
        "provider = create_provider(settings)\n"
        "build_server(provider, settings, extend=aws_tools(provider, settings))\n"
        "print(sorted(m for m in ('boto3', 'botocore', 'sqlite_utils') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
