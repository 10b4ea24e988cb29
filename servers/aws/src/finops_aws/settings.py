"""``[aws]`` in finops.toml (or ``FINOPS_AWS__*`` variables): which accounts, regions and data the AWS server uses.

Credentials are never here: boto3's standard chain finds them (environment, ``AWS_PROFILE``, SSO, instance
role). Lists may be written as TOML arrays or, in environment variables, comma-separated.
"""

from __future__ import annotations

from finops_core.cloud_section import CloudSection, CommaList
from pydantic import BaseModel, ConfigDict, Field


class AthenaSettings(BaseModel):
    """Where the CUR 2.0 or FOCUS data export is queryable in Athena."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    database: str = Field(description="Glue database holding the export table.")
    table: str = Field(description="The CUR 2.0 or FOCUS export table.")
    workgroup: str = Field(default="primary", description="Athena workgroup to run queries in.")
    output_location: str | None = Field(
        default=None, description="s3://bucket/prefix/ for results, unless the workgroup sets one."
    )
    schema_kind: str = Field(default="cur2", pattern="^(cur2|focus)$", description="cur2 or focus.")
    max_bytes_scanned: int = Field(
        default=10 * 1024**3, gt=0, description="Stop a query that scans more than this (Athena bills by bytes)."
    )


class AwsSettings(CloudSection):
    """The AWS server's settings."""

    cloud_id = "aws"

    profile: str | None = Field(default=None, description="Named profile; default: AWS_PROFILE or the default.")
    regions: CommaList = Field(
        default_factory=list,
        description="Regions to inventory; empty: the profile's region (else us-east-1); ['all']: every enabled one.",
    )
    role_arns: CommaList = Field(
        default_factory=list, description="Roles to assume, one per member account of an organization."
    )
    role_session_name: str = "finops-mcp"
    external_id: str | None = Field(default=None, description="ExternalId the roles' trust policies require.")
    endpoint_urls: dict[str, str] = Field(
        default_factory=dict, description="Service name -> endpoint URL (VPC endpoints, emulators)."
    )
    # botocore's own default: 3 attempts. Throttling waits up to 1 s, then 2 s, between them; a server error
    # 50 ms, then 100 ms (jittered).
    max_attempts: int = Field(
        default=3,
        ge=1,
        le=10,
        description="Attempts per AWS call, the first one included (1: never retry); adaptive back-off between them.",
    )
    retry_seconds: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="No retry starts later than this many seconds after the call began: a call's time is capped "
        "at this, one back-off wait and one last attempt (connect_timeout + read_timeout).",
    )
    connect_timeout: float = Field(default=10.0, gt=0, le=120, description="Seconds to open a connection.")
    read_timeout: float = Field(default=60.0, gt=0, le=900, description="Seconds to wait for an answer.")
    max_concurrency: int = Field(default=8, ge=1, le=64, description="Regions and accounts queried at once.")
    cache_hours: float = Field(
        default=6.0, ge=0, description="How long a Cost Explorer answer is reused (0: always ask AWS again)."
    )
    idle_days: int = Field(default=14, ge=1, le=63, description="Days of CloudWatch metrics behind 'idle'.")
    idle_cpu_percent: float = Field(default=3.0, ge=0, le=100)
    old_snapshot_days: int = Field(default=90, ge=1)
    athena: AthenaSettings | None = None
