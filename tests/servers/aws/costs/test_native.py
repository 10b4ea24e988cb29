"""AWS-native cost questions (groupings, forecast, anomalies, commitments, budgets), directly and as MCP tools."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from finops_aws.costs import CostExplorer
from finops_aws.costs.tools import register_cost_tools
from finops_core.errors import InvalidQuery
from finops_core.settings import Settings
from mcp import Client
from mcp.server import MCPServer
from mcp.types import CallToolResult

from tests.conftest import AS_OF
from tests.fakes.aws.cost_explorer import CostExplorerFake
from tests.fakes.aws.json_service import AwsJsonFake
from tests.servers.aws.costs.conftest import GET_COSTS, dataset
from tests.servers.cost_tools import assert_small_and_within_budget
from tests.tables import records

pytestmark = pytest.mark.anyio

SEPT_OCT = (date(2026, 9, 1), date(2026, 11, 1))
TOOLS = ("aws_cost_explorer", "aws_cost_forecast", "aws_cost_anomalies", "aws_commitments", "aws_budgets")


def _body(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def test_costs_by_service_per_month_rank_the_top_and_fold_the_rest(explorer: CostExplorer) -> None:
    answer = await explorer.costs_by(*SEPT_OCT, group_by=["SERVICE"], metric="AmortizedCost", top_n=3)
    assert answer.metric == "AmortizedCost"
    assert {r.period for r in answer.rows} == {date(2026, 9, 1), date(2026, 10, 1)}
    assert len({r.group["SERVICE"] for r in answer.rows}) == 3
    assert answer.truncated
    expected = sum((r.amortized for r in dataset() if SEPT_OCT[0] <= r.day < SEPT_OCT[1]), Decimal(0))
    assert [(t.amount, t.currency) for t in answer.totals] == [(expected, "USD")]
    assert sum(r.amount for r in answer.rows + answer.other) == expected
    assert (answer.paid_calls, answer.cached, answer.estimated) == (1, False, False)


async def test_costs_by_a_tag_and_a_filter(explorer: CostExplorer, fake: AwsJsonFake) -> None:
    answer = await explorer.costs_by(
        *SEPT_OCT, group_by=["TAG:team"], granularity="total", filters={"REGION": ["eu-west-1"]}
    )
    by_team = {r.group["TAG:team"]: r.amount for r in answer.rows}
    assert set(by_team) == {"web", "data", None}
    assert all(r.period is None for r in answer.rows)
    web = sum(
        (
            r.unblended
            for r in dataset()
            if SEPT_OCT[0] <= r.day < SEPT_OCT[1] and r.region == "eu-west-1" and r.tags.get("team") == "web"
        ),
        Decimal(0),
    )
    assert by_team["web"] == web
    assert fake.calls(GET_COSTS)[-1]["Filter"] == {"Dimensions": {"Key": "REGION", "Values": ["eu-west-1"]}}


async def test_an_unknown_grouping_is_refused_without_a_paid_call(explorer: CostExplorer, fake: AwsJsonFake) -> None:
    with pytest.raises(InvalidQuery, match="TAG:<key>"):
        await explorer.costs_by(*SEPT_OCT, group_by=["team"])
    assert fake.calls(GET_COSTS) == []


async def test_the_forecast_has_a_total_and_bounds_per_period(explorer: CostExplorer, fake: AwsJsonFake) -> None:
    answer = await explorer.forecast(AS_OF, date(2027, 1, 1), metric="NetAmortizedCost", level=90)
    assert [(p.start, p.end) for p in answer.periods] == [
        (AS_OF, date(2026, 12, 1)),
        (date(2026, 12, 1), date(2027, 1, 1)),
    ]
    assert answer.total.amount == sum(p.mean for p in answer.periods)
    assert all(p.lower is not None and p.upper is not None and p.lower < p.mean < p.upper for p in answer.periods)
    assert (answer.total.currency, answer.prediction_interval_level, answer.paid_calls) == ("USD", 90, 1)
    assert "estimate" in answer.note
    [request] = fake.calls("AWSInsightsIndexService.GetCostForecast")
    assert (request["Metric"], request["PredictionIntervalLevel"]) == ("NET_AMORTIZED_COST", 90)
    with pytest.raises(InvalidQuery, match="today"):
        await explorer.forecast(date(2026, 11, 1), date(2026, 12, 1))


async def test_anomalies_come_largest_first_with_root_causes(explorer: CostExplorer, fake: AwsJsonFake) -> None:
    answer = await explorer.anomalies(date(2026, 9, 1), AS_OF)
    assert [a.anomaly_id for a in answer.anomalies] == ["a-ec2", "a-s3"]
    top = answer.anomalies[0]
    assert (top.impact, top.start, top.root_causes[0].account_name) == (
        Decimal("412.37"),
        date(2026, 11, 20),
        "web-prod",
    )
    assert top.root_causes[0].usage_type == "USE1-BoxUsage:m5.large"
    assert answer.total_impact.amount == Decimal("469.87")
    big = await explorer.anomalies(date(2026, 9, 1), AS_OF, min_impact=100)
    assert [a.anomaly_id for a in big.anomalies] == ["a-ec2"]
    assert fake.calls("AWSInsightsIndexService.GetAnomalies")[-1]["TotalImpact"]["StartValue"] == 100


async def test_commitments_answer_coverage_and_utilization_of_both_kinds(explorer: CostExplorer) -> None:
    answer = await explorer.commitments(date(2026, 10, 1), date(2026, 11, 1))
    sp, ri = answer.savings_plans, answer.reservations
    assert (sp.covered_spend, sp.on_demand_spend, sp.coverage_percent) == (Decimal("1550.00"), Decimal("620.00"), 71.43)
    assert (sp.utilization_percent, sp.unused_commitment) == (90.0, Decimal("124.00"))
    assert (ri.coverage_hours_percent, ri.utilization_percent, ri.unused_hours) == (75.0, 93.75, Decimal("93.00"))
    assert (answer.paid_calls, answer.cached, answer.notes) == (4, False, [])
    again = await explorer.commitments(date(2026, 10, 1), date(2026, 11, 1))
    assert (again.paid_calls, again.cached) == (0, True)


async def test_without_commitments_the_answer_says_so(explorer: CostExplorer, ce: CostExplorerFake) -> None:
    ce.savings_plan = ce.reservation = None
    answer = await explorer.commitments(date(2026, 10, 1), date(2026, 11, 1))
    assert answer.savings_plans.utilization_percent is None
    assert len(answer.notes) == 2
    assert "No Savings Plans" in answer.notes[0]


async def test_budgets_show_limit_spend_and_percent_used(explorer: CostExplorer) -> None:
    budgets = explorer.ctx.clients.client("budgets", "us-east-1")
    account = (await explorer.ctx.accounts())[0].account_id
    budgets.create_budget(
        AccountId=account,
        Budget={
            "BudgetName": "monthly-total",
            "BudgetLimit": {"Amount": "5000", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
    )
    answer = await explorer.budgets()
    [budget] = answer.budgets
    assert (budget.name, budget.limit and budget.limit.amount, budget.time_unit) == (
        "monthly-total",
        Decimal("5000.00"),
        "MONTHLY",
    )
    assert (budget.percent_used, answer.over_limit) == (0.0, 0)  # moto's spend is always 0


async def test_an_account_without_budgets_is_told_how_to_make_one(explorer: CostExplorer) -> None:
    answer = await explorer.budgets()
    assert answer.budgets == []
    assert answer.note
    assert "Billing console" in answer.note


# -- the tools -----------------------------------------------------------------------------------------


async def test_each_tool_is_small_and_the_server_stays_within_its_budget(
    explorer: CostExplorer, settings: Settings
) -> None:
    # The grouping tool carries the metric enum and the dimension list.
    await assert_small_and_within_budget(
        "aws", settings, lambda s: register_cost_tools(s, explorer), TOOLS, largest=1_100
    )


async def test_top_services_last_month_against_the_month_before_and_a_forecast_asked_twice(
    explorer: CostExplorer, fake: AwsJsonFake
) -> None:
    paid: list[int] = []
    cached: list[bool] = []
    ages: list[tuple[int | None, int | None]] = []
    server = MCPServer("t")
    register_cost_tools(server, explorer)
    async with Client(server) as client:
        for _ in range(2):
            months = _body(
                await client.call_tool(
                    "aws_cost_explorer",
                    {"start": "2026-09-01", "end": "2026-11-01", "group_by": ["SERVICE"], "top_n": 5},
                )
            )
            forecast = _body(await client.call_tool("aws_cost_forecast", {}))
            paid.append(months["paid_calls"] + forecast["paid_calls"])
            cached.append(months["cached"] and forecast["cached"])
            assert months["columns"] == ["SERVICE", "currency", "2026-09-01", "2026-10-01"]  # a trend, pivoted
            assert records(forecast["periods"])[0]["start"] == AS_OF.isoformat()
            assert records(forecast["periods"])[-1]["end"] == "2026-12-01"
            ages.append((months.get("cached_age_minutes"), forecast.get("cached_age_minutes")))
    assert paid == [2, 0]
    assert cached == [False, True]
    assert ages == [(None, None), (0, 0)]
    assert len(fake.requests) == 2


async def test_tool_errors_say_what_to_do(explorer: CostExplorer) -> None:
    server = MCPServer("t")
    register_cost_tools(server, explorer)
    async with Client(server) as client:
        bad = await client.call_tool(
            "aws_cost_explorer", {"start": "2026-10-01", "end": "2026-11-01", "group_by": ["COLOR"]}
        )
        budgets = _body(await client.call_tool("aws_budgets", {}))
        anomalies = _body(await client.call_tool("aws_cost_anomalies", {"min_impact": 1}))
        commitments = _body(await client.call_tool("aws_commitments", {}))
    assert bad.is_error
    assert "TAG:<key>" in bad.content[0].text  # type: ignore[union-attr]
    assert budgets["budgets"] == []
    assert records(anomalies["anomalies"])[0]["anomaly_id"] == "a-ec2"
    assert commitments["paid_calls"] == 4
