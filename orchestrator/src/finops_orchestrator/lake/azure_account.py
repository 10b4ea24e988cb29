"""The Azure storage account behind an ``az://container/prefix`` lake, as pyarrow's ``AzureFileSystem`` reaches it.

``[lake.duckdb]`` names the account the way Azure does: ``azure_account_name`` (the public cloud, with
``DefaultAzureCredential``), optionally its blob endpoint (``https://ACCOUNT.blob.core.chinacloudapi.cn`` in a
sovereign cloud, ``http://127.0.0.1:10000/ACCOUNT`` on Azurite), or a connection string that carries the account,
its key or SAS and its endpoint. pyarrow wants an *authority* instead of an endpoint: ``.blob.SUFFIX`` (the account
becomes a subdomain) or ``HOST:PORT`` (the account becomes the first path segment, as on an emulator), and the
same for the Data Lake (dfs) endpoint it asks whether the account has a hierarchical namespace; left unset, that
question goes to the public cloud's ``ACCOUNT.dfs.core.windows.net`` whatever the blob endpoint is.

A key or SAS is sent only to the endpoint it came with, and no message here ever quotes a connection string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from finops_core.errors import LakeError
from finops_core.settings import DuckDBLakeSettings

_ACCOUNT = re.compile(r"[a-z0-9]{3,24}")  # Azure's rule for storage account names
_MAX_CONNECTION_STRING = 8192  # a key or a SAS with every option fits in far less
_ENDPOINT_FORMS = (
    "https://ACCOUNT.blob.core.windows.net (or a sovereign cloud's suffix, e.g. .blob.core.chinacloudapi.cn) or "
    "http://HOST:PORT/ACCOUNT (an emulator such as Azurite)"
)


@dataclass(frozen=True)
class AzureAccount:
    """Everything ``pyarrow.fs.AzureFileSystem`` needs; secrets are kept out of ``repr``."""

    name: str
    scheme: str = "https"
    blob_authority: str | None = None  # None: the public cloud's .blob.core.windows.net
    dfs_authority: str | None = None
    account_key: str | None = field(default=None, repr=False)
    sas_token: str | None = field(default=None, repr=False)

    def arrow_options(self) -> dict[str, Any]:
        """Keyword arguments for ``pyarrow.fs.AzureFileSystem``."""
        options: dict[str, Any] = {"account_name": self.name}
        if self.blob_authority is not None:
            options |= {
                "blob_storage_authority": self.blob_authority,
                "blob_storage_scheme": self.scheme,
                "dfs_storage_authority": self.dfs_authority,
                "dfs_storage_scheme": self.scheme,
            }
        if self.account_key is not None:
            options["account_key"] = self.account_key
        if self.sas_token is not None:
            options["sas_token"] = self.sas_token
        return options


def azure_account(options: DuckDBLakeSettings) -> AzureAccount:
    """The account ``[lake.duckdb]`` names, checked; a ``LakeError`` naming the setting to fix otherwise."""
    secret = options.azure_connection_string
    if secret is None:
        if not options.azure_account_name:
            raise LakeError(
                'An az:// lake path needs [lake.duckdb] azure_account_name = "ACCOUNT" (with DefaultAzureCredential) '
                "or azure_connection_string (FINOPS_LAKE__DUCKDB__AZURE_CONNECTION_STRING)."
            )
        name = _account_name(options.azure_account_name, "[lake.duckdb] azure_account_name")
        if not options.azure_blob_endpoint:
            return AzureAccount(name)
        return _at_endpoint(name, options.azure_blob_endpoint, "[lake.duckdb] azure_blob_endpoint")
    account = _from_connection_string(secret.get_secret_value())
    # One place names the account: a second, different one would leave it unclear where the key is sent.
    if options.azure_account_name and options.azure_account_name.lower() != account.name:
        raise LakeError(
            "[lake.duckdb] azure_account_name differs from the AccountName of azure_connection_string: remove "
            "azure_account_name (the connection string names the account)."
        )
    if options.azure_blob_endpoint:
        given = _at_endpoint(account.name, options.azure_blob_endpoint, "[lake.duckdb] azure_blob_endpoint")
        if (given.scheme, given.blob_authority) != (account.scheme, account.blob_authority):
            raise LakeError(
                "[lake.duckdb] azure_blob_endpoint differs from the endpoint of azure_connection_string: remove "
                "azure_blob_endpoint (the key or SAS of a connection string goes only to its own endpoint)."
            )
    return account


def _account_name(value: str, where: str) -> str:
    name = value.strip().lower()
    if not _ACCOUNT.fullmatch(name):
        raise LakeError(f"{where}: {value[:40]!r} is not a storage account name (3-24 lowercase letters and digits).")
    return name


def _at_endpoint(name: str, endpoint: str, where: str) -> AzureAccount:
    """``name`` reached at ``endpoint``, as pyarrow's authorities."""
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise LakeError(f"{where} must be the account's blob endpoint: {_ENDPOINT_FORMS}.")
    if parts.username or parts.password:
        raise LakeError(f"{where}: put no credentials in the endpoint; use azure_connection_string.")
    host = parts.netloc.lower()
    path = parts.path.strip("/").lower()
    if path == name:  # emulator style: the account is the first path segment
        return AzureAccount(name, parts.scheme, host, host)
    if not path and host.startswith(f"{name}."):  # a cloud: the account is the subdomain
        suffix = host[len(name) :]
        dfs = ".dfs." + suffix[len(".blob.") :] if suffix.startswith(".blob.") else suffix
        return AzureAccount(name, parts.scheme, suffix, dfs)
    raise LakeError(f"{where} is not storage account {name!r}'s blob endpoint: it must be {_ENDPOINT_FORMS}.")


def _from_connection_string(text: str) -> AzureAccount:
    """The account, endpoint and credential of a connection string (``Key=Value;...``; keys in any case).

    Never quotes ``text``: it carries a key or a SAS."""
    where = "[lake.duckdb] azure_connection_string"
    if len(text) > _MAX_CONNECTION_STRING:
        raise LakeError(f"{where} is longer than {_MAX_CONNECTION_STRING} characters: check what it holds.")
    fields: dict[str, str] = {}
    for part in text.strip().split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")  # values (keys, SAS) contain '=' themselves
        if not sep:
            raise LakeError(f"{where} is not a connection string (Key=Value pairs separated by ';').")
        fields[key.strip().lower()] = value.strip()
    key, sas = fields.get("accountkey"), fields.get("sharedaccesssignature")
    if bool(key) == bool(sas):
        raise LakeError(f"{where} needs exactly one of AccountKey and SharedAccessSignature.")
    if fields.get("accountname"):
        name = _account_name(fields["accountname"], f"{where}: AccountName")
    elif fields.get("blobendpoint"):
        name = _name_in_endpoint(fields["blobendpoint"], where)
    else:
        raise LakeError(f"{where} needs AccountName (and BlobEndpoint outside Azure's public cloud).")
    if fields.get("blobendpoint"):
        account = _at_endpoint(name, fields["blobendpoint"], f"{where}: BlobEndpoint")
    else:
        protocol = fields.get("defaultendpointsprotocol", "https").lower()
        suffix = fields.get("endpointsuffix", "core.windows.net").strip(".").lower()
        account = _at_endpoint(name, f"{protocol}://{name}.blob.{suffix}", f"{where}: EndpointSuffix")
    return AzureAccount(
        account.name,
        account.scheme,
        account.blob_authority,
        account.dfs_authority,
        account_key=key or None,
        sas_token=f"?{sas.lstrip('?')}" if sas else None,  # pyarrow appends it to each URL as written
    )


def _name_in_endpoint(endpoint: str, where: str) -> str:
    """The account a blob endpoint names (its path on an emulator, its subdomain in a cloud)."""
    parts = urlsplit(endpoint.strip())
    first = parts.path.strip("/").split("/", 1)[0] or (parts.hostname or "").split(".", 1)[0]
    return _account_name(first, f"{where}: the account in BlobEndpoint")
