"""The store's tables, created and evolved by ``sqlite_utils.Migrations``.

Tables (``sid`` = an id in ``strings``):

- ``strings(id, value)``: the dictionary. Every FOCUS string column, tag set and SKU price detail is
  stored once here and referenced by id, which keeps a file of millions of rows compact.
- ``partitions``: one row per (provider_name, billing_account_id, billing_period_start); its lineage
  (source, file, FOCUS version, ingested_at), its exact billing period (``period_start``/``period_end``,
  epoch seconds: every row of the partition shares them) and ``kind``: ``export`` (ingested line items) or ``sync``
  (daily aggregates from a provider API). An export supersedes a sync, never the reverse.
- ``line_items``: one row per FOCUS line item. String columns hold sids; cost metrics hold integer
  nanos (exact sums); quantities and unit prices hold exact decimal text; timestamps hold UTC epoch
  seconds; ``tags`` is the sid of the tag set's canonical JSON; ``x_extras`` is JSON text.
- ``tag_pairs(tagset, key, value)``: the key/value side table for tag sets (all sids).
- ``rollup_daily`` / ``rollup_monthly``: sums of the four cost metrics per day (or month) and coarse
  dimensions, per partition, written with the partition's line items. Readers SUM them: a partition that
  several files of one ingest add to holds one set of rows per file.
- ``source_totals``: per ingested file, partition and currency, the totals the file itself states
  (billed; effective where the format has it), for reconciliation.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from finops_core.focus import FOCUS_COLUMNS, ColumnKind

if TYPE_CHECKING:
    import sqlite_utils

# Importing sqlite_utils imports pandas and numpy when they are installed (over half a second): a store whose
# schema is current opens with plain sqlite3, and sqlite_utils is imported only to migrate.
MIGRATION_SET = "finops"
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite_utils.Migrations.migrations_table


Migration = Callable[["sqlite_utils.Database"], None]
_MIGRATIONS: list[tuple[str, Migration]] = []


def _migration(name: str) -> Callable[[Migration], Migration]:
    def register(fn: Migration) -> Migration:
        _MIGRATIONS.append((name, fn))
        return fn

    return register


@cache
def migrations() -> sqlite_utils.Migrations:
    """The store's migrations as a ``sqlite_utils.Migrations`` set, in order."""
    import sqlite_utils

    out = sqlite_utils.Migrations(MIGRATION_SET)
    for name, fn in _MIGRATIONS:
        out(name=name)(fn)
    return out


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    """Names of the migrations applied to the store, in the order applied (what ``Migrations.applied`` reads)."""
    try:
        rows = conn.execute(
            f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid", [MIGRATION_SET]
        ).fetchall()
    except sqlite3.OperationalError:  # no such table: a new store
        return []
    return [str(r[0]) for r in rows]


def migrate(conn: sqlite3.Connection) -> None:
    """Apply pending migrations; a store already current is left alone without importing sqlite_utils."""
    if set(applied_migrations(conn)) >= {name for name, _ in _MIGRATIONS}:
        return
    import sqlite_utils

    migrations().apply(sqlite_utils.Database(conn))


# FOCUS columns that are the same on every row of a partition: kept once, on the partition row (epoch seconds),
# not on each line item (12 bytes a row).
PARTITION_COLUMNS = {"billing_period_start": "period_start", "billing_period_end": "period_end"}

_SQL_TYPE = {
    ColumnKind.STRING: "INTEGER",
    ColumnKind.COST: "INTEGER",
    ColumnKind.DECIMAL: "TEXT",
    ColumnKind.DATETIME: "INTEGER",
    ColumnKind.JSON: "INTEGER",
}

# The dimensions each rollup keeps (line item column names); the metrics are the same in both.
DAILY_DIMENSIONS = (
    "provider_name",
    "billing_account_id",
    "sub_account_id",
    "service_name",
    "service_category",
    "charge_category",
    "billing_currency",
)
MONTHLY_DIMENSIONS = (*DAILY_DIMENSIONS, "region_id")
ROLLUP_METRICS = ("billed_cost", "effective_cost", "list_cost", "contracted_cost")


def _rollup_ddl(table: str, period: str, dimensions: tuple[str, ...]) -> str:
    dims = ", ".join(f"{d} INTEGER" for d in dimensions)
    # contracted_cost may be null in real files (FOCUS says it must not be): its sums may be null too.
    metrics = ", ".join(f"{m} INTEGER" for m in ROLLUP_METRICS)
    return (
        f"CREATE TABLE {table} (partition_id INTEGER NOT NULL, {period} TEXT NOT NULL, {dims}, "
        f"{metrics}, row_count INTEGER NOT NULL)"
    )


@_migration("0001_initial")
def _initial(db: sqlite_utils.Database) -> None:  # pyright: ignore[reportUnusedFunction]
    sql = db.conn  # the plain sqlite3 connection: typed, and DDL needs nothing more
    sql.execute("CREATE TABLE strings (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE)")
    sql.execute(
        """CREATE TABLE partitions (
            id INTEGER PRIMARY KEY,
            provider_name TEXT NOT NULL,
            billing_account_id TEXT NOT NULL,
            billing_period_start TEXT NOT NULL,
            period_start INTEGER NOT NULL,
            period_end INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('export', 'sync')),
            source TEXT NOT NULL,
            file TEXT,
            focus_version TEXT,
            ingested_at TEXT NOT NULL,
            row_count INTEGER NOT NULL,
            UNIQUE (provider_name, billing_account_id, billing_period_start)
        )"""
    )
    columns = ", ".join(f"{c.name} {_SQL_TYPE[c.kind]}" for c in FOCUS_COLUMNS if c.name not in PARTITION_COLUMNS)
    sql.execute(
        f"CREATE TABLE line_items (id INTEGER PRIMARY KEY, partition_id INTEGER NOT NULL, {columns}, x_extras TEXT)"
    )
    sql.execute("CREATE INDEX line_items_partition ON line_items (partition_id)")
    sql.execute("CREATE INDEX line_items_charge_start ON line_items (charge_period_start)")
    sql.execute(
        "CREATE TABLE tag_pairs (tagset INTEGER NOT NULL, key INTEGER NOT NULL, value INTEGER, "
        "PRIMARY KEY (tagset, key)) WITHOUT ROWID"
    )
    sql.execute("CREATE INDEX tag_pairs_key ON tag_pairs (key, value)")
    sql.execute(_rollup_ddl("rollup_daily", "day", DAILY_DIMENSIONS))
    sql.execute("CREATE INDEX rollup_daily_day ON rollup_daily (day)")
    sql.execute("CREATE INDEX rollup_daily_partition ON rollup_daily (partition_id)")
    sql.execute(_rollup_ddl("rollup_monthly", "month", MONTHLY_DIMENSIONS))
    sql.execute("CREATE INDEX rollup_monthly_month ON rollup_monthly (month)")
    sql.execute("CREATE INDEX rollup_monthly_partition ON rollup_monthly (partition_id)")

    # A readable face of line_items for people exploring the file with the sqlite3 shell or Datasette.
    def face(name: str, kind: ColumnKind) -> str:
        if name in PARTITION_COLUMNS:
            return f"p.{PARTITION_COLUMNS[name]} AS {name}"
        if kind in (ColumnKind.STRING, ColumnKind.JSON):
            return f"(SELECT value FROM strings WHERE id = li.{name}) AS {name}"
        return f"li.{name}"

    decoded = ", ".join(face(c.name, c.kind) for c in FOCUS_COLUMNS)
    sql.execute(
        f"CREATE VIEW focus_line_items AS SELECT li.id, li.partition_id, {decoded}, li.x_extras FROM line_items li "
        "JOIN partitions p ON p.id = li.partition_id"
    )


@_migration("0002_source_totals")
def _source_totals(db: sqlite_utils.Database) -> None:  # pyright: ignore[reportUnusedFunction]
    # What each ingested file said its totals were, per partition and currency (summed from the file's own
    # cost columns, not from our mapping), so `finops reconcile` can hold the store to them.
    db.conn.execute(
        "CREATE TABLE source_totals (partition_id INTEGER NOT NULL, file TEXT NOT NULL, currency TEXT NOT NULL, "
        "billed INTEGER, effective INTEGER, row_count INTEGER NOT NULL)"
    )
    db.conn.execute("CREATE INDEX source_totals_partition ON source_totals (partition_id)")


@_migration("0003_line_items_one_index")
def _one_index(db: sqlite_utils.Database) -> None:  # pyright: ignore[reportUnusedFunction]
    # One index on (partition, charge start) instead of one on each: every insert updates every index, and the
    # second cost a third of an ingest. Queries by charge period loop over partitions on this one.
    db.conn.execute("DROP INDEX line_items_partition")
    db.conn.execute("DROP INDEX line_items_charge_start")
    db.conn.execute("CREATE INDEX line_items_partition_start ON line_items (partition_id, charge_period_start)")


@_migration("0004_budgets")
def _budgets(db: sqlite_utils.Database) -> None:  # pyright: ignore[reportUnusedFunction]
    # Budgets across clouds, by name; the definition is the core Budget model as JSON (amount as exact text).
    db.conn.execute(
        "CREATE TABLE budgets (name TEXT PRIMARY KEY, definition TEXT NOT NULL, created_at TEXT NOT NULL, "
        "updated_at TEXT NOT NULL)"
    )
