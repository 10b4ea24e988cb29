"""The core cost questions answered by Cost Explorer (over the fake, which computes from the dataset)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from finops_aws.clients import AwsClients
from finops_aws.context import AwsContext
from finops_aws.costs import CostExplorer
from finops_aws.settings import AwsSettings
from finops_core.errors import InvalidInput, InvalidQuery
from finops_core.models import CostQuery
from finops_core.paid import PaidCalls
from finops_core.store import Store
from finops_core.testing.contract import CostSourceContract

from tests.conftest import AS_OF
from tests.fakes.aws.cost_explorer import CostExplorerFake, CostRow
from tests.fakes.aws.json_service import AwsFault, AwsJsonFake
from tests.servers.aws.conftest import fixed_session
from tests.servers.aws.costs.conftest import GET_COSTS, dataset

pytestmark = pytest.mark.anyio

OCTOBER = (date(2026, 10, 1), date(2026, 11, 1))
PAYER = "123456789012"  # moto's account: no organization, so the credentials' account pays


def _sum(rows: Iterable[CostRow], field: str, keep: Callable[[CostRow], bool] = lambda r: True) -> Decimal:
    lo, hi = OCTOBER
    return sum((getattr(r, field) for r in rows if lo <= r.day < hi and keep(r)), Decimal(0))


class TestCostExplorerContract(CostSourceContract):
    """The provider contract every cost source passes, here over Cost Explorer."""

    @pytest.fixture
    def provider(self, explorer: CostExplorer) -> CostExplorer:
        return explorer

    @pytest.fixture
    def cost_period(self) -> tuple[date, date]:
        return OCTOBER


@pytest.mark.parametrize(
    ("metric", "field"), [("billed", "unblended"), ("effective", "net_amortized"), ("contracted", "net_unblended")]
)
async def test_totals_reconcile_to_the_cent_with_the_dataset(explorer: CostExplorer, metric: str, field: str) -> None:
    answer = await explorer.query_costs(CostQuery(start=OCTOBER[0], end=OCTOBER[1], metric=metric))  # type: ignore[arg-type]
    assert [(t.amount, t.currency) for t in answer.totals] == [(_sum(dataset(), field), "USD")]
    assert answer.paid_calls == 1
    assert answer.source.startswith("AWS Cost Explorer (")


async def test_effective_cost_is_net_amortized_and_the_source_says_so(explorer: CostExplorer) -> None:
    answer = await explorer.query_costs(CostQuery(start=OCTOBER[0], end=OCTOBER[1], group_by=("service",)))
    assert answer.source == "AWS Cost Explorer (NetAmortizedCost)"
    by_service = {r.group["service"]: r.cost for r in answer.rows}
    ec2 = "Amazon Elastic Compute Cloud - Compute"
    assert by_service[ec2] == _sum(dataset(), "net_amortized", lambda r: r.service == ec2)
    assert by_service["Tax"] == _sum(dataset(), "net_amortized", lambda r: r.service == "Tax")


async def test_grouping_by_a_tag_lists_untagged_costs_as_null(explorer: CostExplorer, fake: AwsJsonFake) -> None:
    answer = await explorer.query_costs(
        CostQuery(start=OCTOBER[0], end=OCTOBER[1], metric="billed", group_by=("sub_account",), tag_key="team")
    )
    groups = {(r.group["sub_account"], r.group["tag:team"]): r.cost for r in answer.rows}
    accounts = ("111111111111", "222222222222", "333333333333")
    # tax and credits carry no tags: they are untagged in every account
    assert set(groups) == {*((a, None) for a in accounts), ("222222222222", "web"), ("333333333333", "data")}
    assert groups[("222222222222", "web")] == _sum(dataset(), "unblended", lambda r: r.tags.get("team") == "web")
    assert fake.calls(GET_COSTS)[-1]["GroupBy"] == [
        {"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"},
        {"Type": "TAG", "Key": "team"},
    ]


async def test_filters_become_one_cost_explorer_filter(explorer: CostExplorer, fake: AwsJsonFake) -> None:
    query = CostQuery(
        start=OCTOBER[0],
        end=OCTOBER[1],
        metric="billed",
        filters={"sub_account": ("222222222222",), "region": ("eu-west-1",)},
    )
    answer = await explorer.query_costs(query)
    expected = _sum(dataset(), "unblended", lambda r: r.account == "222222222222" and r.region == "eu-west-1")
    assert answer.totals[0].amount == expected
    assert fake.calls(GET_COSTS)[-1]["Filter"] == {
        "And": [
            {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": ["222222222222"]}},
            {"Dimensions": {"Key": "REGION", "Values": ["eu-west-1"]}},
        ]
    }


async def test_categories_are_derived_from_services_and_record_types(explorer: CostExplorer) -> None:
    compute = await explorer.query_costs(
        CostQuery(start=OCTOBER[0], end=OCTOBER[1], metric="billed", group_by=("service_category",))
    )
    categories = {r.group["service_category"]: r.cost for r in compute.rows}
    assert set(categories) == {"Compute", "Storage", "Databases", "Other"}  # Tax is "Other"
    charges = await explorer.query_costs(
        CostQuery(start=OCTOBER[0], end=OCTOBER[1], metric="billed", group_by=("charge_category",))
    )
    by_charge = {r.group["charge_category"]: r.cost for r in charges.rows}
    assert by_charge["Tax"] == _sum(dataset(), "unblended", lambda r: r.record_type == "Tax")
    assert by_charge["Credit"] == _sum(dataset(), "unblended", lambda r: r.record_type == "Credit")
    only_tax = await explorer.query_costs(
        CostQuery(start=OCTOBER[0], end=OCTOBER[1], metric="billed", filters={"charge_category": ("Tax",)})
    )
    assert only_tax.totals[0].amount == by_charge["Tax"]


async def test_provider_and_billing_account_are_constants(explorer: CostExplorer, fake: AwsJsonFake) -> None:
    answer = await explorer.query_costs(
        CostQuery(start=OCTOBER[0], end=OCTOBER[1], group_by=("provider", "billing_account"))
    )
    assert [r.group for r in answer.rows] == [{"provider": "AWS", "billing_account": PAYER}]
    assert "GroupBy" not in fake.calls(GET_COSTS)[-1]
    calls = len(fake.calls(GET_COSTS))
    other = await explorer.query_costs(CostQuery(start=OCTOBER[0], end=OCTOBER[1], filters={"provider": ("Azure",)}))
    assert (other.rows, other.paid_calls, len(fake.calls(GET_COSTS))) == ([], 0, calls)
    assert other.note
    assert "AWS" in other.note


async def test_pages_are_followed_and_each_is_paid(
    explorer: CostExplorer, ce: CostExplorerFake, fake: AwsJsonFake
) -> None:
    ce.page_size = 5
    query = CostQuery(start=date(2026, 10, 1), end=date(2026, 10, 11), granularity="daily", group_by=("service",))
    answer = await explorer.query_costs(query)
    requests = fake.calls(GET_COSTS)
    # 10 days x 6 services + the tax of October 1st = 61 groups: 13 pages of 5
    assert len(requests) == 13
    assert answer.paid_calls == 13
    assert [r.get("NextPageToken") for r in requests[:3]] == [None, "5", "10"]
    lo, hi = query.start, query.end
    assert sum(r.cost for r in answer.rows + answer.other) == sum(
        (r.net_amortized for r in dataset() if lo <= r.day < hi), Decimal(0)
    )


async def test_a_repeated_question_makes_no_paid_call_and_says_so(explorer: CostExplorer, fake: AwsJsonFake) -> None:
    query = CostQuery(start=OCTOBER[0], end=OCTOBER[1], group_by=("service",))
    first = await explorer.query_costs(query)
    again = await explorer.query_costs(query)
    assert (first.paid_calls, again.paid_calls) == (1, 0)
    assert len(fake.calls(GET_COSTS)) == 1
    assert again.rows == first.rows


async def test_the_cache_expires_after_cache_hours(
    aws_settings: Callable[..., AwsSettings], ce: CostExplorerFake, fake: AwsJsonFake, tmp_path: Path
) -> None:
    settings = aws_settings(cache_hours=6)
    clock = [datetime(2026, 11, 26, 8, tzinfo=UTC)]
    clients = AwsClients(settings, fixed_session)
    paid = PaidCalls(
        lambda: Store(tmp_path / "cache.sqlite"),
        ttl=timedelta(hours=6),
        provider="aws",
        caller=clients.caller,
        now=lambda: clock[0],
    )
    explorer = CostExplorer(AwsContext(settings, clients, paid, today=lambda: AS_OF))
    query = CostQuery(start=OCTOBER[0], end=OCTOBER[1])
    assert (await explorer.query_costs(query)).paid_calls == 1
    clock[0] += timedelta(hours=5, minutes=59)
    assert (await explorer.query_costs(query)).paid_calls == 0
    clock[0] += timedelta(minutes=2)
    assert (await explorer.query_costs(query)).paid_calls == 1
    assert len(fake.calls(GET_COSTS)) == 2


async def test_throttling_is_retried_then_answered(
    aws_context: Callable[..., AwsContext], ce: CostExplorerFake, fake: AwsJsonFake
) -> None:
    explorer = CostExplorer(aws_context(max_attempts=3))
    fake.fail(GET_COSTS, "fault", times=2, fault=AwsFault("LimitExceededException", "Rate exceeded"))
    answer = await explorer.query_costs(CostQuery(start=OCTOBER[0], end=OCTOBER[1]))
    assert len(fake.calls(GET_COSTS)) == 3
    assert answer.totals[0].amount == _sum(dataset(), "net_amortized")
    assert answer.paid_calls == 1  # throttled requests are not billed


async def test_the_list_metric_is_refused_with_where_to_ask_instead(explorer: CostExplorer, fake: AwsJsonFake) -> None:
    with pytest.raises(InvalidQuery, match=r"no list cost.*Athena"):
        await explorer.query_costs(CostQuery(start=OCTOBER[0], end=OCTOBER[1], metric="list"))
    with pytest.raises(InvalidQuery, match="Athena"):
        await explorer.query_costs(CostQuery(start=OCTOBER[0], end=OCTOBER[1], group_by=("resource",)))
    assert fake.calls(GET_COSTS) == []


async def test_more_than_two_cost_explorer_groups_are_refused_with_advice(explorer: CostExplorer) -> None:
    query = CostQuery(start=OCTOBER[0], end=OCTOBER[1], group_by=("service", "region"), tag_key="team")
    with pytest.raises(InvalidQuery, match=r"at most two.*SERVICE, REGION, team.*filter"):
        await explorer.query_costs(query)


async def test_an_open_month_is_labelled_as_estimated(explorer: CostExplorer) -> None:
    answer = await explorer.query_costs(CostQuery(start=date(2026, 11, 1), end=AS_OF, granularity="weekly"))
    assert answer.note
    assert "estimates" in answer.note
    assert answer.partial_periods  # Sunday 1 November and the cut week before the 26th


async def test_daily_costs_are_focus_rows_from_one_request_per_page_with_three_metrics(
    explorer: CostExplorer, ce: CostExplorerFake, fake: AwsJsonFake
) -> None:
    ce.page_size = 1000
    items = await explorer.daily_costs(*OCTOBER)
    [request] = fake.calls(GET_COSTS)
    assert request["Metrics"] == ["UnblendedCost", "NetAmortizedCost", "NetUnblendedCost"]
    assert len(items) == 31 * 3 * 6 + 3  # days x accounts x services, and October's tax per account
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for item in items:
        sums["billed"] += item.billed_cost
        sums["effective"] += item.effective_cost
        sums["contracted"] += item.contracted_cost or 0
    assert sums == {
        "billed": _sum(dataset(), "unblended"),
        "effective": _sum(dataset(), "net_amortized"),
        "contracted": _sum(dataset(), "net_unblended"),
    }
    tax = next(i for i in items if i.service_name == "Tax")
    assert (tax.charge_category, tax.billing_account_id, tax.provider_name) == ("Tax", PAYER, "AWS")
    ec2 = next(i for i in items if i.service_name.endswith("Compute") and i.sub_account_id == "222222222222")
    assert (ec2.service_category, ec2.charge_category, ec2.sub_account_name) == ("Compute", "Usage", "web-prod")
    assert ec2.charge_period_end - ec2.charge_period_start == timedelta(days=1)
    assert ec2.billing_period_start == datetime(2026, 10, 1, tzinfo=UTC)


async def test_daily_costs_refuse_an_empty_range(explorer: CostExplorer) -> None:
    with pytest.raises(InvalidInput, match="after"):
        await explorer.daily_costs(OCTOBER[0], OCTOBER[0])
