"""The Azure adapter's plumbing over the fake: real SDK clients, fan-out across subscriptions, error mapping
(``tests.servers.plumbing.RestPlumbing`` over Advisor), and what only Azure has: its headers and sovereign clouds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from azure.mgmt.advisor import AdvisorManagementClient
from finops_azure.context import AzureContext
from finops_azure.errors import azure_errors, retry_after
from finops_azure.settings import AzureSettings
from finops_core.errors import ConfigError
from finops_core.fanout import FanOut

from tests.fakes.azure.arm import ArmError, ArmFake, ArmRequest
from tests.servers.azure.conftest import SUBSCRIPTIONS, TOKEN
from tests.servers.plumbing import Listing, RestPlumbing

pytestmark = pytest.mark.anyio
ADVISOR = r"/subscriptions/([^/]+)/providers/Microsoft\.Advisor/recommendations"


class Advisor(Listing[AzureContext]):
    """Advisor's cost recommendations in each subscription."""

    route, path, places, item = "advisor", ADVISOR, SUBSCRIPTIONS, "r1"
    role_doc, unreachable = "docs/azure-role.json", "Could not reach Azure"

    def answer(self, request: ArmRequest) -> dict[str, Any]:
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

    def refusal(self, status: int) -> ArmError:
        return ArmError(status, "Refused", "no")

    async def fan_out(self) -> FanOut[list[str]]:
        ctx = self.context()

        def names(subscription: str) -> list[str]:
            client = ctx.clients.client(AdvisorManagementClient, subscription)
            with azure_errors(f"listing Advisor recommendations for subscription {subscription}"):
                return [str(r.name) for r in client.recommendations.list(filter="Category eq 'Cost'")]

        return await ctx.fan_out(names)

    def list_once(self, **settings: Any) -> list[str]:
        client = self.context(**settings).clients.client(AdvisorManagementClient, SUBSCRIPTIONS[0])
        with azure_errors("listing Advisor recommendations"):
            return [str(r.name) for r in client.recommendations.list(retry_total=0)]


class TestOnAzure(RestPlumbing):
    @pytest.fixture
    def listing(self, arm: ArmFake, azure_context: Callable[..., AzureContext]) -> Advisor:
        return Advisor(arm, azure_context)

    async def test_the_fan_out_asks_each_subscription_for_cost_recommendations_with_the_bearer_token(
        self, arm: ArmFake, listing: Advisor
    ) -> None:
        listing.serve()
        await listing.fan_out()
        (request,) = [r for r in arm.calls("advisor") if SUBSCRIPTIONS[0] in r.path]
        assert request.query["$filter"] == "Category eq 'Cost'"
        assert request.headers["authorization"] == f"Bearer {TOKEN}"


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
