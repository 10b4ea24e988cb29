"""The code base passes its own linters: ruff (lint and format) everywhere, pyright (strict on core)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / args[0]), *args[1:]], cwd=REPO, capture_output=True, text=True, timeout=900)


def test_ruff_finds_no_lint_problems() -> None:
    done = _run("ruff", "check", "--output-format", "concise", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_code_is_ruff_formatted() -> None:
    done = _run("ruff", "format", "--check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_pyright_finds_no_type_errors_with_core_in_strict_mode() -> None:
    done = _run("pyright")
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    assert "0 errors" in done.stdout


def _package_sources() -> list[Path]:
    members = ("core", "servers", "orchestrator", "prompts")
    return sorted(p for top in members for p in (REPO / top).rglob("src/**/*.py"))


def test_no_error_is_raised_from_none_so_whoever_debugs_it_keeps_its_cause() -> None:
    # Logs are redacted, so a cause can be kept: `raise ... from None` hid the SDK's own error from the log.
    found = [
        f"{path.relative_to(REPO)}:{node.lineno}"
        for path in _package_sources()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Raise) and isinstance(node.cause, ast.Constant) and node.cause.value is None
    ]
    assert not found, found
