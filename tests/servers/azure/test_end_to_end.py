"""``finops-azure`` as a user runs it: a subprocess over stdio driven by the MCP Inspector CLI (an outside client),
with no credentials at all — it must start, list its tools, and say how to configure credentials when called."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.commands import BIN, cloud_env, inspect
from tests.tool_budget import listed_bytes

pytestmark = pytest.mark.slow


def test_without_credentials_it_lists_its_tools_and_a_call_says_how_to_configure_them(home: Path) -> None:
    env = cloud_env(
        home,
        ("AZURE_", "MSI_", "IDENTITY_"),
        AZURE_CONFIG_DIR=str(home / "no-azure-cli"),
        FINOPS_AZURE__SUBSCRIPTIONS="00000000-0000-0000-0000-00000000aaaa",
    )
    listed = inspect([str(BIN / "finops-azure")], env, "--method", "tools/list")
    names = {t["name"] for t in listed["tools"]}  # type: ignore[index, union-attr]
    assert {"azure_cost_query", "azure_list_resources", "azure_list_recommendations", "azure_budgets"} <= names
    assert "azure_apply_remediation" not in names  # read-only by default
    size = listed_bytes(listed["tools"])  # type: ignore[arg-type]
    assert size <= 16 * 1024, f"the tools' names, descriptions and input schemas are {size} bytes"
    assert all("outputSchema" in t for t in listed["tools"])  # type: ignore[union-attr]
    answer = inspect([str(BIN / "finops-azure")], env, "--method", "tools/call", "--tool-name", "azure_provider_info")
    assert answer["isError"] is True
    text = answer["content"][0]["text"]  # type: ignore[index]
    assert "az login" in text
