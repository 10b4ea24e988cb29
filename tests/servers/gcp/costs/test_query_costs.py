"""The core cost questions over the BigQuery billing export, checked against the data computed independently
with Decimal from the sample CSV and the generated rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal

import pytest
from finops_core.errors import ConfigError, InvalidQuery, NotFound
from finops_core.models import CostQuery
from finops_gcp.context import GcpContext
from finops_gcp.costs import BillingExport

from tests.fakes.gcp.bigquery import DATA_PROJECT, MIB, SAMPLE_PROJECT, TABLE_IDS, BigQueryFake, ExportRow
from tests.fakes.gcp.google_api import GoogleFake
from tests.servers.conftest import Waits
from tests.servers.gcp.costs.conftest import dataset

pytestmark = pytest.mark.anyio
NOV = (date(2020, 11, 1), date(2020, 12, 1))
NINE = Decimal("0.000000001")


def _in(rows: Iterable[ExportRow], start: date, end: date) -> list[ExportRow]:
    return [r for r in rows if start <= r.day < end]


def gross(rows: Iterable[ExportRow]) -> Decimal:
    return sum((r.cost.quantize(NINE) for r in rows), Decimal(0))


def credits(rows: Iterable[ExportRow]) -> Decimal:
    return sum((c.amount.quantize(NINE) for r in rows for c in r.credits), Decimal(0))


def _total(answer: object) -> dict[str, Decimal]:
    return {t.currency: t.amount for t in answer.totals}  # type: ignore[attr-defined]


async def test_billed_is_net_and_the_note_gives_gross_and_credits_to_the_cent(export: BillingExport) -> None:
    rows = _in(dataset(), *NOV)
    answer = await export.query_costs(CostQuery(start=NOV[0], end=NOV[1], metric="billed"))
    net = gross(rows) + credits(rows)
    assert _total(answer) == {"USD": net}
    assert credits(rows) < 0
    assert f"gross {gross(rows).normalize()} USD" in (answer.note or "")
    assert f"credits {credits(rows).normalize()} USD" in (answer.note or "")
    assert "net = cost + credits" in answer.source
    assert answer.paid_calls == 1


async def test_the_sample_alone_reconciles_exactly(export: BillingExport) -> None:
    days = (date(2020, 11, 8), date(2020, 11, 12))
    sample = [r for r in _in(dataset(), *days) if r.project == SAMPLE_PROJECT]
    answer = await export.query_costs(
        CostQuery(start=days[0], end=days[1], metric="contracted", filters={"sub_account": (SAMPLE_PROJECT,)})
    )
    assert len(sample) == 25
    assert _total(answer) == {"USD": gross(sample)} == {"USD": Decimal("0.000032")}
    net = await export.query_costs(
        CostQuery(start=days[0], end=days[1], metric="billed", filters={"sub_account": (SAMPLE_PROJECT,)})
    )
    assert _total(net) == {"USD": Decimal(0)}  # the free-trial credits cancel every cost


async def test_effective_equals_billed_and_says_why(export: BillingExport) -> None:
    effective = await export.query_costs(CostQuery(start=NOV[0], end=NOV[1], metric="effective"))
    billed = await export.query_costs(CostQuery(start=NOV[0], end=NOV[1], metric="billed"))
    assert effective.totals == billed.totals
    assert "does not amortize" in effective.source


async def test_list_cost_is_cost_at_list_and_an_export_without_it_says_so(
    export: BillingExport, export_context: Callable[..., GcpContext], bq: BigQueryFake
) -> None:
    answer = await export.query_costs(CostQuery(start=NOV[0], end=NOV[1], metric="list"))
    listed = sum(
        (r.cost_at_list.quantize(NINE) for r in _in(dataset(), *NOV) if r.cost_at_list is not None), Decimal(0)
    )
    assert _total(answer) == {"USD": listed}
    old = BillingExport(export_context(standard_export_table=TABLE_IDS["standard_nolist"]))
    with pytest.raises(InvalidQuery, match="no cost_at_list column"):
        await old.query_costs(CostQuery(start=NOV[0], end=NOV[1], metric="list"))
    items = await old.daily_costs(*NOV)  # daily rows fall back to the gross, and say so
    assert all(i.list_cost == i.contracted_cost for i in items)
    assert all("x_list_cost" in i.x_extras for i in items)


async def test_charge_categories_split_usage_tax_adjustment_and_credits(export: BillingExport) -> None:
    rows = _in(dataset(), *NOV)
    answer = await export.query_costs(
        CostQuery(start=NOV[0], end=NOV[1], metric="billed", group_by=("charge_category",))
    )
    got = {r.group["charge_category"]: r.cost for r in answer.rows}
    assert got == {
        "Usage": gross(r for r in rows if r.cost_type == "regular"),
        "Tax": Decimal("4.20"),
        "Adjustment": Decimal("-0.75"),
        "Credit": credits(rows),
    }
    only = await export.query_costs(
        CostQuery(start=NOV[0], end=NOV[1], metric="billed", filters={"charge_category": ("Credit",)})
    )
    assert _total(only) == {"USD": credits(rows)}


async def test_a_label_groups_each_row_once_and_untagged_rows_count_with_null(export: BillingExport) -> None:
    rows = _in(dataset(), *NOV)
    answer = await export.query_costs(CostQuery(start=NOV[0], end=NOV[1], metric="billed", tag_key="team", top_n=500))
    expected: dict[str | None, Decimal] = defaultdict(Decimal)
    for r in rows:
        expected[dict(r.labels).get("team")] += gross([r]) + credits([r])
    assert {r.group["tag:team"]: r.cost for r in answer.rows} == expected
    assert _total(answer) == {"USD": gross(rows) + credits(rows)}  # a row with two labels is not counted twice


async def test_a_filter_value_that_tries_injection_stays_a_value(export: BillingExport, bq: BigQueryFake) -> None:
    evil = "x' OR 1=1 --"
    answer = await export.query_costs(
        CostQuery(start=NOV[0], end=NOV[1], filters={"service": (evil, "BigQuery")}, tag_key="a'); DROP TABLE t; --")
    )
    assert _total(answer) == {
        "USD": sum((gross([r]) + credits([r]) for r in _in(dataset(), *NOV) if r.service == "BigQuery"), Decimal(0))
    }
    assert all(evil not in sql and "DROP" not in sql for sql in bq.sql_seen)
    assert "IN UNNEST(@f_0)" in bq.sql_seen[-1]


async def test_a_scan_above_the_cap_is_refused_by_the_dry_run_before_any_job(
    export_context: Callable[..., GcpContext], bq: BigQueryFake
) -> None:
    export = BillingExport(export_context(maximum_bytes_billed=1000))
    with pytest.raises(InvalidQuery, match="above maximum_bytes_billed") as raised:
        await export.query_costs(CostQuery(start=NOV[0], end=NOV[1]))
    assert "nothing was run or billed" in str(raised.value)
    assert (bq.dry_runs, bq.jobs_run) == (1, 0)


async def test_a_job_that_would_bill_past_the_cap_fails_clearly(
    export_context: Callable[..., GcpContext], bq: BigQueryFake
) -> None:
    export = BillingExport(export_context(maximum_bytes_billed=5 * MIB))  # above the scan, below 10 MiB billed
    with pytest.raises(InvalidQuery, match="at least 10 MB"):
        await export.query_costs(CostQuery(start=NOV[0], end=NOV[1]))
    assert bq.jobs_run == 1


async def test_bytes_processed_and_billed_are_reported_and_the_partition_filter_bounds_them(
    export: BillingExport, bq: BigQueryFake
) -> None:
    week = await export.query_costs(CostQuery(start=date(2020, 11, 23), end=date(2020, 11, 30)))
    await export.query_costs(CostQuery(start=NOV[0], end=NOV[1]))
    assert "processed" in week.source
    assert "billed 10.0 MiB" in week.source
    assert "_PARTITIONTIME >= @scan_start AND _PARTITIONTIME < @scan_end" in bq.sql_seen[-1]
    processed = [j.bytes_processed for j in bq.jobs.values()]
    assert processed[0] < processed[1]


async def test_a_second_identical_question_runs_no_job(export: BillingExport, bq: BigQueryFake) -> None:
    query = CostQuery(start=NOV[0], end=NOV[1], group_by=("service",))
    first = await export.query_costs(query)
    second = await export.query_costs(query)
    assert (first.paid_calls, second.paid_calls) == (1, 0)
    assert "from the cache" in second.source
    assert second.rows == first.rows
    assert bq.jobs_run == 1


async def test_results_come_in_pages(
    export_context: Callable[..., GcpContext], bq: BigQueryFake, google: object
) -> None:
    export = BillingExport(export_context(), page_size=7)
    answer = await export.query_costs(
        CostQuery(start=NOV[0], end=NOV[1], granularity="daily", group_by=("service",), top_n=500)
    )
    pages = [c for c in google.calls("bq.getQueryResults") if c.query.get("pageToken")]  # type: ignore[attr-defined]
    assert len(pages) >= 5
    assert sum(r.cost for r in answer.rows) == gross(_in(dataset(), *NOV)) + credits(_in(dataset(), *NOV))
    assert google.calls("bq.jobs.get")  # type: ignore[attr-defined]


async def test_resources_come_from_the_detailed_export(export_context: Callable[..., GcpContext]) -> None:
    standard_only = BillingExport(export_context())
    with pytest.raises(InvalidQuery, match="detailed_export_table"):
        await standard_only.query_costs(CostQuery(start=NOV[0], end=NOV[1], group_by=("resource",)))
    both = BillingExport(export_context(detailed_export_table=TABLE_IDS["detailed"]))
    answer = await both.query_costs(
        CostQuery(start=NOV[0], end=NOV[1], metric="contracted", group_by=("resource",), top_n=500)
    )
    web = f"//compute.googleapis.com/projects/{DATA_PROJECT}/zones/us-central1-a/instances/web-1"
    assert {r.group["resource"]: r.cost for r in answer.rows}[web] == gross(
        r for r in _in(dataset(), *NOV) if r.resource == web
    )
    assert "detailed" in answer.source


async def test_no_export_configured_says_what_to_set(gcp_context: Callable[..., GcpContext]) -> None:
    with pytest.raises(ConfigError, match="standard_export_table"):
        await BillingExport(gcp_context()).query_costs(CostQuery(start=NOV[0], end=NOV[1]))


async def test_daily_costs_carry_net_gross_and_credits(export: BillingExport) -> None:
    items = await export.daily_costs(date(2020, 11, 2), date(2020, 11, 3))
    compute = next(i for i in items if i.service_name == "Compute Engine")
    row = next(r for r in dataset() if r.day == date(2020, 11, 2) and r.service == "Compute Engine")
    assert compute.contracted_cost == gross([row])
    assert compute.billed_cost == compute.effective_cost == gross([row]) + credits([row])
    assert Decimal(compute.x_extras["x_credits"]) == credits([row])
    assert compute.list_cost == row.cost_at_list
    assert (compute.sub_account_id, compute.region_id, compute.provider_name) == (
        DATA_PROJECT,
        "us-central1",
        "Google Cloud",
    )


async def test_a_bigquery_job_whose_start_answer_was_lost_is_asked_again_under_its_id_and_runs_once(
    google: GoogleFake, export_context: Callable[..., GcpContext], bq: BigQueryFake, waits: Waits
) -> None:
    google.fail("bq.jobs.insert", "error5xx")  # the dry run, before anything ran
    bq.lost_inserts = 1  # then the job starts, but its answer is a 503
    query = CostQuery(start=date(2020, 11, 1), end=date(2020, 12, 1), group_by=("service",))
    answer = await BillingExport(export_context()).query_costs(query)
    assert answer.rows
    inserts = [r.body for r in google.calls("bq.jobs.insert")]
    real = [b for b in inserts if not b["configuration"].get("dryRun")]
    assert len(real) == 2
    assert real[0]["jobReference"]["jobId"] == real[1]["jobReference"]["jobId"]  # one job, asked for twice
    assert bq.jobs_run == 1
    assert waits == [1.0, 1.0]


async def test_a_bigquery_refusal_is_not_retried(
    google: GoogleFake, export_context: Callable[..., GcpContext], bq: BigQueryFake, waits: Waits
) -> None:
    ctx = export_context(standard_export_table="finops-billing.billing.no_such_table")
    with pytest.raises(NotFound, match="no_such_table"):
        await BillingExport(ctx).query_costs(CostQuery(start=date(2020, 11, 1), end=date(2020, 12, 1)))
    assert len(google.calls("bq.jobs.insert")) == 1
    assert waits == []
