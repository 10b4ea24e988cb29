"""``finops-gcp``'s cost tools on the BigQuery export emulator: every tool answered through the paid-call cache says
whether its answer came from it and how old it is, in the compact shape of every cost tool."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from finops_core.adapter import native_tools
from finops_core.server import build_server
from finops_core.settings import Settings
from finops_gcp.context import GcpContext
from finops_gcp.costs import BillingExport
from finops_gcp.costs.tools import register_cost_tools
from mcp.server import MCPServer

from tests.fakes.gcp.bigquery import ACCOUNT, BigQueryFake
from tests.fakes.gcp.billing import install_billing
from tests.fakes.gcp.google_api import GoogleFake
from tests.servers.conftest import Waits
from tests.servers.cost_tools import asked_twice, assert_says_cached
from tests.servers.gcp.test_provider import gcp_provider

pytestmark = pytest.mark.anyio

NOVEMBER = {"start": "2020-11-01", "end": "2020-12-01"}


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("gcp_cost_query", {**NOVEMBER, "group_by": ["service"], "granularity": "daily"}),
        ("gcp_costs_by", {**NOVEMBER, "group_by": ["service"], "granularity": "daily"}),
        ("gcp_daily_costs", {"start": "2020-11-20", "end": "2020-11-26"}),
    ],
)
async def test_every_cost_tool_on_the_paid_cache_says_whether_its_answer_came_from_it(
    google: GoogleFake, home: Path, waits: Waits, settings: Settings, tool: str, arguments: dict[str, Any]
) -> None:
    provider = gcp_provider(google, home, waits)[0]
    server = build_server(provider, settings, extend=native_tools(provider))
    first, second = await asked_twice(server, tool, arguments)
    assert_says_cached(first, second)
    if tool == "gcp_cost_query":  # one amount per cell: a trend pivoted by day
        assert first["columns"][:3] == ["service", "currency", "2020-11-01"]
    elif tool == "gcp_costs_by":  # gross, credits and net per row: one row per day and group
        assert first["columns"][:2] == ["period", "service"]
        assert {"gross", "credits", "net", "currency"} <= set(first["columns"])


async def test_budgets_say_whether_their_spend_came_from_the_cache(
    google: GoogleFake, export_context: Callable[..., GcpContext], bq: BigQueryFake
) -> None:
    budget = {
        "name": f"billingAccounts/{ACCOUNT}/budgets/all",
        "displayName": "all",
        "budgetFilter": {"calendarPeriod": "MONTH"},
        "amount": {"specifiedAmount": {"currencyCode": "USD", "units": "1000"}},
    }
    install_billing(google, ACCOUNT, budgets=[budget])
    ctx = dataclasses.replace(export_context(billing_account=ACCOUNT), today=lambda: date(2020, 11, 20))
    server = MCPServer("t")
    register_cost_tools(server, BillingExport(ctx))
    first, second = await asked_twice(server, "gcp_budgets", {})
    assert_says_cached(first, second)
    assert bq.jobs_run == 1
