"""An az:// lake's account is reached where ``[lake.duckdb]`` says, as Azure users write it: a sovereign cloud's
blob endpoint or connection string reaches that cloud's blob *and* Data Lake endpoints (pyarrow would otherwise ask
the public cloud whether the account has a hierarchical namespace), an emulator's is path style; a setting that
cannot be right is refused naming it, and never by quoting a connection string. Nothing here opens a connection:
pyarrow's filesystem is made and its options read back."""

from __future__ import annotations

import re
from typing import Any

import pyarrow.fs as pafs
import pytest
from finops_core.errors import LakeError
from finops_core.settings import DuckDBLakeSettings
from finops_orchestrator.lake.azure_account import azure_account
from pydantic import SecretStr

from tests.credentials import AZURE_STORAGE_KEY

CHINA = {
    "blob_storage_authority": ".blob.core.chinacloudapi.cn",
    "dfs_storage_authority": ".dfs.core.chinacloudapi.cn",
    "blob_storage_scheme": "https",
    "dfs_storage_scheme": "https",
}


def _arrow(**options: Any) -> dict[str, Any]:
    """The options of the pyarrow filesystem made for these settings, as pyarrow itself reports them."""
    made = pafs.AzureFileSystem(**azure_account(DuckDBLakeSettings.model_validate(options)).arrow_options())
    return made.__reduce__()[1][0]  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]


def test_a_sovereign_clouds_blob_endpoint_reaches_its_blob_and_data_lake_endpoints() -> None:
    options = _arrow(
        azure_account_name="billingdata", azure_blob_endpoint="https://billingdata.blob.core.chinacloudapi.cn/"
    )
    assert {k: options[k] for k in CHINA} == CHINA
    assert options["account_name"] == "billingdata"


def test_a_connection_string_with_an_endpoint_suffix_reaches_that_cloud_with_its_key() -> None:
    connection = (
        f"DefaultEndpointsProtocol=https;AccountName=billingdata;AccountKey={AZURE_STORAGE_KEY};"
        "EndpointSuffix=core.chinacloudapi.cn"
    )
    options = _arrow(azure_connection_string=connection)
    assert {k: options[k] for k in CHINA} == CHINA
    assert options["account_key"] == AZURE_STORAGE_KEY


def test_an_emulators_endpoint_is_path_style_for_blobs_and_the_data_lake() -> None:
    options = _arrow(
        azure_account_name="devstoreaccount1", azure_blob_endpoint="http://127.0.0.1:10000/devstoreaccount1"
    )
    assert options["blob_storage_authority"] == options["dfs_storage_authority"] == "127.0.0.1:10000"
    assert options["blob_storage_scheme"] == options["dfs_storage_scheme"] == "http"


def test_an_account_name_alone_is_the_public_cloud_with_its_default_credential() -> None:
    options = _arrow(azure_account_name="billingdata")
    assert options["blob_storage_authority"] == ".blob.core.windows.net"
    assert options["dfs_storage_authority"] == ".dfs.core.windows.net"
    assert options["account_key"] == options["sas_token"] == ""


def test_a_sas_is_passed_as_the_query_pyarrow_appends_to_each_url() -> None:
    connection = "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;SharedAccessSignature=sv=2026-10-06&sig=abc%3D"
    options = _arrow(azure_connection_string=connection)
    assert options["sas_token"] == "?sv=2026-10-06&sig=abc%3D"
    assert options["account_name"] == "devstoreaccount1"  # named by the endpoint


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({}, "needs [lake.duckdb] azure_account_name"),
        ({"azure_account_name": "Billing-Data!"}, "[lake.duckdb] azure_account_name: 'Billing-Data!' is not a storage"),
        (
            {"azure_account_name": "billingdata", "azure_blob_endpoint": "https://other.blob.core.windows.net"},
            "[lake.duckdb] azure_blob_endpoint is not storage account 'billingdata'",
        ),
        (
            {
                "azure_account_name": "billingdata",
                "azure_blob_endpoint": "https://u:p@billingdata.blob.core.windows.net",
            },
            "[lake.duckdb] azure_blob_endpoint: put no credentials in the endpoint",
        ),
        (
            {"azure_account_name": "billingdata", "azure_blob_endpoint": "ftp://x"},
            "[lake.duckdb] azure_blob_endpoint must be the account's blob endpoint",
        ),
    ],
)
def test_settings_that_cannot_name_an_account_are_refused_naming_the_setting(
    options: dict[str, str], says: str
) -> None:
    with pytest.raises(LakeError, match=re.escape(says)):
        azure_account(DuckDBLakeSettings.model_validate(options))


@pytest.mark.parametrize(
    ("connection", "extra", "says"),
    [
        (f"AccountName=billingdata;{AZURE_STORAGE_KEY.rstrip('=')}", {}, "is not a connection string"),
        (
            "AccountName=billingdata;BlobEndpoint=https://billingdata.blob.core.windows.net",
            {},
            "exactly one of AccountKey",
        ),
        (f"AccountKey={AZURE_STORAGE_KEY}", {}, "needs AccountName"),
        (
            f"AccountName=billingdata;AccountKey={AZURE_STORAGE_KEY}",
            {"azure_account_name": "other"},
            "remove azure_acc",
        ),
        (
            f"AccountName=billingdata;AccountKey={AZURE_STORAGE_KEY}",
            {"azure_blob_endpoint": "http://127.0.0.1:10000/billingdata"},
            "goes only to its own endpoint",
        ),
        (f"AccountName=billingdata;AccountKey={AZURE_STORAGE_KEY};" + "x" * 9000, {}, "longer than 8192"),
    ],
    ids=["a key without a name", "no credential", "no account", "two accounts", "two endpoints", "too long"],
)
def test_a_connection_string_that_cannot_be_used_is_refused_without_quoting_it(
    connection: str, extra: dict[str, str], says: str
) -> None:
    with pytest.raises(LakeError, match=says) as caught:
        azure_account(DuckDBLakeSettings.model_validate({"azure_connection_string": connection, **extra}))
    assert AZURE_STORAGE_KEY.rstrip("=") not in str(caught.value)
    assert "[lake.duckdb] azure_" in str(caught.value)


def test_the_key_stays_out_of_the_accounts_repr() -> None:
    connection = f"AccountName=billingdata;AccountKey={AZURE_STORAGE_KEY}"
    account = azure_account(DuckDBLakeSettings(azure_connection_string=SecretStr(connection)))
    assert AZURE_STORAGE_KEY not in repr(account)
