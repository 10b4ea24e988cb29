"""The store's tables, created and evolved by ``sqlite_utils.Migrations``.

Tables (``sid`` = an id in ``strings``):

- ``strings(id, value)``: the dictionary. Every FOCUS string column, tag set and SKU price detail is
  stored once here and referenced by id, which keeps a file of millions of rows compact.
- ``sources`` (0010): one row per ingested file (or sync write): its kind (``export`` or ``sync``), format, where it
  was read (``label``), the SHA-256 of its bytes, the complete delivery its manifest declares (``scope``,
  ``assembly``) and its line item count. ``source_labels(label, source_id)``: every path or URL a source was loaded
  under (a copy of a file is the same source). See ``store.sources`` for what replaces what.
- ``partitions``: one row per (provider_name, billing_account_id, billing_period_start, source): the rows one source
  holds of one billing period. A billing period's rows are the sum of its partition rows (several files of one
  export add up). Each keeps its lineage (source format, file, FOCUS version, ingested_at), its exact billing period
  (``period_start``/``period_end``, epoch seconds: every row shares them) and ``kind``: ``export`` (ingested line
  items) or ``sync`` (daily aggregates from a provider API). For one billing period only one kind counts: an export
  supersedes a sync, never the reverse; and its exports are all of one format.
- ``line_items``: one row per FOCUS line item, under its partition row. String columns hold sids; cost metrics hold
  integer nanos (exact sums); quantities and unit prices hold exact decimal text; timestamps hold UTC epoch
  seconds; ``tags`` is the sid of the tag set's canonical JSON; ``x_extras`` is JSON text.
- ``tag_pairs(tagset, key, value)``: the key/value side table for tag sets (all sids).
- ``rollup_daily`` / ``rollup_monthly``: sums of the four cost metrics per day (or month) and coarse
  dimensions, per partition row, written with its line items. Readers SUM them: a billing period that several
  files add to holds one set of rows per file.
- ``rollup_day_*`` / ``rollup_month_*`` (0005): a small lattice of narrower rollups (``ROLLUP_SHAPES``), so a
  question reads the smallest table that holds its dimensions: every rollup keeps the base dimensions
  (provider, billing account, service category, charge category, currency) plus a subset of
  {service, sub-account, region}. ``rollup_day_tag_*`` / ``rollup_month_tag_*`` hold the sums of the line items
  carrying each tag (key, value) pair; untagged cost is the plain rollup's total minus them (exact in nanos).
- ``source_totals``: per source, billing period (provider, account, period start) and currency, the totals the file
  itself states (billed; effective where the format has it); ``source_file_totals`` the same per source and
  currency over all its periods. ``finops reconcile`` holds the store to both.
"""

from __future__ import annotations

import importlib
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

from finops_core.focus import FOCUS_COLUMNS, ColumnKind

if TYPE_CHECKING:
    import sqlite_utils

# Importing sqlite_utils imports pandas and numpy when they are installed (over half a second): a store whose
# schema is current opens with plain sqlite3, and sqlite_utils is imported only to migrate (see _sqlite_utils).
MIGRATION_SET = "finops"
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite_utils.Migrations.migrations_table


Migration = Callable[["sqlite_utils.Database"], None]
_MIGRATIONS: list[tuple[str, Migration]] = []


def _migration(name: str) -> Callable[[Migration], Migration]:
    def register(fn: Migration) -> Migration:
        _MIGRATIONS.append((name, fn))
        return fn

    return register


def _sqlite_utils() -> ModuleType:
    """sqlite_utils, without making it import pandas and numpy when nothing has loaded them yet.

    It imports them only to map their types when inserting their values, which migrations never do, and they
    cost a fresh store's first open (a per-cloud server's first answer) ~100 MB of memory and ~0.4 s. A name set
    to None in ``sys.modules`` makes its import raise ImportError, which sqlite_utils takes as "not installed".
    This happens once a process, at its first migration (at start-up): a thread importing pandas in those ~30 ms
    would fail, and none does then.
    """
    if "sqlite_utils" in sys.modules:
        return sys.modules["sqlite_utils"]
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        return importlib.import_module("sqlite_utils")
    finally:
        for name in hidden:
            del sys.modules[name]


@cache
def migrations() -> sqlite_utils.Migrations:
    """The store's migrations as a ``sqlite_utils.Migrations`` set, in order."""
    sqlite_utils = _sqlite_utils()

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
    migrations().apply(_sqlite_utils().Database(conn))


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


def _rollup_ddl(table: str, period: str, dimensions: tuple[str, ...], *, tagged: bool = False) -> str:
    dims = ", ".join(f"{d} INTEGER" for d in (("tag_key", "tag_value") if tagged else ()) + dimensions)
    # contracted_cost may be null in real files (FOCUS says it must not be): its sums may be null too.
    metrics = ", ".join(f"{m} INTEGER" for m in ROLLUP_METRICS)
    return (
        f"CREATE TABLE {table} (partition_id INTEGER NOT NULL, {period} TEXT NOT NULL, {dims}, "
        f"{metrics}, row_count INTEGER NOT NULL)"
    )


# Every rollup of the lattice keeps these (few values each); the shapes add up to two of the wide dimensions.
BASE_DIMENSIONS = ("provider_name", "billing_account_id", "service_category", "charge_category", "billing_currency")
WIDE_DIMENSIONS = ("service_name", "sub_account_id", "region_id")


@dataclass(frozen=True)
class RollupShape:
    """A set of dimensions and the tables that sum line items by them: per day, per month (either may be absent).

    ``tagged`` tables also key on (tag_key, tag_value) and sum only the line items carrying that pair.
    """

    dimensions: tuple[str, ...]
    day: str | None
    month: str | None
    tagged: bool = False

    @property
    def tables(self) -> tuple[tuple[str, str], ...]:
        """(table, period column) of each table of the shape."""
        return tuple((t, p) for t, p in ((self.day, "day"), (self.month, "month")) if t is not None)


def _shape(*wide: str, day: bool = True, month: bool = False, tagged: bool = False) -> RollupShape:
    name = "_".join(w.removesuffix("_name").removesuffix("_id") for w in wide) or "base"
    tag = "tag_" if tagged else ""
    return RollupShape(
        (*BASE_DIMENSIONS, *wide),
        f"rollup_day_{tag}{name}" if day else None,
        f"rollup_month_{tag}{name}" if month else None,
        tagged,
    )


# Smallest first (fewest wide dimensions). Every pair of wide dimensions has a daily table, so a breakdown by any
# two of them over part of a month never reads line items (0005 made the region pairs monthly only; 0007 adds their
# daily tables); all three together have a monthly table only. Narrow shapes have no monthly table: their daily one
# is already small. Created (and backfilled) by 0005 and 0007.
ROLLUP_SHAPES = (
    _shape(),
    _shape("service_name"),
    _shape("sub_account_id"),
    _shape("region_id"),
    RollupShape(DAILY_DIMENSIONS, "rollup_daily", "rollup_month_service_sub_account"),
    _shape("service_name", "region_id", month=True),
    _shape("sub_account_id", "region_id", month=True),
    RollupShape(MONTHLY_DIMENSIONS, None, "rollup_monthly"),
)
TAG_SHAPES = (
    _shape("service_name", month=True, tagged=True),
    _shape("sub_account_id", month=True, tagged=True),
)
ROLLUP_TABLES = tuple(t for shape in (*ROLLUP_SHAPES, *TAG_SHAPES) for t, _ in shape.tables)


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

    sql.execute(_focus_view())


def _focus_view() -> str:
    """A readable face of line_items for people exploring the file with the sqlite3 shell or Datasette."""

    def face(name: str, kind: ColumnKind) -> str:
        if name in PARTITION_COLUMNS:
            return f"p.{PARTITION_COLUMNS[name]} AS {name}"
        if kind in (ColumnKind.STRING, ColumnKind.JSON):
            return f"(SELECT value FROM strings WHERE id = li.{name}) AS {name}"
        return f"li.{name}"

    decoded = ", ".join(face(c.name, c.kind) for c in FOCUS_COLUMNS)
    return (
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


@_migration("0005_rollup_lattice")
def _rollup_lattice(db: sqlite_utils.Database) -> None:  # pyright: ignore[reportUnusedFunction]
    # Narrower rollups beside rollup_daily / rollup_monthly (see ROLLUP_SHAPES) and tag rollups, so breakdowns and
    # tag coverage stop scanning line items. Existing stores are backfilled here; writes keep them afterwards.
    _add_rollups(db.conn, (*ROLLUP_SHAPES, *TAG_SHAPES))


def _add_rollups(sql: sqlite3.Connection, shapes: tuple[RollupShape, ...]) -> None:
    """Create each table of ``shapes`` the store lacks, with its indexes, filled from line_items."""
    existing = {r[0] for r in sql.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for shape in shapes:
        for table, period in shape.tables:
            if table in existing:
                continue
            sql.execute(_rollup_ddl(table, period, shape.dimensions, tagged=shape.tagged))
            lead = "tag_key, " if shape.tagged else ""
            sql.execute(f"CREATE INDEX {table}_{period} ON {table} ({lead}{period})")
            sql.execute(f"CREATE INDEX {table}_partition ON {table} (partition_id)")
            sql.execute(backfill_sql(table, period, shape))


def backfill_sql(table: str, period: str, shape: RollupShape) -> str:
    """The INSERT that fills ``table`` (of ``shape``) from line_items, as the writer would have."""
    names = ", ".join((*(("tag_key", "tag_value") if shape.tagged else ()), *shape.dimensions, *ROLLUP_METRICS))
    return f"INSERT INTO {table} (partition_id, {period}, {names}, row_count) {rollup_select(period, shape)}"


def rollup_select(period: str, shape: RollupShape) -> str:
    """The SELECT over line_items whose rows a rollup table of ``shape`` holds (columns in table order)."""
    expr = {
        "day": "date(li.charge_period_start, 'unixepoch')",
        "month": "strftime('%Y-%m-01', li.charge_period_start, 'unixepoch')",
    }[period]
    tag_cols, join = "", ""
    if shape.tagged:
        tag_cols, join = "tp.key, tp.value, ", " JOIN tag_pairs tp ON tp.tagset = li.tags"
    dims = ", ".join(f"li.{d}" for d in shape.dimensions)
    metrics = ", ".join(f"SUM(li.{m})" for m in ROLLUP_METRICS)
    groups = ", ".join(str(i) for i in range(1, 3 + len(shape.dimensions) + (2 if shape.tagged else 0)))
    return (
        f"SELECT li.partition_id, {expr}, {tag_cols}{dims}, {metrics}, COUNT(*) FROM line_items li{join} "
        f"GROUP BY {groups}"
    )


@_migration("0006_provider_snapshots")
def _provider_snapshots(db: sqlite_utils.Database) -> None:  # pyright: ignore[reportUnusedFunction]
    # The latest inventory and recommendations each provider gave `finops sync`, as the core models' JSON, so
    # answers can still name them (with their age) when the cloud is not reachable.
    db.conn.execute(
        "CREATE TABLE provider_snapshots (provider TEXT NOT NULL, kind TEXT NOT NULL, taken_at TEXT NOT NULL, "
        "body TEXT NOT NULL, PRIMARY KEY (provider, kind))"
    )


@_migration("0007_daily_region_pairs")
def _daily_region_pairs(db: sqlite_utils.Database) -> None:  # pyright: ignore[reportUnusedFunction]
    # Daily tables for service x region and sub-account x region (stores made by an earlier 0005 lack them), so a
    # two-dimension breakdown with region over part of a month reads a rollup, not line items (1.2 s at 5M rows).
    _add_rollups(db.conn, ROLLUP_SHAPES)


@_migration("0008_api_answers")
def _api_answers(db: sqlite_utils.Database) -> None:  # pyright: ignore[reportUnusedFunction]
    # Answers of paid cloud APIs (Cost Explorer is $0.01 a request), keyed by a hash of the exact request, so a
    # repeated question is answered here and costs nothing.
    db.conn.execute(
        "CREATE TABLE api_answers (key TEXT PRIMARY KEY, provider TEXT NOT NULL, operation TEXT NOT NULL, "
        "stored_at TEXT NOT NULL, body TEXT NOT NULL)"
    )


@_migration("0009_remediation")
def _remediation(db: sqlite_utils.Database) -> None:  # pyright: ignore[reportUnusedFunction]
    # Remediation plans, the approvals people gave them, their executions and the audit log. Plans, approvals and
    # audit entries are never changed or removed (triggers refuse it); the audit log is hash-chained besides, so a
    # change made around the triggers is still detected by `finops audit`.
    sql = db.conn
    sql.execute(
        "CREATE TABLE remediation_plans (plan_id TEXT PRIMARY KEY, hash TEXT NOT NULL, created_at TEXT NOT NULL, "
        "body TEXT NOT NULL)"
    )
    sql.execute(
        "CREATE TABLE remediation_approvals (approval_id TEXT PRIMARY KEY, plan_id TEXT NOT NULL, "
        "plan_hash TEXT NOT NULL, approved_by TEXT NOT NULL, channel TEXT NOT NULL, approved_at TEXT NOT NULL, "
        "expires_at TEXT NOT NULL)"
    )
    sql.execute("CREATE INDEX remediation_approvals_plan ON remediation_approvals (plan_id)")
    # One run per approval (UNIQUE): an approval is used once, even by two executions racing for it.
    sql.execute(
        "CREATE TABLE remediation_runs (run_id TEXT PRIMARY KEY, plan_id TEXT NOT NULL, "
        "approval_id TEXT NOT NULL UNIQUE, owner TEXT NOT NULL, started_at TEXT NOT NULL, lease_until REAL NOT NULL, "
        "finished_at TEXT, outcome TEXT)"
    )
    sql.execute("CREATE INDEX remediation_runs_plan ON remediation_runs (plan_id)")
    sql.execute(
        "CREATE TABLE remediation_steps (plan_id TEXT NOT NULL, step INTEGER NOT NULL, state TEXT NOT NULL, "
        "run_id TEXT NOT NULL, updated_at TEXT NOT NULL, result TEXT, PRIMARY KEY (plan_id, step))"
    )
    sql.execute(
        "CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, "
        "event TEXT NOT NULL, plan_id TEXT, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"
    )
    for table in ("remediation_plans", "remediation_approvals", "audit_log"):
        for change in ("UPDATE", "DELETE"):
            sql.execute(
                f"CREATE TRIGGER {table}_no_{change.lower()} BEFORE {change} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


@_migration("0010_sources")
def _sources(db: sqlite_utils.Database) -> None:  # pyright: ignore[reportUnusedFunction]
    # Each file is a source, and a partition row holds one source's rows of one billing period, so a later file
    # replaces only itself, never the rows another file holds for the same period (a partition used to be replaced
    # whole, which lost the neighbouring-month rows of exports split by file). Stated totals belong to the source, so
    # `finops reconcile` notices rows of a source that went missing.
    sql = db.conn
    sql.execute(
        "CREATE TABLE sources (id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('export', 'sync')), "
        "format TEXT NOT NULL, label TEXT NOT NULL, content_hash TEXT, scope TEXT, assembly TEXT, focus_version TEXT, "
        "ingested_at TEXT NOT NULL, row_count INTEGER NOT NULL)"
    )
    sql.execute("CREATE INDEX sources_content_hash ON sources (content_hash)")
    sql.execute("CREATE INDEX sources_scope ON sources (scope)")
    sql.execute(
        "CREATE TABLE source_labels (label TEXT NOT NULL, source_id INTEGER NOT NULL, PRIMARY KEY (label, source_id)) "
        "WITHOUT ROWID"
    )
    sql.execute("CREATE INDEX source_labels_source ON source_labels (source_id)")
    # Existing partitions: one source per file that opened them (the lineage a partition kept), named by that file
    # and by every file whose totals it recorded (files of one ingest added to each other's partitions).
    sql.execute(
        "INSERT INTO sources (kind, format, label, focus_version, ingested_at, row_count) "
        "SELECT kind, source, COALESCE(file, source), focus_version, ingested_at, SUM(row_count) FROM partitions "
        "GROUP BY kind, source, file, focus_version, ingested_at ORDER BY MIN(id)"
    )
    sql.execute(
        "CREATE TEMP TABLE legacy_owner AS SELECT p.id AS partition_id, s.id AS source_id FROM partitions p "
        "JOIN sources s ON s.kind = p.kind AND s.format = p.source AND s.label = COALESCE(p.file, p.source) "
        "AND s.focus_version IS p.focus_version AND s.ingested_at = p.ingested_at"
    )
    sql.execute(
        "INSERT OR IGNORE INTO source_labels SELECT label, id FROM sources WHERE kind = 'export' UNION "
        "SELECT st.file, o.source_id FROM source_totals st JOIN legacy_owner o ON o.partition_id = st.partition_id"
    )
    sql.execute("DROP VIEW focus_line_items")  # it names partitions, rebuilt below
    sql.execute("ALTER TABLE partitions RENAME TO partitions_0009")
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
            source_id INTEGER NOT NULL,
            UNIQUE (provider_name, billing_account_id, billing_period_start, source_id)
        )"""
    )
    sql.execute("CREATE INDEX partitions_source ON partitions (source_id)")
    sql.execute(
        "INSERT INTO partitions SELECT p.*, o.source_id FROM partitions_0009 p "
        "JOIN legacy_owner o ON o.partition_id = p.id"
    )
    sql.execute("DROP TABLE partitions_0009")
    sql.execute("ALTER TABLE source_totals RENAME TO source_totals_0009")
    sql.execute(
        "CREATE TABLE source_totals (source_id INTEGER NOT NULL, provider_name TEXT NOT NULL, "
        "billing_account_id TEXT NOT NULL, billing_period_start TEXT NOT NULL, currency TEXT NOT NULL, "
        "billed INTEGER, effective INTEGER, row_count INTEGER NOT NULL)"
    )
    sql.execute("CREATE INDEX source_totals_source ON source_totals (source_id)")
    sql.execute(
        "CREATE INDEX source_totals_key ON source_totals (provider_name, billing_account_id, billing_period_start)"
    )
    sql.execute(
        "INSERT INTO source_totals SELECT o.source_id, p.provider_name, p.billing_account_id, p.billing_period_start, "
        "st.currency, st.billed, st.effective, st.row_count FROM source_totals_0009 st "
        "JOIN legacy_owner o ON o.partition_id = st.partition_id JOIN partitions p ON p.id = st.partition_id"
    )
    sql.execute("DROP TABLE source_totals_0009")
    # What each file states in all (per currency), kept apart from the per-period totals: a write that wrongly
    # removed another file's rows of a period together with its totals for that period still shows here.
    sql.execute(
        "CREATE TABLE source_file_totals (source_id INTEGER NOT NULL, currency TEXT NOT NULL, billed INTEGER, "
        "effective INTEGER, row_count INTEGER NOT NULL, PRIMARY KEY (source_id, currency)) WITHOUT ROWID"
    )
    sql.execute(
        "INSERT INTO source_file_totals SELECT source_id, currency, CASE WHEN COUNT(billed) = COUNT(*) THEN "
        "SUM(billed) END, CASE WHEN COUNT(effective) = COUNT(*) THEN SUM(effective) END, SUM(row_count) "
        "FROM source_totals GROUP BY source_id, currency"
    )
    sql.execute("DROP TABLE temp.legacy_owner")
    sql.execute(_focus_view())
