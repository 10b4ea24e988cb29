"""Cost Management over the demo dataset (AS_OF = 2026-11-26: 75 days of rows, 2026-09-12 to 2026-11-25;
subscription ...aaaa billed in EUR, ...bbbb in USD)."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest
from finops_azure.context import AzureContext
from finops_azure.costs import CostManagement

from tests.conftest import AS_OF
from tests.fakes.azure.arm import ArmFake
from tests.fakes.azure.cost_management import (
    CostManagementFake,
    UsageRow,
    demo_benefit_recommendations,
    demo_budgets,
    demo_rows,
    demo_utilization,
    install,
)


@functools.cache
def dataset() -> tuple[UsageRow, ...]:
    return tuple(demo_rows(AS_OF))


@pytest.fixture
def cm(arm: ArmFake) -> CostManagementFake:
    return install(
        arm,
        dataset(),
        today=AS_OF,
        page_size=40,
        budgets=demo_budgets(),
        benefit_recommendations=demo_benefit_recommendations(),
        utilization=demo_utilization(),
    )


@pytest.fixture
def costs(azure_context: Callable[..., AzureContext], cm: CostManagementFake) -> CostManagement:
    return CostManagement(azure_context())
