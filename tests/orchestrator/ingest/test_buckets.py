"""Exports in buckets ingest through the real SDKs, against local emulators over real HTTP:
the moto server (S3), Azurite (Azure Blob, Microsoft's emulator) and gcp-storage-emulator (GCS)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import boto3
import pandas as pd
import pytest
from azure.storage.blob import BlobServiceClient, ContainerClient
from finops_core.errors import InvalidInput
from finops_core.store import Store
from finops_orchestrator.ingest import ingest
from gcp_storage_emulator.server import create_server
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage
from moto.server import ThreadedMotoServer

from tests.commands import free_port
from tests.conftest import SHARED
from tests.fakes.azurite import azurite

NATIVE = SHARED / "data/native-samples"
CUR = NATIVE / "aws/focus_converters_sample-anonymous-aws-cur-legacy.csv"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store.sqlite")


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    # moto keeps its buckets in this process across servers: start every test from an empty account.
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/reset", method="POST")).close()
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
    port = free_port()
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


@pytest.fixture
def azure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[BlobServiceClient]:
    with azurite(tmp_path / "azurite") as emulator:
        monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", emulator.connection_string())
        service = BlobServiceClient.from_connection_string(emulator.connection_string())
        service.create_container("exports")
        yield service


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


def _put(client: object, key: str, body: bytes) -> None:
    client.put_object(Bucket="billing", Key=key, Body=body)  # type: ignore[attr-defined]


def _cur_assembly(client: object, assembly: str, parts: list[pd.DataFrame], *, current: bool) -> None:
    """An assembly of a legacy CUR for November 2023 as AWS writes it: its files and manifest in a folder of its
    own, and (when ``current``) the period-level manifest naming it."""
    period = "cur/report/20231101-20231201"
    keys = [f"{period}/{assembly}/report-{n + 1}.csv" for n in range(len(parts))]
    for key, part in zip(keys, parts, strict=True):
        _put(client, key, part.to_csv(index=False).encode())
    manifest = json.dumps(
        {
            "assemblyId": assembly,
            "reportName": "report",
            "billingPeriod": {"start": "20231101T000000.000Z", "end": "20231201T000000.000Z"},
            "reportKeys": keys,
        }
    ).encode()
    _put(client, f"{period}/{assembly}/report-Manifest.json", manifest)
    if current:
        _put(client, f"{period}/report-Manifest.json", manifest)


def test_a_newer_cur_assembly_replaces_the_older_one_whole(s3: object, store: Store) -> None:
    frame = pd.read_csv(CUR, dtype=str, keep_default_na=False)
    _cur_assembly(s3, "a1", [frame.iloc[:600], frame.iloc[600:]], current=True)
    assert sum(r.line_items for r in ingest(store, ["s3://billing/cur/"])) == len(frame)
    _cur_assembly(s3, "a2", [frame.iloc[:1000]], current=True)  # AWS restated the month: a new assembly
    (report,) = ingest(store, ["s3://billing/cur/"])  # the old assembly's folder is still there
    assert report.path == "s3://billing/cur/report/20231101-20231201/a2/report-1.csv"
    assert store.info().line_items == 1000
    assert sorted(PurePosixPath(r.label).name for r in report.replaced) == ["report-1.csv", "report-2.csv"]
    assert all("earlier delivery of AWS CUR s3://billing/report" in r.reason for r in report.replaced)
    assert all(r.matches for r in store.reconcile())


def test_cur_assemblies_without_a_manifest_naming_the_current_one_are_refused(s3: object, store: Store) -> None:
    frame = pd.read_csv(CUR, dtype=str, keep_default_na=False)
    _cur_assembly(s3, "a1", [frame.iloc[:10]], current=False)
    _cur_assembly(s3, "a2", [frame.iloc[:20]], current=False)
    with pytest.raises(InvalidInput, match=r"several deliveries .* Ingest the folder of the one you want"):
        ingest(store, ["s3://billing/cur/"])
    assert store.info().line_items == 0
    assert ingest(store, ["s3://billing/cur/report/20231101-20231201/a2/"])[0].line_items == 20


def _azure_run(container: ContainerClient, run_id: str, submitted: str, rows: pd.DataFrame) -> None:
    """One run of a month-to-date Azure cost export, with the manifest Cost Management writes beside its files."""
    folder = f"costs/mtd/20230901-20230930/{run_id}"
    container.upload_blob(f"{folder}/part_0_0001.csv", rows.to_csv(index=False).encode())
    manifest = {
        "exportConfig": {
            "exportName": "mtd",
            "resourceId": "/subscriptions/0000/providers/Microsoft.CostManagement/exports/mtd",
            "type": "ActualCost",
            "timeFrame": "MonthToDate",
        },
        "runInfo": {"runId": run_id, "submittedTime": submitted, "startDate": "2023-09-01T00:00:00"},
        "blobs": [{"blobName": f"{folder}/part_0_0001.csv"}],
    }
    container.upload_blob(f"{folder}/manifest.json", json.dumps(manifest))


def test_a_later_run_of_a_month_to_date_azure_export_replaces_the_earlier_run(
    azure: BlobServiceClient, store: Store
) -> None:
    container = azure.get_container_client("exports")
    frame = pd.read_csv(NATIVE / "azure/finops-toolkit_EA_ActualCost_Small.csv", dtype=str, keep_default_na=False)
    url = f"http://127.0.0.1:{azure.url.split(':')[2].split('/')[0]}/devstoreaccount1/exports/costs/mtd/"
    _azure_run(container, "run-1", "2023-09-21T06:00:00Z", frame.iloc[:8])
    assert ingest(store, [url])[0].line_items == 8
    _azure_run(container, "run-2", "2023-09-22T06:00:00Z", frame)  # the next day's run restates the month
    (report,) = ingest(store, [url])
    assert report.path.endswith("/run-2/part_0_0001.csv")
    assert store.info().line_items == len(frame)
    assert [PurePosixPath(r.label).parent.name for r in report.replaced] == ["run-1"]
    assert all(r.matches for r in store.reconcile())
