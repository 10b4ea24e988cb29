"""BigQuery answers cached in a store shared by several processes are reused only for the same caller: the billing
account, the service account or user the credentials name, the endpoint and the universe (issue 15, item 6)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from finops_core.models import CostQuery
from finops_core.paid import PaidCalls
from finops_core.store import Store
from finops_gcp.clients import GcpClients
from finops_gcp.context import GcpContext
from finops_gcp.costs import BillingExport
from finops_gcp.settings import GcpSettings
from google.auth import credentials as google_credentials

from tests.conftest import AS_OF
from tests.fakes.gcp.bigquery import TABLE_IDS, BigQueryFake
from tests.servers.conftest import Waits

pytestmark = pytest.mark.anyio

QUERY = CostQuery(start=date(2020, 11, 1), end=date(2020, 12, 1), group_by=("service",))
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


def export(settings: GcpSettings, credentials: Callable[[], Any], store: Path, waits: Waits) -> BillingExport:
    """The billing export as one ``finops-gcp`` process builds it, over the store file ``store``."""
    clients = GcpClients(settings, credentials)
    paid = PaidCalls(lambda: Store(store), ttl=timedelta(hours=6), provider="gcp", caller=clients.caller)
    return BillingExport(GcpContext(settings, clients, paid, today=lambda: AS_OF, sleep=waits))


@pytest.fixture
def settings(gcp_settings: Callable[..., GcpSettings], bq: BigQueryFake) -> Callable[..., GcpSettings]:
    return lambda **overrides: gcp_settings(standard_export_table=TABLE_IDS["standard"], **overrides)


async def test_another_service_account_on_the_same_store_runs_its_own_job(
    settings: Callable[..., GcpSettings], bq: BigQueryFake, tmp_path: Path, waits: Waits
) -> None:
    store = tmp_path / "shared.sqlite"
    first = await export(settings(), lambda: ServiceAccount(READER), store, waits).query_costs(QUERY)
    other = await export(settings(), lambda: ServiceAccount(OTHER), store, waits).query_costs(QUERY)
    assert (first.paid_calls, other.paid_calls) == (1, 1)
    assert bq.jobs_run == 2


async def test_another_billing_account_or_impersonated_account_runs_its_own_job(
    settings: Callable[..., GcpSettings], bq: BigQueryFake, tmp_path: Path, waits: Waits
) -> None:
    store = tmp_path / "shared.sqlite"
    await export(settings(), lambda: ServiceAccount(READER), store, waits).query_costs(QUERY)
    billing = settings(billing_account="0123AB-CDEF45-6789AB")
    assert (await export(billing, lambda: ServiceAccount(READER), store, waits).query_costs(QUERY)).paid_calls == 1
    acting = settings(impersonate_service_account=OTHER)
    assert (await export(acting, lambda: ServiceAccount(READER), store, waits).query_costs(QUERY)).paid_calls == 1
    assert bq.jobs_run == 3


async def test_the_same_service_account_in_another_process_reuses_the_answer(
    settings: Callable[..., GcpSettings], bq: BigQueryFake, tmp_path: Path, waits: Waits
) -> None:
    store = tmp_path / "shared.sqlite"
    first = await export(settings(), lambda: ServiceAccount(READER), store, waits).query_costs(QUERY)
    again = await export(settings(), lambda: ServiceAccount(READER), store, waits).query_costs(QUERY)
    assert (first.paid_calls, again.paid_calls) == (1, 0)
    assert again.rows == first.rows
    assert bq.jobs_run == 1


async def test_another_bigquery_endpoint_is_asked_itself(
    settings: Callable[..., GcpSettings], bq: BigQueryFake, tmp_path: Path, waits: Waits
) -> None:
    store = tmp_path / "shared.sqlite"
    first = settings()
    await export(first, lambda: ServiceAccount(READER), store, waits).query_costs(QUERY)
    bigquery = first.endpoints["bigquery"].replace("127.0.0.1", "localhost")
    moved = settings(endpoints={**first.endpoints, "bigquery": bigquery})
    assert (await export(moved, lambda: ServiceAccount(READER), store, waits).query_costs(QUERY)).paid_calls == 1
    assert bq.jobs_run == 2


async def test_credentials_that_name_nobody_are_never_shared_between_processes(
    settings: Callable[..., GcpSettings], bq: BigQueryFake, tmp_path: Path, waits: Waits
) -> None:
    store = tmp_path / "shared.sqlite"
    await export(settings(), lambda: ServiceAccount("default"), store, waits).query_costs(QUERY)
    other = await export(settings(), lambda: ServiceAccount("default"), store, waits).query_costs(QUERY)
    assert other.paid_calls == 1
    assert bq.jobs_run == 2
