"""The fakes against what Google publishes: its discovery documents (``tests/fakes/gcp/discovery``).

Every request the adapter sends to ``GoogleFake`` and every answer the fake gives is checked against the method's
parameters and request / response schemas (the ``google`` fixture fails a test on any mismatch), so each test over
the fake replays a schema-conforming sample through the adapter. Here: every method the adapter calls is one the
documents describe, each has a named test that replays it and asserts the normalized result, the samples tests
use without the fake fit the schemas too, the adapter's own copies of Google's enums are values the documents
list, and the checker refuses what the documents do not allow (so it can fail).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from finops_core.errors import NotFound
from finops_gcp.context import GcpContext
from finops_gcp.inventory import list_resources
from finops_gcp.inventory.resources import INSTANCE_STATES, STOPPED
from finops_gcp.remediation.disks import BUSY
from finops_gcp.remediation.instances import GONE, STARTING

from tests.fakes.gcp import catalog, discovery, monitoring, sql
from tests.fakes.gcp.compute import ComputeState
from tests.fakes.gcp.compute_ops import ComputeOps
from tests.fakes.gcp.google_api import GoogleFake
from tests.fakes.gcp.recommender import recommendation
from tests.servers.conftest import Waits
from tests.servers.gcp.recommendations import samples
from tests.servers.gcp.test_roles import exercise_the_whole_adapter

pytestmark = pytest.mark.anyio
T = "tests.servers.gcp."
LABELS = "test_labels_are_merged_with_the_fingerprint_and_the_undo_restores_old_values_and_drops_new_keys"
# Each Google API method the adapter calls -> a test that serves it from the fake (checked against the method's
# schema) and asserts what the adapter made of the answer.
REPLAYED: dict[str, tuple[str, str]] = {
    "bigquery.jobs.insert": (
        "costs.test_query_costs",
        "test_billed_is_net_and_the_note_gives_gross_and_credits_to_the_cent",
    ),
    "bigquery.jobs.get": (
        "costs.test_query_costs",
        "test_bytes_processed_and_billed_are_reported_and_the_partition_filter_bounds_them",
    ),
    "bigquery.jobs.getQueryResults": ("costs.test_query_costs", "test_results_come_in_pages"),
    "billingbudgets.billingAccounts.budgets.list": (
        "costs.test_native",
        "test_budgets_show_amount_thresholds_and_spend_as_each_budget_counts_it",
    ),
    "cloudbilling.billingAccounts.get": ("test_provider", "TestGcpProvider"),
    "cloudbilling.billingAccounts.projects.list": (
        "costs.test_native",
        "test_linked_projects_are_those_with_billing_enabled",
    ),
    "cloudbilling.services.skus.list": (
        "inventory.test_resources",
        "test_every_kind_is_listed_with_its_full_name_state_size_labels_and_list_price_estimate",
    ),
    "compute.instances.aggregatedList": (
        "inventory.test_resources",
        "test_every_kind_is_listed_with_its_full_name_state_size_labels_and_list_price_estimate",
    ),
    "compute.disks.aggregatedList": (
        "inventory.test_resources",
        "test_every_kind_is_listed_with_its_full_name_state_size_labels_and_list_price_estimate",
    ),
    "compute.addresses.aggregatedList": (
        "inventory.test_resources",
        "test_every_kind_is_listed_with_its_full_name_state_size_labels_and_list_price_estimate",
    ),
    "compute.globalAddresses.list": (
        "inventory.test_resources",
        "test_every_kind_is_listed_with_its_full_name_state_size_labels_and_list_price_estimate",
    ),
    "compute.snapshots.list": (
        "inventory.test_waste",
        "test_old_snapshots_are_deleted_and_those_of_deleted_disks_are_the_safer_bet",
    ),
    "compute.images.list": (
        "inventory.test_resources",
        "test_every_kind_is_listed_with_its_full_name_state_size_labels_and_list_price_estimate",
    ),
    "compute.instances.get": (
        "remediation.test_instances",
        "test_a_stop_is_planned_without_change_then_applied_after_polling_its_operation",
    ),
    "compute.instances.stop": (
        "remediation.test_instances",
        "test_a_stop_is_planned_without_change_then_applied_after_polling_its_operation",
    ),
    "compute.instances.start": (
        "remediation.test_instances",
        "test_a_stopped_instance_is_started_and_a_running_one_is_left_alone",
    ),
    "compute.instances.setMachineType": (
        "remediation.test_instances",
        "test_a_stopped_instance_is_resized_to_a_machine_type_that_exists_in_its_zone",
    ),
    "compute.instances.setLabels": (
        "remediation.test_disks_addresses_labels",
        "test_labels_are_merged_with_the_fingerprint_and_the_undo_restores_old_values_and_drops_new_keys",
    ),
    "compute.machineTypes.get": (
        "remediation.test_instances",
        "test_a_stopped_instance_is_resized_to_a_machine_type_that_exists_in_its_zone",
    ),
    "compute.zoneOperations.get": (
        "remediation.test_instances",
        "test_an_operation_ending_in_error_is_reported_and_the_instance_left_as_it_was",
    ),
    "compute.regionOperations.get": (
        "remediation.test_disks_addresses_labels",
        "test_a_reserved_address_is_released_and_one_in_use_refused",
    ),
    "compute.globalOperations.get": (
        "remediation.test_disks_addresses_labels",
        "test_a_snapshot_is_deleted_and_a_missing_one_is_not_found",
    ),
    "compute.disks.get": ("remediation.test_disks_addresses_labels", "test_a_disk_in_use_is_not_deleted"),
    "compute.disks.createSnapshot": (
        "remediation.test_disks_addresses_labels",
        "test_deleting_a_disk_takes_a_labelled_snapshot_first_and_names_it_in_the_undo",
    ),
    "compute.disks.delete": (
        "remediation.test_disks_addresses_labels",
        "test_deleting_a_disk_takes_a_labelled_snapshot_first_and_names_it_in_the_undo",
    ),
    "compute.addresses.get": (
        "remediation.test_disks_addresses_labels",
        "test_a_reserved_address_is_released_and_one_in_use_refused",
    ),
    "compute.addresses.delete": (
        "remediation.test_disks_addresses_labels",
        "test_a_reserved_address_is_released_and_one_in_use_refused",
    ),
    "compute.snapshots.get": (
        "remediation.test_disks_addresses_labels",
        "test_the_disk_is_deleted_only_once_its_snapshot_has_finished_uploading",
    ),
    "compute.snapshots.delete": (
        "remediation.test_disks_addresses_labels",
        "test_a_snapshot_is_deleted_and_a_missing_one_is_not_found",
    ),
    "monitoring.projects.timeSeries.list": (
        "inventory.test_waste",
        "test_a_vm_idle_by_cpu_is_stopped_but_a_busy_one_or_one_with_too_little_data_is_not",
    ),
    "recommender.projects.locations.recommenders.recommendations.list": (
        "recommendations.test_recommenders",
        "test_recommendations_from_several_recommenders_are_ranked_by_savings",
    ),
    "recommender.billingAccounts.locations.recommenders.recommendations.list": (
        "recommendations.test_recommenders",
        "test_each_recommender_is_asked_in_each_configured_zone_or_region_of_each_project",
    ),
    "recommender.projects.locations.recommenders.recommendations.markSucceeded": (
        "recommendations.test_state",
        "test_a_claimed_recommendation_is_marked_succeeded_with_each_new_etag",
    ),
    "compute.disks.setLabels": ("remediation.test_disks_addresses_labels", LABELS),
    "compute.addresses.setLabels": ("remediation.test_disks_addresses_labels", LABELS),
    "compute.globalAddresses.setLabels": ("remediation.test_disks_addresses_labels", LABELS),
    "compute.globalAddresses.get": ("remediation.test_disks_addresses_labels", LABELS),
    "compute.globalAddresses.delete": (
        "remediation.test_disks_addresses_labels",
        "test_a_reserved_address_is_released_and_one_in_use_refused",
    ),
    "compute.snapshots.setLabels": ("remediation.test_disks_addresses_labels", LABELS),
    "recommender.projects.locations.recommenders.recommendations.markClaimed": (
        "recommendations.test_state",
        "test_a_claimed_recommendation_is_marked_succeeded_with_each_new_etag",
    ),
    "recommender.projects.locations.recommenders.recommendations.markFailed": (
        "recommendations.test_state",
        "test_a_failed_change_is_marked_failed",
    ),
    "recommender.projects.locations.insightTypes.insights.list": (
        "recommendations.test_recommenders",
        "test_insights_behind_a_recommendation_are_summarized_in_its_detail",
    ),
    "sql.instances.list": (
        "inventory.test_resources",
        "test_every_kind_is_listed_with_its_full_name_state_size_labels_and_list_price_estimate",
    ),
}


async def test_every_method_the_adapter_calls_is_in_googles_documents_and_has_a_test_replaying_it(
    google: GoogleFake, home: Path, waits: Waits
) -> None:
    await exercise_the_whole_adapter(google, home, waits)  # the fixture then checks every exchange
    assert google.methods - REPLAYED.keys() == set(), "methods with no replaying test named in REPLAYED"
    assert len(google.methods) >= 30
    for method, (module, name) in REPLAYED.items():
        assert hasattr(importlib.import_module(T + module), name), f"{method}: {module}::{name} does not exist"
        assert discovery.find_id(method) is not None, f"{method} is in no discovery document"


def test_the_recommendations_the_normalizing_tests_read_directly_fit_the_recommendation_schema() -> None:
    made = [
        samples.idle_vm(),
        samples.machine_type(),
        samples.idle_disk(),
        samples.idle_address(),
        recommendation(samples.parent(samples.SQL_IDLE), "s", cost="-123.456789012", currency="EUR"),
        recommendation(samples.parent(samples.CUD), "c", cost="-900", duration="7776000s", subtype="COMMITMENT_1_YEAR"),
        recommendation(samples.parent(samples.SQL_OVER), "o", cost="5", category="PERFORMANCE", overview={"a": 1}),
    ]
    for item in made:
        assert discovery.validate("recommender.v1", "GoogleCloudRecommenderV1Recommendation", item) == []


def test_the_fakes_resource_builders_fit_the_resource_schemas(google: GoogleFake) -> None:
    state = ComputeState()
    state.add_disk("p", "us-central1-a", "d1")
    checks = [
        ("compute.v1", "Disk", state.disks[("p", "zones/us-central1-a", "d1")]),
        ("compute.v1", "Instance", state.add_instance("p", "us-central1-a", "vm", disks=["d1"])),
        ("compute.v1", "Address", state.add_address("p", "us-central1", "ip")),
        ("compute.v1", "Snapshot", state.add_snapshot("p", "s", ("us-central1-a", "d1"))),
        ("compute.v1", "Image", state.add_image("p", "i")),
        ("sqladmin.v1", "DatabaseInstance", sql.sql_instance("p", "db", activation_policy="NEVER")),
        ("cloudbilling.v1", "Sku", catalog.sku("E2 Instance Core", "Compute", "CPU", ["r"], "h", 0, 1, free_tier=True)),
    ]
    ops = ComputeOps(google)
    checks += [
        ("compute.v1", "Instance", ops.add_instance("p", "z", "vm", disks=["d"], local_ssd=True, group="g")),
        ("compute.v1", "Address", ops.add_address("p", None, "ip", user="x")),
        ("compute.v1", "Snapshot", ops.add_snapshot("p", "s")),
    ]
    series = monitoring.cpu_series("p", "z", "1", "vm", [0.5, 0.25], date(2025, 6, 1))
    checks.append(("monitoring.v3", "TimeSeries", series))
    for api, schema, value in checks:
        assert discovery.validate(api, schema, value) == [], (api, schema)


def test_the_adapters_copies_of_googles_enums_are_values_the_documents_list() -> None:
    compute = discovery.document("compute.v1")["schemas"]
    instance = set(compute["Instance"]["properties"]["status"]["enum"])
    assert set(INSTANCE_STATES) | STOPPED | set(GONE) | set(STARTING) <= instance
    assert set(BUSY) <= set(compute["Disk"]["properties"]["status"]["enum"])
    assert {"CREATING", "UPLOADING", "DELETING", "READY", "FAILED"} <= set(
        compute["Snapshot"]["properties"]["status"]["enum"]
    )
    assert {"RESERVED", "IN_USE"} <= set(compute["Address"]["properties"]["status"]["enum"])
    assert set(compute["Operation"]["properties"]["status"]["enum"]) >= {"DONE", "RUNNING", "PENDING"}
    sqladmin = discovery.document("sqladmin.v1")["schemas"]
    assert "NEVER" in sqladmin["Settings"]["properties"]["activationPolicy"]["enum"]
    assert "STOPPED" not in sqladmin["DatabaseInstance"]["properties"]["state"]["enum"]  # see SqlInstance.stopped
    budgets = discovery.document("billingbudgets.v1")["schemas"]
    treatments = set(budgets["GoogleCloudBillingBudgetsV1Filter"]["properties"]["creditTypesTreatment"]["enum"])
    assert {"INCLUDE_ALL_CREDITS", "EXCLUDE_ALL_CREDITS", "INCLUDE_SPECIFIED_CREDITS"} <= treatments


@pytest.mark.parametrize(
    ("schema", "value", "problem"),
    [
        ("Instance", {"id": 5}, "is not a string (the schema says uint64)"),
        ("Instance", {"status": "STARTED"}, "is not one of"),
        ("Instance", {"machine_type": "e2"}, "field 'machine_type' is not in the schema Instance"),
        ("Disk", {"sizeGb": "ten"}, "is not an int64"),
        ("Disk", {"users": "x"}, "where the schema has an array"),
        ("Snapshot", {"autoCreated": "true"}, "is not a boolean"),
        ("InstanceAggregatedList", {"items": {"zones/a": {"instances": [{"bogus": 1}]}}}, "field 'bogus'"),
    ],
)
def test_the_checker_refuses_what_the_documents_do_not_allow(schema: str, value: object, problem: str) -> None:
    found = discovery.validate("compute.v1", schema, value)
    assert any(problem in p for p in found), found


def test_the_checker_refuses_an_unknown_path_or_parameter_and_a_wrong_body() -> None:
    assert discovery.check("GET", "/compute/v1/projects/p/nowhere", {}, None, 200, {})[1]
    method, problems = discovery.check(
        "GET", "/compute/v1/projects/p/aggregated/disks", {"returnPartialSuccess": "true"}, None, 200, {}
    )
    assert method == "compute.disks.aggregatedList"
    assert problems == [
        "compute.disks.aggregatedList: query parameter 'returnPartialSuccess' is not one the method takes"
    ]
    _, problems = discovery.check(
        "POST", "/compute/v1/projects/p/zones/z/instances/vm/setMachineType", {}, {"machine_type": "x"}, 200, {}
    )
    assert len(problems) == 1
    assert "machine_type" in problems[0]
    _, problems = discovery.check(
        "POST", "/compute/v1/projects/p/zones/z/disks/d/createSnapshot", {}, {"labels": {"a": "b"}}, 200, {}
    )
    assert problems == ["compute.disks.createSnapshot request: $: required field 'name' is missing"]
    _, problems = discovery.check("GET", "/v1/projects/p/instances", {}, None, 200, {"items": [{"state": "STOPPED"}]})
    assert len(problems) == 1
    assert "STOPPED" in problems[0]


async def test_the_fake_keeps_every_exchange_the_documents_do_not_allow(
    gcp_context: Callable[..., GcpContext],
) -> None:
    with GoogleFake() as fake:
        stopped = {"kind": "sql#instancesList", "items": [{"name": "db", "state": "STOPPED"}]}
        fake.route("sql.instances", "GET", r"/v1/projects/[^/]+/instances", lambda request: stopped)
        ctx = gcp_context(projects=["p-1"], endpoints={"sqladmin": fake.url, "compute": fake.url})
        await list_resources(ctx, "database")
        with pytest.raises(NotFound):
            await list_resources(ctx, "instance")  # a path the fake does not serve, but Google has: not a violation
    assert len(fake.violations) == 1
    assert fake.violations[0].startswith("sql.instances.list response: $.items[0].state: 'STOPPED' is not one of")
    assert fake.methods == {"sql.instances.list"}  # only what it served
