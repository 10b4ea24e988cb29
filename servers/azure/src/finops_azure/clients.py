"""The credential and Azure SDK clients, made on first use and reused.

Nothing here runs at import or at server start, so the server starts and lists its tools without credentials;
the first call that needs Azure finds them (``DefaultAzureCredential``, in the configured cloud's authority).
Every management client talks to ``settings.arm_url`` with tokens for the cloud's Resource Manager scope, which is
how sovereign clouds (and the tests' local fake) are reached. The SDKs are imported on first use.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from finops_core.lazy import Lazy
from finops_core.paid import Caller, unnamed_principal
from finops_core.waiting import SLEEP

from finops_azure.errors import azure_errors
from finops_azure.retries import AttemptsPolicy
from finops_azure.settings import AzureSettings

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

C = TypeVar("C")


def _allow_http_policy() -> Any:
    """A pipeline policy letting bearer tokens go to an ``http://`` endpoint: only for a local emulator, which
    ``resource_manager_url`` must name explicitly (azure-core refuses plain HTTP otherwise)."""
    from azure.core.pipeline.policies import SansIOHTTPPolicy

    class AllowHttp(SansIOHTTPPolicy):  # type: ignore[type-arg]
        def on_request(self, request: Any) -> None:
            request.context.options["enforce_https"] = False

    return AllowHttp()


class AzureClients:
    """The credential and cached clients. ``credential_factory`` replaces ``DefaultAzureCredential`` (tests)."""

    def __init__(
        self, settings: AzureSettings, credential_factory: Callable[[], TokenCredential] | None = None
    ) -> None:
        self.settings = settings
        self.credential = Lazy(
            credential_factory or self._default_credential, "loading Azure credentials", azure_errors
        )
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._lock = threading.RLock()
        # How a retry waits (blocking, in the SDK's worker thread); the context routes it through its ``sleep``.
        self.sleep: Callable[[float], None] = SLEEP.blocking

    def _default_credential(self) -> TokenCredential:
        from azure.identity import DefaultAzureCredential

        return DefaultAzureCredential(authority=self.settings.authority, exclude_interactive_browser_credential=True)

    def caller(self) -> Caller:
        """Who asks Cost Management: the tenant and object id that the Resource Manager token names (its claims,
        read locally; the token itself goes nowhere), the Resource Manager endpoint and the cloud."""
        credential = self.credential()
        with azure_errors("getting a Resource Manager token to identify the caller"):
            token = credential.get_token(self.settings.scope).token
        claims = token_claims(token)
        tenant = str(claims.get("tid") or "")
        principal = str(claims.get("oid") or claims.get("appid") or claims.get("azp") or "")
        return Caller(
            account=tenant or "unknown tenant",
            principal=principal if tenant and principal else unnamed_principal(),
            endpoint=self.settings.arm_url,
            partition=self.settings.cloud,
        )

    def options(self) -> dict[str, Any]:
        """Keyword arguments every management client takes: endpoint, token scope, timeouts, retries (counted as
        attempts, waits bounded: ``retries.AttemptsPolicy``), plain-HTTP policy."""
        options: dict[str, Any] = {
            "base_url": self.settings.arm_url,
            "credential_scopes": [self.settings.scope],
            "read_timeout": self.settings.timeout_seconds,
            "connection_timeout": 10,
            "retry_policy": AttemptsPolicy(self.settings.retry_rule, lambda seconds: self.sleep(seconds)).build(),
        }
        if self.settings.arm_url.startswith("http://"):
            options["per_call_policies"] = [_allow_http_policy()]
        return options

    def client(self, factory: Callable[..., C], subscription_id: str | None = None) -> C:
        """A ``factory`` client (``CostManagementClient``, ``ComputeManagementClient``, ...), one per subscription
        for the clients that take one."""
        key = (getattr(factory, "__name__", str(factory)), subscription_id)
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                credential = self.credential()
                with azure_errors(f"creating the {key[0]}"):
                    if subscription_id is None:
                        found = factory(credential, **self.options())
                    else:
                        found = factory(credential, subscription_id, **self.options())
                self._clients[key] = found
            return found


def token_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT access token, unverified (we only read who our own credential is); {} if it is not a
    JWT."""
    parts = token.split(".")
    if len(parts) != 3 or len(parts[1]) > 16_384:
        return {}
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}  # pyright: ignore[reportUnknownVariableType]
