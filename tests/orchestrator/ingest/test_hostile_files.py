"""Hostile files are refused clearly, in bounded time, with the ingest's memory growing under 300 MB.

One child process ingests every file (Python and the store's imports cost seconds; they are paid once) and
reports, per file, the refusal, the time and its peak RSS growth: VmHWM, reset before each file through
/proc/self/clear_refs, so neither other tests nor the other files blur it.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SHARED

FOCUS_CSV = SHARED / "data/focus-samples/FOCUS-1.0/focus_sample_1000.csv"
MAX_GROWTH_MB = 300
MAX_SECONDS = 10
_CHILD = """
import json, sys, time
from pathlib import Path
from finops_core.errors import InvalidInput
from finops_core.store import Store
from finops_orchestrator.ingest import ingest

def status(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024

for i, path in enumerate(sys.argv[2:]):
    store = Store(Path(sys.argv[1]) / f"store-{i}.sqlite")
    Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from here
    before, started = status("VmRSS"), time.monotonic()
    error = crash = None
    try:
        ingest(store, [path])
    except InvalidInput as exc:
        error = str(exc)
    except Exception as exc:  # a traceback is a failure of this file only: measure the others
        crash = f"{type(exc).__name__}: {str(exc)[:300]}"
    result = {"error": error, "crash": crash, "growth_mb": status("VmHWM") - before,
              "seconds": time.monotonic() - started, "line_items": store.info().line_items}
    print(json.dumps({Path(path).name: result}), flush=True)
"""
Maker = Callable[[Path], None]


def _header() -> bytes:
    with FOCUS_CSV.open("rb") as src:
        return src.readline()


def _first_row() -> bytes:
    with FOCUS_CSV.open("rb") as src:
        src.readline()
        return src.readline()


def _million_columns(path: Path) -> None:
    path.write_text(",".join(f"c{i}" for i in range(1_000_000)) + "\n1\n")  # 7.9 MB


def _million_cells_in_a_row(path: Path) -> None:
    path.write_bytes(_header() + _first_row() + b"," * 1_000_000 + b"\n" + _first_row())


def _hundred_mb_field(path: Path) -> None:
    with path.open("wb") as out:
        out.write(_header() + b'"')
        block = b"x" * (1 << 20)
        for _ in range(100):
            out.write(block)
        out.write(b'"' + b"," * 43 + b"\n")


def _two_mb_cell(path: Path) -> None:
    cells = _first_row().rstrip(b"\n").split(b",")
    cells[-1] = b"x" * (2 << 20)
    path.write_bytes(_header() + _first_row() + b",".join(cells) + b"\n")


def _sparse(path: Path) -> None:
    with path.open("wb") as out:
        out.truncate(2 << 30)  # 2 GiB of hole: no disk


def _gzip_bomb(path: Path) -> None:
    # Gzip members may follow each other: 4,096 members of 1 MiB of line ends, 4 GiB from about 4 MB.
    member = gzip.compress(b"\n" * (1 << 20), compresslevel=9)
    with path.open("wb") as out:
        out.write(gzip.compress(_header()))
        for _ in range(4096):
            out.write(member)


def _deep_json(path: Path) -> None:
    path.write_text(json.dumps({"cost": 1}) + "\n" + '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}\n")


def _deep_within_the_parser(path: Path) -> None:
    value: object = 1
    for _ in range(40):
        value = {"x": value}
    path.write_text(json.dumps({"cost": 1, "credits": value}) + "\n")


def _many_keys(path: Path) -> None:
    path.write_text(json.dumps({f"k{i}": 1 for i in range(300_000)}) + "\n")


def _long_line(path: Path) -> None:
    path.write_bytes(b'{"a": "' + b"x" * (8 << 20) + b'"}\n')


FILES: dict[str, tuple[Maker, str]] = {
    "million-columns.csv": (_million_columns, "no line end in its first 1 MiB"),
    "million-cells.csv": (_million_cells_in_a_row, "row 2 has 1,000,001 cells where its other rows have 44"),
    "hundred-mb-field.csv": (_hundred_mb_field, "longer than 16 MiB"),
    "two-mb-cell.csv": (_two_mb_cell, "row 2, column Tags: the cell holds 2,097,152 bytes"),
    "sparse.csv": (_sparse, "does not end with a line end"),
    "sparse.csv.gz": (_sparse, "is not a readable gzip file"),
    "sparse.jsonl": (_sparse, "line 1 is longer than 4 MiB"),
    "sparse.parquet": (_sparse, "is not a complete Parquet file"),
    "bomb.csv.gz": (_gzip_bomb, "x, and 64 GiB, are read)"),
    "deep.jsonl": (_deep_json, "line 2 nests objects or lists more than 32 deep"),
    "deep-within-the-parser.jsonl": (_deep_within_the_parser, "line 1 nests objects or lists more than 32 deep"),
    "many-keys.jsonl": (_many_keys, "keys; records of exports have at most 5,000"),
    "long-line.jsonl": (_long_line, "line 1 is longer than 4 MiB"),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    folder = tmp_path_factory.mktemp("hostile")
    paths = []
    for name, (make, _) in FILES.items():
        make(folder / name)
        paths.append(str(folder / name))
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(folder), *paths], capture_output=True, text=True, timeout=300, check=False
    )
    for path in paths:  # the big ones go at once (the sparse ones never took disk)
        Path(path).unlink()
    assert done.returncode == 0, done.stderr[-3000:]
    out: dict[str, dict[str, object]] = {}
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            out.update(json.loads(line))
    return out


@pytest.mark.parametrize("name", FILES)
def test_a_hostile_file_is_refused_clearly_in_bounded_time_and_memory(
    name: str, results: dict[str, dict[str, object]]
) -> None:
    result = results[name]
    assert result["crash"] is None, result["crash"]
    error = str(result["error"])
    assert result["error"] is not None, "the file was accepted"
    assert FILES[name][1] in error, error
    assert "Nothing from this file was written" in error
    assert result["line_items"] == 0
    assert int(result["growth_mb"]) < MAX_GROWTH_MB, result  # type: ignore[arg-type]
    assert float(result["seconds"]) < MAX_SECONDS, result  # type: ignore[arg-type]


def test_each_hostile_file_was_measured(results: dict[str, dict[str, object]]) -> None:
    assert sorted(results) == sorted(FILES)
