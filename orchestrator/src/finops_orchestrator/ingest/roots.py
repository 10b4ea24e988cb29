"""The folders ``finops_ingest`` may read when a client asks over MCP (``[ingest] roots``), and the check that keeps
it inside them.

A client with a read token must not make the server read what the server's user can read (``/etc/shadow``,
``finops.toml``, a home folder): every path, folder, glob and symlink target must resolve inside a root. Paths are
checked as the server resolves them (``realpath``), and every file a folder or glob would yield is checked before
anything is opened, dangling links included. Anything else gets one refusal, word for word the same whether or not
the path exists, so the answer never tells what lies outside the roots.

``finops ingest`` on the command line does not use this: a person runs it as themselves.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Sequence
from pathlib import Path

from finops_core.errors import InvalidInput

from finops_orchestrator.ingest.buckets import is_bucket
from finops_orchestrator.ingest.reading import SUFFIXES

_MAGIC = re.compile(r"[*?[]")


def confine(paths: Sequence[str], roots: Sequence[Path]) -> list[str]:
    """The export files ``paths`` name, found only inside ``roots``: files as given, folders walked, globs matched
    (a relative path is under the first root), each file once however many names reach it. Bucket URLs pass through
    unchanged (their hosts are checked where they are opened). Raises ``InvalidInput``, the same for any path
    outside, when a path or anything it yields is outside the roots."""
    real_roots = [Path(os.path.realpath(root)) for root in roots]
    found: dict[str, str] = {}  # the file (or URL) each is read as -> the name it was found by, first come first
    for raw in paths:
        for name in [raw] if is_bucket(raw) else _files(raw, roots, real_roots):
            found.setdefault(name if is_bucket(name) else os.path.realpath(name), name)
    return list(found.values())


def _files(raw: str, roots: Sequence[Path], real_roots: Sequence[Path]) -> list[str]:
    if not roots:
        raise InvalidInput(
            "finops_ingest over MCP is switched off here ([ingest] roots is empty). Run `finops ingest PATH` on the "
            "command line, or list folders in [ingest] roots of finops.toml and restart the server."
        )
    if not raw or "\0" in raw or raw.startswith("~") or ".." in Path(raw).parts:
        raise _outside(raw, roots)
    path = Path(raw) if Path(raw).is_absolute() else roots[0] / raw
    base = Path(*_until_magic(path.parts))
    if not _inside(base, real_roots):
        raise _outside(raw, roots)
    if _MAGIC.search(str(path.relative_to(base))):
        candidates = [Path(p) for p in glob.glob(str(path), recursive=True)]  # the call expand() makes
    elif path.is_dir():
        candidates = list(path.rglob("*"))  # rglob does not follow links to folders: nothing behind one is listed
    else:
        candidates = [path]
    # A file named outright is read whatever its name (as expand() does); a folder or glob yields exports only.
    exports = sorted(c for c in candidates if c == path or c.name.lower().endswith(SUFFIXES))
    if any(not _inside(c, real_roots) for c in exports):  # a link out, whether or not its target exists
        raise _outside(raw, roots)
    files = [str(c) for c in exports if c.is_file()]
    if not files:
        missing = [str(r) for r in roots if not r.is_dir()]
        hint = f" ({', '.join(missing)} does not exist yet: create it)" if missing else ""
        raise InvalidInput(
            f"{raw}: no such file, or no {', '.join(SUFFIXES)} files in it. Put the exports in {_listed(roots)}"
            f"{hint}. Nothing was written."
        )
    return files


def _until_magic(parts: Sequence[str]) -> list[str]:
    """The leading parts of a path without glob characters: the folder a glob starts from."""
    kept: list[str] = []
    for part in parts:
        if _MAGIC.search(part):
            break
        kept.append(part)
    return kept


def _inside(path: Path, real_roots: Sequence[Path]) -> bool:
    real = Path(os.path.realpath(path))  # follows every link, dangling ones to where they point
    return any(real == root or real.is_relative_to(root) for root in real_roots)


def _listed(roots: Sequence[Path]) -> str:
    return ", ".join(str(r) for r in roots)


def _outside(raw: str, roots: Sequence[Path]) -> InvalidInput:
    # The same words for every refusal: nothing here may depend on what exists outside the roots.
    return InvalidInput(
        f"{raw[:200]!r} is not inside the folders finops_ingest reads over MCP: {_listed(roots)}. Put the export "
        f"files there and name them by a path inside (absolute, or relative to {roots[0]}; no ~ or ..), or add "
        "their folder to [ingest] roots in finops.toml (FINOPS_INGEST__ROOTS) and restart the server. "
        "`finops ingest PATH` on the command line reads any path. Nothing was read."
    )
