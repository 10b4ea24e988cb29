"""``finops-azure`` as a user runs it: a subprocess over stdio driven by the MCP Inspector CLI (an outside client),
with no credentials at all — it must start, list its tools, and say how to configure credentials when called."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.commands import BIN, cloud_env, inspect

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
    size = len(json.dumps(listed, separators=(",", ":")))
    assert size <= 16 * 1024, f"tools/list is {size} bytes"
    answer = inspect([str(BIN / "finops-azure")], env, "--method", "tools/call", "--tool-name", "azure_provider_info")
    assert answer["isError"] is True
    text = answer["content"][0]["text"]  # type: ignore[index]
    assert "az login" in text
