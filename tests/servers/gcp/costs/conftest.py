"""The BigQuery fake over the billing export (the koku sample plus November 2020 of ``finops-demo-data``)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import pytest
from finops_gcp.context import GcpContext
from finops_gcp.costs import BillingExport

from tests.fakes.gcp.bigquery import TABLE_IDS, BigQueryFake, ExportRow, billing_fake, export_database, export_rows
from tests.fakes.gcp.google_api import GoogleFake


@functools.cache
def dataset() -> tuple[ExportRow, ...]:
    return tuple(export_rows())


@pytest.fixture(scope="session")
def export_db() -> Iterator[duckdb.DuckDBPyConnection]:
    rows = list(dataset())
    con = export_database(standard=rows, detailed=rows, standard_nolist=rows)
    yield con
    con.close()


@pytest.fixture
def bq(google: GoogleFake, export_db: duckdb.DuckDBPyConnection) -> BigQueryFake:
    return billing_fake(google, export_db, ["standard", "detailed", "standard_nolist"])


@pytest.fixture
def export_context(gcp_context: Callable[..., GcpContext], bq: BigQueryFake) -> Callable[..., GcpContext]:
    def make(**overrides: Any) -> GcpContext:
        values: dict[str, Any] = {"standard_export_table": TABLE_IDS["standard"], **overrides}
        return gcp_context(**values)

    return make


@pytest.fixture
def export(export_context: Callable[..., GcpContext]) -> BillingExport:
    return BillingExport(export_context())
