"""The published members, read from their pyproject.toml, and their wheels, built once per test session."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

# Folder -> the command a user runs (None: a library). tests/ and bench/ are never published.
PUBLISHED = {
    "core": None,
    "prompts": None,
    "orchestrator": "finops",
    "servers/aws": "finops-aws",
    "servers/azure": "finops-azure",
    "servers/gcp": "finops-gcp",
}


@dataclass(frozen=True)
class Member:
    folder: str
    command: str | None

    @property
    def root(self) -> Path:
        return REPO / self.folder

    @property
    def project(self) -> dict[str, Any]:
        return tomllib.loads((self.root / "pyproject.toml").read_text())["project"]

    @property
    def name(self) -> str:
        return self.project["name"]

    @property
    def version(self) -> str:
        return self.project["version"]

    @property
    def wheel_stem(self) -> str:
        return f"{self.name.replace('-', '_')}-{self.version}"


MEMBERS = [Member(folder, command) for folder, command in PUBLISHED.items()]
SERVERS = [m for m in MEMBERS if m.command]


def member(name: str) -> Member:
    return next(m for m in MEMBERS if m.name == name)


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every member's wheel, built the way a release is (``uv build``, ignoring uv's workspace sources), by name."""
    uv = shutil.which("uv")
    assert uv, "uv is not on PATH: install it with `pip install uv` (the README's first step)"
    out = tmp_path_factory.mktemp("wheels")
    subprocess.run(
        [uv, "build", "--all-packages", "--wheel", "--no-sources", "--quiet", "--out-dir", str(out)],
        cwd=REPO,
        check=True,
        timeout=300,
    )
    return {m.name: out / f"{m.wheel_stem}-py3-none-any.whl" for m in MEMBERS}
