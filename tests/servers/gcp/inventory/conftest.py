"""A small Google Cloud estate on the fakes: Compute Engine state, a Compute Engine price catalog, Cloud SQL and
Cloud Monitoring, each installed on the ``google`` fake."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.gcp import catalog, compute, monitoring, sql
from tests.fakes.gcp.google_api import GoogleFake

R = "us-central1"
Z = "us-central1-a"
# Compute Engine list prices the fake catalog serves (USD, us-central1), and decoys that must not be used.
SKUS: list[dict[str, Any]] = [
    catalog.sku("E2 Instance Core running in Americas", "Compute", "CPU", [R, "us-east1"], "h", 0, 21_811_000),
    catalog.sku("E2 Instance Ram running in Americas", "Compute", "RAM", [R, "us-east1"], "GiBy.h", 0, 2_923_000),
    catalog.sku("Spot Preemptible E2 Instance Core running in Americas", "Compute", "CPU", [R], "h", 0, 6_543_000),
    catalog.sku("E2 Instance Core running in Americas", "Compute", "CPU", [R], "h", 0, 1_000, usage_type="Commit1Yr"),
    catalog.sku("E2 Custom Instance Core running in Americas", "Compute", "CPU", [R], "h", 0, 22_900_000),
    catalog.sku("N1 Predefined Instance Core running in Americas", "Compute", "N1Standard", [R], "h", 0, 31_611_000),
    catalog.sku("N1 Predefined Instance Ram running in Americas", "Compute", "N1Standard", [R], "GiBy.h", 0, 4_237_000),
    catalog.sku(
        "N1 Predefined Instance Core running in Belgium", "Compute", "N1Standard", ["europe-west1"], "h", 0, 34_800_000
    ),
    catalog.sku("Balanced PD Capacity", "Storage", "SSD", [R], "GiBy.mo", 0, 100_000_000),
    catalog.sku("Storage PD Capacity", "Storage", "PDStandard", [R], "GiBy.mo", 0, 40_000_000),
    catalog.sku("SSD backed PD Capacity", "Storage", "SSD", [R], "GiBy.mo", 0, 170_000_000),
    catalog.sku("Regional Storage PD Capacity", "Storage", "PDStandard", [R], "GiBy.mo", 0, 80_000_000),
    catalog.sku("Storage PD Snapshot in us-central1", "Storage", "PDSnapshot", [R], "GiBy.mo", 0, 50_000_000),
    catalog.sku("Storage Image", "Storage", "StorageImage", [R], "GiBy.mo", 0, 50_000_000),
    catalog.sku("Static Ip Charge", "Network", "IpAddress", [R], "h", 0, 10_000_000, free_tier=True),
    catalog.sku("External IP Charge on a Standard VM", "Network", "IpAddress", [R], "h", 0, 5_000_000),
]


@pytest.fixture
def state(google: GoogleFake) -> compute.ComputeState:
    s = compute.ComputeState()
    compute.install(google, s)
    return s


@pytest.fixture
def prices(google: GoogleFake) -> None:
    catalog.install(google, SKUS)


@pytest.fixture
def databases(google: GoogleFake) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    sql.install(google, found)
    return found


@pytest.fixture
def cpu(google: GoogleFake) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    monitoring.install(google, found)
    return found
