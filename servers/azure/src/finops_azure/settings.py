"""``[azure]`` in finops.toml (or ``FINOPS_AZURE__*`` variables): which scopes, cloud and data the Azure server uses.

Credentials are never here: ``DefaultAzureCredential`` finds them (environment, workload or managed identity,
Azure CLI ``az login``; ``AZURE_TENANT_ID`` picks the tenant). Lists may be written as TOML arrays or, in
environment variables, comma-separated.
"""

from __future__ import annotations

from typing import Literal

from finops_core.cloud_section import CloudSection, CommaList
from pydantic import Field

from finops_azure.retries import RetryRule

AzureCloud = Literal["public", "china", "usgov"]
# Resource Manager and Entra ID (login) endpoints of each Azure cloud.
CLOUD_ENDPOINTS: dict[AzureCloud, tuple[str, str]] = {
    "public": ("https://management.azure.com", "login.microsoftonline.com"),
    "china": ("https://management.chinacloudapi.cn", "login.chinacloudapi.cn"),
    "usgov": ("https://management.usgovcloudapi.net", "login.microsoftonline.us"),
}


class AzureSettings(CloudSection):
    """The Azure server's settings."""

    cloud_id = "azure"

    subscriptions: CommaList = Field(default_factory=list, description="Subscription ids to cover.")
    management_group: str | None = Field(
        default=None, description="A management group: costs at its scope, inventory across its subscriptions."
    )
    billing_scope: str | None = Field(
        default=None,
        description="providers/Microsoft.Billing/billingAccounts/<id>[/billingProfiles/<id>] for costs across "
        "the billing account (EA, MCA).",
    )
    cloud: AzureCloud = Field(default="public", description="public, china or usgov (sovereign clouds).")
    resource_manager_url: str | None = Field(
        default=None, description="Resource Manager endpoint, if not the cloud's default (private link, emulators)."
    )
    authority_host: str | None = Field(default=None, description="Entra ID host, if not the cloud's default.")
    retail_prices_url: str = Field(
        default="https://prices.azure.com/api/retail/prices", description="The Retail Prices API (no credentials)."
    )
    max_concurrency: int = Field(default=8, ge=1, le=64, description="Subscriptions asked at once.")
    cache_hours: float = Field(default=6.0, ge=0, description="How long a Cost Management answer is reused.")
    max_attempts: int = Field(
        default=4,
        ge=1,
        le=10,
        description="Tries of one Azure request, the first included, when Azure throttles it (429) or fails (408, "
        "5xx, timeouts); 1 never tries again.",
    )
    throttle_max_wait_seconds: float = Field(
        default=90.0,
        ge=0,
        description="Longest total wait between the attempts of one request (of one Cost Management question, all "
        "its pages) before giving up; a wait Azure asks for that would pass it is not waited.",
    )
    timeout_seconds: float = Field(default=60.0, gt=0, description="Read timeout of one request.")
    idle_days: int = Field(default=14, ge=1, le=93, description="Days of Azure Monitor metrics behind 'idle'.")
    idle_cpu_percent: float = Field(default=3.0, ge=0, le=100)
    old_snapshot_days: int = Field(default=90, ge=1)
    lro_poll_seconds: float | None = Field(
        default=None,
        ge=0,
        description="Seconds between polls of a long-running change (deallocate, delete, ...); unset: the wait "
        "Azure asks for (Retry-After), else the SDK's 30 s.",
    )

    @property
    def retry_rule(self) -> RetryRule:
        return RetryRule(self.max_attempts, self.throttle_max_wait_seconds)

    @property
    def arm_url(self) -> str:
        return (self.resource_manager_url or CLOUD_ENDPOINTS[self.cloud][0]).rstrip("/")

    @property
    def authority(self) -> str:
        return self.authority_host or CLOUD_ENDPOINTS[self.cloud][1]

    @property
    def scope(self) -> str:
        """The OAuth scope of Resource Manager tokens."""
        return f"{CLOUD_ENDPOINTS[self.cloud][0]}/.default"
