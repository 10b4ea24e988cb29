"""Shared fixtures: the anyio backend, a fixed demo day, and isolated FINOPS_HOME folders."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from finops_core.settings import Settings

AS_OF = date(2026, 11, 26)
REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "finops-home"
    folder.mkdir()
    return folder


@pytest.fixture
def settings(home: Path) -> Settings:
    return Settings.load({"FINOPS_HOME": str(home)}, overrides={"demo_as_of": AS_OF})
