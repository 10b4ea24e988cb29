"""The Azure adapter's plumbing over the fake: real SDK clients, fan-out across subscriptions, error mapping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from azure.mgmt.advisor import AdvisorManagementClient
from finops_azure.clients import AzureClients
from finops_azure.context import AzureContext
from finops_azure.errors import azure_errors, retry_after
from finops_azure.settings import AzureSettings
from finops_core.errors import AuthError, ConfigError, NotFound, PermissionDenied, Throttled, Unavailable

from tests.fakes.azure.arm import ArmError, ArmFake, ArmRequest
from tests.servers.azure.conftest import SUBSCRIPTIONS, TOKEN

pytestmark = pytest.mark.anyio
ADVISOR = r"/subscriptions/([^/]+)/providers/Microsoft\.Advisor/recommendations"


def _recommendations(request: ArmRequest) -> dict[str, Any]:
    subscription = request.path.split("/")[2]
    if subscription.endswith("bbbb"):
        raise ArmError(403, "AuthorizationFailed", "The client does not have authorization to perform action.")
    return {
        "value": [
            {
                "id": f"/subscriptions/{subscription}/providers/Microsoft.Advisor/recommendations/r1",
                "name": "r1",
                "properties": {"category": "Cost"},
            }
        ]
    }


async def test_fan_out_answers_per_subscription_and_names_the_one_that_refused(
    arm: ArmFake, azure_context: Callable[..., AzureContext]
) -> None:
    arm.route("advisor", "GET", ADVISOR, _recommendations)
    ctx = azure_context()

    def names(subscription: str) -> list[str]:
        client = ctx.clients.client(AdvisorManagementClient, subscription)
        with azure_errors(f"listing Advisor recommendations for subscription {subscription}"):
            return [str(r.name) for r in client.recommendations.list(filter="Category eq 'Cost'")]

    out = await ctx.fan_out(names)
    assert out.results == [["r1"]]
    assert len(out.missing) == 1
    assert SUBSCRIPTIONS[1] in out.missing[0]
    assert "docs/azure-role.json" in out.missing[0]
    (request,) = [r for r in arm.calls("advisor") if SUBSCRIPTIONS[0] in r.path]
    assert request.query["$filter"] == "Category eq 'Cost'"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, AuthError), (403, PermissionDenied), (404, NotFound), (429, Throttled), (503, Unavailable)],
)
def test_http_errors_become_finops_errors_that_say_what_to_do(
    arm: ArmFake, azure_settings: Callable[..., AzureSettings], status: int, error: type[Exception]
) -> None:
    def refuse(request: ArmRequest) -> dict[str, Any]:
        raise ArmError(status, "Refused", "no", {"retry-after": "0"} if status in (429, 503) else {})

    arm.route("advisor", "GET", ADVISOR, refuse)
    from tests.servers.azure.conftest import StaticToken

    settings = azure_settings()
    client = AzureClients(settings, StaticToken).client(AdvisorManagementClient, SUBSCRIPTIONS[0])
    with pytest.raises(error) as raised, azure_errors("listing Advisor recommendations"):
        list(client.recommendations.list(retry_total=1))
    assert TOKEN not in str(raised.value)


def test_cost_management_rate_limit_headers_are_read_as_seconds() -> None:
    headers = {"x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after": "12", "Retry-After": "3"}
    assert retry_after(headers) == 12.0
    assert retry_after({"x-ms-ratelimit-microsoft.costmanagement-entity-retry-after": "7"}) == 7.0
    assert retry_after({"x-ms-ratelimit-remaining-microsoft.costmanagement-qpu-retry-after": "1"}) is None


def test_wrong_azure_settings_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"azure\.cloud"):
        AzureSettings.from_section({"cloud": "moon"})


def test_sovereign_clouds_have_their_own_endpoints_and_token_scope() -> None:
    china = AzureSettings(cloud="china")
    assert china.arm_url == "https://management.chinacloudapi.cn"
    assert china.scope == "https://management.chinacloudapi.cn/.default"
    assert AzureSettings(cloud="usgov").authority == "login.microsoftonline.us"
    assert AzureSettings.from_section({"subscriptions": "a, b"}).subscriptions == ["a", "b"]


def test_a_service_that_stops_answering_is_unavailable_once_the_read_timeout_passes(
    arm: ArmFake, azure_settings: Callable[..., AzureSettings]
) -> None:
    arm.route("advisor", "GET", ADVISOR, _recommendations)
    arm.fail("advisor", "slow")
    from tests.servers.azure.conftest import StaticToken

    settings = azure_settings(timeout_seconds=0.3)
    client = AzureClients(settings, StaticToken).client(AdvisorManagementClient, SUBSCRIPTIONS[0])
    with pytest.raises(Unavailable, match="Could not reach Azure"), azure_errors("listing Advisor recommendations"):
        list(client.recommendations.list(retry_total=0))
