"""Running the project's console scripts as a user would, in an isolated FINOPS_HOME."""

from __future__ import annotations

import os
import subprocess
import sys
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
