"""``BillingExport`` passes the core cost-source contract over the BigQuery fake (November 2020: the generated
project has costs on every day, so every week of the month has data)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from finops_core.testing.contract import CostSourceContract
from finops_gcp.context import GcpContext
from finops_gcp.costs import BillingExport


class TestBillingExportContract(CostSourceContract):
    @pytest.fixture
    def provider(self, export_context: Callable[..., GcpContext]) -> BillingExport:
        return BillingExport(export_context())

    @pytest.fixture
    def cost_period(self) -> tuple[date, date]:
        return date(2020, 11, 1), date(2020, 12, 1)
