"""Cost questions over the CUR 2.0 / FOCUS export in Athena: SQL shape, bound values, exact totals, paging,
the bytes-scanned cap, failures, and the tool through an MCP client.

moto's Athena answers every query SUCCEEDED at once with canned rows (a FIFO queue per account and region,
posted to /moto-api/static/athena/query-results), echoes the query string and ExecutionParameters in
get_query_execution, reports 0 bytes scanned, ignores NextToken (one page) and needs no S3 bucket for the
output location. What it cannot show (pages, a running query's growing scan, FAILED, timeouts) is served by
``AwsJsonFake`` speaking Athena's JSON 1.1 protocol (``AmazonAthena.<Operation>``).

The SQL itself must parse in Athena's dialect (and Trino's, which Athena runs) with sqlglot, and runs on
``AthenaEngine`` (tests/fakes/aws/athena.py): the query exactly as sent, parameters bound as Athena binds them,
translated to DuckDB by sqlglot, never a second copy of the SQL written for DuckDB.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from finops_aws.athena import (
    AthenaQuery,
    CurQuestion,
    QueryRun,
    answer_of,
    build_query,
    cur_query,
    over_cap,
    sql_literal,
)
from finops_aws.athena_tools import register_athena_tools
from finops_aws.context import AwsContext
from finops_aws.settings import AthenaSettings
from finops_core.errors import ConfigError, InvalidInput, InvalidQuery, Unavailable
from mcp import Client
from mcp.server import MCPServer

from tests.answer_schema import checked_call
from tests.fakes.aws.athena import AthenaEngine
from tests.fakes.aws.json_service import AwsJsonFake
from tests.servers.aws.conftest import endpoints
from tests.tool_budget import hosted_bytes

pytestmark = pytest.mark.anyio

ATHENA = {"database": "cur", "table": "cur2_data", "workgroup": "primary"}
MAY = CurQuestion(start=date(2026, 5, 1), end=date(2026, 6, 1))
Rows = Sequence[Sequence[str | None]]


def post_results(moto: str, *results: Rows) -> None:
    """Queue canned Athena results on moto, in the order the queries will run (header row first)."""
    body = {
        "region": "us-east-1",
        "results": [
            {"rows": [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]} for row in rows]}
            for rows in results
        ],
    }
    request = urllib.request.Request(
        f"{moto}/moto-api/static/athena/query-results",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    assert urllib.request.urlopen(request).status == 201


def execution(ctx: AwsContext, execution_id: str) -> dict[str, Any]:
    athena = ctx.clients.client("athena", "us-east-1")
    return athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]


def unquote(literal: str) -> str:
    """The string an SQL literal stands for, checking it is exactly one literal."""
    assert literal.startswith("'")
    assert literal.endswith("'")
    inner = literal[1:-1]
    assert "'" not in inner.replace("''", ""), f"{literal} is not a single literal"
    return inner.replace("''", "'")


# -- building ------------------------------------------------------------------------------------


def test_each_metric_reads_its_cur2_columns_and_amortized_uses_the_commitment_columns() -> None:
    settings = AthenaSettings(database="cur", table="data")
    sql = {
        m: build_query(CurQuestion(MAY.start, MAY.end, metric=m), settings).sql
        for m in ("billed", "effective", "list", "contracted")
    }  # type: ignore[misc]
    assert "CAST(line_item_unblended_cost AS DECIMAL(38, 10)) AS cost" in sql["billed"]
    assert "pricing_public_on_demand_cost" in sql["list"]
    assert "line_item_net_unblended_cost" in sql["contracted"]
    for column in (
        "savings_plan_savings_plan_effective_cost",
        "savings_plan_total_commitment_to_date - savings_plan_used_commitment",
        "reservation_effective_cost",
        "reservation_unused_amortized_upfront_fee_for_billing_period",
    ):
        assert column in sql["effective"]
    assert 'FROM "cur"."data"' in sql["billed"]
    assert "line_item_usage_start_date >= CAST(? AS TIMESTAMP)" in sql["billed"]


def test_a_focus_export_is_read_through_focus_columns_and_refuses_what_it_lacks() -> None:
    settings = AthenaSettings(database="cur", table="focus", schema_kind="focus")
    query = build_query(CurQuestion(MAY.start, MAY.end, group_by=("service",), tag_key="team"), settings)
    assert "CAST(EffectiveCost AS DECIMAL(38, 10))" in query.sql
    assert "ServiceName AS g1" in query.sql
    assert "element_at(Tags, ?) AS g2" in query.sql
    assert "BillingCurrency AS currency" in query.sql
    assert "ChargePeriodStart >= " in query.sql
    assert query.parameters[0] == "'team'"  # FOCUS tag keys carry no user_ prefix
    with pytest.raises(InvalidInput, match="no instance_type"):
        build_query(CurQuestion(MAY.start, MAY.end, group_by=("instance_type",)), settings)


def test_groupings_come_only_from_the_allow_list_and_at_most_three() -> None:
    settings = AthenaSettings(database="cur", table="data")
    with pytest.raises(InvalidInput, match="at most 3"):
        build_query(CurQuestion(MAY.start, MAY.end, group_by=("service", "account", "region"), tag_key="x"), settings)
    with pytest.raises(ConfigError, match="not a Glue name"):
        build_query(MAY, AthenaSettings(database='cur"; DROP TABLE x; --', table="data"))


def test_an_injection_attempt_in_a_filter_value_stays_a_value() -> None:
    settings = AthenaSettings(database="cur", table="data")
    attack = "AmazonEC2') OR 1=1; DROP TABLE data; --"
    query = build_query(
        CurQuestion(
            MAY.start,
            MAY.end,
            group_by=("resource",),
            tag_key="team' OR '1'='1",
            services=(attack,),
            resource_prefix="i-'||'",
        ),
        settings,
    )
    assert "OR 1=1" not in query.sql
    assert "DROP" not in query.sql
    assert "team" not in query.sql
    assert query.sql.count("?") == len(query.parameters)
    assert [unquote(p) for p in query.parameters[:-1]] == [
        "user_team' OR '1'='1",
        "2026-05-01",
        "2026-06-01",
        attack,
        "i-'||'",
    ]
    assert query.parameters[-1] == "15"  # top_n, an integer we render ourselves
    assert sql_literal("it's", "x") == "'it''s'"


# -- running on moto -----------------------------------------------------------------------------

HEADER = ["group_rank", "g1", "g2", "currency", "cost", "group_count"]


async def test_a_grouped_question_runs_in_athena_with_every_value_bound_and_totals_exact(
    aws_context: Callable[..., AwsContext], moto: str
) -> None:
    ctx = aws_context(athena=ATHENA)
    post_results(
        moto,
        [
            HEADER,
            ["1", "AmazonEC2", "111122223333", "USD", "1234.5678901234", "4"],
            ["2", "AmazonS3", None, "USD", "0.0000000001", "4"],
            [None, None, None, "USD", "10.1000000000", "4"],
            [None, None, None, "EUR", "-3.5000000000", "4"],
        ],
    )
    question = CurQuestion(
        MAY.start, MAY.end, metric="billed", group_by=("service", "account"), regions=("us-east-1",), top_n=2
    )
    answer = await cur_query(ctx, question)

    assert [(r.group, r.cost, r.currency) for r in answer.rows] == [
        ({"service": "AmazonEC2", "account": "111122223333"}, Decimal("1234.5678901234"), "USD"),
        ({"service": "AmazonS3", "account": None}, Decimal("1E-10"), "USD"),
    ]
    assert [(o.group, o.cost, o.currency) for o in answer.other] == [
        ({"service": "(other)", "account": "(other)"}, Decimal("10.10"), "USD"),
        ({"service": "(other)", "account": "(other)"}, Decimal("-3.50"), "EUR"),
    ]
    assert [(t.currency, t.amount) for t in answer.totals] == [
        ("EUR", Decimal("-3.50")),
        ("USD", Decimal("1244.6678901235")),
    ]
    assert answer.groups == 4
    assert answer.truncated
    assert answer.metric == "billed"
    assert "line_item_unblended_cost" in answer.metric_meaning
    assert answer.bytes_scanned == 0  # moto reports no scan
    assert "lags usage by up to a day" in answer.note

    sent = execution(ctx, answer.query_execution_id)
    assert sent["Query"] == answer.sql
    assert sent["ExecutionParameters"] == ["'2026-05-01'", "'2026-06-01'", "'us-east-1'", "2"]
    assert sent["QueryExecutionContext"] == {"Database": "cur"}
    assert sent["WorkGroup"] == "primary"
    assert "product_region_code IN (?)" in answer.sql
    assert "GROUP BY g1, g2, currency" in answer.sql
    assert "DENSE_RANK() OVER (ORDER BY weight DESC, g1, g2)" in answer.sql


async def test_an_ungrouped_question_gives_one_total_per_currency(
    aws_context: Callable[..., AwsContext], moto: str
) -> None:
    ctx = aws_context(athena=ATHENA)
    post_results(moto, [["currency", "cost"], ["EUR", "0.1000000000"], ["USD", "0.2000000000"]])
    answer = await cur_query(ctx, MAY)
    assert [(t.currency, t.amount) for t in answer.totals] == [("EUR", Decimal("0.10")), ("USD", Decimal("0.20"))]
    assert answer.group_by == []
    assert answer.groups == 1
    assert not answer.truncated
    assert "DENSE_RANK" not in answer.sql
    assert execution(ctx, answer.query_execution_id)["ExecutionParameters"] == ["'2026-05-01'", "'2026-06-01'"]


async def test_an_output_location_is_sent_and_moto_needs_no_bucket_for_it(
    aws_context: Callable[..., AwsContext], moto: str
) -> None:
    ctx = aws_context(athena={**ATHENA, "output_location": "s3://no-such-bucket/athena/"})
    post_results(moto, [["currency", "cost"]])
    answer = await cur_query(ctx, MAY)
    assert answer.rows == []
    assert answer.totals == []
    assert answer.note.startswith("No cost lines matched")
    location = execution(ctx, answer.query_execution_id)["ResultConfiguration"]["OutputLocation"]
    assert location.startswith("s3://no-such-bucket/athena/")


async def test_an_unknown_workgroup_is_refused_by_athena(aws_context: Callable[..., AwsContext]) -> None:
    ctx = aws_context(athena={**ATHENA, "workgroup": "nope"})
    with pytest.raises(InvalidQuery, match="starting the cost query in Athena workgroup nope"):
        await cur_query(ctx, MAY)


async def test_without_athena_settings_the_error_says_how_to_configure_them(
    aws_context: Callable[..., AwsContext],
) -> None:
    with pytest.raises(ConfigError, match=r"\[aws.athena\]"):
        await cur_query(aws_context(), MAY)


def test_the_cap_is_judged_on_athena_statistics() -> None:
    # moto always reports 0 bytes: the cap is checked on a statistics dict shaped like Athena's (and
    # on a running query in the fake below).
    moto_like = {"EngineExecutionTimeInMillis": 0, "DataScannedInBytes": 0}
    assert over_cap(moto_like, 1) is None
    assert over_cap({"DataScannedInBytes": 2048}, 1024) == 2048
    assert over_cap({}, 1024) is None


# -- running on the fake: pages, a growing scan, failures ----------------------------------------


class FakeAthena:
    """Athena's query lifecycle on ``AwsJsonFake``: each GetQueryExecution takes the next (state, bytes) step."""

    def __init__(self, fake: AwsJsonFake, steps: list[tuple[str, int]], pages: list[Rows], reason: str = "") -> None:
        self.steps = list(steps)
        self.pages = pages
        self.reason = reason
        fake.route("AmazonAthena.StartQueryExecution", lambda body: {"QueryExecutionId": "q-1"})
        fake.route("AmazonAthena.GetQueryExecution", self.get_execution)
        fake.route("AmazonAthena.GetQueryResults", self.get_results)
        fake.route("AmazonAthena.StopQueryExecution", lambda body: {})

    def get_execution(self, body: dict[str, Any]) -> dict[str, Any]:
        state, scanned = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        status: dict[str, Any] = {"State": state}
        if self.reason:
            status["StateChangeReason"] = self.reason
        return {
            "QueryExecution": {
                "QueryExecutionId": body["QueryExecutionId"],
                "Status": status,
                "Statistics": {"DataScannedInBytes": scanned},
            }
        }

    def get_results(self, body: dict[str, Any]) -> dict[str, Any]:
        index = int(body.get("NextToken") or 0)
        rows = [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]} for row in self.pages[index]]
        page: dict[str, Any] = {"ResultSet": {"Rows": rows}}
        if index + 1 < len(self.pages):
            page["NextToken"] = str(index + 1)
        return page


@pytest.fixture
def on_fake(aws_context: Callable[..., AwsContext], moto: str, fake: AwsJsonFake) -> Callable[..., AwsContext]:
    def make(**athena: Any) -> AwsContext:
        return aws_context(
            endpoint_urls={**endpoints(moto, fake), "athena": fake.url},
            athena={**ATHENA, **athena},
        )

    return make


async def test_results_are_read_across_pages_with_the_header_only_on_the_first(
    on_fake: Callable[..., AwsContext], fake: AwsJsonFake
) -> None:
    FakeAthena(
        fake,
        [("QUEUED", 0), ("RUNNING", 10), ("SUCCEEDED", 5_000)],
        [
            [["group_rank", "g1", "currency", "cost", "group_count"], ["1", "AmazonEC2", "USD", "1.10", "3"]],
            [["2", "AmazonRDS", "USD", "2.20", "3"]],
            [["3", "AWSLambda", "USD", "0.03", "3"]],
        ],
    )
    answer = await cur_query(on_fake(), CurQuestion(MAY.start, MAY.end, group_by=("service",)), delays=(0,))
    assert [r.group["service"] for r in answer.rows] == ["AmazonEC2", "AmazonRDS", "AWSLambda"]
    assert answer.totals[0].amount == Decimal("3.33")
    assert answer.bytes_scanned == 5_000
    assert [c.get("NextToken") for c in fake.calls("AmazonAthena.GetQueryResults")] == [None, "1", "2"]
    assert len(fake.calls("AmazonAthena.GetQueryExecution")) == 3  # polled while queued and running only


async def test_a_finished_query_is_not_waited_for(on_fake: Callable[..., AwsContext], fake: AwsJsonFake) -> None:
    FakeAthena(fake, [("SUCCEEDED", 0)], [[["currency", "cost"]]])
    await cur_query(on_fake(), MAY, delays=(3600,))  # an hour's back-off would hang the test
    assert len(fake.calls("AmazonAthena.GetQueryExecution")) == 1


async def test_a_query_scanning_past_the_cap_is_stopped_with_a_clear_error(
    on_fake: Callable[..., AwsContext], fake: AwsJsonFake
) -> None:
    FakeAthena(fake, [("RUNNING", 2 * 1024**3)], [[["currency", "cost"]]])
    with pytest.raises(InvalidQuery, match=r"scanned 2.00 GB, more than max_bytes_scanned \(1.00 GB\)"):
        await cur_query(on_fake(max_bytes_scanned=1024**3), MAY, delays=(0,))
    assert fake.calls("AmazonAthena.StopQueryExecution") == [{"QueryExecutionId": "q-1"}]
    assert fake.calls("AmazonAthena.GetQueryResults") == []


async def test_a_query_that_finished_past_the_cap_still_answers_and_says_so(
    on_fake: Callable[..., AwsContext], fake: AwsJsonFake
) -> None:
    FakeAthena(fake, [("SUCCEEDED", 3 * 1024**3)], [[["currency", "cost"], ["USD", "1.00"]]])
    answer = await cur_query(on_fake(max_bytes_scanned=1024**3), MAY)
    assert answer.totals[0].amount == Decimal("1.00")
    assert "more than max_bytes_scanned" in answer.note


async def test_a_query_past_the_timeout_is_stopped(on_fake: Callable[..., AwsContext], fake: AwsJsonFake) -> None:
    FakeAthena(fake, [("RUNNING", 0)], [[["currency", "cost"]]])
    with pytest.raises(Unavailable, match="did not finish within 0 s and was stopped"):
        await cur_query(on_fake(), MAY, time_limit=0, delays=(0,))
    assert len(fake.calls("AmazonAthena.StopQueryExecution")) == 1


async def test_a_failed_query_reports_athenas_reason(on_fake: Callable[..., AwsContext], fake: AwsJsonFake) -> None:
    reason = "COLUMN_NOT_FOUND: line 3:10: Column 'line_item_usage_start_date' cannot be resolved"
    FakeAthena(fake, [("RUNNING", 0), ("FAILED", 0)], [[]], reason=reason)
    with pytest.raises(InvalidQuery) as caught:
        await cur_query(on_fake(), MAY, delays=(0,))
    message = str(caught.value)
    assert "Athena failed the query" in message
    assert reason in message
    assert 'schema_kind ("cur2")' in message


# -- the tool ------------------------------------------------------------------------------------


async def test_the_tool_answers_through_an_mcp_client(aws_context: Callable[..., AwsContext], moto: str) -> None:
    server = MCPServer(name="finops-aws")
    assert register_athena_tools(server, aws_context(athena=ATHENA))
    post_results(moto, [["group_rank", "g1", "currency", "cost", "group_count"], ["1", "prod", "USD", "42.4200", "1"]])
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
        assert [t.name for t in tools] == ["aws_cur_query"]
        assert hosted_bytes(tools) < 2_200
        result = await checked_call(
            client, "aws_cur_query", {"start": "2026-05-01", "end": "2026-06-01", "tag_key": "env", "metric": "list"}
        )
        bad = await client.call_tool("aws_cur_query", {"start": "2026-06-01", "end": "2026-05-01"})
    assert not result.is_error
    data = result.structured_content
    assert data is not None
    assert data["columns"] == ["tag:env", "currency", "cost"]
    assert data["rows"] == [["prod", "USD", "42.42"]]
    assert data["totals"] == {"USD": "42.42"}
    assert data["metric"] == "list"
    assert data["group_by"] == ["tag:env"]
    assert "element_at(resource_tags, ?)" in data["sql"]
    assert "env" not in data["sql"]
    assert bad.is_error
    assert "must be after start" in str(bad.content[0].model_dump())


async def test_without_athena_settings_the_tool_is_not_listed(aws_context: Callable[..., AwsContext]) -> None:
    server = MCPServer(name="finops-aws")
    assert not register_athena_tools(server, aws_context())
    async with Client(server) as client:
        assert (await client.list_tools()).tools == []


async def test_the_tool_reports_progress_while_the_query_runs(
    on_fake: Callable[..., AwsContext], fake: AwsJsonFake
) -> None:
    FakeAthena(fake, [("QUEUED", 0), ("RUNNING", 1024**3), ("SUCCEEDED", 1024**3)], [[["currency", "cost"]]])
    server = MCPServer(name="finops-aws")
    register_athena_tools(server, on_fake(), delays=(0,))
    seen: list[str | None] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(message)

    async with Client(server) as client:
        result = await client.call_tool("aws_cur_query", {}, progress_callback=on_progress)
    assert not result.is_error
    assert seen == ["Athena query queued, 0.00 GB", "Athena query running, 1.00 GB"]


# -- the SQL on a real engine --------------------------------------------------------------------

CUR2_COLUMNS = {
    "line_item_usage_start_date": "TIMESTAMP",
    "line_item_currency_code": "VARCHAR",
    "line_item_line_item_type": "VARCHAR",
    "line_item_product_code": "VARCHAR",
    "line_item_usage_account_id": "VARCHAR",
    "line_item_resource_id": "VARCHAR",
    "product_region_code": "VARCHAR",
    "line_item_unblended_cost": "DOUBLE",
    "savings_plan_savings_plan_effective_cost": "DOUBLE",
    "savings_plan_total_commitment_to_date": "DOUBLE",
    "savings_plan_used_commitment": "DOUBLE",
    "reservation_effective_cost": "DOUBLE",
    "reservation_unused_amortized_upfront_fee_for_billing_period": "DOUBLE",
    "reservation_unused_recurring_fee": "DOUBLE",
    "reservation_reservation_a_r_n": "VARCHAR",
    "resource_tags": "MAP(VARCHAR, VARCHAR)",
}


def run_on_duckdb(query: AthenaQuery, lines: list[dict[str, Any]]) -> list[list[str | None]]:
    """``query`` as Athena would run it over ``lines`` in "cur"."data": its parameters bound, read in Athena's
    dialect and translated to DuckDB by sqlglot. The header row, then rows as Athena's text."""
    engine = AthenaEngine()
    engine.table("cur.data", CUR2_COLUMNS, lines)
    return engine.run(query.sql, query.parameters)


def line(
    service: str, cost: float, *, day: int = 3, currency: str = "USD", kind: str = "Usage", **extra: Any
) -> dict[str, Any]:
    return {
        "line_item_usage_start_date": f"2026-05-{day:02d} 10:00:00",
        "line_item_currency_code": currency,
        "line_item_line_item_type": kind,
        "line_item_product_code": service,
        "line_item_usage_account_id": "111122223333",
        "product_region_code": "us-east-1",
        "line_item_unblended_cost": cost,
        **extra,
    }


async def test_the_sql_ranks_folds_and_sums_exactly_on_a_sql_engine() -> None:
    lines = [
        line("AmazonEC2", 0.1),
        line("AmazonEC2", 0.2),  # 0.1 + 0.2 must be 0.30, not 0.30000000000000004
        line("AmazonS3", 5.0),
        line("AmazonRDS", -7.0, kind="Credit"),  # a refund weighs like a charge in the ranking
        line("AWSLambda", 0.05),
        line("AWSLambda", 1.0, currency="EUR"),
        line("AmazonS3", 100.0, day=31),  # the period's last day
        line("AmazonS3", 999.0) | {"line_item_usage_start_date": "2026-06-01 00:00:00"},  # the exclusive end
    ]
    question = CurQuestion(MAY.start, MAY.end, metric="billed", group_by=("service",), top_n=2)
    query = build_query(question, AthenaSettings(database="cur", table="data"))
    rows = run_on_duckdb(query, lines)
    answer = answer_of(question, query, QueryRun("q", rows, 0), AthenaSettings(database="cur", table="data"))
    assert [(r.group["service"], r.cost, r.currency) for r in answer.rows] == [
        ("AmazonS3", Decimal("105.00"), "USD"),
        ("AmazonRDS", Decimal("-7.00"), "USD"),
    ]
    assert [(o.cost, o.currency) for o in answer.other] == [(Decimal("1.00"), "EUR"), (Decimal("0.35"), "USD")]
    assert {(t.currency, t.amount) for t in answer.totals} == {("USD", Decimal("98.35")), ("EUR", Decimal("1.00"))}
    assert answer.groups == 4
    assert answer.truncated


async def test_amortized_cost_spreads_commitments_on_a_sql_engine() -> None:
    ri = "arn:aws:ec2:us-east-1:1:reserved-instances/y"
    lines = [
        line("AmazonEC2", 10.0, kind="SavingsPlanCoveredUsage", savings_plan_savings_plan_effective_cost=6.0),
        line("AmazonEC2", -10.0, kind="SavingsPlanNegation"),
        line(
            "ComputeSavingsPlans",
            8.0,
            kind="SavingsPlanRecurringFee",
            savings_plan_total_commitment_to_date=8.0,
            savings_plan_used_commitment=6.0,
        ),
        line("ComputeSavingsPlans", 100.0, kind="SavingsPlanUpfrontFee"),
        line("AmazonRDS", 4.0, kind="DiscountedUsage", reservation_effective_cost=2.5),
        line(
            "AmazonRDS",
            3.0,
            kind="RIFee",
            reservation_unused_amortized_upfront_fee_for_billing_period=0.5,
            reservation_unused_recurring_fee=0.25,
        ),
        line("AmazonRDS", 50.0, kind="Fee", reservation_reservation_a_r_n=ri),
        line("AmazonS3", 1.25),
    ]
    settings = AthenaSettings(database="cur", table="data")
    question = CurQuestion(MAY.start, MAY.end, metric="effective")
    query = build_query(question, settings)
    answer = answer_of(question, query, QueryRun("q", run_on_duckdb(query, lines), 0), settings)
    # 6 (SP usage at its effective cost) + 2 (unused SP commitment) + 2.5 (RI usage) + 0.75 (unused RI) + 1.25
    assert [(t.currency, t.amount) for t in answer.totals] == [("USD", Decimal("12.50"))]


async def test_filter_values_with_quotes_match_literally_on_a_sql_engine() -> None:
    odd = "i-1' OR '1'='1"
    lines = [
        line("AmazonEC2", 2.0, line_item_resource_id=odd + "-a"),
        line("AmazonEC2", 3.0, line_item_resource_id="i-2"),
        line("AmazonEC2", 5.0, line_item_resource_id=odd + "-b") | {"product_region_code": "eu-west-1"},
        line("AmazonEC2", 7.0, line_item_resource_id=odd + "-c") | {"product_region_code": "ap-south-1"},
    ]
    settings = AthenaSettings(database="cur", table="data")
    question = CurQuestion(
        MAY.start,
        MAY.end,
        metric="billed",
        group_by=("resource",),
        regions=("us-east-1", "eu-west-1"),
        resource_prefix=odd,
    )
    query = build_query(question, settings)
    answer = answer_of(question, query, QueryRun("q", run_on_duckdb(query, lines), 0), settings)
    assert [(r.group["resource"], r.cost) for r in answer.rows] == [
        (odd + "-b", Decimal("5.00")),
        (odd + "-a", Decimal("2.00")),
    ]


# -- the SQL in Athena's own dialect ---------------------------------------------------------------

QUESTIONS = [
    MAY,
    CurQuestion(MAY.start, MAY.end, metric="billed", group_by=("service",), top_n=3),
    CurQuestion(MAY.start, MAY.end, metric="list", group_by=("account", "region"), tag_key="team"),
    CurQuestion(
        MAY.start,
        MAY.end,
        metric="contracted",
        group_by=("resource", "usage_type"),
        services=("AmazonEC2", "AmazonRDS"),
        accounts=("111122223333",),
        regions=("us-east-1",),
        resource_prefix="i-",
    ),
    CurQuestion(MAY.start, MAY.end, group_by=("charge_type", "operation"), tag_key="cost-center"),
]


@pytest.mark.parametrize("kind", ["cur2", "focus"])
@pytest.mark.parametrize("dialect", ["athena", "trino"])
def test_every_query_we_build_parses_in_athenas_dialect_with_only_functions_it_knows(kind: str, dialect: str) -> None:
    import sqlglot
    from sqlglot import exp

    settings = AthenaSettings(database="cur", table="data", schema_kind=kind)
    for question in QUESTIONS:
        if kind == "focus" and "instance_type" in question.group_by:
            continue
        query = build_query(question, settings)
        tree = sqlglot.parse_one(query.sql, read=dialect)  # raises on anything the dialect cannot parse
        unknown = [f.sql(dialect) for f in tree.find_all(exp.Anonymous)]
        assert unknown == [], f"functions {dialect} does not know: {unknown}"
        assert len(list(tree.find_all(exp.Placeholder))) == len(query.parameters)


def test_the_engine_binds_parameters_as_athena_does_and_refuses_one_that_is_not_a_literal() -> None:
    from tests.fakes.aws.athena import bind
    from tests.fakes.aws.json_service import AwsFault

    assert bind("SELECT ? AS a, '?' AS b, ? AS c", ["'it''s'", "-5"]) == "SELECT 'it''s' AS a, '?' AS b, -5 AS c"
    with pytest.raises(AwsFault, match="not one literal"):
        bind("SELECT * FROM t WHERE a = ?", ["'x' OR 1=1"])
    with pytest.raises(AwsFault, match="2 parameters but 1"):
        bind("SELECT ?, ?", ["1"])


async def test_a_question_runs_end_to_end_through_boto3_on_the_athena_engine(
    aws_context: Callable[..., AwsContext], moto: str, fake: AwsJsonFake
) -> None:
    from tests.fakes.aws.athena import install

    engine = AthenaEngine()
    web, data = {"user_team": "web"}, {"user_team": "data"}
    engine.table(
        "cur.cur2_data",
        CUR2_COLUMNS,
        [
            line("AmazonEC2", 0.1, resource_tags=web),
            line("AmazonEC2", 0.2, resource_tags=web),
            line("AmazonEC2", 1.25, resource_tags=data),
            line("AmazonS3", 2.5),  # untagged
            line("AmazonS3", 40.0, day=30, currency="EUR", resource_tags=data),
            line("AmazonS3", 999.0, resource_tags=web) | {"line_item_usage_start_date": "2026-06-01 00:00:00"},
        ],
    )
    install(fake, engine, page_size=2)
    ctx = aws_context(endpoint_urls={**endpoints(moto, fake), "athena": fake.url}, athena=ATHENA)
    question = CurQuestion(MAY.start, MAY.end, metric="billed", group_by=("service",), tag_key="team", top_n=2)
    answer = await cur_query(ctx, question, delays=(0,))
    assert [(r.group, r.cost, r.currency) for r in answer.rows] == [
        ({"service": "AmazonS3", "tag:team": "data"}, Decimal("40.00"), "EUR"),
        ({"service": "AmazonS3", "tag:team": None}, Decimal("2.50"), "USD"),
    ]
    assert [(o.cost, o.currency) for o in answer.other] == [(Decimal("1.55"), "USD")]
    assert [(t.currency, t.amount) for t in answer.totals] == [("EUR", Decimal("40.00")), ("USD", Decimal("4.05"))]
    assert answer.groups == 4
    assert "element_at" not in engine.queries[0]  # translated for DuckDB, not run as Athena wrote it
    assert len(fake.calls("AmazonAthena.GetQueryResults")) == 2  # 4 rows with the header, 2 a page


async def test_a_focus_export_answers_on_the_athena_engine(
    aws_context: Callable[..., AwsContext], moto: str, fake: AwsJsonFake
) -> None:
    from tests.fakes.aws.athena import install

    columns = {
        "ChargePeriodStart": "TIMESTAMP",
        "BillingCurrency": "VARCHAR",
        "EffectiveCost": "DECIMAL(38, 10)",
        "ServiceName": "VARCHAR",
        "SubAccountId": "VARCHAR",
        "RegionId": "VARCHAR",
        "Tags": "MAP(VARCHAR, VARCHAR)",
    }

    def focus(service: str, cost: str, day: str = "2026-05-02 00:00:00", **tags: str) -> dict[str, Any]:
        return {
            "ChargePeriodStart": day,
            "BillingCurrency": "USD",
            "EffectiveCost": Decimal(cost),
            "ServiceName": service,
            "Tags": tags,
        }

    engine = AthenaEngine()
    engine.table(
        "cur.focus",
        columns,
        [
            focus("Amazon Elastic Compute Cloud", "10.0000000001", team="web"),
            focus("Amazon Elastic Compute Cloud", "0.0000000002", team="web"),
            focus("Amazon Simple Storage Service", "3.5"),
            focus("Amazon Simple Storage Service", "100", day="2026-04-30 23:59:59"),
        ],
    )
    install(fake, engine)
    ctx = aws_context(
        endpoint_urls={**endpoints(moto, fake), "athena": fake.url},
        athena={**ATHENA, "table": "focus", "schema_kind": "focus"},
    )
    answer = await cur_query(ctx, CurQuestion(MAY.start, MAY.end, tag_key="team"), delays=(0,))
    assert [(r.group, r.cost) for r in answer.rows] == [
        ({"tag:team": "web"}, Decimal("10.0000000003")),
        ({"tag:team": None}, Decimal("3.50")),
    ]
    assert [(t.currency, t.amount) for t in answer.totals] == [("USD", Decimal("13.5000000003"))]
