"""``ingest``: billing export files into the store, one transaction per file.

Each file is a source (``finops_core.store.sources``): known by its absolute path or object URL and by the SHA-256
of its bytes. Loading it again (or a copy of it) replaces it; a file whose format declares a complete delivery (a
CUR manifest's assembly for its billing period, an Azure export run for its month) replaces the earlier deliveries
of that scope; nothing else is ever removed, so files that share billing periods add up.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from finops_core.errors import InvalidInput
from finops_core.focus import Lineage
from finops_core.logs import get_logger
from finops_core.store import ReplacedSource, SourceIdentity, SourceTotal, Store, WriteResult
from finops_core.store.columns import codes_of, distinct_rows
from finops_core.store.writer import SourceKey

from finops_orchestrator.ingest.buckets import Delivery, downloaded, is_bucket, locate
from finops_orchestrator.ingest.cells import CELL_ERRORS
from finops_orchestrator.ingest.cells import locate as locate_cell
from finops_orchestrator.ingest.detect import by_name, detect
from finops_orchestrator.ingest.formats.azure import azure_format, cost_kind
from finops_orchestrator.ingest.formats.base import Chunk, ExportFormat, canonical
from finops_orchestrator.ingest.formats.focus import focus_version
from finops_orchestrator.ingest.money import MoneyCheck
from finops_orchestrator.ingest.money import total as sum_of
from finops_orchestrator.ingest.reading import chunks, expand, truncation

_log = get_logger("finops.ingest")


@dataclass
class FileReport:
    path: str
    format: str
    rows_read: int = 0
    line_items: int = 0
    focus_version: str | None = None
    partitions: list[WriteResult] = field(default_factory=lambda: list[WriteResult]())
    replaced: list[ReplacedSource] = field(default_factory=lambda: list[ReplacedSource]())
    note: str | None = None  # e.g. an export with no rows
    derived: dict[str, int] = field(default_factory=lambda: dict[str, int]())  # column -> cells filled in


def ingest(
    store: Store,
    paths: list[str],
    *,
    format_name: str | None = None,
    progress: Callable[[str, int], None] | None = None,
    blob_endpoints: Sequence[str] = (),
) -> list[FileReport]:
    """Load every export file under ``paths``. Each file is one transaction: a refused or interrupted
    file leaves the store as it was before that file; files before it stay loaded. A file replaces only what
    was loaded from it before (same path, URL or content) or what its manifest declares it supersedes.
    ``blob_endpoints``: Azure Blob endpoints read from beyond Azure's documented hosts (``[ingest] blob_endpoints``)."""
    run = _Run(store, by_name(format_name) if format_name else None, progress)
    for url in (p for p in paths if is_bucket(p)):  # every URL checked before any file is written
        locate(url, blob_endpoints=blob_endpoints)
    local = expand([p for p in paths if not is_bucket(p)]) if any(not is_bucket(p) for p in paths) else []
    reports = [_ingest_file(run, path, str(path)) for path in local]
    for url in (p for p in paths if is_bucket(p)):
        with downloaded(url, blob_endpoints=blob_endpoints) as files:
            run.declared.update({path: delivery for path, _, delivery in files if delivery is not None})
            reports += [_ingest_file(run, path, label) for path, label, _ in files]
    return reports


@dataclass
class _Run:
    """What the files of one ingest share."""

    store: Store
    forced: ExportFormat | None
    progress: Callable[[str, int], None] | None
    # Files a manifest lists, with the complete delivery (a CUR assembly, an Azure export run) it declares them.
    declared: dict[Path, Delivery] = field(default_factory=lambda: dict[Path, Delivery]())


def source_identity(path: Path, label: str, delivery: Delivery | None = None) -> SourceIdentity:
    """What the file at ``path`` (read from ``label``) is: its absolute path or URL, its content's hash, and the
    delivery its manifest declares it part of."""
    with path.open("rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    name = label if is_bucket(label) else str(Path(label).expanduser().resolve())
    return SourceIdentity(
        label=name,
        given_as=None if name == label else label,
        content_hash=digest,
        scope=None if delivery is None else delivery.scope,
        assembly=None if delivery is None else delivery.assembly,
    )


def _azure_kind(fmt: ExportFormat, chunk: Chunk, path: Path, forced: ExportFormat | None) -> ExportFormat:
    if not fmt.name.startswith("azure") or (forced is not None and forced.name != "azure-actual"):
        return fmt
    kind = cost_kind(chunk) or ("amortized" if "amortiz" in path.name.lower() else "actual")
    return azure_format(kind)


def _ingest_file(run: _Run, path: Path, label: str) -> FileReport:
    where = f"{PurePosixPath(label).name}: "
    try:
        return _ingest_chunks(run, path, label, chunks(path, where=where), where)
    except InvalidInput as exc:  # a cut file can fail on its last, damaged row first: say it was cut
        if "cut off" in str(exc):
            raise
        cut = truncation(path, where)
        if cut is not None and str(cut) != str(exc):
            raise cut from exc
        raise


def _ingest_chunks(
    run: _Run, path: Path, label: str, reader: Iterator[pa.Table | pd.DataFrame], where: str
) -> FileReport:
    store, forced, progress = run.store, run.forced, run.progress
    first = next(reader, None)
    if first is None or len(first.columns) == 0:  # 0 bytes: nothing to tell its kind by, nothing to write
        for _ in reader:  # the reader's last checks
            pass
        return FileReport(path=label, format=forced.name if forced else "unknown", note="empty file (0 bytes): 0 rows")
    head = Chunk(first, where, 0)
    fmt = forced or detect(set(head.names), where)
    if missing := fmt.missing(set(head.names)):
        raise InvalidInput(
            f"{where}this is not a {fmt.title}: it lacks {', '.join(missing)}. Drop --format to detect the kind, "
            "or check the file. Nothing was written."
        )
    fmt = _azure_kind(fmt, head, path, forced)
    version = focus_version(set(head.names)) if fmt.name == "focus" else None
    identity = source_identity(path, label, run.declared.get(path))
    lineage = Lineage(source=fmt.source, file=identity.label, focus_version=version, ingested_at=datetime.now(UTC))
    report = FileReport(path=label, format=fmt.name, focus_version=version)
    totals: dict[SourceKey, SourceTotal] = defaultdict(SourceTotal)
    money = MoneyCheck(where)
    # A header-only export (a day or a scope without charges) is normal: 0 rows. It still goes through the writer,
    # so a file emptied since it was last loaded replaces what it held.
    with store.writer(lineage, kind="export", source=identity) as writer:
        for chunk, batch, native in _converted(fmt, first, reader, where) if len(first) else ():
            rows = len(batch["billed_cost"])
            writer.add_columns(batch, rows, where=where)
            _add_native(totals, native, chunk.rows, batch)
            money.add(native, chunk.rows, batch)
            for name, count in chunk.derived.items():
                report.derived[name] = report.derived.get(name, 0) + count
            report.rows_read += chunk.rows
            _log.debug("ingest chunk", file=path.name, rows=report.rows_read)
            if progress is not None:
                progress(path.name, report.rows_read)
        if not len(first):
            for _ in reader:  # the reader's last checks
                pass
            report.note = "an export with no rows (header only): 0 rows"
        money.verify()
        writer.record_source_totals(label, totals)
    report.partitions = writer.results
    report.replaced = writer.replaced
    report.line_items = sum(r.rows for r in writer.results if r.written)
    return report


Native = tuple[Sequence[Any] | None, Sequence[Any] | None]


def _converted(
    fmt: ExportFormat, first: pa.Table | pd.DataFrame, reader: Iterator[pa.Table | pd.DataFrame], where: str
) -> Iterator[tuple[Chunk, dict[str, Sequence[Any]], Native]]:
    """The file's chunks with their FOCUS columns and the file's own amounts.

    The next chunk is read and converted in a worker thread while the caller writes this one: Arrow and
    SQLite release the GIL for much of their work, so the two overlap on a second core. One chunk ahead at
    most, so memory stays bounded; an error in the worker surfaces here, at that chunk.
    """

    def convert(frame: pa.Table | pd.DataFrame, offset: int) -> tuple[Chunk, dict[str, Sequence[Any]], Native]:
        chunk = Chunk(frame, where, offset)
        try:
            return chunk, fmt.convert(chunk), fmt.native(chunk)
        except CELL_ERRORS as exc:  # a cell no parser anticipated: find it, and say which
            raise locate_cell(fmt, frame, where, offset, exc) from exc

    def advance(offset: int) -> tuple[Chunk, dict[str, Sequence[Any]], Native] | None:
        frame = next(reader, None)
        return None if frame is None else convert(frame, offset)

    with ThreadPoolExecutor(1, thread_name_prefix="finops-ingest") as pool:
        pending = pool.submit(convert, first, 0)
        while (ready := pending.result()) is not None:
            pending = pool.submit(advance, ready[0].first_row + ready[0].rows)
            yield ready


def _add_native(
    totals: dict[SourceKey, SourceTotal], native: Native, n: int, batch: Mapping[str, Sequence[Any]]
) -> None:
    """Sum the file's own amounts per partition and currency (the batch's first ``n`` rows are the file's rows)."""
    billed, effective = native
    columns = [batch[name][:n] for name in ("provider_name", "billing_account_id", "billing_period_start")]
    columns.append(batch["billing_currency"][:n])
    firsts, inverse = distinct_rows([codes_of(c) for c in columns])
    for group, first in enumerate(firsts.tolist()):
        rows = None if len(firsts) == 1 else np.flatnonzero(inverse == group)
        total = totals[(columns[0][first], columns[1][first], columns[2][first], columns[3][first])]
        total.rows += n if rows is None else len(rows)
        for column, attribute in ((billed, "billed"), (effective, "effective")):
            if column is not None and (amount := sum_of(column, rows)) is not None:
                setattr(total, attribute, (getattr(total, attribute) or Decimal(0)) + amount)


__all__ = ["FileReport", "canonical", "ingest"]
