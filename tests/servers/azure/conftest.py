"""The Azure emulator (``ArmFake``) and ``azure_context(...)``: the adapter's context with real Azure SDK clients
pointed at it, a fixed token, and rate-limit waits recorded instead of slept."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.core.credentials import AccessToken, AccessTokenInfo
from finops_azure.clients import AzureClients
from finops_azure.context import AzureContext
from finops_azure.settings import AzureSettings

from tests.credentials import AZURE_ACCESS_TOKEN
from tests.fakes.azure.arm import ArmFake
from tests.servers.conftest import Waits
from tests.servers.contexts import contexts

TOKEN = AZURE_ACCESS_TOKEN
SUBSCRIPTIONS = ("00000000-0000-0000-0000-00000000aaaa", "00000000-0000-0000-0000-00000000bbbb")


class StaticToken:
    """A ``TokenCredential`` with a fixed token (what ``DefaultAzureCredential`` would get from Entra ID)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(TOKEN, int(time.time()) + 3600)

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        return AccessTokenInfo(TOKEN, int(time.time()) + 3600)


@pytest.fixture
def arm() -> Iterator[ArmFake]:
    with ArmFake() as fake:
        yield fake


@pytest.fixture
def azure_settings(arm: ArmFake) -> Callable[..., AzureSettings]:
    """``azure_settings(**overrides)``: two subscriptions, Resource Manager and Retail Prices on the fake."""

    def make(**overrides: Any) -> AzureSettings:
        values: dict[str, Any] = {
            "subscriptions": list(SUBSCRIPTIONS),
            "resource_manager_url": arm.url,
            "retail_prices_url": f"{arm.url}/api/retail/prices",
            **overrides,
        }
        return AzureSettings.model_validate(values)

    return make


@pytest.fixture
def azure_context(
    azure_settings: Callable[..., AzureSettings], tmp_path: Path, waits: Waits
) -> Callable[..., AzureContext]:
    """``azure_context(**setting_overrides)``: an ``AzureContext`` over the fake with a store in ``tmp_path``."""
    return contexts(AzureContext, azure_settings, lambda s: AzureClients(s, StaticToken), tmp_path, sleep=waits)
