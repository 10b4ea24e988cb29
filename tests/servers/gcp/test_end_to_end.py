"""``finops-gcp`` as a user runs it: a subprocess over stdio driven by the MCP Inspector CLI (an outside client),
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
        ("GOOGLE_", "GCLOUD_", "CLOUDSDK_"),
        CLOUDSDK_CONFIG=str(home / "no-gcloud"),
        NO_GCE_CHECK="True",
        FINOPS_GCP__PROJECTS="finops-demo-web",
        FINOPS_GCP__STANDARD_EXPORT_TABLE="billing-admin.billing.gcp_billing_export_v1_000000_B0BBA4_940A77",
    )
    listed = inspect([str(BIN / "finops-gcp")], env, "--method", "tools/list")
    names = {t["name"] for t in listed["tools"]}  # type: ignore[index, union-attr]
    assert {"gcp_cost_query", "gcp_list_resources", "gcp_list_recommendations", "gcp_costs_by"} <= names
    assert "gcp_apply_remediation" not in names  # read-only by default
    size = listed_bytes(listed["tools"])  # type: ignore[arg-type]
    assert size <= 16 * 1024, f"the tools' names, descriptions and input schemas are {size} bytes"
    assert all("outputSchema" in t for t in listed["tools"])  # type: ignore[union-attr]
    answer = inspect([str(BIN / "finops-gcp")], env, "--method", "tools/call", "--tool-name", "gcp_provider_info")
    assert answer["isError"] is True
    text = answer["content"][0]["text"]  # type: ignore[index]
    assert "gcloud auth application-default login" in text
