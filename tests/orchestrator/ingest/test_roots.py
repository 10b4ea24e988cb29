"""Over MCP, finops_ingest reads only under the configured roots, and bucket URLs only from hosts that may receive
credentials: a client never learns what exists outside, and nothing is contacted for a refused URL."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from finops_core.errors import FinOpsError, InvalidInput
from finops_core.store import Store
from finops_orchestrator.ingest import ingest
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client

from tests.commands import http_server
from tests.conftest import AS_OF, SHARED
from tests.credentials import AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AZURE_CLIENT_SECRET, HTTP_READ_TOKEN
from tests.serving import client_with

pytestmark = pytest.mark.anyio
REFUSED = "is not inside the folders finops_ingest reads over MCP"


def _export(path: Path) -> Path:
    """A small real FOCUS export (40 rows of the FOCUS 1.0 sample) at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.read_csv(SHARED / "data/focus-samples/FOCUS-1.0/focus_sample_1000.csv", dtype=str, nrows=40)
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "imports"
    _export(folder / "2024" / "focus.csv")
    return folder


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the root holding a perfectly good export: reading it would succeed, so a refusal is the
    root check and nothing else."""
    folder = tmp_path / "outside"
    _export(folder / "secret.csv")
    return folder


async def _ingest(store: Store, root: Path, *paths: str, **options: Any) -> Any:
    server = build_orchestrator(
        OrchestratorState(store=store, is_demo=False, today=lambda: AS_OF, ingest_roots=[root], **options)
    )
    async with Client(server) as client:
        return await client.call_tool("finops_ingest", {"paths": list(paths)})


def _text(result: Any) -> str:
    assert result.is_error, result.structured_content
    return result.content[0].text


def _link(link: Path, target: Path) -> Path:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    return link


async def test_paths_outside_the_roots_are_refused_and_nothing_is_read(
    tmp_path: Path, root: Path, outside: Path
) -> None:
    secret = outside / "secret.csv"
    _link(root / "links" / "out.csv", secret)
    _link(root / "linked-folder", outside)
    attempts = [
        str(secret),  # an absolute path elsewhere
        str(outside),  # a folder elsewhere
        str(outside / "*.csv"),  # a glob elsewhere
        str(root / ".." / "outside" / "secret.csv"),  # .. out of the root
        "../outside/secret.csv",  # .. from the root, relative
        "~",  # the home folder
        "~/secret.csv",
        str(root / "links" / "out.csv"),  # a link whose target is outside
        str(root / "links"),  # a folder holding such a link
        str(root / "*" / "out.csv"),  # a glob reaching it
        str(root / "linked-folder" / "secret.csv"),  # through a linked folder
        str(root / "linked-folder" / "*.csv"),
        "linked-folder/secret.csv",
        str(tmp_path / "imports-other" / "x.csv"),  # a sibling whose name starts like the root's
        "/etc/passwd",
    ]
    with Store(tmp_path / "s.sqlite") as store:
        texts = {path: _text(await _ingest(store, root, path)) for path in attempts}
        assert store.info().line_items == 0
    for path, text in texts.items():
        assert REFUSED in text, path
        assert str(root) in text, path  # where to put the files
        assert "[ingest] roots" in text, path  # or how to add a root
        assert "BillingAccountId" not in text, path  # nothing of what is outside
        assert "root:" not in text, path


async def test_the_refusal_is_the_same_whether_or_not_the_path_outside_exists(tmp_path: Path, root: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    cases = {
        "a file": str(elsewhere / "export.csv"),
        "a folder": str(elsewhere / "folder"),
        "a glob": str(elsewhere / "folder" / "*.csv"),
        "a link in the root": str(root / "link.csv"),
        "a link in a folder of the root": str(root / "links"),
    }
    _link(root / "link.csv", elsewhere / "target.csv")  # dangling until the target is made
    _link(root / "links" / "l.csv", elsewhere / "target.csv")
    with Store(tmp_path / "s.sqlite") as store:
        missing = {name: _text(await _ingest(store, root, path)) for name, path in cases.items()}
        _export(elsewhere / "export.csv")
        _export(elsewhere / "folder" / "a.csv")
        _export(elsewhere / "target.csv")
        present = {name: _text(await _ingest(store, root, path)) for name, path in cases.items()}
        assert store.info().line_items == 0
    assert present == missing
    assert all(REFUSED in text for text in present.values())


async def test_inside_the_root_files_folders_globs_relative_paths_and_links_all_load(
    tmp_path: Path, root: Path
) -> None:
    export = root / "2024" / "focus.csv"
    _link(root / "latest.csv", export)  # a link inside the root, to a file inside it
    variants = [str(export), str(root / "2024"), str(root / "*" / "*.csv"), "2024/focus.csv", "2024", "latest.csv"]
    with Store(tmp_path / "s.sqlite") as store:
        for path in variants:
            body = (await _ingest(store, root, path)).structured_content
            assert body is not None, path
            assert body["line_items"] == 40, (path, body)
        both = (await _ingest(store, root, "latest.csv", str(export))).structured_content
    assert both is not None
    assert len(both["files"]) == 1  # one file, however many names reach it


async def test_a_missing_root_is_named_with_how_to_fix_it(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        text = _text(await _ingest(store, tmp_path / "not-yet", "focus.csv"))
    assert "no such file" in text
    assert f"{tmp_path / 'not-yet'} does not exist yet: create it" in text


async def test_no_roots_switch_ingest_over_mcp_off(tmp_path: Path, outside: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        server = build_orchestrator(OrchestratorState(store=store, is_demo=False, today=lambda: AS_OF, ingest_roots=[]))
        async with Client(server) as client:
            result = await client.call_tool("finops_ingest", {"paths": [str(outside / "secret.csv")]})
    assert "switched off" in _text(result)


async def test_without_configured_roots_the_server_reads_only_imports_beside_the_store(
    tmp_path: Path, outside: Path
) -> None:
    _export(tmp_path / "imports" / "focus.csv")
    with Store(tmp_path / "s.sqlite") as store:
        async with Client(
            build_orchestrator(OrchestratorState(store=store, is_demo=False, today=lambda: AS_OF))
        ) as client:
            refused = await client.call_tool("finops_ingest", {"paths": [str(outside / "secret.csv")]})
            loaded = await client.call_tool("finops_ingest", {"paths": ["focus.csv"]})
    assert REFUSED in _text(refused)
    assert loaded.structured_content is not None
    assert loaded.structured_content["line_items"] == 40


class _Listener:
    """A local TCP listener that records every connection made to it (and closes it at once)."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._socket.accept()
            except OSError:  # closed
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._socket.shutdown(socket.SHUT_RDWR)  # wakes the accept() under way (closing alone would not)
        self._socket.close()
        self._thread.join(timeout=10)


@pytest.fixture
def listener(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Listener]:
    """Every HTTP(S) connection the process makes goes through a proxy that records it; with credentials for
    each cloud in the environment, any attempt to reach a host (or a token endpoint) would show."""
    proxy = _Listener()
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{proxy.port}")
    for name in (
        "NO_PROXY",
        "no_proxy",
        "AZURE_STORAGE_CONNECTION_STRING",
        "AWS_ENDPOINT_URL",
        "STORAGE_EMULATOR_HOST",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in {
        "AZURE_TENANT_ID": "00000000-0000-0000-0000-000000000001",
        "AZURE_CLIENT_ID": "00000000-0000-0000-0000-000000000002",
        "AZURE_CLIENT_SECRET": AZURE_CLIENT_SECRET,
        "AWS_ACCESS_KEY_ID": AWS_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": AWS_SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    yield proxy
    proxy.close()


HOSTILE_URLS = [
    "https://evil.example/exports/focus/",
    "http://evil.example/exports/focus/",
    "https://evil.example",
    "https://acct.blob.core.windows.net.evil.example/exports/",  # a documented name as a prefix only
    "https://evil.example@acct.blob.core.windows.net/exports/",  # user info
    "https://acct.blob.core.windows.net:8443/exports/",  # another port
    "http://acct.blob.core.windows.net/exports/",  # a bearer token in clear
    "https://127.0.0.1:10000/devstoreaccount1/exports/",  # an emulator nobody configured
    "s3://user:secret@evil.example:9000/exports/",
    "gs://evil.example:443/exports/",
    "ftp://evil.example/exports/",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
async def test_a_url_for_any_other_host_is_refused_without_a_connection(
    listener: _Listener, tmp_path: Path, root: Path, url: str
) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        result = await _ingest(store, root, url)
        assert store.info().line_items == 0
    assert listener.connections == 0
    assert "Nothing was contacted" in _text(result)


def test_a_refused_url_writes_nothing_not_even_the_files_named_before_it(listener: _Listener, tmp_path: Path) -> None:
    export = _export(tmp_path / "focus.csv")
    with Store(tmp_path / "s.sqlite") as store:
        with pytest.raises(FinOpsError) as refused:
            ingest(store, [str(export), "https://evil.example/exports/"])
        written = store.info().line_items
    assert listener.connections == 0
    assert written == 0
    assert isinstance(refused.value, InvalidInput)
    assert "Nothing was contacted" in str(refused.value)


def test_documented_azure_hosts_and_configured_endpoints_are_read_from() -> None:
    from finops_orchestrator.ingest.buckets import locate

    emulator = "http://127.0.0.1:10000/devstoreaccount1"
    assert locate("https://acct.blob.core.windows.net/exports/a/b.csv").account_url == (
        "https://acct.blob.core.windows.net"
    )
    for host in (
        "acct.blob.core.usgovcloudapi.net",
        "acct.blob.core.chinacloudapi.cn",
        "acct.z07.blob.storage.azure.net",
    ):
        where = locate(f"https://{host}/exports/prefix/")
        assert (where.account_url, where.bucket, where.prefix) == (f"https://{host}", "exports", "prefix/")
    where = locate(f"{emulator}/exports/prefix/", blob_endpoints=[emulator])
    assert (where.account_url, where.bucket, where.prefix) == (emulator, "exports", "prefix/")
    with pytest.raises(InvalidInput, match="blob_endpoints"):
        locate(f"{emulator}0/exports/", blob_endpoints=[emulator])  # another account on the same host


def test_with_a_connection_string_only_its_own_endpoint_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from finops_orchestrator.ingest.buckets import locate

    key = "a2V5"  # base64 of "key": the SDK only parses it here, nothing is signed or sent
    monkeypatch.setenv(
        "AZURE_STORAGE_CONNECTION_STRING",
        f"DefaultEndpointsProtocol=https;AccountName=mine;AccountKey={key};EndpointSuffix=core.windows.net",
    )
    assert locate("https://mine.blob.core.windows.net/exports/").account_url == "https://mine.blob.core.windows.net"
    with pytest.raises(InvalidInput, match="AZURE_STORAGE_CONNECTION_STRING") as refused:
        locate("https://theirs.blob.core.windows.net/exports/")
    assert key not in str(refused.value)


def test_the_roots_setting_comes_from_finops_toml_and_the_environment(tmp_path: Path) -> None:
    from finops_core.settings import Settings

    home = tmp_path / "home"
    assert Settings.load({"FINOPS_HOME": str(home)}).ingest_roots == [home / "imports"]
    roots = os.pathsep.join(["/srv/billing", "exports"])
    settings = Settings.load({"FINOPS_HOME": str(home), "FINOPS_INGEST__ROOTS": roots})
    assert settings.ingest_roots == [Path("/srv/billing"), home / "exports"]
    (home / "finops.toml").parent.mkdir(parents=True)
    (home / "finops.toml").write_text(
        '[ingest]\nroots = []\nblob_endpoints = ["http://127.0.0.1:10000/devstoreaccount1"]\n'
    )
    settings = Settings.load({"FINOPS_HOME": str(home)})
    assert (settings.ingest_roots, settings.ingest.blob_endpoints) == ([], ["http://127.0.0.1:10000/devstoreaccount1"])


async def test_finops_serve_keeps_a_read_token_client_inside_its_configured_roots(home: Path, tmp_path: Path) -> None:
    billing = tmp_path / "billing"
    _export(billing / "focus.csv")
    secret = _export(home / "imports" / "secret.csv")  # the default root, not the configured one
    _link(billing / "link.csv", secret)
    attempts = [
        str(secret),
        str(billing / "link.csv"),
        "../finops-home/imports/secret.csv",
        str(secret.parent / "*.csv"),
    ]
    env = {"FINOPS_HTTP__TOKENS__DASHBOARD__TOKEN": HTTP_READ_TOKEN, "FINOPS_INGEST__ROOTS": str(billing)}
    with http_server("finops", home, token=None, args=("serve",), **env) as url:
        async with client_with(url, HTTP_READ_TOKEN) as client:
            refused = [await client.call_tool("finops_ingest", {"paths": [path]}) for path in [*attempts, "~"]]
            loaded = await client.call_tool("finops_ingest", {"paths": ["focus.csv"]})
    for result in refused:
        assert f"{REFUSED}: {billing}" in _text(result)
    assert loaded.structured_content is not None, loaded.content
    assert loaded.structured_content["line_items"] == 40  # the one file inside, and nothing else
