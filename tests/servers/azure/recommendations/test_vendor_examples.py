"""Advisor against Microsoft's own list example (tests/fakes/azure/examples/advisor) and what Microsoft documents about
``savingsAmount``."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from finops_azure.context import AzureContext
from finops_azure.recommendations import all_recommendations

from tests.fakes.azure import advisor
from tests.fakes.azure.advisor import advisor_item
from tests.fakes.azure.arm import ArmFake, ArmResponse
from tests.fakes.azure.vendor import documented, shape_problems

pytestmark = pytest.mark.anyio
LIST = "advisor/ListRecommendations.json"
SUB = "00000000-0000-0000-0000-00000000aaaa"
VM = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web"


def test_the_advisor_fakes_items_have_the_shape_of_microsofts_example() -> None:
    why = {
        "value[].properties.extendedProperties": "documented in RecommendationProperties (string values); the "
        "list example shows no Cost item",
        "value[].properties.suppressionIds": "documented in RecommendationProperties; the example has no suppression",
        "value[].properties.recommendationTypeId": "documented in RecommendationProperties; the example leaves it out",
    }
    item = advisor_item(SUB, "r1", resource_id=VM, solution="Right-size", extended={"savingsAmount": "1.50"})
    assert shape_problems({"value": [item]}, documented(LIST), why) == []


def _pages(arm: ArmFake, items: list[dict[str, Any]]) -> None:
    """Microsoft's example as page 1 (its nextLink pointed back here), then an empty last page."""
    body = documented(LIST) | {"value": items}
    body["nextLink"] = body["nextLink"].replace("https://management.azure.com", arm.url).replace("subscriptionId", SUB)
    pages = iter([json.dumps(body).encode(), b'{"value": []}'])
    arm.route(advisor.ROUTE, "GET", advisor.PATH, lambda _: ArmResponse(200, next(pages)))


async def test_microsofts_example_items_of_other_categories_are_no_cost_savings(
    arm: ArmFake, azure_context: Callable[..., AzureContext]
) -> None:
    items = documented(LIST)["value"]
    assert [i["properties"]["category"] for i in items] == ["HighAvailability", "Security"]
    _pages(arm, items)
    recs, missing = await all_recommendations(azure_context(subscriptions=[SUB]))
    assert (recs, missing) == ([], [])
    assert len(arm.calls(advisor.ROUTE)) == 2  # the example's nextLink was followed
    assert arm.calls(advisor.ROUTE)[1].query["$skiptoken"] == "skiptoken"


async def test_microsofts_example_items_as_cost_recommendations_keep_their_ids_and_resources(
    arm: ArmFake, azure_context: Callable[..., AzureContext]
) -> None:
    items = [{**i, "properties": {**i["properties"], "category": "Cost"}} for i in documented(LIST)["value"]]
    _pages(arm, items)
    recs, _ = await all_recommendations(azure_context(subscriptions=[SUB]))
    got = {(r.recommendation_id, r.resource_id, r.title, r.monthly_savings.amount, r.kind) for r in recs}
    assert got == {
        (
            "/resourceUri/providers/Microsoft.Advisor/recommendations/recGUID1",
            "/subscriptions/subscriptionId/resourceGroups/resourceGroup/providers/Microsoft.Compute/availabilitysets/abc",
            "This availability set is not configured for fault tolerance",
            Decimal("0.00"),
            "other",
        ),
        (
            "/resourceUri/providers/Microsoft.Advisor/recommendations/recGUID2",
            "/subscriptions/subscriptionId/resourceGroups/resourceGroup/providers/Microsoft.Compute/virtualMachines/xyz",
            "Monitoring agent is not installed on your machines",
            Decimal("0.00"),
            "other",
        ),
    }
    assert all(r.detail is not None and r.detail.endswith("Advisor gave no savings estimate.") for r in recs)


async def test_savings_amount_reads_as_monthly_as_microsofts_own_query_sums_it(
    arm: ArmFake, azure_context: Callable[..., AzureContext]
) -> None:
    # Microsoft Learn, Advisor "Resource Graph sample queries": "Get cost savings summary ... summarizes the monthly
    # cost savings of each Azure Advisor recommendation" by summing extendedProperties.savingsAmount. No vendor
    # example carries a Cost item, so this is the document that fixes the period: savingsAmount is monthly, and
    # annualSavingsAmount (about twelve times it) is only a fallback.
    extended = {"savingsAmount": "61.32", "annualSavingsAmount": "735.84", "savingsCurrency": "EUR"}
    advisor.install(arm, {SUB: [advisor_item(SUB, "r1", resource_id=VM, solution="Right-size", extended=extended)]})
    (rec,), _ = await all_recommendations(azure_context(subscriptions=[SUB]))
    assert (rec.monthly_savings.amount, rec.monthly_savings.currency) == (Decimal("61.32"), "EUR")
