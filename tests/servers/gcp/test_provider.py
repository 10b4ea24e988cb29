"""``GcpProvider`` — what ``finops-gcp`` and the orchestrator use — passes the core provider contract over the
emulated Google APIs: the BigQuery billing export (DuckDB running our SQL), Cloud Billing, the catalog, Compute
Engine (one state shared by its lists and its operations), Monitoring, Cloud SQL and the Recommender."""

from __future__ import annotations

import functools
from collections.abc import Iterator, MutableMapping
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from finops_core.settings import Settings
from finops_core.testing.contract import CloudProviderContract
from finops_gcp.provider import GcpProvider, create_provider
from google.auth.credentials import AnonymousCredentials

from tests.conftest import AS_OF
from tests.fakes.gcp import catalog, compute, monitoring, recommender, sql
from tests.fakes.gcp.bigquery import TABLE_IDS, billing_fake, export_database, export_rows
from tests.fakes.gcp.billing import install_billing, project_info
from tests.fakes.gcp.compute_ops import ComputeOps
from tests.fakes.gcp.google_api import GoogleFake
from tests.servers.conftest import Waits
from tests.servers.gcp.conftest import APIS, PROJECTS
from tests.servers.gcp.inventory.conftest import SKUS

ACCOUNT = "000000-B0BBA4-940A77"
ZONE = "us-central1-a"


class ZoneKeys(MutableMapping[tuple[str, str, str], dict[str, Any]]):
    """``ComputeState``'s zonal records (keyed ``(project, "zones/Z", name)``) as ``ComputeOps`` keys them
    (``(project, Z, name)``): one estate, listed by the inventory and changed by the remediation."""

    def __init__(self, records: dict[tuple[str, str, str], dict[str, Any]]) -> None:
        self.records = records

    def __getitem__(self, key: tuple[str, str, str]) -> dict[str, Any]:
        return self.records[(key[0], f"zones/{key[1]}", key[2])]

    def __setitem__(self, key: tuple[str, str, str], value: dict[str, Any]) -> None:
        self.records[(key[0], f"zones/{key[1]}", key[2])] = value

    def __delitem__(self, key: tuple[str, str, str]) -> None:
        del self.records[(key[0], f"zones/{key[1]}", key[2])]

    def __iter__(self) -> Iterator[tuple[str, str, str]]:
        return iter([(p, scope.removeprefix("zones/"), name) for p, scope, name in self.records])

    def __len__(self) -> int:
        return len(self.records)


@functools.cache
def export_db() -> duckdb.DuckDBPyConnection:
    return export_database(standard=export_rows())


def gcp_provider(
    google: GoogleFake, home: Path, waits: Waits, recommendations: dict[str, list[dict[str, Any]]] | None = None
) -> tuple[GcpProvider, ComputeOps]:
    """A provider over the emulators, as ``finops.toml`` would configure it, and the Compute Engine it changes."""
    billing_fake(google, export_db(), ["standard"])
    install_billing(google, ACCOUNT, projects=[project_info(p, ACCOUNT) for p in PROJECTS])
    catalog.install(google, SKUS)
    state = compute.ComputeState()
    compute.install(google, state)
    ops = ComputeOps(
        google, instances=ZoneKeys(state.instances), disks=ZoneKeys(state.disks), addresses=state.addresses
    )  # type: ignore[arg-type]
    state.add_disk(PROJECTS[0], ZONE, "orphan-1", size_gb=100)  # unattached: a finding to act on
    monitoring.install(google, {})
    sql.install(google, {})
    recommender.install(google, recommendations or {})
    gcp = {
        "projects": list(PROJECTS),
        "billing_account": ACCOUNT,
        "standard_export_table": TABLE_IDS["standard"],
        "endpoints": dict.fromkeys(APIS, google.url),
        "zones": [ZONE],
    }
    settings = Settings.load({"FINOPS_HOME": str(home)}, overrides={"gcp": gcp})
    provider = create_provider(settings, credentials_factory=AnonymousCredentials, today=lambda: AS_OF, sleep=waits)
    return provider, ops


class TestGcpProvider(CloudProviderContract):
    @pytest.fixture
    def provider(self, google: GoogleFake, home: Path, waits: Waits) -> GcpProvider:
        return gcp_provider(google, home, waits)[0]

    @pytest.fixture
    def cost_period(self) -> tuple[date, date]:
        return date(2020, 11, 1), date(2020, 12, 1)
