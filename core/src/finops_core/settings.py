"""Settings: one object built in ``main()`` from a TOML file and ``FINOPS_*`` environment variables, then
passed down. Nothing reads the environment at import.

Precedence: environment variable > TOML file > default. ``FINOPS_<FIELD>`` sets a top-level field
(``FINOPS_REMEDIATION_ENABLED=true``); ``FINOPS_<SECTION>__<FIELD>`` a field of a section.
The TOML file is ``$FINOPS_CONFIG``, else ``finops.toml`` in the home folder.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, cast
from urllib.parse import urlsplit

import platformdirs
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from finops_core.clouds import CLOUDS, Cloud
from finops_core.currency import CurrencySettings
from finops_core.errors import ConfigError

ENV_PREFIX = "FINOPS_"
Scope = Literal["read", "plan", "execute"]
"""What a bearer token may do: read (costs, inventory, ingest, reports), plan (dry-run plans), execute (changes)."""
SCOPES: tuple[Scope, ...] = ("read", "plan", "execute")


TOKEN_MIN_LENGTH = 16


def _words(value: object) -> object:
    # From the environment a list arrives as text: FINOPS_HTTP__TOKENS__CI__SCOPES="read plan".
    return value.replace(",", " ").split() if isinstance(value, str) else value


WORDS = BeforeValidator(_words)
"""A list field's values given as one text, separated by commas or spaces (an environment variable)."""


def long_token(value: SecretStr) -> SecretStr:
    """``value``, unless it is short enough to guess."""
    if len(value.get_secret_value()) < TOKEN_MIN_LENGTH:
        raise ValueError(
            f"a bearer token needs at least {TOKEN_MIN_LENGTH} characters; make one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
        )
    return value


class StaticTokenSettings(BaseModel):
    """One named bearer token: ``[http.tokens.<name>]`` with ``token`` and ``scopes``."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    token: SecretStr = Field(description="The bearer token clients send (16+ characters).")
    scopes: Annotated[list[Scope], WORDS] = Field(
        default_factory=lambda: list[Scope](["read"]), description="What it may do: read, plan, execute."
    )

    @field_validator("token")
    @classmethod
    def _long(cls, value: SecretStr) -> SecretStr:
        return long_token(value)


class JwtSettings(BaseModel):
    """Tokens from an identity provider: JWTs checked against its published keys (``[http.jwt]``)."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    jwks_url: str = Field(description="The identity provider's JWKS URL (its signing keys).")
    issuer: str = Field(description="The exact `iss` the tokens carry.")
    audience: str | None = Field(default=None, description="The `aud` tokens must carry; default: resource_url.")
    algorithms: Annotated[list[str], WORDS] = Field(
        default_factory=lambda: ["RS256", "ES256"], min_length=1, description="Signature algorithms accepted."
    )

    @field_validator("jwks_url", "issuer")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"must be an http(s) URL, not {value!r}")
        return value


class HttpSettings(BaseModel):
    """Streamable HTTP serving: where to bind, who may call (bearer tokens with scopes), which Host/Origin
    headers are accepted (DNS-rebinding protection)."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    host: str = Field(default="127.0.0.1", description="Bind address; anything but loopback needs tokens or jwt.")
    port: int = Field(default=8765, ge=1, le=65535)
    token: SecretStr | None = Field(
        default=None, description="One bearer token with every scope (read, plan, execute)."
    )
    tokens: dict[str, StaticTokenSettings] = Field(
        default_factory=lambda: dict[str, StaticTokenSettings](),
        description="Named bearer tokens, each with its own scopes.",
    )
    jwt: JwtSettings | None = Field(default=None, description="Accept JWTs from an identity provider.")
    resource_url: str | None = Field(
        default=None, description="This server's public /mcp URL, published as protected-resource metadata."
    )
    allowed_hosts: Annotated[list[str], WORDS] = Field(
        default_factory=lambda: list[str](),
        description="Host headers accepted (host:port, or host:* for any port); default from host and resource_url.",
    )
    allowed_origins: Annotated[list[str], WORDS] = Field(
        default_factory=lambda: list[str](),
        description="Origin headers accepted from browsers; default from host and resource_url.",
    )
    session_idle_minutes: float = Field(
        default=30,
        gt=0,
        le=24 * 60,
        description="A session with no request for this long is closed (its client must initialize again).",
    )
    max_sessions: int = Field(
        default=1000,
        ge=1,
        le=100_000,
        description="Sessions open at once; past it a new client is answered 503 until sessions end or expire.",
    )

    @field_validator("token")
    @classmethod
    def _long(cls, value: SecretStr | None) -> SecretStr | None:
        return None if value is None else long_token(value)

    @field_validator("resource_url")
    @classmethod
    def _resource(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError(f"must be the server's http(s) URL ending in /mcp, not {value!r}")
        return value

    @property
    def authenticates(self) -> bool:
        """Whether any bearer credential is configured (``token``, ``tokens`` or ``jwt``)."""
        return self.token is not None or bool(self.tokens) or self.jwt is not None


ProviderMode = Literal["in-process", "sandbox", "stdio", "http"]


class ProviderSettings(BaseModel):
    """How the orchestrator reaches one cloud: ``[providers.aws]`` in finops.toml.

    ``in-process`` imports the cloud's package (``finops-mcp-aws``...) and uses its SDK adapter here;
    ``sandbox`` serves the demo company; ``stdio`` starts a per-cloud server as a command (its credentials
    stay in that process); ``http`` reaches one at a streamable-HTTP URL with a bearer token.
    """

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    mode: ProviderMode = "in-process"
    command: list[str] | None = Field(default=None, description="stdio: the server's command and arguments.")
    env: dict[str, SecretStr] = Field(
        default_factory=lambda: dict[str, SecretStr](),
        description="stdio: extra environment for the command (kept secret).",
    )
    url: str | None = Field(default=None, description="http: the server's /mcp URL.")
    token: SecretStr | None = Field(default=None, description="http: the bearer token it expects.")
    timeout_seconds: float = Field(default=120.0, gt=0, description="Longest wait for one answer.")
    approval_key: SecretStr | None = Field(
        default=None,
        description="stdio/http: the approval_key that server was given, to sign each approved change it applies.",
    )

    @model_validator(mode="after")
    def _check(self) -> ProviderSettings:
        if self.mode == "stdio" and not self.command:
            raise ValueError('mode "stdio" needs command = ["finops-aws", ...]')
        if self.mode == "http" and not self.url:
            raise ValueError('mode "http" needs url = "https://host:port/mcp"')
        if self.mode == "http" and self.url and not self.url.startswith(("http://", "https://")):
            raise ValueError(f"url must start with http:// or https://, not {self.url!r}")
        return self


class SyncSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    history_months: int = Field(default=13, ge=1, le=60, description="How far back a first sync reaches.")
    restate_months: int = Field(
        default=1, ge=0, le=12, description="Closed months fetched again on every sync (clouds restate them)."
    )
    refresh_minutes: int | None = Field(
        default=None, ge=5, description="finops serve syncs this often in the background; off when unset."
    )


class IngestSettings(BaseModel):
    """What ``finops_ingest`` may read when a client asks over MCP: ``[ingest]`` in finops.toml.

    ``roots``: the folders it reads under (their files, sub-folders and globs; a symlink counts only if its target
    is inside a root too); default ``<home>/imports``; relative roots are under the home folder; an empty list
    switches ingest over MCP off. ``finops ingest`` on the command line reads any path: a person runs it as
    themselves. ``blob_endpoints``: Azure Blob endpoints to read from (and send Azure credentials to) beyond
    Azure's documented storage hosts, e.g. a sovereign cloud's or an emulator's
    (``http://127.0.0.1:10000/devstoreaccount1``); for the command line as well.
    """

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    roots: list[Path] | None = Field(
        default=None, description="Folders finops_ingest may read over MCP; default <home>/imports."
    )
    blob_endpoints: Annotated[list[str], WORDS] = Field(
        default_factory=lambda: list[str](),
        description="Azure Blob endpoints beyond *.blob.core.windows.net and the other documented Azure clouds.",
    )

    @field_validator("roots", mode="before")
    @classmethod
    def _split_roots(cls, value: object) -> object:
        # From the environment: FINOPS_INGEST__ROOTS="/srv/billing:/data/exports", separated like PATH.
        return [part for part in value.split(os.pathsep) if part] if isinstance(value, str) else value

    @field_validator("blob_endpoints")
    @classmethod
    def _endpoints(cls, value: list[str]) -> list[str]:
        for endpoint in value:
            parsed = urlsplit(endpoint)
            if parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.username is not None:
                raise ValueError(
                    f"a blob endpoint is an http(s) URL such as https://ACCOUNT.blob.example, not {endpoint!r}"
                )
            if parsed.query or parsed.fragment:
                raise ValueError(f"a blob endpoint has no query or fragment (no SAS token here): {endpoint!r}")
        return value


LakeEngine = Literal["duckdb", "spark", "athena", "bigquery", "trino", "snowflake"]


class DuckDBLakeSettings(BaseModel):
    """``[lake.duckdb]``: the embedded engine over Parquet files (local, ``s3://``, ``gs://``, ``az://``)."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    memory_limit: str = Field(default="2GB", description="DuckDB's memory_limit for lake queries.")
    threads: int | None = Field(default=None, ge=1, le=256, description="Threads per query; default all cores.")
    s3_endpoint_url: str | None = Field(
        default=None, description="An S3-compatible endpoint for s3:// paths (MinIO, a local emulator)."
    )
    s3_region: str | None = Field(default=None, description="The bucket's region; default the AWS chain's.")
    azure_account_name: str | None = Field(default=None, description="The storage account of az:// paths.")
    azure_blob_endpoint: str | None = Field(
        default=None,
        description="The account's blob endpoint outside Azure's public cloud: https://ACCOUNT.blob.core.chinacloudapi"
        ".cn (a sovereign cloud), http://127.0.0.1:10000/ACCOUNT (Azurite).",
    )
    azure_connection_string: SecretStr | None = Field(
        default=None,
        description="az:// paths: an Azure Storage connection string (account, key or SAS, endpoint), kept secret; "
        "without it, DefaultAzureCredential.",
    )
    gcs_endpoint_url: str | None = Field(default=None, description="A GCS endpoint (an emulator).")


class SparkLakeSettings(BaseModel):
    """``[lake.spark]``: local Spark, a cluster by master URL, or Spark Connect."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    master: str = Field(default="local[*]", description="spark.master: local[N], spark://host:7077, yarn, ...")
    remote: str | None = Field(default=None, description="A Spark Connect URL (sc://host:15002); overrides master.")
    conf: dict[str, str] = Field(
        default_factory=lambda: dict[str, str](), description="Extra Spark settings, e.g. spark.executor.memory."
    )


class AthenaLakeSettings(BaseModel):
    """``[lake.athena]``: a Glue table queried through Athena (the AWS credential chain)."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    workgroup: str = Field(default="primary", description="The Athena workgroup.")
    output_location: str | None = Field(default=None, description="s3:// folder for results (else the workgroup's).")
    region: str | None = Field(default=None, description="The AWS region; default the credential chain's.")
    endpoint_url: str | None = Field(default=None, description="An Athena endpoint (a local emulator).")
    timeout_seconds: float = Field(default=120.0, gt=0, le=3600, description="Longest wait for one query.")


class BigQueryLakeSettings(BaseModel):
    """``[lake.bigquery]``: a FOCUS table in BigQuery (application default credentials)."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    project: str | None = Field(default=None, description="The project queries run (and are billed) in.")
    location: str | None = Field(default=None, description="The dataset's location, e.g. US or EU.")
    maximum_bytes_billed: int | None = Field(default=None, ge=1, description="Refuse queries that would scan more.")


class SqlLakeSettings(BaseModel):
    """``[lake.trino]`` / ``[lake.snowflake]``: a connection through the engine's DB-API client."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    host: str | None = Field(default=None, description="Trino: the coordinator's host.")
    port: int = Field(default=443, ge=1, le=65535)
    http_scheme: Literal["https", "http"] = "https"
    account: str | None = Field(default=None, description="Snowflake: the account identifier.")
    user: str | None = None
    password: SecretStr | None = Field(default=None, description="Kept secret; prefer the engine's own auth.")
    catalog: str | None = Field(default=None, description="Trino catalog.")
    schema_name: str | None = Field(default=None, alias="schema", description="Trino schema / Snowflake schema.")
    warehouse: str | None = Field(default=None, description="Snowflake warehouse.")
    database: str | None = Field(default=None, description="Snowflake database.")
    role: str | None = Field(default=None, description="Snowflake role.")


class LakeSettings(BaseModel):
    """``[lake]``: where the company's FOCUS data already lives, and the engine that queries it there.

    ``path`` is FOCUS Parquet (a folder, a glob, or a bucket URL; partitioned by billing period or not) for DuckDB
    and Spark; ``table`` a catalog table for Spark, Athena, BigQuery, Trino and Snowflake. With ``answer_from =
    "rollups"`` the cross-cloud tools answer from daily rollups that ``finops lake sync`` keeps in the local store
    (fast, offline, and as old as the last sync); with ``"lake"`` (the default) they query the lake each time.
    """

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    engine: LakeEngine
    path: str | None = Field(default=None, description="FOCUS Parquet: folder, glob, s3://, gs:// or az:// URL.")
    table: str | None = Field(default=None, description="A catalog table: db.focus, project.dataset.focus, ...")
    tags: Literal["json", "map"] = Field(
        default="json", description="How the Tags column is stored: JSON text (FOCUS) or a string map."
    )
    answer_from: Literal["lake", "rollups"] = Field(
        default="lake", description="rollups: answer from the daily rollups `finops lake sync` keeps locally."
    )
    sync_months: int = Field(default=13, ge=1, le=60, description="How far back `finops lake sync` reaches.")
    query_timeout_seconds: float = Field(
        default=60.0, gt=0, le=3600, description="DuckDB: a lake query running longer is stopped, and says so."
    )
    duckdb: DuckDBLakeSettings = Field(default_factory=DuckDBLakeSettings)
    spark: SparkLakeSettings = Field(default_factory=SparkLakeSettings)
    athena: AthenaLakeSettings = Field(default_factory=AthenaLakeSettings)
    bigquery: BigQueryLakeSettings = Field(default_factory=BigQueryLakeSettings)
    trino: SqlLakeSettings = Field(default_factory=SqlLakeSettings)
    snowflake: SqlLakeSettings = Field(default_factory=SqlLakeSettings)

    @model_validator(mode="after")
    def _check(self) -> LakeSettings:
        if self.engine == "duckdb" and not self.path:
            raise ValueError('engine "duckdb" reads Parquet files: set path = "/data/focus/" (or s3://, gs://, az://)')
        if self.engine == "spark" and not (self.path or self.table):
            raise ValueError('engine "spark" needs path = "/data/focus/" (Parquet) or table = "billing.focus"')
        if self.engine not in ("duckdb", "spark") and not self.table:
            raise ValueError(f'engine "{self.engine}" queries a table: set table = "database.focus"')
        if self.path and self.table:
            raise ValueError("give path (Parquet files) or table (a catalog table), not both")
        return self

    @property
    def location(self) -> str:
        """The path or table, for messages and answers' ``source``."""
        return self.path or self.table or ""


class Settings(BaseModel):
    """Everything configurable, in one place."""

    # Every settings model hides what was typed in its validation errors: ConfigError keeps one as its cause, and
    # a traceback of it would print a token or a connection string in clear.
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    home: Path = Field(description="Folder for the store and config (FINOPS_HOME).")
    store_path: Path | None = Field(default=None, description="SQLite file; default <home>/finops.sqlite.")
    store_busy_seconds: float = Field(
        default=5.0,
        gt=0,
        le=600,
        description="How long a write waits for the store while another writer (an ingest, a sync) holds it, "
        "before answering 'store busy' with what runs.",
    )
    policy_path: Path | None = Field(
        default=None, description="Remediation guardrails and tag policies (TOML); default <home>/policy.toml."
    )
    remediation_enabled: bool = Field(default=False, description="Register tools that change resources.")
    approval_key: SecretStr | None = Field(
        default=None,
        description="A per-cloud server's key shared with the orchestrator: with it, the server applies changes a "
        "person approved in the orchestrator (each step carries a signed approval).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["console", "json"] = "console"
    demo_seed: int = 7
    demo_as_of: date | None = Field(default=None, description="Last day of demo data; default today (UTC).")
    http: HttpSettings = Field(default_factory=HttpSettings)
    providers: dict[Cloud, ProviderSettings] = Field(
        default_factory=lambda: dict[Cloud, ProviderSettings](),
        description="The clouds the orchestrator connects, by cloud id (aws, azure, gcp).",
    )
    sync: SyncSettings = Field(default_factory=SyncSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    currency: CurrencySettings | None = Field(
        default=None, description="Report currency and exchange rates for converted totals; none: never convert."
    )
    lake: LakeSettings | None = Field(
        default=None, description="A FOCUS lake the cross-cloud tools answer from; none: the local store."
    )
    # Each registered cloud's own section ([aws], FINOPS_AWS__*), validated by that cloud's package (core knows no
    # cloud's settings): gathered here by the validator below, read with ``section(cloud)``.
    clouds: dict[Cloud, dict[str, Any]] = Field(
        default_factory=lambda: dict[Cloud, dict[str, Any]](),
        description="Each cloud's own section, by cloud id: [aws], [azure], [gcp], ...",
    )

    @model_validator(mode="before")
    @classmethod
    def _gather_cloud_sections(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        given = cast("dict[str, Any]", data)
        sections = {key: given[key] for key in CLOUDS if key in given}
        if not sections:
            return given
        rest = {key: value for key, value in given.items() if key not in sections}
        return {**rest, "clouds": {**rest.get("clouds", {}), **sections}}

    def section(self, cloud: Cloud) -> dict[str, Any]:
        """The ``[<cloud>]`` section as written (its cloud's package validates it); empty when absent."""
        return self.clouds.get(cloud, {})

    @property
    def store_file(self) -> Path:
        return self.store_path or self.home / "finops.sqlite"

    @property
    def policy_file(self) -> Path:
        return self.policy_path or self.home / "policy.toml"

    @property
    def ingest_roots(self) -> list[Path]:
        """The folders ``finops_ingest`` reads under over MCP (``[ingest] roots``; default ``<home>/imports``)."""
        roots = [Path("imports")] if self.ingest.roots is None else self.ingest.roots
        return [self.home / root.expanduser() for root in roots]  # an absolute root stays as it is

    @classmethod
    def load(cls, environ: Mapping[str, str], *, overrides: Mapping[str, Any] | None = None) -> Settings:
        """Build settings from ``environ`` (pass ``os.environ`` from ``main()``) and the TOML file."""
        home = Path(environ.get("FINOPS_HOME") or platformdirs.user_data_dir("finops-mcp", appauthor=False))
        config_file = Path(environ["FINOPS_CONFIG"]) if environ.get("FINOPS_CONFIG") else home / "finops.toml"
        data: dict[str, Any] = {}
        if config_file.is_file():
            try:
                # Floats as Decimal: a rate written `EUR = 1.08` stays exactly what was typed.
                data = tomllib.loads(config_file.read_text(encoding="utf-8"), parse_float=Decimal)
            except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
                raise ConfigError(
                    f"Cannot read {config_file}: {exc}. Fix the file or point FINOPS_CONFIG elsewhere."
                ) from exc
        elif environ.get("FINOPS_CONFIG"):
            raise ConfigError(f"FINOPS_CONFIG names {config_file}, which does not exist.")
        for name, value in environ.items():
            if not name.startswith(ENV_PREFIX) or name in ("FINOPS_HOME", "FINOPS_CONFIG"):
                continue
            path = name[len(ENV_PREFIX) :].lower().split("__")
            target = data
            for part in path[:-1]:
                target = target.setdefault(part, {})
            target[path[-1]] = value
        data["home"] = home
        data.update(overrides or {})
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_input=False)
            )
            raise ConfigError(f"Invalid settings ({problems}). Check {config_file} and FINOPS_* variables.") from exc
