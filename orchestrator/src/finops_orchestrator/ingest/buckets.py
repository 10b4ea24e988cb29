"""Exports in buckets: ``s3://bucket/prefix/``, ``gs://bucket/prefix/`` and Azure Blob container URLs
(``https://ACCOUNT.blob.core.windows.net/CONTAINER/prefix/``).

Objects are streamed to a temporary folder (memory stays bounded) and ingested from there. Where the
provider writes a manifest, it decides which objects make up the export, so stale files beside it are
ignored: an AWS CUR ``*-Manifest.json`` (``reportKeys``), an Azure Cost Management export
``manifest.json`` (``blobs[].blobName``). Each SDK is optional and imported only when needed.

A manifest also declares its files a complete *delivery*: a CUR assembly (``assemblyId``) is the whole of its
report's billing period, an Azure export run (``runInfo.runId``) the whole of its export's month. The files
are ingested as that delivery, so they replace an earlier delivery of the same report period or export month
(AWS and Azure restate whole periods this way). Under one prefix only the current delivery of each is read:
the one the CUR's period-level manifest names, the latest Azure run.

Endpoints and credentials follow each SDK's own conventions, so emulators work unchanged: ``AWS_ENDPOINT_URL``
and the AWS credential chain; ``AZURE_STORAGE_CONNECTION_STRING`` or ``DefaultAzureCredential``;
``STORAGE_EMULATOR_HOST`` (anonymous) or Google application default credentials.

Credentials go only where the operator pointed them, never to a host a URL names: an ``s3://`` or ``gs://`` URL
names only a bucket (checked to be a bucket name), its endpoint comes from the server's environment. An
``https://`` URL is read only from a storage account's blob endpoint in one of Azure's documented clouds, an
endpoint in ``[ingest] blob_endpoints`` (a sovereign cloud, an emulator), or the endpoint of
``AZURE_STORAGE_CONNECTION_STRING`` (and then only that one). Anything else is refused before any client exists.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from tempfile import TemporaryDirectory
from typing import Any, Protocol
from urllib.parse import SplitResult, urlparse, urlsplit

from finops_core.errors import ConfigError, InvalidInput, ProviderError
from finops_core.redact import redact_text

from finops_orchestrator.ingest.reading import SUFFIXES

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_S3_BUCKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$")  # botocore's own check (legacy names included)
_GCS_BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")
# A storage account's blob endpoint in Azure's documented clouds: global, US Government, China (21Vianet), its
# read-access secondary, and Azure DNS zone endpoints. (Azure Germany, core.cloudapi.de, closed in 2021.)
_AZURE_BLOB_HOST = re.compile(
    r"^[a-z0-9]{3,24}(?:-secondary)?\.blob\.core\.(?:windows\.net|usgovcloudapi\.net|chinacloudapi\.cn)$"
    r"|^[a-z0-9]{3,24}\.z[0-9]{2}\.blob\.storage\.azure\.net$"
)
_AZURE_HOSTS = (
    "https://ACCOUNT.blob.core.windows.net (or .blob.core.usgovcloudapi.net, .blob.core.chinacloudapi.cn, "
    ".zNN.blob.storage.azure.net)"
)


def is_bucket(path: str) -> bool:
    """Whether ``path`` is a URL (read from a bucket, or refused) rather than a local path."""
    return bool(_URL.match(path))


class Bucket(Protocol):
    """What ingest needs of an object store: list keys under a prefix, read one, download one."""

    def keys(self, prefix: str) -> list[str]: ...

    def read(self, key: str) -> bytes: ...

    def download(self, key: str, target: Path) -> None: ...


def _hint(extra: str, exc: ImportError) -> ConfigError:
    return ConfigError(f"Reading this bucket needs {exc.name}: pip install 'finops-mcp[{extra}]'.")


class _S3:
    def __init__(self, bucket: str) -> None:
        try:
            import boto3
        except ImportError as exc:
            raise _hint("s3", exc) from exc
        self._client: Any = boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))
        self._bucket = bucket

    def keys(self, prefix: str) -> list[str]:
        pages = self._client.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=prefix)
        return [obj["Key"] for page in pages for obj in page.get("Contents", [])]

    def read(self, key: str) -> bytes:
        return self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read()

    def download(self, key: str, target: Path) -> None:
        self._client.download_file(self._bucket, key, str(target))


class _GCS:
    def __init__(self, bucket: str) -> None:
        try:
            from google.auth.credentials import AnonymousCredentials
            from google.cloud import storage
        except ImportError as exc:
            raise _hint("gcs", exc) from exc
        emulator = os.environ.get("STORAGE_EMULATOR_HOST")
        client = (
            storage.Client(credentials=AnonymousCredentials(), project="emulator") if emulator else storage.Client()
        )
        self._bucket: Any = client.bucket(bucket)

    def keys(self, prefix: str) -> list[str]:
        return [blob.name for blob in self._bucket.list_blobs(prefix=prefix)]

    def read(self, key: str) -> bytes:
        return self._bucket.blob(key).download_as_bytes()

    def download(self, key: str, target: Path) -> None:
        self._bucket.blob(key).download_to_filename(str(target))


class _AzureBlob:
    def __init__(self, account_url: str, container: str, conn: str | None) -> None:
        try:
            from azure.storage.blob import ContainerClient
        except ImportError as exc:
            raise _hint("azure-blob", exc) from exc
        if conn:  # open_blob_container checked that the URL names this connection string's own endpoint
            self._client: Any = ContainerClient.from_connection_string(conn, container)
        else:
            from azure.identity import DefaultAzureCredential

            self._client = ContainerClient(account_url, container, credential=DefaultAzureCredential())

    def keys(self, prefix: str) -> list[str]:
        return [b.name for b in self._client.list_blobs(name_starts_with=prefix)]

    def read(self, key: str) -> bytes:
        return self._client.download_blob(key).readall()

    def download(self, key: str, target: Path) -> None:
        with target.open("wb") as f:
            self._client.download_blob(key).readinto(f)


@dataclass(frozen=True)
class Location:
    """Where a bucket URL points, once checked: the store (``s3``, ``gs``, ``azure``), the bucket (an Azure
    container's account URL and name), and the key prefix."""

    scheme: str
    bucket: str
    prefix: str
    account_url: str = ""


def locate(url: str, *, blob_endpoints: Sequence[str] = ()) -> Location:
    """Check ``url`` and say where it points; ``InvalidInput`` for a URL that may not be read (nothing contacted).
    ``blob_endpoints``: Azure Blob endpoints allowed beyond Azure's documented hosts (``[ingest] blob_endpoints``)."""
    parsed = urlparse(url)
    prefix = parsed.path.lstrip("/")
    if parsed.scheme == "s3":
        return Location("s3", _bucket_name(url, parsed.netloc, _S3_BUCKET), prefix)
    if parsed.scheme == "gs":
        return Location("gs", _bucket_name(url, parsed.netloc, _GCS_BUCKET), prefix)
    if parsed.scheme not in ("https", "http"):
        raise InvalidInput(
            f"{_shown(url)}: only s3://BUCKET/prefix, gs://BUCKET/prefix and Azure Blob {_AZURE_HOSTS}/CONTAINER/"
            "prefix URLs are read. Nothing was contacted."
        )
    conn_endpoint = connection_endpoint(os.environ.get("AZURE_STORAGE_CONNECTION_STRING"))
    account_url, container, rest = blob_location(url, blob_endpoints, conn_endpoint)
    return Location("azure", container, rest, account_url)


def open_bucket(url: str, *, blob_endpoints: Sequence[str] = ()) -> tuple[Bucket, str]:
    """The bucket behind ``url`` and the key prefix it names. A URL for a host that may not receive credentials is
    refused (``locate``) before a client, or a credential, exists."""
    where = locate(url, blob_endpoints=blob_endpoints)
    if where.scheme == "s3":
        return _S3(where.bucket), where.prefix
    if where.scheme == "gs":
        return _GCS(where.bucket), where.prefix
    return _AzureBlob(where.account_url, where.bucket, os.environ.get("AZURE_STORAGE_CONNECTION_STRING")), where.prefix


def _bucket_name(url: str, name: str, pattern: re.Pattern[str]) -> str:
    if not pattern.match(name):  # also keeps user:password@host:port out of the SDK's hands
        raise InvalidInput(f"{_shown(url)}: {name[:100]!r} is not a bucket name. Nothing was contacted.")
    return name


def connection_endpoint(conn: str | None) -> str | None:
    """The blob endpoint of an Azure Storage connection string (where its key or SAS is sent), without any SAS."""
    if not conn:
        return None
    try:
        from azure.storage.blob import BlobServiceClient
    except ImportError as exc:
        raise _hint("azure-blob", exc) from exc
    try:
        parsed = urlsplit(BlobServiceClient.from_connection_string(conn).url)
    except ValueError as exc:  # never echo it: a connection string carries a key
        raise ConfigError(
            "AZURE_STORAGE_CONNECTION_STRING is not a valid Azure Storage connection string: fix or unset it."
        ) from exc
    return f"{parsed.scheme}://{parsed.netloc}{parsed.path}".rstrip("/")


def blob_location(url: str, endpoints: Sequence[str], conn_endpoint: str | None = None) -> tuple[str, str, str]:
    """(account URL, container, prefix) of an Azure Blob ``url``, if its host may receive Azure credentials: a
    documented Azure storage host, one of ``endpoints``, or the connection string's endpoint (which, when there is
    a connection string, is the only one: its key would go there whatever the URL said)."""
    parsed = urlsplit(url)
    allowed = [conn_endpoint] if conn_endpoint else list(endpoints)
    account_url = rest = None
    for endpoint in allowed:
        e = urlsplit(endpoint.rstrip("/"))
        if (parsed.scheme, parsed.netloc.lower()) == (e.scheme, e.netloc.lower()) and (
            parsed.path == e.path or parsed.path.startswith(e.path + "/")
        ):
            account_url, rest = endpoint.rstrip("/"), parsed.path[len(e.path) :]
            break
    if account_url is None and conn_endpoint is None and _documented_host(parsed):
        account_url, rest = f"https://{parsed.hostname}", parsed.path
    if account_url is None or rest is None:
        where = (
            "the endpoint of AZURE_STORAGE_CONNECTION_STRING"
            if conn_endpoint
            else f"a storage account's blob endpoint, {_AZURE_HOSTS}, or an endpoint in [ingest] blob_endpoints of "
            "finops.toml (a sovereign cloud or an emulator)"
        )
        raise InvalidInput(
            f"{_shown(url)}: not a blob storage URL finops reads from: the URL must name {where}. Azure "
            "credentials are sent nowhere else. Nothing was contacted."
        )
    container, _, prefix = rest.lstrip("/").partition("/")
    if not container:
        raise InvalidInput(
            f"{_shown(url)}: name a container, e.g. https://ACCOUNT.blob.core.windows.net/CONTAINER/prefix/"
        )
    return account_url, container, prefix


def _shown(url: str) -> str:
    """``url`` for a message: without a query (a SAS token), cut short."""
    return url.partition("?")[0][:200]


def _documented_host(parsed: SplitResult) -> bool:
    try:
        port = parsed.port
    except ValueError:
        return False
    return (
        parsed.scheme == "https"
        and parsed.username is None
        and port in (None, 443)
        and bool(_AZURE_BLOB_HOST.match(parsed.hostname or ""))
    )


@dataclass(frozen=True)
class Delivery:
    """What a manifest declares its files to be: the complete ``scope`` (a report's billing period, an export's
    month), as delivery ``assembly`` of it."""

    scope: str
    assembly: str


@dataclass(frozen=True)
class _Manifest:
    key: str
    files: list[str]
    delivery: Delivery | None
    rank: tuple[int, str]  # the highest rank of one scope is its current delivery


def _manifest(bucket: str, key: str, document: dict[str, Any]) -> _Manifest:
    files = document.get("reportKeys") or [b["blobName"] for b in document.get("blobs", [])]
    period, assembly = document.get("billingPeriod") or {}, document.get("assemblyId")
    if isinstance(period, dict) and period.get("start") and assembly:  # AWS CUR
        report = document.get("reportName") or document.get("reportId") or PurePosixPath(key).name
        scope = f"AWS CUR {bucket}/{report} billing period from {str(period['start'])[:8]}"
        # AWS keeps the period's manifest beside the assembly folders, naming the current assembly.
        current = 0 if str(assembly) in PurePosixPath(key).parts else 1
        return _Manifest(key, files, Delivery(scope, str(assembly)), (current, ""))
    run, config = document.get("runInfo") or {}, document.get("exportConfig") or {}
    if isinstance(run, dict) and run.get("runId") and run.get("startDate"):  # Azure Cost Management export
        export = config.get("resourceId") or config.get("exportName") or str(PurePosixPath(key).parent)
        scope = f"Azure export {bucket}/{export} month {str(run['startDate'])[:7]}"
        return _Manifest(key, files, Delivery(scope, str(run["runId"])), (1, str(run.get("submittedTime", ""))))
    return _Manifest(key, files, None, (1, ""))


def _current(manifests: list[_Manifest]) -> list[_Manifest]:
    """Per declared scope, the manifest of its current delivery; manifests that declare none, all."""
    by_scope: dict[str, list[_Manifest]] = {}
    out: list[_Manifest] = []
    for manifest in manifests:
        if manifest.delivery is None:
            out.append(manifest)
        else:
            by_scope.setdefault(manifest.delivery.scope, []).append(manifest)
    for scope, candidates in by_scope.items():
        best = max(c.rank for c in candidates)
        current = [c for c in candidates if c.rank == best]
        if len({c.delivery.assembly for c in current if c.delivery is not None}) > 1:
            raise InvalidInput(
                f"{scope}: several deliveries ({', '.join(sorted(c.key for c in current))}) and no manifest says "
                "which is current. Ingest the folder of the one you want. Nothing was written."
            )
        out.append(current[0])
    return sorted(out, key=lambda m: m.key)


def export_keys(bucket: Bucket, prefix: str, name: str = "") -> list[tuple[str, Delivery | None]]:
    """The objects under ``prefix`` that make up the export (a manifest's list where there is one), each with
    the delivery its manifest declares it part of. ``name`` names the bucket in delivery scopes."""
    keys = bucket.keys(prefix)
    manifests = [k for k in keys if k.endswith("-Manifest.json") or PurePosixPath(k).name == "manifest.json"]
    if manifests:
        listed: dict[str, Delivery | None] = {}
        for manifest in _current([_manifest(name, k, json.loads(bucket.read(k))) for k in sorted(manifests)]):
            for key in manifest.files:
                listed.setdefault(key, manifest.delivery)
        present = set(keys)
        return [(k, d) for k, d in listed.items() if k in present] or list(listed.items())
    return [(k, None) for k in sorted(k for k in keys if any(k.lower().endswith(s) for s in SUFFIXES))]


@contextmanager
def downloaded(url: str, *, blob_endpoints: Sequence[str] = ()) -> Iterator[list[tuple[Path, str, Delivery | None]]]:
    """The export at ``url`` as (local file, object URL, declared delivery) in a temporary folder, removed
    afterwards."""
    bucket, prefix = open_bucket(url, blob_endpoints=blob_endpoints)
    root = url[: len(url) - len(prefix)] if prefix else url.rstrip("/") + "/"
    try:
        keys = export_keys(bucket, prefix, root.rstrip("/"))
        if not keys:
            raise InvalidInput(f"{url}: no export files there (nor a manifest). Check the prefix. Nothing was written.")
        with TemporaryDirectory(prefix="finops-ingest-") as tmp:
            files: list[tuple[Path, str, Delivery | None]] = []
            for index, (key, delivery) in enumerate(keys):
                target = Path(tmp) / f"{index:05d}-{PurePosixPath(key).name}"
                bucket.download(key, target)
                files.append((target, root + key, delivery))
            yield files
    except (InvalidInput, ConfigError):
        raise
    except Exception as exc:  # the SDKs' own errors: say which bucket, keep secrets out
        raise ProviderError(
            f"reading {url} failed ({type(exc).__name__}: {redact_text(str(exc))[:200]}). Check the URL, the "
            "credentials and "
            "that the bucket is reachable.",
            provider=urlparse(url).scheme or "azure",
        ) from exc
