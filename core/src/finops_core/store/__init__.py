"""The local SQLite store of FOCUS line items (see ``schema`` for the tables)."""

from finops_core.store.codec import ColumnBatch
from finops_core.store.database import (
    PartitionInfo,
    PartitionKind,
    Store,
    StoreInfo,
    partition_key,
    split_by_partition,
)
from finops_core.store.writer import PartitionKey, PartitionWriter, WriteResult

__all__ = [
    "ColumnBatch",
    "PartitionInfo",
    "PartitionKey",
    "PartitionKind",
    "PartitionWriter",
    "Store",
    "StoreInfo",
    "WriteResult",
    "partition_key",
    "split_by_partition",
]
