"""The Azure cost details mapping fills the FOCUS columns the validator checks: ChargeFrequency in FOCUS's
spelling, BillingAccountType, SkuId, ResourceType, commitment category/type and region id/name pairs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.conftest import SHARED
from tests.orchestrator.ingest.formats.stored import edited, stored_rows

NATIVE = SHARED / "data/native-samples/azure"
ACTUAL = NATIVE / "finops-toolkit_EA_ActualCost_Small.csv"  # 11 rows: 10 UsageBased, 1 Recurring purchase
V1 = NATIVE / "koku_azure_v1_legacy_costreport.csv"  # no Frequency, no billing account, no PartNumber
VAULT = "/SUBSCRIPTIONS/64E3/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV-1"


def test_azure_frequencies_are_spelled_as_focus_allows(tmp_path: Path) -> None:
    frequencies = ["UsageBased", "OneTime", "Recurring", "", "", "UsageBased", "", "", "", "", ""]
    kinds = ["Usage", "Purchase", "Purchase", "Purchase", "Usage", *["Usage"] * 6]
    path = edited(ACTUAL, tmp_path / "ea.csv", Frequency=frequencies, ChargeType=kinds)
    rows = stored_rows([path], tmp_path)
    assert [r["charge_frequency"] for r in rows[:6]] == [
        "Usage-Based",
        "One-Time",
        "Recurring",
        "One-Time",  # a purchase without a stated frequency happens once
        "Usage-Based",
        "Usage-Based",
    ]


def test_the_billing_account_has_a_type_and_a_file_without_one_is_billed_per_subscription(tmp_path: Path) -> None:
    (tmp_path / "ea").mkdir()
    ea = stored_rows([ACTUAL], tmp_path / "ea")
    v1 = stored_rows([V1], tmp_path)
    assert {r["billing_account_type"] for r in ea} == {"Billing Account"}
    assert {(r["billing_account_type"], r["billing_account_id"] == r["sub_account_id"]) for r in v1} == {
        ("Subscription", True)
    }


def test_an_empty_part_number_falls_back_to_the_meter_id(tmp_path: Path) -> None:
    meters = pd.read_csv(ACTUAL, dtype=str)["MeterId"].tolist()
    rows = stored_rows([edited(ACTUAL, tmp_path / "ea.csv", PartNumber=["", "AAA-1", *[""] * 9])], tmp_path)
    assert [r["sku_id"] for r in rows] == [meters[0], "AAA-1", *meters[2:]]


def test_a_resource_id_gets_its_display_type_whatever_its_case(tmp_path: Path) -> None:
    ids = [VAULT, "/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/virtualMachines/vm-1", *[""] * 9]
    rows = stored_rows([edited(ACTUAL, tmp_path / "ea.csv", ResourceId=ids)], tmp_path)
    assert [r["resource_type"] for r in rows[:3]] == ["Key vault", "Virtual machine", None]


def test_a_commitment_has_a_category_and_type_from_its_pricing_model(tmp_path: Path) -> None:
    reservation, plan = "/providers/Microsoft.Capacity/reservationOrders/o/reservations/r", "sp-1"
    path = edited(
        ACTUAL,
        tmp_path / "ea.csv",
        ReservationId=[reservation, "", *[""] * 9],
        benefitId=["", plan, *[""] * 9],
        PricingModel=["Reservation", "SavingsPlan", *["OnDemand"] * 9],
    )
    rows = stored_rows([path], tmp_path)
    kinds = [(r["commitment_discount_category"], r["commitment_discount_type"]) for r in rows]
    assert kinds[:3] == [("Usage", "Reservation"), ("Spend", "Savings Plan"), (None, None)]


def test_a_location_in_any_spelling_gets_one_region_id_and_name(tmp_path: Path) -> None:
    locations = ["EastUS", "East US", "eastus", "Unknown Place", "", *["eastus"] * 6]
    rows = stored_rows([edited(ACTUAL, tmp_path / "ea.csv", ResourceLocation=locations)], tmp_path)
    regions = [(r["region_id"], r["region_name"]) for r in rows[:5]]
    assert regions[:3] == [("eastus", "East US")] * 3
    assert regions[3][0] == "Unknown Place"
    assert regions[3][1] is not None
    assert regions[4] == (None, None)
