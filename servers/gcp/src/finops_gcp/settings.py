"""``[gcp]`` in finops.toml (or ``FINOPS_GCP__*`` variables): which projects, billing export and endpoints the
Google Cloud server uses.

Credentials are never here: Application Default Credentials find them (``gcloud auth application-default
login``, ``GOOGLE_APPLICATION_CREDENTIALS``, a workload's service account); ``impersonate_service_account`` acts
as another service account through them. Lists may be TOML arrays or, in environment variables, comma-separated.
"""

from __future__ import annotations

from finops_core.cloud_section import CloudSection, CommaList
from pydantic import Field

TABLE_ID = r"^[A-Za-z0-9_.:-]+\.[A-Za-z0-9_]+\.[A-Za-z0-9_$]+$"


class GcpSettings(CloudSection):
    """The Google Cloud server's settings."""

    cloud_id = "gcp"

    projects: CommaList = Field(
        default_factory=list, description="Project ids to cover; empty: the projects linked to billing_account."
    )
    billing_account: str | None = Field(
        default=None, description="Billing account id (XXXXXX-XXXXXX-XXXXXX): its budgets and linked projects."
    )
    standard_export_table: str | None = Field(
        default=None, pattern=TABLE_ID, description="project.dataset.gcp_billing_export_v1_<ACCOUNT>"
    )
    detailed_export_table: str | None = Field(
        default=None, pattern=TABLE_ID, description="project.dataset.gcp_billing_export_resource_v1_<ACCOUNT>"
    )
    focus_export_table: str | None = Field(default=None, pattern=TABLE_ID, description="The FOCUS export table.")
    query_project: str | None = Field(
        default=None, description="Project that runs (and pays for) BigQuery jobs; default: the export's project."
    )
    bigquery_location: str | None = Field(default=None, description="The export dataset's location, e.g. US, EU.")
    maximum_bytes_billed: int = Field(
        default=5 * 1024**3, gt=0, description="BigQuery refuses a query that would bill more bytes than this."
    )
    impersonate_service_account: str | None = Field(
        default=None, description="Act as this service account (its email) through the ADC credentials."
    )
    endpoints: dict[str, str] = Field(
        default_factory=dict,
        description="API name -> endpoint (bigquery, recommender, compute, billing, catalog, budgets, monitoring, "
        "sqladmin), for private service connect or emulators.",
    )
    zones: CommaList = Field(
        default_factory=list, description="Zones for per-zone recommenders; empty: the zones inventory finds."
    )
    max_concurrency: int = Field(default=8, ge=1, le=64, description="Projects and zones asked at once.")
    cache_hours: float = Field(default=6.0, ge=0, description="How long a BigQuery cost answer is reused.")
    timeout_seconds: float = Field(default=60.0, gt=0, le=3600, description="Seconds one attempt of a call may take.")
    max_attempts: int = Field(
        default=4,
        ge=1,
        le=10,
        description="Attempts per Google call, the first included, while it is rate-limited or unavailable.",
    )
    retry_budget_seconds: float = Field(
        default=120.0,
        gt=0,
        le=3600,
        description="Seconds one Google call may take, its attempts and the waits between them together.",
    )
    idle_days: int = Field(default=14, ge=1, le=42, description="Days of Cloud Monitoring CPU behind 'idle'.")
    idle_cpu_percent: float = Field(default=3.0, ge=0, le=100)
    old_snapshot_days: int = Field(default=90, ge=1)

    def endpoint(self, api: str) -> str | None:
        return self.endpoints.get(api)
