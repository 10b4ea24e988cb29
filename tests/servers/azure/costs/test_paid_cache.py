"""Cost Management answers cached in a store shared by several processes are reused only for the same caller: the
tenant and principal the token names, the Resource Manager endpoint and the cloud (issue 15, item 6; the scenario:
``tests.servers.paid_cache``)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from azure.core.credentials import AccessToken, AccessTokenInfo
from finops_azure.clients import AzureClients, token_claims
from finops_azure.context import AzureContext
from finops_azure.costs import CostManagement
from finops_azure.settings import AzureSettings
from finops_core.models import CostBreakdown, CostQuery

from tests.conftest import AS_OF
from tests.credentials import AZURE_ACCESS_TOKEN
from tests.fakes.azure.cost_management import CostManagementFake
from tests.servers.azure.conftest import StaticToken
from tests.servers.conftest import Waits
from tests.servers.paid_cache import CostProcesses, SharedCache, shared_cache

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


class CostManagementProcesses(CostProcesses):
    query = CostQuery(start=date(2026, 10, 1), end=date(2026, 11, 1), group_by=("service",))
    per_question = None  # a request per scope and page
    reader = (TENANT, READER)

    def __init__(self, settings: Callable[..., AzureSettings], cm: CostManagementFake, waits: Waits) -> None:
        self.settings, self.cm, self.waits = settings, cm, waits

    def source(self, store: Path, credentials: Any, **settings: Any) -> CostManagement:
        """Cost Management as one ``finops-azure`` process builds it; ``credentials``: (tenant, object id), or None
        for a token that names nobody."""
        credential = StaticToken if credentials is None else (lambda: EntraToken(*credentials))
        clients = AzureClients(self.settings(**settings), credential)
        paid = shared_cache(store, "azure", clients.caller)
        return CostManagement(AzureContext(clients.settings, clients, paid, today=lambda: AS_OF, sleep=self.waits))

    def strangers(self) -> dict[str, tuple[Any, Any, dict[str, Any]]]:
        # The same emulator under another name: a private-link or sovereign endpoint is another source of answers.
        moved = self.settings().arm_url.replace("127.0.0.1", "localhost")
        return {
            "tenant": (self.reader, (OTHER_TENANT, READER), {}),
            "principal": (self.reader, (TENANT, "44444444-4444-4444-4444-444444444444"), {}),
            "endpoint": (self.reader, self.reader, {"resource_manager_url": moved}),
            "nobody": (None, None, {}),  # tokens that name nobody are never shared
        }

    def asked(self) -> int:
        return len(self.cm.arm.calls("query"))

    def says_cached(self, answer: CostBreakdown) -> bool:
        return "(cached)" in answer.source


class TestCostManagement(SharedCache):
    @pytest.fixture
    def processes(
        self, azure_settings: Callable[..., AzureSettings], cm: CostManagementFake, waits: Waits
    ) -> CostManagementProcesses:
        return CostManagementProcesses(azure_settings, cm, waits)


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
