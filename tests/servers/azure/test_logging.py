"""At DEBUG azure-core logs each request, with its headers when network tracing is on; the bearer token never
reaches the log (issue 15, item 7)."""

from __future__ import annotations

from collections.abc import Callable

from azure.core.rest import HttpRequest
from azure.mgmt.costmanagement import CostManagementClient
from finops_azure.clients import AzureClients
from finops_azure.settings import AzureSettings

from tests.credentials import leaked
from tests.fakes.azure.arm import ArmFake
from tests.servers.azure.conftest import SUBSCRIPTIONS, StaticToken


def test_debug_logs_and_network_traces_of_a_real_call_carry_no_token(
    azure_settings: Callable[..., AzureSettings], arm: ArmFake, debug_logs: Callable[[], str]
) -> None:
    client = AzureClients(azure_settings(), StaticToken).client(CostManagementClient)
    url = f"{arm.url}/subscriptions/{SUBSCRIPTIONS[0]}/providers/Microsoft.CostManagement/dimensions"
    client.send_request(HttpRequest("GET", url), logging_enable=True)  # the SDK's network trace: every header
    text = debug_logs()
    assert "Authorization" in text
    assert leaked(text) == []
