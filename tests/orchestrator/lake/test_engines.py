"""The engines reach the lake where it lives: DuckDB over Parquet in an S3 bucket (the moto server), an Azure Blob
container (Azurite) and a GCS bucket (gcp-storage-emulator), through fsspec over pyarrow's own S3, Azure and GCS
clients, no httpfs download; Athena through boto3 (moto's canned results); a lake that cannot answer is an error
naming it and what to do, never a traceback, and a server still starts without it."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import boto3
import pytest
import sqlglot
from azure.storage.blob import AccountSasPermissions, BlobServiceClient, ResourceTypes, generate_account_sas
from finops_core.errors import LakeError
from finops_core.models import CostQuery
from finops_core.settings import AthenaLakeSettings, DuckDBLakeSettings, LakeSettings
from finops_core.store import Store
from finops_orchestrator.lake.engines import AthenaEngine, DuckDBEngine
from finops_orchestrator.lake.reader import LakeReader
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage
from pydantic import SecretStr

from tests.commands import free_port
from tests.credentials import AZURE_STORAGE_KEY
from tests.fakes.azurite import DEV_KEY, Azurite, azurite
from tests.orchestrator.lake.test_reader import QUESTIONS, _cells
from tests.servers.aws import conftest as aws_emulators

# The AWS tests' moto server (one for the session, emptied before each test), found by pytest under these names.
moto_url = aws_emulators.moto_url
moto = aws_emulators.moto


@pytest.fixture
def aws(moto: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The moto server's URL, emptied, with AWS credentials and a region in the environment (pyarrow reads them)."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    return moto


def test_duckdb_reads_a_lake_in_an_s3_bucket_exactly_as_the_store(aws: str, lake_path: Path, lake_store: Store) -> None:
    s3 = boto3.client("s3", endpoint_url=aws)
    s3.create_bucket(Bucket="billing")
    for file in lake_path.rglob("*.parquet"):
        s3.put_object(Bucket="billing", Key=f"focus/{file.relative_to(lake_path)}", Body=file.read_bytes())
    lake = LakeSettings(
        engine="duckdb",
        path="s3://billing/focus/",
        duckdb=DuckDBLakeSettings(s3_endpoint_url=aws, s3_region="us-east-1"),
    )
    reader = LakeReader(lake)
    for name in ("weeks by provider and team tag", "the sample's top resources folded into other"):
        assert _cells(reader.cost_cells(QUESTIONS[name])) == _cells(lake_store.cost_cells(QUESTIONS[name]))
    assert reader.source_label() == "lake (duckdb s3://billing/focus/)"


def test_an_unreachable_bucket_is_an_error_naming_the_lake_and_what_to_do(aws: str) -> None:
    port = free_port()
    lake = LakeSettings(
        engine="duckdb",
        path="s3://billing/focus/",
        duckdb=DuckDBLakeSettings(s3_endpoint_url=f"http://127.0.0.1:{port}", s3_region="us-east-1"),
    )
    reader = LakeReader(lake)  # made without touching the bucket: a server starts even when its lake is down
    with pytest.raises(LakeError) as caught:
        reader.cost_cells(QUESTIONS["last month by service"])
    message = str(caught.value)
    assert message.startswith("The lake (duckdb s3://billing/focus/) could not answer: ")
    assert f"127.0.0.1:{port}" in message  # the real reason, not DuckDB's "no files found"
    assert "finops lake sync" in message
    assert 'answer_from = "rollups"' in message
    assert "testing" not in message  # no credential


@pytest.fixture(scope="module")
def azure_lake(lake_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    """Azurite serving an account of its own (not the well-known development one) whose container ``billing``
    holds the lake under ``focus/``, partitioned by billing period."""
    with azurite(tmp_path_factory.mktemp("azurite"), account="billinglake", key=AZURE_STORAGE_KEY) as emulator:
        service = BlobServiceClient.from_connection_string(emulator.connection_string())
        container = service.create_container("billing")
        for file in lake_path.rglob("*.parquet"):
            container.upload_blob(f"focus/{file.relative_to(lake_path).as_posix()}", file.read_bytes())
        yield emulator


def _azure_lake(connection_string: str) -> LakeSettings:
    return LakeSettings(
        engine="duckdb",
        path="az://billing/focus/",
        duckdb=DuckDBLakeSettings(azure_connection_string=SecretStr(connection_string)),
    )


def _sas(emulator: Azurite) -> str:
    return generate_account_sas(
        emulator.account,
        emulator.key,
        ResourceTypes(service=True, container=True, object=True),
        AccountSasPermissions(read=True, list=True),
        expiry=datetime.now(UTC) + timedelta(hours=1),
    )


def test_duckdb_reads_a_lake_in_azure_blob_storage_exactly_as_the_store(azure_lake: Azurite, lake_store: Store) -> None:
    reader = LakeReader(_azure_lake(azure_lake.connection_string()))
    for name in ("weeks by provider and team tag", "the sample's top resources folded into other"):
        assert _cells(reader.cost_cells(QUESTIONS[name])) == _cells(lake_store.cost_cells(QUESTIONS[name]))
    by = ("provider_name", "service_name")
    mine = reader.daily_series(date(2026, 8, 1), date(2026, 11, 20), by=by, metric="effective")
    theirs = lake_store.daily_series(date(2026, 8, 1), date(2026, 11, 20), by=by, metric="effective")
    assert mine.keys() == theirs.keys()
    assert all((mine[k] == theirs[k]).all() for k in theirs)  # integer nanos, every day
    assert reader.source_label() == "lake (duckdb az://billing/focus/)"


def test_an_azure_lake_is_read_with_a_shared_access_signature_too(azure_lake: Azurite, lake_store: Store) -> None:
    question = QUESTIONS["last month by service"]
    by_sas = _azure_lake(f"SharedAccessSignature={_sas(azure_lake)};BlobEndpoint={azure_lake.endpoint}")
    assert _cells(LakeReader(by_sas).cost_cells(question)) == _cells(lake_store.cost_cells(question))


def test_an_unreachable_azure_lake_is_an_error_naming_the_lake_and_what_to_do(azure_lake: Azurite) -> None:
    port = free_port()
    sas = _sas(azure_lake)
    lake = _azure_lake(f"SharedAccessSignature={sas};BlobEndpoint=http://127.0.0.1:{port}/{azure_lake.account}")
    reader = LakeReader(lake)  # made without touching the account: a server starts even when its lake is down
    started = time.monotonic()
    with pytest.raises(LakeError) as caught:
        reader.cost_cells(QUESTIONS["last month by service"])
    assert time.monotonic() - started < 10  # the Azure client's own retries (about 6 s), then the answer
    message = str(caught.value)
    assert message.startswith("The lake (duckdb az://billing/focus/) could not answer: ")
    assert f"127.0.0.1:{port}" in message  # the real reason
    assert "Could not connect" in message
    assert "finops lake sync" in message
    assert 'answer_from = "rollups"' in message
    signature = dict(part.split("=", 1) for part in sas.split("&"))["sig"]
    assert signature not in message  # the Azure client puts the SAS into the URL it reports


def test_an_azure_lake_refusing_the_key_says_so_without_the_key(azure_lake: Azurite) -> None:
    wrong = Azurite(azure_lake.port, azure_lake.account, DEV_KEY)
    with pytest.raises(LakeError, match=r"could not answer: .*403") as caught:
        LakeReader(_azure_lake(wrong.connection_string())).extent()
    assert DEV_KEY not in str(caught.value)


@pytest.fixture(scope="module")
def gcs_lake(lake_path: Path) -> Iterator[str]:
    """gcp-storage-emulator in a process of its own, its bucket ``billing`` holding the lake under ``focus/``; yields
    its URL. In this process it would never answer: pyarrow's GCS client holds the GIL while it waits for the
    emulator's thread (the hang an earlier note blamed on the emulator)."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "gcp-storage-emulator"), "start", "--port", str(port), "--in-memory"]
    process = subprocess.Popen([*command, "--host", "127.0.0.1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    for line in process.stdout:  # wait until it listens: no sleeping
        if b"Starting server" in line:
            break
    # It logs every request: keep reading, or its pipe fills and it stops answering.
    threading.Thread(target=process.stdout.read, daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    try:
        client = storage.Client(
            credentials=AnonymousCredentials(), project="test", client_options=ClientOptions(api_endpoint=url)
        )
        bucket = client.create_bucket("billing")
        for file in lake_path.rglob("*.parquet"):
            bucket.blob(f"focus/{file.relative_to(lake_path).as_posix()}").upload_from_filename(str(file))
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_duckdb_reads_a_lake_in_a_gcs_bucket_exactly_as_the_store(gcs_lake: str, lake_store: Store) -> None:
    reader = LakeReader(
        LakeSettings(engine="duckdb", path="gs://billing/focus/", duckdb=DuckDBLakeSettings(gcs_endpoint_url=gcs_lake))
    )
    for name in ("weeks by provider and team tag", "the sample's top resources folded into other"):
        assert _cells(reader.cost_cells(QUESTIONS[name])) == _cells(lake_store.cost_cells(QUESTIONS[name]))
    assert reader.source_label() == "lake (duckdb gs://billing/focus/)"


def test_an_unreachable_gcs_lake_is_an_error_within_the_query_time_limit() -> None:
    port = free_port()
    lake = LakeSettings(
        engine="duckdb",
        path="gs://billing/focus/",
        query_timeout_seconds=1,
        duckdb=DuckDBLakeSettings(gcs_endpoint_url=f"http://127.0.0.1:{port}"),
    )
    started = time.monotonic()
    with pytest.raises(LakeError) as caught:
        LakeReader(lake).cost_cells(QUESTIONS["last month by service"])
    assert time.monotonic() - started < 10  # Google's client would retry for 15 minutes
    message = str(caught.value)
    assert message.startswith("The lake (duckdb gs://billing/focus/) could not answer: ")
    assert "Could not connect" in message
    assert 'answer_from = "rollups"' in message


def test_a_missing_local_path_is_an_error_naming_it(tmp_path: Path) -> None:
    reader = LakeReader(LakeSettings(engine="duckdb", path=str(tmp_path / "nowhere")))
    with pytest.raises(LakeError, match=r"The lake \(duckdb .*nowhere\) could not answer: .*No files found"):
        reader.extent()


def test_athena_runs_the_builders_sql_and_reads_typed_results_exactly(aws: str) -> None:
    columns = [("period", "date"), ("currency", "varchar"), ("g0", "varchar"), ("amount", "decimal")]
    columns += [("rk", "bigint"), ("n", "bigint")]
    rows = [  # the engine folds past top_n: two groups of three, then the rest per period and currency
        ["period", "currency", "g0", "amount", "rk", "n"],
        [None, "USD", "AmazonEC2", "1234.567890123", "1", "3"],
        [None, "EUR", "Virtual Machines", "0.000000001", "2", "3"],
        [None, "USD", None, "-5.10", None, None],
    ]
    body = {
        "region": "us-east-1",
        "results": [
            {
                "rows": [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]} for row in rows],
                "column_info": [{"Name": n, "Label": n, "Type": t} for n, t in columns],
            }
        ],
    }
    request = urllib.request.Request(
        f"{aws}/moto-api/static/athena/query-results",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request).close()
    lake = LakeSettings(
        engine="athena", table="billing.focus", athena=AthenaLakeSettings(output_location="s3://results/lake/")
    )
    client = boto3.client("athena", endpoint_url=aws, region_name="us-east-1")
    reader = LakeReader(lake, AthenaEngine(lake, client=client))
    query = CostQuery(start=date(2026, 10, 1), end=date(2026, 11, 1), group_by=("service",), top_n=2)
    answer = reader.query_costs(query, source=reader.source_label(), is_demo=False)
    assert [(t.currency, format(t.amount, "f")) for t in answer.totals] == [
        ("EUR", "0.000000001"),
        ("USD", "1229.467890123"),
    ]
    assert answer.source == "lake (athena billing.focus)"
    assert [(r.group["service"], r.currency, format(r.cost, "f")) for r in answer.other] == [
        ("(other)", "USD", "-5.10")
    ]
    assert answer.truncated
    ran = client.list_query_executions()["QueryExecutionIds"]
    sql = client.get_query_execution(QueryExecutionId=ran[0])["QueryExecution"]["Query"]
    assert "FROM billing.focus" in sql
    assert sqlglot.parse_one(sql, read="athena") is not None


def test_a_duckdb_query_past_the_time_limit_is_stopped_and_says_what_to_do(lake_path: Path) -> None:
    lake = LakeSettings(engine="duckdb", path=str(lake_path), query_timeout_seconds=0.2)
    engine = DuckDBEngine(lake)
    started = time.monotonic()
    with pytest.raises(LakeError, match=r"ran past \[lake\] query_timeout_seconds = 0.2 and was stopped"):
        engine.run("SELECT count(*) FROM range(100000000000) a")  # minutes of work, stopped at 0.2 s
    assert time.monotonic() - started < 10
    assert engine.run("SELECT 1") == [(1,)]  # the engine still answers after a stopped query


def test_an_abfs_url_is_refused_saying_how_to_write_it_as_az() -> None:
    # pyarrow's Azure client does not read the account from CONTAINER@ACCOUNT.dfs...: it looked in the wrong place.
    lake = LakeSettings(engine="duckdb", path="abfss://focus@billinglake.dfs.core.windows.net/exports/")
    with pytest.raises(LakeError, match=r"az://CONTAINER/PATH .* azure_account_name"):
        LakeReader(lake).extent()
