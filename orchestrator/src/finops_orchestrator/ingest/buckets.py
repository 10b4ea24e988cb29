"""Exports in buckets: ``s3://bucket/prefix/``, ``gs://bucket/prefix/`` and Azure Blob container URLs
(``https://ACCOUNT.blob.core.windows.net/CONTAINER/prefix/``).

Objects are streamed to a temporary folder (memory stays bounded) and ingested from there. Where the
provider writes a manifest, it decides which objects make up the export, so stale files beside it are
ignored: an AWS CUR ``*-Manifest.json`` (``reportKeys``), an Azure Cost Management export
``manifest.json`` (``blobs[].blobName``). Each SDK is optional and imported only when needed.

Endpoints and credentials follow each SDK's own conventions, so emulators work unchanged: ``AWS_ENDPOINT_URL``
and the AWS credential chain; ``AZURE_STORAGE_CONNECTION_STRING`` or ``DefaultAzureCredential``;
``STORAGE_EMULATOR_HOST`` (anonymous) or Google application default credentials.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from tempfile import TemporaryDirectory
from typing import Any, Protocol
from urllib.parse import urlparse

from finops_core.errors import ConfigError, InvalidInput, ProviderError
from finops_core.redact import redact_text

from finops_orchestrator.ingest.reading import SUFFIXES

_AZURE_URL = re.compile(r"^https?://[^/]+/")


def is_bucket(path: str) -> bool:
    return path.startswith(("s3://", "gs://")) or bool(_AZURE_URL.match(path))


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
    def __init__(self, account_url: str, container: str) -> None:
        try:
            from azure.storage.blob import ContainerClient
        except ImportError as exc:
            raise _hint("azure-blob", exc) from exc
        conn = os.environ.get("AZURE_STORAGE_CONNECTION_STRING")
        if conn:
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


def open_bucket(url: str) -> tuple[Bucket, str]:
    """The bucket behind ``url`` and the key prefix it names."""
    parsed = urlparse(url)
    prefix = parsed.path.lstrip("/")
    if parsed.scheme == "s3":
        return _S3(parsed.netloc), prefix
    if parsed.scheme == "gs":
        return _GCS(parsed.netloc), prefix
    container, _, rest = prefix.partition("/")
    if parsed.netloc.startswith(("127.0.0.1", "localhost")):  # Azurite: /ACCOUNT/CONTAINER/prefix
        container, _, rest = rest.partition("/")
    if not container:
        raise InvalidInput(f"{url}: name a container, e.g. https://ACCOUNT.blob.core.windows.net/CONTAINER/prefix/")
    return _AzureBlob(f"{parsed.scheme}://{parsed.netloc}", container), rest


def export_keys(bucket: Bucket, prefix: str) -> list[str]:
    """The objects under ``prefix`` that make up the export: a manifest's list where there is one."""
    keys = bucket.keys(prefix)
    manifests = [k for k in keys if k.endswith("-Manifest.json") or PurePosixPath(k).name == "manifest.json"]
    if manifests:
        listed: list[str] = []
        for manifest in sorted(manifests):
            document = json.loads(bucket.read(manifest))
            listed += document.get("reportKeys") or [b["blobName"] for b in document.get("blobs", [])]
        return [k for k in dict.fromkeys(listed) if k in set(keys)] or listed
    return sorted(k for k in keys if any(k.lower().endswith(s) for s in SUFFIXES))


@contextmanager
def downloaded(url: str) -> Iterator[list[tuple[Path, str]]]:
    """The export at ``url`` as (local file, object URL) pairs in a temporary folder, removed afterwards."""
    bucket, prefix = open_bucket(url)
    try:
        keys = export_keys(bucket, prefix)
        if not keys:
            raise InvalidInput(f"{url}: no export files there (nor a manifest). Check the prefix. Nothing was written.")
        with TemporaryDirectory(prefix="finops-ingest-") as tmp:
            files: list[tuple[Path, str]] = []
            for index, key in enumerate(keys):
                target = Path(tmp) / f"{index:05d}-{PurePosixPath(key).name}"
                bucket.download(key, target)
                files.append((target, url[: len(url) - len(prefix)] + key if prefix else url.rstrip("/") + "/" + key))
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
