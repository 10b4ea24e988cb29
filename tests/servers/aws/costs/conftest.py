"""Cost Explorer over the demo dataset (AS_OF = 2026-11-26: 90 days of rows, 2026-08-28 to 2026-11-25)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal

import pytest
from finops_aws.context import AwsContext
from finops_aws.costs import CostExplorer

from tests.conftest import AS_OF
from tests.fakes.aws.cost_explorer import (
    DEMO_ACCOUNTS,
    Commitment,
    CostExplorerFake,
    CostRow,
    demo_anomalies,
    demo_rows,
    install,
)
from tests.fakes.aws.json_service import AwsJsonFake

GET_COSTS = "AWSInsightsIndexService.GetCostAndUsage"
SAVINGS_PLAN = Commitment(
    commitment=Decimal("40"), used=Decimal("36"), on_demand_equivalent=Decimal("50"), on_demand_spend=Decimal("20")
)
RESERVATION = Commitment(
    commitment=Decimal("48"), used=Decimal("45"), on_demand_equivalent=Decimal("4.32"), on_demand_spend=Decimal("15")
)


@functools.cache
def dataset() -> tuple[CostRow, ...]:
    return tuple(demo_rows(AS_OF))


@pytest.fixture
def ce(fake: AwsJsonFake) -> CostExplorerFake:
    return install(
        fake,
        dataset(),
        today=AS_OF,
        account_names=DEMO_ACCOUNTS,
        anomalies=demo_anomalies(AS_OF),
        savings_plan=SAVINGS_PLAN,
        reservation=RESERVATION,
    )


@pytest.fixture
def explorer(aws_context: Callable[..., AwsContext], ce: CostExplorerFake) -> CostExplorer:
    return CostExplorer(aws_context())
