"""``ingest``: billing export files into the store, one transaction per file."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
from finops_core.errors import InvalidInput
from finops_core.focus import Lineage
from finops_core.logs import get_logger
from finops_core.store import PartitionKey, SourceTotal, Store, WriteResult
from finops_core.store.writer import SourceKey

from finops_orchestrator.ingest.buckets import downloaded, is_bucket
from finops_orchestrator.ingest.detect import by_name, detect
from finops_orchestrator.ingest.formats.azure import azure_format, cost_kind
from finops_orchestrator.ingest.formats.base import Chunk, ExportFormat, canonical
from finops_orchestrator.ingest.formats.focus import focus_version
from finops_orchestrator.ingest.reading import RaggedCsv, chunks, expand

_log = get_logger("finops.ingest")


@dataclass
class FileReport:
    path: str
    format: str
    rows_read: int = 0
    line_items: int = 0
    focus_version: str | None = None
    partitions: list[WriteResult] = field(default_factory=lambda: list[WriteResult]())


def ingest(
    store: Store,
    paths: list[str],
    *,
    format_name: str | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> list[FileReport]:
    """Load every export file under ``paths``. Each file is one transaction: a refused or interrupted
    file leaves the store as it was before that file; files before it stay loaded."""
    run = _Run(store, by_name(format_name) if format_name else None, progress)
    local = expand([p for p in paths if not is_bucket(p)]) if any(not is_bucket(p) for p in paths) else []
    reports = [_ingest_file(run, path, str(path)) for path in local]
    for url in (p for p in paths if is_bucket(p)):
        with downloaded(url) as files:
            reports += [_ingest_file(run, path, label) for path, label in files]
    return reports


@dataclass
class _Run:
    """What the files of one ingest share."""

    store: Store
    forced: ExportFormat | None
    progress: Callable[[str, int], None] | None
    written: dict[PartitionKey, str] = field(default_factory=lambda: dict[PartitionKey, str]())  # -> source


def _azure_kind(fmt: ExportFormat, chunk: Chunk, path: Path, forced: ExportFormat | None) -> ExportFormat:
    if not fmt.name.startswith("azure") or (forced is not None and forced.name != "azure-actual"):
        return fmt
    kind = cost_kind(chunk) or ("amortized" if "amortiz" in path.name.lower() else "actual")
    return azure_format(kind)


def _ingest_file(run: _Run, path: Path, label: str, *, tolerant: bool = False) -> FileReport:
    try:
        return _ingest_chunks(run, path, label, chunks(path, tolerant=tolerant))
    except RaggedCsv:  # the transaction rolled back; read it again with the tolerant (slower) reader
        return _ingest_file(run, path, label, tolerant=True)


def _ingest_chunks(run: _Run, path: Path, label: str, reader: Iterator[pd.DataFrame]) -> FileReport:
    store, forced, written, progress = run.store, run.forced, run.written, run.progress
    where = f"{PurePosixPath(label).name}: "
    first = next(reader, None)
    if first is None or first.empty:
        raise InvalidInput(f"{path}: the file has no rows. Nothing was written.")
    head = Chunk(first, where, 0)
    fmt = forced or detect(set(head.names), where)
    if missing := fmt.missing(set(head.names)):
        raise InvalidInput(
            f"{where}this is not a {fmt.title}: it lacks {', '.join(missing)}. Drop --format to detect the kind, "
            "or check the file. Nothing was written."
        )
    fmt = _azure_kind(fmt, head, path, forced)
    version = focus_version(set(head.names)) if fmt.name == "focus" else None
    lineage = Lineage(source=fmt.source, file=label, focus_version=version, ingested_at=datetime.now(UTC))
    report = FileReport(path=label, format=fmt.name, focus_version=version)
    keys: set[PartitionKey] = set()
    totals: dict[SourceKey, SourceTotal] = defaultdict(SourceTotal)
    with store.writer(lineage, kind="export", append_to=frozenset(written)) as writer:
        frame, offset = first, 0
        while frame is not None:
            chunk = Chunk(frame, where, offset)
            batch = fmt.convert(chunk)
            rows = len(batch["billed_cost"])
            for key in _keys(batch):
                if written.get(key, fmt.source) != fmt.source:
                    raise InvalidInput(
                        f"{where}{key.provider_name} {key.billing_account_id} {key.billing_period_start:%Y-%m} was "
                        f"already loaded in this run from a {written[key]} export; this file is {fmt.source}. "
                        "Actual and amortized exports repeat each other's rows: load one of them. Nothing from "
                        "this file was written."
                    )
                keys.add(key)
            writer.add_columns(batch, rows, where=where)
            _add_native(totals, fmt, chunk, batch)
            report.rows_read += chunk.rows
            _log.info("ingest chunk", file=path.name, rows=report.rows_read)
            if progress is not None:
                progress(path.name, report.rows_read)
            offset += chunk.rows
            frame = next(reader, None)
        writer.record_source_totals(label, totals)
    report.partitions = writer.results
    report.line_items = sum(r.rows for r in writer.results if r.written)
    written.update(dict.fromkeys(keys, fmt.source))
    return report


def _add_native(
    totals: dict[SourceKey, SourceTotal], fmt: ExportFormat, chunk: Chunk, batch: Mapping[str, Sequence[Any]]
) -> None:
    """Sum the file's own amounts per partition and currency (the batch's first rows are the file's rows)."""
    billed, effective = fmt.native(chunk)
    n = chunk.rows
    keys = list(
        zip(
            batch["provider_name"][:n],
            batch["billing_account_id"][:n],
            batch["billing_period_start"][:n],
            batch["billing_currency"][:n],
            strict=True,
        )
    )
    groups: dict[SourceKey, list[int]] = {}
    if len(distinct := set(keys)) == 1:  # the usual chunk: one account, one month, one currency
        groups[distinct.pop()] = list(range(n))
    else:
        for i, key in enumerate(keys):
            groups.setdefault(key, []).append(i)
    for key, rows in groups.items():
        total = totals[key]
        total.rows += len(rows)
        for column, attribute in ((billed, "billed"), (effective, "effective")):
            if column is None:
                continue
            picked = [column[i] for i in rows] if len(rows) != n else column
            present = [x for x in picked if x is not None]
            if present:
                setattr(total, attribute, (getattr(total, attribute) or Decimal(0)) + sum(present, Decimal(0)))


def _keys(batch: Mapping[str, Sequence[Any]]) -> set[PartitionKey]:
    providers, accounts, starts = batch["provider_name"], batch["billing_account_id"], batch["billing_period_start"]
    seen: set[tuple[Any, Any, Any]] = set(zip(providers, accounts, starts, strict=True))
    return {
        PartitionKey(provider_name=p, billing_account_id=a, billing_period_start=s.date())
        for p, a, s in seen
        if p is not None and a is not None and s is not None
    }


__all__ = ["FileReport", "canonical", "ingest"]
