"""A process killed mid-file leaves the store exactly as it was before that file."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd

from tests.commands import finops_env
from tests.conftest import SHARED

BIN = Path(sys.executable).parent
SAMPLE = SHARED / "data/focus-samples/FOCUS-1.0/focus_sample_1000.csv"


def _env(home: Path) -> dict[str, str]:
    return finops_env(home, FINOPS_LOG_FORMAT="json")


def _info(home: Path) -> dict[str, object]:
    done = subprocess.run(
        [BIN / "finops", "store", "info", "--json"],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    info = json.loads(done.stdout)
    info.pop("size_bytes")  # the write-ahead log keeps the dead transaction's pages until the next checkpoint
    return info


def test_killing_the_process_mid_file_leaves_the_store_as_before(home: Path, tmp_path: Path) -> None:
    subprocess.run(
        [BIN / "finops", "ingest", str(SAMPLE)], env=_env(home), check=True, capture_output=True, timeout=300
    )
    before = _info(home)
    # The same month again, restated and four chunks long: the kill lands after the first chunk is written.
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    big = pd.concat([frame] * 200, ignore_index=True)
    restated = tmp_path / "restated.csv"
    big.to_csv(restated, index=False)
    process = subprocess.Popen(
        [BIN / "finops", "ingest", str(restated)],
        env={**_env(home), "FINOPS_LOG_LEVEL": "DEBUG"},  # each chunk is logged at debug level
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if "ingest chunk" in line:  # rows of this file are in the store's open transaction now
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert _info(home) == before
