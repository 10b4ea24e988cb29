"""Each member installs on its own: a user with only AWS never gets the Azure or Google SDKs.

Each install is `uv sync --package <member>` (the member's own locked dependencies, nothing else) into a
fresh environment, offline from uv's cache, which the test command's own `uv sync` has just filled.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

OTHER_SDKS = {
    "aws": ("azure", "google"),
    "azure": ("boto", "google"),
    "gcp": ("boto", "azure"),
    "orchestrator": ("boto", "azure", "google"),
}


def _uv() -> str:
    uv = shutil.which("uv")
    assert uv, "uv is not on PATH: install it with `pip install uv` (the README's first step)"
    return uv


def _install(tmp_path: Path, member: str) -> tuple[Path, set[str]]:
    """Install one member and its locked dependencies, alone, into a fresh environment."""
    venv = tmp_path / "venv"
    package = "finops-mcp" if member == "orchestrator" else f"finops-mcp-{member}"
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv)}
    subprocess.run(
        [_uv(), "sync", "-q", "--package", package, "--frozen", "--no-dev", "--offline"],
        check=True,
        timeout=600,
        cwd=REPO,
        env=env,
    )
    listing = subprocess.run(
        [_uv(), "pip", "list", "--python", str(venv / "bin" / "python"), "--format", "freeze"],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    return venv, {line.split("==")[0].lower() for line in listing.splitlines() if line}


@pytest.mark.slow
@pytest.mark.parametrize("member", sorted(OTHER_SDKS))
def test_a_member_installs_without_the_other_clouds_sdks(tmp_path: Path, member: str) -> None:
    venv, packages = _install(tmp_path, member)
    strangers = {p for p in packages for prefix in OTHER_SDKS[member] if p.startswith(prefix)}
    assert not strangers, f"{member} pulled in {sorted(strangers)}"
    script = "finops" if member == "orchestrator" else f"finops-{member}"
    done = subprocess.run([venv / "bin" / script, "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert "demo" in done.stdout
