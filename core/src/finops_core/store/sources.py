"""Sources: what each ingested file (or sync) is, which earlier sources it replaces, and removing them.

A source is one file (or one sync write). It is known by every path or URL it was loaded from (``source_labels``)
and by the SHA-256 of its bytes, so a renamed or copied file is the same source, never a second one. A file
replaces only:

- itself: a source loaded before from the same path or URL, or with the same content under another name;
- what its format declares complete: another delivery (``assembly``) of the same ``scope``, e.g. a newer AWS CUR
  assembly of the same report and billing period, or a newer run of the same Azure export for the same month.

Rows of any other source stay, whatever billing periods they share with the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict, Field

from finops_core.store.schema import ROLLUP_TABLES


class SourceIdentity(BaseModel):
    """What an ingested file is, as far as replacing goes."""

    model_config = ConfigDict(frozen=True)

    label: str = Field(description="Where it was read: an absolute path or an object URL.")
    content_hash: str | None = Field(default=None, description="SHA-256 of its bytes (hex).")
    scope: str | None = Field(
        default=None,
        description="What its format declares it holds completely (e.g. one CUR report's billing period); the "
        "sources of one scope are one delivery of it.",
    )
    assembly: str | None = Field(
        default=None, description="Which delivery of ``scope`` it belongs to (a CUR assembly id, an export run id)."
    )
    given_as: str | None = Field(
        default=None,
        description="The path as the user gave it, when it differs from ``label``: stores made before sources "
        "named files that way (relative paths), so it finds those.",
    )


class ReplacedSource(BaseModel):
    """An earlier source a write removed, and why."""

    label: str
    format: str
    rows: int
    reason: str


SAME_FILE = "the same file, loaded again"
SAME_CONTENT = "the same content, loaded before under another name"


def matching(conn: sqlite3.Connection, identity: SourceIdentity) -> dict[int, str]:
    """The export sources ``identity`` replaces, by id, with the reason for each."""
    found: dict[int, str] = {}
    if identity.scope is not None:
        for (source_id,) in conn.execute(
            "SELECT id FROM sources WHERE kind = 'export' AND scope = ? AND assembly IS NOT ?",
            (identity.scope, identity.assembly),
        ):
            found[int(source_id)] = f"an earlier delivery of {identity.scope}, which this one replaces whole"
    if identity.content_hash is not None:
        for (source_id,) in conn.execute(
            "SELECT id FROM sources WHERE kind = 'export' AND content_hash = ?", (identity.content_hash,)
        ):
            found[int(source_id)] = SAME_CONTENT
    for (source_id,) in conn.execute(
        "SELECT sl.source_id FROM source_labels sl JOIN sources s ON s.id = sl.source_id "
        "WHERE s.kind = 'export' AND (sl.label = ? OR (sl.label = ? AND s.content_hash IS NULL))",
        (identity.label, identity.given_as),
    ):
        found[int(source_id)] = SAME_FILE
    return found


def inherited_labels(conn: sqlite3.Connection, source_ids: Iterable[int]) -> set[str]:
    """The names of ``source_ids`` that a source replacing them answers to as well.

    Only sources whose content is known pass their names on (a copy of a file is the same source under both
    names); a source migrated from a store made before sources existed may hold rows of several files, so its
    names are not carried over.
    """
    ids = list(source_ids)
    if not ids:
        return set()
    marks = ", ".join("?" * len(ids))
    return {
        str(r[0])
        for r in conn.execute(
            f"SELECT sl.label FROM source_labels sl JOIN sources s ON s.id = sl.source_id WHERE sl.source_id IN "
            f"({marks}) AND s.content_hash IS NOT NULL",
            ids,
        )
    }


def describe(conn: sqlite3.Connection, source_ids: Iterable[int], reasons: dict[int, str]) -> list[ReplacedSource]:
    out: list[ReplacedSource] = []
    for source_id in sorted(source_ids):
        row = conn.execute("SELECT label, format, row_count FROM sources WHERE id = ?", (source_id,)).fetchone()
        if row is not None:
            out.append(ReplacedSource(label=row[0], format=row[1], rows=int(row[2]), reason=reasons[source_id]))
    return out


def delete_sources(conn: sqlite3.Connection, source_ids: Sequence[int]) -> None:
    """Remove every row of ``source_ids``: line items, rollups, stated totals, partitions, names."""
    for source_id in source_ids:
        slices = [int(r[0]) for r in conn.execute("SELECT id FROM partitions WHERE source_id = ?", (source_id,))]
        delete_slices(conn, slices)
        conn.execute("DELETE FROM source_totals WHERE source_id = ?", (source_id,))
        conn.execute("DELETE FROM source_file_totals WHERE source_id = ?", (source_id,))
        conn.execute("DELETE FROM source_labels WHERE source_id = ?", (source_id,))
        conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))


def delete_slices(conn: sqlite3.Connection, partition_ids: Sequence[int]) -> None:
    """Remove partition rows (one source's rows of one billing period) with their line items, rollups and the
    totals their source stated for them."""
    for partition_id in partition_ids:
        for table in ("line_items", *ROLLUP_TABLES):
            conn.execute(f"DELETE FROM {table} WHERE partition_id = ?", (partition_id,))
        conn.execute(
            "DELETE FROM source_totals WHERE rowid IN (SELECT st.rowid FROM source_totals st JOIN partitions p "
            "ON p.source_id = st.source_id AND p.provider_name = st.provider_name AND p.billing_account_id = "
            "st.billing_account_id AND p.billing_period_start = st.billing_period_start WHERE p.id = ?)",
            (partition_id,),
        )
        conn.execute("DELETE FROM partitions WHERE id = ?", (partition_id,))


def recount(conn: sqlite3.Connection, source_ids: Iterable[int]) -> None:
    """Set each source's row count from its partitions; drop sync sources left without any."""
    for source_id in source_ids:
        conn.execute(
            "UPDATE sources SET row_count = (SELECT COALESCE(SUM(row_count), 0) FROM partitions WHERE source_id = ?) "
            "WHERE id = ?",
            (source_id, source_id),
        )
    conn.execute(
        "DELETE FROM sources WHERE kind = 'sync' AND NOT EXISTS (SELECT 1 FROM partitions p WHERE p.source_id = "
        "sources.id)"
    )
    conn.execute("DELETE FROM source_labels WHERE source_id NOT IN (SELECT id FROM sources)")
    conn.execute("DELETE FROM source_file_totals WHERE source_id NOT IN (SELECT id FROM sources)")
