"""The local SQLite store of FOCUS line items (see ``schema`` for the tables)."""

from finops_core.store.codec import ColumnBatch
from finops_core.store.database import (
    CachedAnswer,
    Coverage,
    FileCheck,
    PartitionInfo,
    PartitionKind,
    ReconcileRow,
    Snapshot,
    SourceCheck,
    SourceInfo,
    Store,
    StoreInfo,
)
from finops_core.store.sources import ReplacedSource, SourceIdentity
from finops_core.store.writer import (
    PartitionKey,
    PartitionWriter,
    SourceTotal,
    WriteResult,
    partition_key,
    split_by_partition,
)

__all__ = [
    "CachedAnswer",
    "ColumnBatch",
    "Coverage",
    "FileCheck",
    "PartitionInfo",
    "PartitionKey",
    "PartitionKind",
    "PartitionWriter",
    "ReconcileRow",
    "ReplacedSource",
    "Snapshot",
    "SourceCheck",
    "SourceIdentity",
    "SourceInfo",
    "SourceTotal",
    "Store",
    "StoreInfo",
    "WriteResult",
    "partition_key",
    "split_by_partition",
]
