"""``finops-<cloud>`` as a user runs it, on every cloud: a subprocess over stdio driven by the MCP Inspector CLI (an
outside client), with no credentials at all: it must start, list its tools, and say how to configure credentials
when called."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.commands import BIN, cloud_env, inspect
from tests.tool_budget import listed_bytes

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class NoCredentials:
    cleared: tuple[str, ...]  # the prefixes of the variables that could hold credentials, all unset
    env: Callable[[Path], dict[str, str]]  # where the cloud's CLI keeps its login: nowhere; its smallest config
    tools: frozenset[str]  # some of its own tools
    hints: tuple[str, ...]  # what the answer to a call tells the person to run


CLOUDS = {
    "aws": NoCredentials(
        ("AWS_",),
        lambda home: {
            "AWS_CONFIG_FILE": str(home / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "none"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_REGION": "us-east-1",
        },
        frozenset({"aws_cost_query", "aws_list_resources", "aws_list_recommendations", "aws_cost_forecast"}),
        ("credentials", "aws configure"),
    ),
    "azure": NoCredentials(
        ("AZURE_", "MSI_", "IDENTITY_"),
        lambda home: {
            "AZURE_CONFIG_DIR": str(home / "no-azure-cli"),
            "FINOPS_AZURE__SUBSCRIPTIONS": "00000000-0000-0000-0000-00000000aaaa",
        },
        frozenset({"azure_cost_query", "azure_list_resources", "azure_list_recommendations", "azure_budgets"}),
        ("az login",),
    ),
    "gcp": NoCredentials(
        ("GOOGLE_", "GCLOUD_", "CLOUDSDK_"),
        lambda home: {
            "CLOUDSDK_CONFIG": str(home / "no-gcloud"),
            "NO_GCE_CHECK": "True",
            "FINOPS_GCP__PROJECTS": "finops-demo-web",
            "FINOPS_GCP__STANDARD_EXPORT_TABLE": "billing-admin.billing.gcp_billing_export_v1_000000_B0BBA4_940A77",
        },
        frozenset({"gcp_cost_query", "gcp_list_resources", "gcp_list_recommendations", "gcp_costs_by"}),
        ("gcloud auth application-default login",),
    ),
}


@pytest.mark.parametrize("cloud", CLOUDS)
def test_without_credentials_it_lists_its_tools_and_a_call_says_how_to_configure_them(cloud: str, home: Path) -> None:
    case = CLOUDS[cloud]
    env = cloud_env(home, case.cleared, **case.env(home))
    command = [str(BIN / f"finops-{cloud}")]
    listed = inspect(command, env, "--method", "tools/list")
    names = {t["name"] for t in listed["tools"]}  # type: ignore[index, union-attr]
    assert case.tools <= names
    assert f"{cloud}_apply_remediation" not in names  # read-only by default
    size = listed_bytes(listed["tools"])  # type: ignore[arg-type]
    assert size <= 16 * 1024, f"the tools' names, descriptions and input schemas are {size} bytes"
    assert all("outputSchema" in t for t in listed["tools"])  # type: ignore[union-attr]
    answer = inspect(command, env, "--method", "tools/call", "--tool-name", f"{cloud}_provider_info")
    assert answer["isError"] is True
    text = answer["content"][0]["text"]  # type: ignore[index]
    for hint in case.hints:
        assert hint in text
