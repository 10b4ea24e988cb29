"""``aws_cost_query`` through ``finops-aws``'s server over Cost Explorer's emulator with 40 services: a daily trend
over 30 days answers in under 16 KB, exact to the cent against the dataset, and says when it came from the cache."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from finops_aws.provider import create_provider
from finops_core.adapter import native_tools
from finops_core.cost_tables import answer_bytes
from finops_core.server import build_server
from finops_core.settings import Settings
from mcp import Client

from tests.conftest import AS_OF
from tests.fakes.aws import ce_recommendations, compute_optimizer, cost_optimization_hub, pricing
from tests.fakes.aws.cost_explorer import CostRow, install
from tests.fakes.aws.json_service import AwsJsonFake
from tests.servers.aws.conftest import endpoints, fixed_session
from tests.servers.aws.inventory.conftest import PRICES
from tests.servers.cost_tools import asked_twice, assert_says_cached
from tests.tables import long_rows

pytestmark = pytest.mark.anyio

OCTOBER = {"start": "2026-10-01", "end": "2026-10-31", "granularity": "daily", "group_by": ["service"]}
SERVICES = [f"Amazon Example Service Number {n:02d}" for n in range(40)]  # as long as real service names


def _rows() -> list[CostRow]:
    rows: list[CostRow] = []
    for offset in range(30):
        day = date(2026, 10, 1) + timedelta(days=offset)
        for n, service in enumerate(SERVICES):
            cost = (Decimal(1000 - 20 * n) + Decimal(offset) / 7).quantize(Decimal("0.0000000001"))
            rows.append(
                CostRow(
                    day=day,
                    account="123456789012",
                    service=service,
                    region="us-east-1",
                    usage_type="USE1-Usage",
                    record_type="Usage",
                    unblended=cost,
                    amortized=cost,
                    net_amortized=cost,
                    net_unblended=cost,
                    blended=cost,
                )
            )
    return rows


@pytest.fixture
def server(moto: str, fake: AwsJsonFake, home: Path) -> Any:
    install(fake, _rows(), today=AS_OF)
    cost_optimization_hub.install(fake, [])
    compute_optimizer.install(fake)
    ce_recommendations.install(fake)  # Cost Explorer's rightsizing and Savings Plans advice: paid calls too
    pricing.install(fake, PRICES)
    aws = {"regions": ["us-east-1"], "endpoint_urls": endpoints(moto, fake), "max_attempts": 1}
    settings = Settings.load({"FINOPS_HOME": str(home)}, overrides={"aws": aws})
    provider = create_provider(settings, session_factory=fixed_session, today=lambda: AS_OF)
    return build_server(provider, settings, today=lambda: AS_OF, extend=native_tools(provider))


def _cells(body: dict[str, Any]) -> dict[tuple[str, str], Decimal]:
    """(day, service) -> amount from a pivoted answer; '(other)' per day."""
    assert body["columns"][:2] == ["service", "currency"]
    return {(day, service): Decimal(amount) for day, service, _, amount in long_rows(body)}


def _expected() -> dict[tuple[str, str], Decimal]:
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in _rows():
        sums[(row.day.isoformat(), row.service)] += row.net_amortized
    return sums


async def test_a_daily_trend_of_40_services_over_30_days_fits_in_16_kb_exact_to_the_source(server: Any) -> None:
    async with Client(server) as client:
        result = await client.call_tool("aws_cost_query", OCTOBER)
    assert not result.is_error, result.content
    assert answer_bytes(result) < 16 * 1024, f"the answer is {answer_bytes(result):,} bytes"
    body = result.structured_content
    assert body is not None
    assert "cut" not in body  # the default top 15 fit whole
    expected = _expected()
    cells = _cells(body)
    top = {service for _, service in cells} - {"(other)"}
    assert len(top) == 15
    assert {k: v for k, v in cells.items() if k[1] in top} == {k: v for k, v in expected.items() if k[1] in top}
    for day in {d for d, _ in expected}:  # '(other)' is exactly the 25 services folded, every day
        assert cells[(day, "(other)")] == sum(v for (d, s), v in expected.items() if d == day and s not in top)
    assert Decimal(body["totals"]["USD"]) == sum(expected.values()) == sum(cells.values())
    text = result.content[0].text  # type: ignore[union-attr]
    assert "service | currency | 2026-10-01 | 2026-10-02" in text
    assert "{" not in text  # a table, not a second copy of the JSON


async def test_asking_for_all_40_folds_the_smallest_into_other_to_fit_and_says_how_to_narrow(server: Any) -> None:
    async with Client(server) as client:
        result = await client.call_tool("aws_cost_query", {**OCTOBER, "top_n": 40})
    assert answer_bytes(result) <= 16_000
    body = result.structured_content
    assert body is not None
    cut = body["cut"]
    assert cut["groups"] == 40
    assert 0 < cut["groups_listed"] < 40
    assert body["truncated"] is True
    assert "coarser granularity" in cut["narrow"]
    cells = _cells(body)
    assert len({s for _, s in cells} - {"(other)"}) == cut["groups_listed"]
    assert sum(cells.values()) == Decimal(body["totals"]["USD"]) == sum(_expected().values())
    text = result.content[0].text  # type: ignore[union-attr]
    assert f"Cut to fit 16,000 bytes: the top {cut['groups_listed']} of 40 groups are listed" in text


async def test_a_repeated_question_says_it_came_from_the_cache_and_how_old_it_is(
    server: Any, fake: AwsJsonFake
) -> None:
    async with Client(server) as client:
        first = (await client.call_tool("aws_cost_query", OCTOBER)).structured_content
        pages = len(fake.calls("AWSInsightsIndexService.GetCostAndUsage"))
        again = await client.call_tool("aws_cost_query", OCTOBER)
    assert first is not None
    assert again.structured_content is not None
    assert (first["cached"], first["paid_calls"]) == (False, pages)  # every page is billed
    assert "cached_at" not in first
    second = again.structured_content
    assert (second["cached"], second["paid_calls"], second["cached_age_minutes"]) == (True, 0, 0)
    assert second["cached_at"].startswith(str(date.today().year))
    assert "From the cache of earlier answers, fetched" in again.content[0].text  # type: ignore[union-attr]
    assert len(fake.calls("AWSInsightsIndexService.GetCostAndUsage")) == pages


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("aws_cost_explorer", {"start": "2026-10-01", "end": "2026-10-31", "group_by": ["SERVICE"]}),
        ("aws_cost_forecast", {}),
        ("aws_cost_anomalies", {}),
        ("aws_commitments", {}),
        ("aws_daily_costs", {"start": "2026-10-01", "end": "2026-10-31"}),
        ("aws_list_recommendations", {}),
    ],
)
async def test_every_tool_on_the_paid_cache_says_whether_its_answer_came_from_it(
    server: Any, tool: str, arguments: dict[str, Any]
) -> None:
    first, second = await asked_twice(server, tool, arguments)
    assert_says_cached(first, second)
