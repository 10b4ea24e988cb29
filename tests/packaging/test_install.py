"""The built wheels install with pip into a clean virtual environment, as a user without a clone would, and the
commands work there: `finops demo`, and `finops-aws --demo` / `finops serve --demo` over stdio.

pip takes our packages from the wheel files named on its command line (a named file is the only candidate for its
project, so PyPI's unrelated `finops-mcp` can never stand in for ours) and every other dependency from the index.
The install is the slow part (a minute or two on two busy cores): once for the module. As it reaches PyPI, the
suite's main run leaves this module out (`-m "not wheel_install"`) and .ci/run runs it as a step of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from tests.commands import finops_env
from tests.packaging.conftest import MEMBERS, member

pytestmark = [pytest.mark.slow, pytest.mark.wheel_install]


def _clean_env(venv: Path, home: Path) -> dict[str, str]:
    """The test environment minus anything that could lead back to the workspace's environment."""
    env = finops_env(home)
    for name in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_PROJECT_ENVIRONMENT", "CONDA_PREFIX"):
        env.pop(name, None)
    env["PATH"] = os.pathsep.join([str(venv / "bin"), "/usr/local/bin", "/usr/bin", "/bin"])
    return env


@pytest.fixture(scope="module")
def venv(wheels: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clean") / "venv"
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=120)
    created = time.monotonic()
    # The orchestrator with the AWS extra: what a user who starts with one cloud installs.
    ours = [f"{wheels['finops-mcp']}[aws]", *(str(wheels[m.name]) for m in MEMBERS if m.name != "finops-mcp")]
    done = subprocess.run(
        # --no-compile: byte-compiling 600 MB of dependencies doubled the install; imports compile what they use.
        [
            str(folder / "bin/python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-compile",
            "--disable-pip-version-check",
            *ours,
        ],
        env=_clean_env(folder, folder.parent),
        cwd=folder.parent,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    print(f"venv {created - started:.1f} s, pip install of the wheels {time.monotonic() - created:.1f} s")
    return folder


def test_the_clean_environment_runs_our_code_from_the_wheels_not_the_workspace(venv: Path, tmp_path: Path) -> None:
    probe = (
        "import json, importlib.metadata as md, finops_core, finops_orchestrator, finops_aws, finops_prompts as p;"
        "print(json.dumps({'files': [m.__file__ for m in (finops_core, finops_orchestrator, finops_aws, p)],"
        "'versions': {d: md.version(d) for d in ('finops-mcp', 'finops-mcp-core', 'finops-mcp-aws')}}))"
    )
    done = subprocess.run(
        [str(venv / "bin/python"), "-c", probe],
        env=_clean_env(venv, tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    site_packages = str(venv / "lib")
    assert all(f.startswith(site_packages) for f in found["files"]), found["files"]
    assert found["versions"] == {n: member(n).version for n in ("finops-mcp", "finops-mcp-core", "finops-mcp-aws")}


def test_finops_demo_runs_from_the_installed_wheels_and_reconciles_to_the_cent(venv: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    done = subprocess.run(
        [str(venv / "bin/finops"), "demo"],
        env=_clean_env(venv, home),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = " ".join(done.stdout.split())
    assert "DEMO DATA" in out
    assert "equal the sandbox's to the cent" in out
    # The bundled FOCUS sample (package data of the orchestrator's wheel) loads and reconciles.
    assert "1,000 rows -> 1,000 line items; its totals reconcile with the file to the cent" in out
    assert "Forecast (" in out  # its models, imported lazily, run from the wheels too
    assert "Hash chain intact" in out
    assert "failed" not in out


@pytest.mark.anyio
async def test_the_installed_finops_aws_demo_answers_tools_list_over_stdio(venv: Path, tmp_path: Path) -> None:
    params = StdioServerParameters(
        command=str(venv / "bin/finops-aws"), args=["--demo"], env=_clean_env(venv, tmp_path), cwd=tmp_path
    )
    async with Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        result = await client.call_tool("aws_cost_query", {"start": "2026-10-01", "end": "2026-11-01"})
    assert {"aws_cost_query", "aws_list_resources", "aws_list_recommendations", "aws_provider_info"} <= names
    assert not result.is_error
    assert result.structured_content is not None
    assert result.structured_content["is_demo"] is True


@pytest.mark.anyio
async def test_the_installed_finops_serve_offers_the_prompts_shipped_in_their_wheel(venv: Path, tmp_path: Path) -> None:
    params = StdioServerParameters(
        command=str(venv / "bin/finops"), args=["serve", "--demo"], env=_clean_env(venv, tmp_path), cwd=tmp_path
    )
    async with Client(params) as client:
        prompts = {p.name for p in (await client.list_prompts()).prompts}
    assert {"monthly-cost-review", "investigate-cost-change", "savings-hunt"} <= prompts
