"""Azurite, Microsoft's Azure Storage emulator (npm package ``azurite``; ``.ci/run`` installs it), serving Blob
storage on a free 127.0.0.1 port from a test's folder for as long as a ``with`` lasts."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO

DEV_ACCOUNT = "devstoreaccount1"
# Azurite's documented development account key: public and well known, not a secret.
DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
_LISTENING = "successfully listens on "


@dataclass(frozen=True)
class Azurite:
    """A running Azurite: its blob endpoint (emulator style: the account is the first path segment)."""

    port: int
    account: str
    key: str

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.account}"

    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={self.account};AccountKey={self.key};"
            f"BlobEndpoint={self.endpoint};"
        )


def azurite_command() -> str:
    local = REPO / ".ci/node/node_modules/.bin/azurite-blob"
    found = str(local) if local.exists() else shutil.which("azurite-blob")
    assert found, "Azurite is missing: .ci/run installs it (npm install --prefix .ci/node azurite)"
    return found


@contextmanager
def azurite(folder: Path, *, account: str = DEV_ACCOUNT, key: str = DEV_KEY) -> Iterator[Azurite]:
    """Azurite serving ``account`` (another than the development account replaces it; ``key`` is base64)."""
    env = {**os.environ, "AZURITE_ACCOUNTS": f"{account}:{key}"} if account != DEV_ACCOUNT else None
    process = subprocess.Popen(
        [
            azurite_command(),
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            "0",  # it picks a free port and says which
            "--location",
            str(folder),
            "--skipApiVersionCheck",
            "--loose",
            "--disableTelemetry",
            "--silent",  # no access log: nothing reads its output once it listens, so the pipe must stay quiet
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = 0
        for line in process.stdout:  # wait until it listens: no sleeping
            if _LISTENING in line:
                port = int(line.split(_LISTENING, 1)[1].strip().rsplit(":", 1)[1])
                break
        assert port, f"Azurite did not start (exit code {process.poll()})"
        yield Azurite(port, account, key)
    finally:
        process.terminate()
        process.wait(timeout=30)
