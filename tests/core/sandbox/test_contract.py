"""The sandbox provider passes the provider contract, for every cloud."""

from __future__ import annotations

from datetime import date

import pytest
from finops_core.models import CLOUDS
from finops_core.sandbox import SandboxProvider
from finops_core.testing.contract import CloudProviderContract

from tests.conftest import AS_OF


class TestSandboxProviderContract(CloudProviderContract):
    @pytest.fixture(params=CLOUDS)
    def provider(self, request: pytest.FixtureRequest) -> SandboxProvider:
        return SandboxProvider(request.param, as_of=AS_OF)

    @pytest.fixture
    def cost_period(self) -> tuple[date, date]:
        return date(2026, 10, 1), date(2026, 11, 1)
