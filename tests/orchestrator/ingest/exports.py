"""Billing exports built from the shared samples for ingest tests: a Google Cloud export of several months whose
monthly files carry rows billed to the neighbouring invoice month, and a way to cut any export into files."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pandas as pd

from tests.conftest import SHARED

GCP_SAMPLE = SHARED / "data/native-samples/gcp/koku_gcp_bq_export_2020-11.csv"
_TIMES = ("usage_start_time", "usage_end_time", "export_time", "partition_date")
_CREDIT = re.compile(r"'amount': [^,]+")


def read(path: Path) -> pd.DataFrame:
    """An export's rows as text, exactly as written (empty cells stay empty strings)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def gcp_months(months: Sequence[str] = ("2020-10", "2020-11", "2020-12", "2021-01")) -> pd.DataFrame:
    """The Google Cloud sample repeated over ``months``, with every fourth row's usage moved to the month's last
    day and billed to the next invoice month (late usage), the way a month's file of the real export carries rows
    of its neighbour's invoice. The sample's costs are fractions of a cent, so each row gets a dollar amount (and
    its credits a tenth of it, in the export's Python-repr list), different every month."""
    sample = read(GCP_SAMPLE)
    frames: list[pd.DataFrame] = []
    for n, month in enumerate(months):
        frame = sample.copy()
        for column in _TIMES:
            frame[column] = month + frame[column].str[7:]
        costs = [Decimal("1.234567") * (i + 1) * (n + 1) for i in range(len(frame))]
        frame["cost"] = [str(c) for c in costs]
        frame["credits"] = [
            _CREDIT.sub(f"'amount': {-c / 10}", credits) for c, credits in zip(costs, frame["credits"], strict=True)
        ]
        late = frame.index % 4 == 0
        year, mon = int(month[:4]), int(month[5:])
        following = f"{year + mon // 12}{mon % 12 + 1:02d}"
        last_day = "30" if mon in (4, 6, 9, 11) else "28" if mon == 2 else "31"
        for column in _TIMES:
            frame.loc[late, column] = month + "-" + last_day + frame.loc[late, column].str[10:]
        frame["invoice.month"] = month.replace("-", "")
        frame.loc[late, "invoice.month"] = following
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def usage_month(frame: pd.DataFrame) -> pd.Series:
    """Each Google Cloud row's usage month (how the export is cut into monthly files)."""
    return frame["usage_start_time"].str[:7]


def write(frame: pd.DataFrame | pd.Series, path: Path) -> Path:  # a filtered frame types as either
    frame.to_csv(path, index=False)
    return path
