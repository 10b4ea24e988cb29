"""The Google emulator (``GoogleFake``) and ``gcp_context(...)``: the adapter's context with real Google clients
(REST transport, anonymous credentials) pointed at it, and waits recorded instead of slept."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from finops_gcp.clients import GcpClients
from finops_gcp.context import GcpContext
from finops_gcp.settings import GcpSettings
from google.auth.credentials import AnonymousCredentials

from tests.fakes.gcp.google_api import GoogleFake
from tests.servers.conftest import Waits
from tests.servers.contexts import contexts

PROJECTS = ("finops-demo-web", "finops-demo-data")
APIS = ("bigquery", "recommender", "compute", "billing", "budgets", "monitoring", "sqladmin", "catalog")


@pytest.fixture
def google() -> Iterator[GoogleFake]:
    """The fake; the test fails if a request to it or an answer from it does not fit Google's discovery documents."""
    with GoogleFake() as fake:
        yield fake
    assert fake.violations == [], "exchanges that Google's discovery documents do not allow:\n" + "\n".join(
        sorted(set(fake.violations))
    )


@pytest.fixture
def gcp_settings(google: GoogleFake) -> Callable[..., GcpSettings]:
    """``gcp_settings(**overrides)``: two projects, every API on the fake."""

    def make(**overrides: Any) -> GcpSettings:
        values: dict[str, Any] = {
            "projects": list(PROJECTS),
            "endpoints": dict.fromkeys(APIS, google.url),
            **overrides,
        }
        return GcpSettings.model_validate(values)

    return make


@pytest.fixture
def gcp_context(gcp_settings: Callable[..., GcpSettings], tmp_path: Path, waits: Waits) -> Callable[..., GcpContext]:
    """``gcp_context(**setting_overrides)``: a ``GcpContext`` over the fake with a store in ``tmp_path``."""
    return contexts(GcpContext, gcp_settings, lambda s: GcpClients(s, AnonymousCredentials), tmp_path, sleep=waits)
