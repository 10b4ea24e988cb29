"""Google credentials and clients, made on first use and reused.

Nothing here runs at import or at server start, so the server starts and lists its tools without credentials;
the first call that needs Google finds them (Application Default Credentials, optionally impersonating a
service account). Every client uses the REST transport, so ``endpoints`` in ``[gcp]`` can point it anywhere (a
private endpoint, or the tests' local fakes). The client libraries are imported on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from finops_core.lazy import Lazy
from finops_core.paid import Caller, unnamed_principal

from finops_gcp.errors import gcp_errors
from finops_gcp.settings import GcpSettings

if TYPE_CHECKING:
    from google.auth.credentials import Credentials
    from google.cloud import bigquery

C = TypeVar("C")
SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]


class GcpClients:
    """Credentials and cached clients. ``credentials_factory`` replaces Application Default Credentials (tests)."""

    def __init__(self, settings: GcpSettings, credentials_factory: Callable[[], Credentials] | None = None) -> None:
        self.settings = settings
        self.credentials = Lazy(
            credentials_factory or self._default_credentials, "loading Google credentials", gcp_errors
        )
        self._default_project: str | None = None
        self._clients: dict[str, Any] = {}
        self._lock = threading.RLock()

    def _default_credentials(self) -> Credentials:
        import google.auth
        from google.auth import impersonated_credentials

        credentials, project = google.auth.default(scopes=SCOPES)
        self._default_project = project
        target = self.settings.impersonate_service_account
        if target:
            return impersonated_credentials.Credentials(
                source_credentials=credentials, target_principal=target, target_scopes=SCOPES, lifetime=3600
            )
        return credentials

    def caller(self) -> Caller:
        """Who asks BigQuery: the billing account, the service account (impersonated or the credentials' own) or
        user the credentials name, the BigQuery endpoint and the universe. Credentials that name nobody (a
        user's without an account, a VM's ``default`` before its first token) count as unnamed."""
        from google.auth.credentials import AnonymousCredentials

        credentials = self.credentials()
        if isinstance(credentials, AnonymousCredentials):
            principal = "anonymous"
        else:
            named = self.settings.impersonate_service_account or next(
                (
                    str(v)
                    for v in (getattr(credentials, a, None) for a in ("service_account_email", "account"))
                    if v and v != "default"
                ),
                "",
            )
            principal = named or unnamed_principal()
        return Caller(
            account=self.settings.billing_account or "",
            principal=principal,
            endpoint=(self.settings.endpoint("bigquery") or "").rstrip("/"),
            partition=str(getattr(credentials, "universe_domain", "") or "googleapis.com"),
        )

    def default_project(self) -> str | None:
        """The project ADC names (or the first configured one)."""
        self.credentials()
        return self.settings.projects[0] if self.settings.projects else self._default_project

    def _options(self, api: str) -> Any:
        from google.api_core.client_options import ClientOptions

        endpoint = self.settings.endpoint(api)
        return ClientOptions(api_endpoint=endpoint) if endpoint else None

    def gapic(self, factory: Callable[..., C], api: str) -> C:
        """A generated client (``RecommenderClient``, ``InstancesClient``, ``BudgetServiceClient``, ...) over REST."""
        key = f"{api}:{getattr(factory, '__name__', factory)}"
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                credentials = self.credentials()
                with gcp_errors(f"creating the {key} client"):
                    found = factory(credentials=credentials, transport="rest", client_options=self._options(api))
                self._clients[key] = found
            return found

    def bigquery(self, project: str) -> bigquery.Client:
        """A BigQuery client running jobs in ``project`` (who pays for the bytes scanned)."""
        key = f"bigquery:{project}"
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                from google.cloud import bigquery

                credentials = self.credentials()
                with gcp_errors("creating the BigQuery client"):
                    found = bigquery.Client(
                        project=project,
                        credentials=credentials,
                        location=self.settings.bigquery_location,
                        client_options=self._options("bigquery"),
                    )
                self._clients[key] = found
            return found

    def session(self) -> Any:
        """An authorized HTTP session (``google.auth``'s own) for REST APIs without a generated client (Cloud SQL
        Admin)."""
        with self._lock:
            found = self._clients.get("session")
            if found is None:
                from google.auth.transport.requests import AuthorizedSession

                found = AuthorizedSession(self.credentials())
                self._clients["session"] = found
            return found
