"""Running the project's console scripts as a user would, in an isolated FINOPS_HOME."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent


def finops_env(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment without FINOPS_* or CI, with FINOPS_HOME and a fixed demo day."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FINOPS_") and k != "CI"}
    return {**clean, "FINOPS_HOME": str(home), "FINOPS_DEMO_AS_OF": "2026-11-26", "COLUMNS": "200", **extra}


def run_finops(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "finops", *args], env=finops_env(home, **env), capture_output=True, text=True, timeout=300
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def http_server(
    command: str, home: Path, *, token: str | None, args: Sequence[str] = ("--demo",), **env: str
) -> Iterator[str]:
    """``command *args`` (default ``--demo``) serving streamable HTTP on a free loopback port behind ``token`` (or the
    tokens ``env`` configures); yields its URL."""
    port = free_port()
    tokens = {"FINOPS_HTTP__TOKEN": token} if token else {}
    with serving_on_http([str(BIN / command), *args], finops_env(home, **tokens, **env), port) as url:
        yield url


@contextmanager
def serving_on_http(argv: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    """``argv`` (an MCP server taking ``--transport http --port``) as its own process on ``port``, with ``env``;
    yields its streamable HTTP URL once uvicorn says it is bound, and stops it afterwards."""
    process = subprocess.Popen(
        [*argv, "--transport", "http", "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stderr is not None
        for line in process.stderr:  # wait for uvicorn to say it is bound: no sleeping
            if "Uvicorn running on" in line:
                break
        else:
            raise RuntimeError(f"{argv[0]} exited with {process.wait()}")
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=30)


def inspector() -> str:
    """The MCP Inspector CLI (an outside MCP client), installed by .ci/run."""
    local = Path(__file__).resolve().parent.parent / ".ci/node/node_modules/.bin/mcp-inspector"
    found = str(local) if local.exists() else shutil.which("mcp-inspector")
    assert found, "The MCP Inspector CLI is missing: .ci/run installs it (npm install --prefix .ci/node)"
    return found


def inspect(command: list[str], env: dict[str, str], *args: str) -> dict[str, object]:
    """Run ``command`` (a stdio MCP server) under the Inspector CLI with ``args`` (``--method tools/list`` ...)."""
    done = subprocess.run([inspector(), "--cli", *command, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    return json.loads(done.stdout)


def cloud_env(home: Path, prefixes: tuple[str, ...], **extra: str) -> dict[str, str]:
    """The test environment without this machine's settings for a cloud (variables starting with ``prefixes``)."""
    env = {k: v for k, v in finops_env(home).items() if not k.startswith(prefixes)}
    return {**env, **extra}
