"""BigQuery answers cached in a store shared by several processes are reused only for the same caller: the billing
account, the service account or user the credentials name, the endpoint and the universe (issue 15, item 6; the
scenario: ``tests.servers.paid_cache``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from finops_core.models import CostQuery
from finops_gcp.clients import GcpClients
from finops_gcp.context import GcpContext
from finops_gcp.costs import BillingExport
from finops_gcp.settings import GcpSettings
from google.auth import credentials as google_credentials

from tests.conftest import AS_OF
from tests.fakes.gcp.bigquery import TABLE_IDS, BigQueryFake
from tests.servers.conftest import Waits
from tests.servers.paid_cache import CostProcesses, SharedCache, shared_cache

READER = "finops-reader@finops-demo-data.iam.gserviceaccount.com"
OTHER = "finops-other@finops-demo-web.iam.gserviceaccount.com"


class ServiceAccount(google_credentials.Credentials):
    """Credentials that name their service account, as ``google.oauth2.service_account`` ones do (no key here:
    the fake takes any token)."""

    def __init__(self, email: str) -> None:
        super().__init__()
        self.token = "test-access-token"
        self._email = email

    @property
    def service_account_email(self) -> str:
        return self._email

    def refresh(self, request: Any) -> None:
        self.token = "test-access-token"


class BillingExportProcesses(CostProcesses):
    query = CostQuery(start=date(2020, 11, 1), end=date(2020, 12, 1), group_by=("service",))
    reader = READER

    def __init__(self, settings: Callable[..., GcpSettings], bq: BigQueryFake, waits: Waits) -> None:
        self.settings, self.bq, self.waits = settings, bq, waits

    def source(self, store: Path, credentials: Any, **settings: Any) -> BillingExport:
        """The billing export as one ``finops-gcp`` process builds it; ``credentials``: the service account."""
        configured = self.settings(standard_export_table=TABLE_IDS["standard"], **settings)
        clients = GcpClients(configured, lambda: ServiceAccount(credentials))
        paid = shared_cache(store, "gcp", clients.caller)
        return BillingExport(GcpContext(configured, clients, paid, today=lambda: AS_OF, sleep=self.waits))

    def strangers(self) -> dict[str, tuple[Any, Any, dict[str, Any]]]:
        endpoints = self.settings().endpoints
        moved = {**endpoints, "bigquery": endpoints["bigquery"].replace("127.0.0.1", "localhost")}
        return {
            "service account": (READER, OTHER, {}),
            "billing account": (READER, READER, {"billing_account": "0123AB-CDEF45-6789AB"}),
            "impersonated account": (READER, READER, {"impersonate_service_account": OTHER}),
            "endpoint": (READER, READER, {"endpoints": moved}),
            "nobody": ("default", "default", {}),  # credentials that name nobody are never shared
        }

    def asked(self) -> int:
        return self.bq.jobs_run


class TestBillingExport(SharedCache):
    @pytest.fixture
    def processes(
        self, gcp_settings: Callable[..., GcpSettings], bq: BigQueryFake, waits: Waits
    ) -> BillingExportProcesses:
        return BillingExportProcesses(gcp_settings, bq, waits)
