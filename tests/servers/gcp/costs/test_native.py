"""Google-native questions: gross, credits (by type) and net per group; budgets; linked projects; the tools."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from finops_core.errors import InvalidQuery, PermissionDenied
from finops_gcp.billing import linked_projects
from finops_gcp.context import GcpContext
from finops_gcp.costs import BillingExport
from finops_gcp.costs.budgets import budgets
from finops_gcp.costs.tools import register_cost_tools
from mcp import Client
from mcp.server import MCPServer
from mcp.types import CallToolResult

from tests.fakes.gcp.bigquery import ACCOUNT, DATA_PROJECT, PROJECT_NUMBERS, BigQueryFake
from tests.fakes.gcp.billing import install_billing, project_info
from tests.fakes.gcp.google_api import GoogleFake
from tests.servers.gcp.costs.conftest import dataset
from tests.servers.gcp.costs.test_query_costs import NOV, _in, credits, gross

pytestmark = pytest.mark.anyio
COMPUTE_ID = "6F81-5844-456A"


def _body(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def test_costs_by_service_give_gross_credits_and_net_in_every_row(export: BillingExport) -> None:
    rows = _in(dataset(), *NOV)
    answer = await export.costs_by(*NOV, group_by=["service"], granularity="total", top_n=2)
    assert all(r.net == r.gross + r.credits for r in [*answer.rows, *answer.other])
    compute = next(r for r in answer.rows if r.group["service"] == "Compute Engine")
    mine = [r for r in rows if r.service == "Compute Engine"]
    assert (compute.gross, compute.credits) == (gross(mine), credits(mine))
    assert set(compute.credits_by_type) == {"SUSTAINED_USAGE_DISCOUNT", "COMMITTED_USAGE_DISCOUNT"}
    [total] = answer.totals
    assert (total.gross, total.credits, total.net) == (gross(rows), credits(rows), gross(rows) + credits(rows))
    assert total.credits_by_type["PROMOTION"] == credits(r for r in rows if r.project != DATA_PROJECT)
    assert answer.truncated
    assert answer.other
    assert (answer.paid_calls, answer.cached) == (1, False)
    assert answer.bytes_processed
    assert answer.bytes_billed


async def test_grouping_by_credit_type_puts_the_gross_once_in_the_row_without_a_type(export: BillingExport) -> None:
    rows = _in(dataset(), *NOV)
    answer = await export.costs_by(*NOV, group_by=["credit_type"], granularity="total", top_n=50)
    by_type = {r.group["credit_type"]: r for r in answer.rows}
    assert by_type[None].gross == gross(rows)
    assert by_type[None].credits == 0
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        for c in r.credits:
            expected[c.type] += c.amount
    assert {t: r.credits for t, r in by_type.items() if t is not None} == expected
    assert sum(r.net for r in answer.rows) == gross(rows) + credits(rows)


async def test_a_label_and_a_month_group_each_row_once(export: BillingExport) -> None:
    rows = _in(dataset(), *NOV)
    answer = await export.costs_by(*NOV, group_by=["label:team", "project"], filters={"project": [DATA_PROJECT]})
    got = {(r.period, r.group["label:team"]): r.gross for r in answer.rows}
    expected: dict[tuple[date, str | None], Decimal] = defaultdict(Decimal)
    for r in rows:
        if r.project == DATA_PROJECT:
            expected[(date(2020, 11, 1), dict(r.labels).get("team"))] += gross([r])
    assert got == expected


async def test_an_unknown_grouping_says_what_is_possible(export: BillingExport) -> None:
    with pytest.raises(InvalidQuery, match="label:<key>"):
        await export.costs_by(*NOV, group_by=["color"])


async def test_linked_projects_are_those_with_billing_enabled(
    google: GoogleFake, gcp_context: Callable[..., GcpContext]
) -> None:
    infos = [project_info(p, ACCOUNT) for p in ("b-proj", "a-proj", "c-proj")]
    install_billing(google, ACCOUNT, projects=[*infos, project_info("off-proj", ACCOUNT, enabled=False)])
    ctx = gcp_context(projects=[], billing_account=ACCOUNT)
    assert await linked_projects(ctx) == ["a-proj", "b-proj", "c-proj"]
    assert await ctx.projects() == await ctx.projects() == ["a-proj", "b-proj", "c-proj"]
    assert len(google.calls("billing.projects")) == 4  # two pages a listing; ctx.projects() lists once
    with pytest.raises(PermissionDenied, match=r"docs/gcp-roles\.md"):
        await linked_projects(gcp_context(billing_account="other-account"))


def _budget(name: str, units: str, **filt: Any) -> dict[str, Any]:
    return {
        "name": f"billingAccounts/{ACCOUNT}/budgets/{name}",
        "displayName": name,
        "budgetFilter": {"calendarPeriod": "MONTH", **filt},
        "amount": {"specifiedAmount": {"currencyCode": "USD", "units": units, "nanos": 500000000}},
        "thresholdRules": [
            {"thresholdPercent": 0.5, "spendBasis": "CURRENT_SPEND"},
            {"thresholdPercent": 1.0, "spendBasis": "FORECASTED_SPEND"},
        ],
    }


async def test_budgets_show_amount_thresholds_and_spend_as_each_budget_counts_it(
    google: GoogleFake, export_context: Callable[..., GcpContext], bq: BigQueryFake
) -> None:
    install_billing(
        google,
        ACCOUNT,
        budgets=[
            _budget("all", "1000"),
            _budget(
                "compute-gross",
                "100",
                projects=[f"projects/{PROJECT_NUMBERS[DATA_PROJECT]}"],
                services=[f"services/{COMPUTE_ID}"],
                creditTypesTreatment="EXCLUDE_ALL_CREDITS",
            ),
            {**_budget("last", "0"), "amount": {"lastPeriodAmount": {}}},
        ],
    )
    ctx = dataclasses.replace(export_context(billing_account=ACCOUNT), today=lambda: date(2020, 11, 20))
    answer = await budgets(ctx)
    so_far = _in(dataset(), date(2020, 11, 1), date(2020, 11, 21))
    by_name = {b.display_name: b for b in answer.budgets}
    assert by_name["all"].actual is not None
    assert by_name["all"].actual.amount == gross(so_far) + credits(so_far)
    assert by_name["all"].amount is not None
    assert by_name["all"].amount.amount == Decimal("1000.5")
    compute = by_name["compute-gross"]
    assert compute.actual is not None
    assert compute.actual.amount == gross(r for r in so_far if r.service == "Compute Engine")
    assert compute.percent_used is not None
    assert compute.percent_used > 100
    assert [t.reached for t in compute.thresholds] == [True, None]
    assert (compute.period_start, compute.period_end) == (date(2020, 11, 1), date(2020, 12, 1))
    assert by_name["last"].amount is None
    assert by_name["last"].amount_kind == "last_period"
    assert answer.budgets[0].display_name == "compute-gross"  # fullest first
    assert answer.over_limit == 1
    assert (answer.paid_calls, bq.jobs_run) == (1, 1)  # one job for every budget of the same period


async def test_the_tools_answer_and_a_repeat_comes_from_the_cache(
    google: GoogleFake, export_context: Callable[..., GcpContext], bq: BigQueryFake
) -> None:
    install_billing(google, ACCOUNT, budgets=[])
    export = BillingExport(export_context(billing_account=ACCOUNT))
    server = MCPServer("t")
    register_cost_tools(server, export)
    async with Client(server) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        args = {"start": "2020-11-01", "end": "2020-12-01", "group_by": ["service", "credit_type"]}
        first = _body(await client.call_tool("gcp_costs_by", args))
        second = _body(await client.call_tool("gcp_costs_by", args))
        listed = _body(await client.call_tool("gcp_budgets", {}))
        bad = await client.call_tool("gcp_costs_by", {**args, "group_by": ["color"]})
    assert tools == {"gcp_costs_by", "gcp_budgets"}
    assert (first["paid_calls"], second["paid_calls"], second["cached"]) == (1, 0, True)
    assert {"gross", "credits", "net"} <= set(first["columns"])
    assert listed["budgets"] == []
    assert "Budgets & alerts" in listed["note"]
    assert bad.is_error
    assert bq.jobs_run == 1
