"""Shared fixtures: the anyio backend, a fixed demo day, and isolated FINOPS_HOME folders; and a check that no
test's captured output or logs carry a test credential."""

from __future__ import annotations

import os
from collections.abc import Generator
from datetime import date
from pathlib import Path

import pytest
from finops_core.settings import Settings

from tests.credentials import leaked, masked

AS_OF = date(2026, 11, 26)
REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

# Every run sees an 80-column terminal, as CI does: rich fixes a console's width from COLUMNS when it is made, and
# output that reads well only on a wide terminal passed here and failed there.
os.environ["COLUMNS"] = "80"


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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, object, None]:
    """Fail a test whose captured stdout, stderr or logs (of this phase) carry a test credential, naming which."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    captured = "\n".join(text for title, text in report.sections if title.endswith(f" {report.when}"))
    names = leaked(captured)
    if not names:
        return
    message = f"Test credentials leaked into captured output or logs ({report.when}): {', '.join(names)}"
    # Show where, not what: the report's copy of the output names each credential instead of printing it.
    report.sections = [(title, masked(text)) for title, text in report.sections]
    if report.failed:
        report.sections.append(("leaked credentials", message))
    else:
        report.outcome = "failed"
        report.longrepr = message
