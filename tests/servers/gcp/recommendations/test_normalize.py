"""A Recommender API recommendation as a core Recommendation: exact savings, kinds, actions, titles."""

from __future__ import annotations

from decimal import Decimal

import pytest
from finops_gcp.recommendations.normalize import decimal_money, monthly_savings, normalize
from finops_gcp.recommendations.recommenders import BY_ID, Listed, Target

from tests.fakes.gcp.recommender import money, recommendation
from tests.servers.gcp.recommendations.samples import (
    ADDRESS,
    CUD,
    DISK,
    IDLE_IMAGE,
    REGION,
    RUN,
    SQL_IDLE,
    SQL_OVER,
    VM,
    ZONE,
    P,
    idle_address,
    idle_disk,
    idle_vm,
    machine_type,
    parent,
)


def listed(item: dict, recommender: str, location: str = ZONE) -> Listed:
    return Listed(item, Target(BY_ID[recommender], parent(recommender, location), P, location))


@pytest.mark.parametrize(
    ("units", "nanos", "amount"),
    [("-73", -40000000, Decimal("-73.04")), ("0", -1, Decimal("-1E-9")), ("12", 500000000, Decimal("12.50"))],
)
def test_google_money_is_read_exactly_from_units_and_nanos(units: str, nanos: int, amount: Decimal) -> None:
    assert decimal_money({"units": units, "nanos": nanos, "currencyCode": "USD"}) == amount


def test_a_negative_projected_cost_is_a_saving_in_the_currency_google_names() -> None:
    item = recommendation(parent(SQL_IDLE, REGION), "s", cost="-123.456789012", currency="EUR")
    found = monthly_savings(item)
    assert found is not None
    saving, days = found
    assert (saving.amount, saving.currency, days) == (Decimal("123.456789012"), "EUR", 30)
    assert money("-123.456789012")["units"] == "-123"


def test_a_projection_over_another_duration_is_scaled_to_thirty_days() -> None:
    item = recommendation(parent(CUD, REGION), "c", cost="-900", duration="7776000s")  # 90 days
    rec = normalize(listed(item, CUD, REGION))
    assert rec is not None
    assert rec.monthly_savings.amount == Decimal("300.00")
    assert "90 days, scaled to 30 days" in (rec.detail or "")


@pytest.mark.parametrize(("cost", "category"), [("12.5", "COST"), ("0", "COST"), ("-5", "PERFORMANCE")])
def test_a_cost_increase_nothing_or_another_category_is_not_a_saving(cost: str, category: str) -> None:
    item = recommendation(parent(SQL_OVER, REGION), "s", cost=cost, category=category)
    assert normalize(listed(item, SQL_OVER, REGION)) is None


def test_an_idle_vm_is_stopped_and_carries_the_recommendation_name_and_etag() -> None:
    item = {**idle_vm(), "etag": '"abc"'}
    rec = normalize(listed(item, "google.compute.instance.IdleResourceRecommender"))
    assert rec is not None
    assert (rec.kind, rec.source, rec.resource_id, rec.account_id, rec.region) == (
        "idle",
        "gcp-recommender",
        VM,
        P,
        ZONE,
    )
    assert rec.recommendation_id == item["name"]
    assert rec.monthly_savings.amount == Decimal("42.50")
    assert rec.title == f"Stop idle VM instance web-1 ({ZONE})"
    assert rec.action is not None
    assert (rec.action.kind, rec.action.resource_id) == ("stop_instance", VM)
    assert rec.action.parameters == {"recommendation_name": item["name"], "recommendation_etag": '"abc"'}


def test_a_machine_type_change_is_a_resize_to_the_recommended_type() -> None:
    rec = normalize(listed(machine_type(), "google.compute.instance.MachineTypeRecommender"))
    assert rec is not None
    assert rec.kind == "rightsize"
    assert rec.title == f"Resize VM instance web-1 from n1-standard-4 to e2-standard-2 ({ZONE})"
    assert rec.action is not None
    assert rec.action.kind == "resize_instance"
    assert rec.action.parameters["new_size"] == "e2-standard-2"


def test_an_idle_disk_is_deleted_after_a_snapshot_and_named_by_the_disk_not_the_snapshot() -> None:
    rec = normalize(listed(idle_disk(), "google.compute.disk.IdleResourceRecommender"))
    assert rec is not None
    assert (rec.kind, rec.resource_id, rec.monthly_savings.amount) == ("unattached", DISK, Decimal("8.000000001"))
    assert rec.action is not None
    assert (rec.action.kind, rec.action.parameters["snapshot_first"]) == ("delete_volume", "true")


def test_an_idle_address_is_released() -> None:
    rec = normalize(listed(idle_address(), "google.compute.address.IdleResourceRecommender", REGION))
    assert rec is not None
    assert (rec.kind, rec.region, rec.resource_id) == ("unattached", REGION, ADDRESS)
    assert rec.action is not None
    assert rec.action.kind == "release_ip"


@pytest.mark.parametrize(
    ("recommender", "location", "kind"),
    [(IDLE_IMAGE, "global", "idle"), (CUD, REGION, "commitment"), (SQL_IDLE, REGION, "idle"),
     (SQL_OVER, REGION, "rightsize"), (RUN, REGION, "other")],
)  # fmt: skip
def test_recommenders_without_an_action_keep_their_kind_and_no_action(
    recommender: str, location: str, kind: str
) -> None:
    overview = {"resourceName": f"//sqladmin.googleapis.com/projects/{P}/instances/db-1"}
    item = recommendation(parent(recommender, location), "x", cost="-10", overview=overview)
    rec = normalize(listed(item, recommender, location))
    assert rec is not None
    assert (rec.kind, rec.action) == (kind, None)
    assert rec.region == (None if location == "global" else location)


def test_a_cloud_sql_recommendation_names_its_instance_from_the_overview() -> None:
    name = f"//sqladmin.googleapis.com/projects/{P}/instances/db-1"
    item = recommendation(parent(SQL_OVER, REGION), "x", cost="-10", overview={"resourceName": name})
    rec = normalize(listed(item, SQL_OVER, REGION))
    assert rec is not None
    assert rec.resource_id == name
    assert rec.title == f"Downsize overprovisioned Cloud SQL instance db-1 ({REGION})"


def test_a_commitment_is_named_by_where_it_would_be_bought() -> None:
    item = recommendation(parent(CUD, REGION), "c", cost="-250", subtype="COMMITMENT_1_YEAR")
    rec = normalize(listed(item, CUD, REGION))
    assert rec is not None
    assert rec.title == f"Buy a resource-based committed use discount in {REGION}"
    assert "COMMITMENT_1_YEAR" in (rec.detail or "")
