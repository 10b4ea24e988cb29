"""The local SQLite store of FOCUS line items (see ``schema`` for the tables)."""

from finops_core.store.database import (
    PartitionInfo,
    PartitionKey,
    PartitionKind,
    Store,
    StoreInfo,
    WriteResult,
    partition_key,
    split_by_partition,
)

__all__ = [
    "PartitionInfo",
    "PartitionKey",
    "PartitionKind",
    "Store",
    "StoreInfo",
    "WriteResult",
    "partition_key",
    "split_by_partition",
]
