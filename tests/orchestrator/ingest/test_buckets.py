"""Exports in buckets ingest through the real SDKs, against local emulators over real HTTP:
the moto server (S3), Azurite (Azure Blob, Microsoft's emulator) and gcp-storage-emulator (GCS)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from azure.storage.blob import BlobServiceClient
from finops_core.errors import InvalidInput
from finops_core.store import Store
from finops_orchestrator.ingest import ingest
from gcp_storage_emulator.server import create_server
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage
from moto.server import ThreadedMotoServer

from tests.conftest import REPO, SHARED

NATIVE = SHARED / "data/native-samples"
CUR = NATIVE / "aws/focus_converters_sample-anonymous-aws-cur-legacy.csv"
# Azurite's documented development account (a public, well-known key, not a secret).
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store.sqlite")


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    for name, value in {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}")
    client.create_bucket(Bucket="billing")
    yield client
    server.stop()


def test_a_cur_export_is_read_from_s3_following_its_manifest(s3: object, store: Store) -> None:
    client: object = s3
    body = CUR.read_bytes()
    client.put_object(Bucket="billing", Key="cur/report/20231101-20231201/part-1.csv", Body=body)  # type: ignore[attr-defined]
    client.put_object(Bucket="billing", Key="cur/report/20231101-20231201/stale-old.csv", Body=body)  # type: ignore[attr-defined]
    manifest = {"reportKeys": ["cur/report/20231101-20231201/part-1.csv"]}
    client.put_object(
        Bucket="billing",
        Key="cur/report/20231101-20231201/report-Manifest.json",  # type: ignore[attr-defined]
        Body=json.dumps(manifest).encode(),
    )
    (report,) = ingest(store, ["s3://billing/cur/report/"])
    assert report.path == "s3://billing/cur/report/20231101-20231201/part-1.csv"
    assert report.line_items == 1281  # the stale file beside the manifest was not loaded
    assert store.partitions()[0].lineage.file == report.path


def test_an_empty_s3_prefix_says_so_and_writes_nothing(s3: object, store: Store) -> None:
    with pytest.raises(InvalidInput, match="no export files there"):
        ingest(store, ["s3://billing/nothing-here/"])
    assert store.info().line_items == 0


@pytest.fixture
def gcs(monkeypatch: pytest.MonkeyPatch) -> Iterator[storage.Bucket]:
    port = _free_port()
    server = create_server("127.0.0.1", port, in_memory=True)
    server.start()
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{port}")
    client = storage.Client(credentials=AnonymousCredentials(), project="test")
    yield client.create_bucket("gcp-billing")
    server.stop()


def test_a_gcp_billing_export_is_read_from_gcs(gcs: storage.Bucket, store: Store) -> None:
    gcs.blob("exports/2020-11/part-000.csv").upload_from_filename(str(NATIVE / "gcp/koku_gcp_bq_export_2020-11.csv"))
    (report,) = ingest(store, ["gs://gcp-billing/exports/"])
    assert report.format == "gcp-billing"
    assert report.line_items == 33
    assert report.path == "gs://gcp-billing/exports/2020-11/part-000.csv"


def _azurite() -> str:
    local = REPO / ".ci/node/node_modules/.bin/azurite-blob"
    found = str(local) if local.exists() else shutil.which("azurite-blob")
    assert found, "Azurite is missing: .ci/run installs it (npm install --prefix .ci/node azurite)"
    return found


@pytest.fixture
def azure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[BlobServiceClient]:
    port = _free_port()
    process = subprocess.Popen(
        [
            _azurite(),
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            str(port),
            "--location",
            str(tmp_path / "azurite"),
            "--skipApiVersionCheck",
            "--loose",
            "--disableTelemetry",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:  # wait until it listens: no sleeping
        if "successfully listens" in line:
            break
    connection = (
        f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AZURITE_KEY};"
        f"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
    )
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", connection)
    service = BlobServiceClient.from_connection_string(connection)
    service.create_container("exports")
    yield service
    process.terminate()
    process.wait(timeout=30)


def test_an_azure_cost_export_is_read_from_blob_storage_following_its_manifest(
    azure: BlobServiceClient, store: Store
) -> None:
    container = azure.get_container_client("exports")
    run = "costs/monthly/20230901-20230930/run-1"
    container.upload_blob(
        f"{run}/part_0_0001.csv", (NATIVE / "azure/finops-toolkit_EA_ActualCost_Small.csv").read_bytes()
    )
    container.upload_blob(f"{run}/manifest.json", json.dumps({"blobs": [{"blobName": f"{run}/part_0_0001.csv"}]}))
    port = azure.url.split(":")[2].split("/")[0]
    (report,) = ingest(store, [f"http://127.0.0.1:{port}/devstoreaccount1/exports/costs/monthly/"])
    assert report.format == "azure-actual"
    assert report.line_items == 11
