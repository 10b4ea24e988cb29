"""The ceilings every export file is read under, in one place.

Real exports stay far below them (a CUR with a thousand tag columns, a 64 KB Azure ``AdditionalInfo`` cell,
BigQuery records nested five deep, gzip at 10-40x); a file past one is refused before it can take the
machine's memory or time. Each is checked while reading, never after the whole file is in memory.
"""

from __future__ import annotations

MIB = 1 << 20

MAX_COLUMNS = 5_000
"""Columns in a CSV header, a Parquet schema or one JSON record (its keys, nested ones included)."""

MAX_HEADER_BYTES = 1 * MIB
"""A CSV header row: it is read whole to learn the columns before the fast reader starts."""

MAX_ROW_BYTES = 16 * MIB
"""A CSV row: the fast reader parses blocks of this size and a row must fit in one."""

MAX_LINE_BYTES = 4 * MIB
"""A JSON line: each is parsed whole into Python objects (several times its size), so lower than a CSV row."""

MAX_FIELD_BYTES = 1 * MIB
"""One cell (CSV field, JSON or Parquet string)."""

MAX_JSON_DEPTH = 32
"""Nesting of objects and lists in one JSON record (BigQuery allows 15 levels of records)."""

MAX_GZIP_RATIO = 100
"""Decompressed bytes per compressed byte, past ``GZIP_RATIO_FROM``: billing CSV compresses 10-40x."""

GZIP_RATIO_FROM = 64 * MIB
"""Decompressed size below which the ratio is not checked (small files can be anything)."""

MAX_DECOMPRESSED_BYTES = 64 << 30
"""Decompressed bytes of one gzip file, whatever its ratio."""
