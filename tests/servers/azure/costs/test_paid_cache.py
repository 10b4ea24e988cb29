"""Cost Management answers cached in a store shared by several processes are reused only for the same caller: the
tenant and principal the token names, the Resource Manager endpoint and the cloud (issue 15, item 6)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from azure.core.credentials import AccessToken, AccessTokenInfo
from finops_azure.clients import AzureClients, token_claims
from finops_azure.context import AzureContext
from finops_azure.costs import CostManagement
from finops_azure.settings import AzureSettings
from finops_core.models import CostQuery
from finops_core.paid import PaidCalls
from finops_core.store import Store

from tests.conftest import AS_OF
from tests.credentials import AZURE_ACCESS_TOKEN
from tests.fakes.azure.cost_management import CostManagementFake
from tests.servers.azure.conftest import StaticToken
from tests.servers.conftest import Waits

pytestmark = pytest.mark.anyio

QUERY = CostQuery(start=date(2026, 10, 1), end=date(2026, 11, 1), group_by=("service",))
TENANT, OTHER_TENANT = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
READER = "33333333-3333-3333-3333-333333333333"


def _b64(data: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def entra_token(tenant: str, object_id: str) -> str:
    """An Entra ID access token's shape: header, claims, and the test credential where the signature goes."""
    return f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{_b64({'tid': tenant, 'oid': object_id})}.{AZURE_ACCESS_TOKEN}"


class EntraToken:
    """A ``TokenCredential`` whose tokens name ``tenant`` and ``object_id``, as Entra ID's do."""

    def __init__(self, tenant: str, object_id: str) -> None:
        self.token = entra_token(tenant, object_id)

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self.token, int(time.time()) + 3600)

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        return AccessTokenInfo(self.token, int(time.time()) + 3600)


def management(settings: AzureSettings, credential: Callable[[], Any], store: Path, waits: Waits) -> CostManagement:
    """Cost Management as one ``finops-azure`` process builds it, over the store file ``store``."""
    clients = AzureClients(settings, credential)
    paid = PaidCalls(lambda: Store(store), ttl=timedelta(hours=6), provider="azure", caller=clients.caller)
    return CostManagement(AzureContext(settings, clients, paid, today=lambda: AS_OF, sleep=waits))


@pytest.mark.parametrize(
    "other", [(OTHER_TENANT, READER), (TENANT, "44444444-4444-4444-4444-444444444444")], ids=["tenant", "principal"]
)
async def test_another_tenant_or_principal_on_the_same_store_asks_cost_management_again(
    azure_settings: Callable[..., AzureSettings],
    cm: CostManagementFake,
    tmp_path: Path,
    waits: Waits,
    other: tuple[str, str],
) -> None:
    store = tmp_path / "shared.sqlite"
    await management(azure_settings(), lambda: EntraToken(TENANT, READER), store, waits).query_costs(QUERY)
    made = len(cm.arm.calls("query"))
    answer = await management(azure_settings(), lambda: EntraToken(*other), store, waits).query_costs(QUERY)
    assert len(cm.arm.calls("query")) == 2 * made
    assert "(cached)" not in answer.source


async def test_the_same_tenant_and_principal_in_another_process_reuse_the_answer(
    azure_settings: Callable[..., AzureSettings], cm: CostManagementFake, tmp_path: Path, waits: Waits
) -> None:
    store = tmp_path / "shared.sqlite"
    first = await management(azure_settings(), lambda: EntraToken(TENANT, READER), store, waits).query_costs(QUERY)
    made = len(cm.arm.calls("query"))
    again = await management(azure_settings(), lambda: EntraToken(TENANT, READER), store, waits).query_costs(QUERY)
    assert len(cm.arm.calls("query")) == made
    assert "(cached)" in again.source
    assert again.totals == first.totals


async def test_tokens_that_name_nobody_are_never_shared_between_processes(
    azure_settings: Callable[..., AzureSettings], cm: CostManagementFake, tmp_path: Path, waits: Waits
) -> None:
    store = tmp_path / "shared.sqlite"
    await management(azure_settings(), StaticToken, store, waits).query_costs(QUERY)
    made = len(cm.arm.calls("query"))
    answer = await management(azure_settings(), StaticToken, store, waits).query_costs(QUERY)
    assert len(cm.arm.calls("query")) == 2 * made
    assert "(cached)" not in answer.source


async def test_another_resource_manager_endpoint_is_asked_itself(
    azure_settings: Callable[..., AzureSettings], cm: CostManagementFake, tmp_path: Path, waits: Waits
) -> None:
    store = tmp_path / "shared.sqlite"
    settings = azure_settings()
    await management(settings, lambda: EntraToken(TENANT, READER), store, waits).query_costs(QUERY)
    made = len(cm.arm.calls("query"))
    # The same emulator under another name: a private-link or sovereign endpoint is another source of answers.
    moved = azure_settings(resource_manager_url=settings.arm_url.replace("127.0.0.1", "localhost"))
    answer = await management(moved, lambda: EntraToken(TENANT, READER), store, waits).query_costs(QUERY)
    assert len(cm.arm.calls("query")) == 2 * made
    assert "(cached)" not in answer.source


def test_the_caller_names_tenant_principal_endpoint_and_cloud_but_not_the_token(
    azure_settings: Callable[..., AzureSettings],
) -> None:
    settings = azure_settings()
    caller = AzureClients(settings, lambda: EntraToken(TENANT, READER)).caller()
    assert (caller.account, caller.principal, caller.endpoint, caller.partition) == (
        TENANT,
        READER,
        settings.arm_url,
        "public",
    )
    assert AZURE_ACCESS_TOKEN not in repr(caller)


@pytest.mark.parametrize("token", ["opaque", "a.b.c", "a.!!!.c", f"x.{'A' * 20000}.y", "x.W10.y"])
def test_a_token_that_is_not_a_jwt_has_no_claims(token: str) -> None:
    assert token_claims(token) == {}
