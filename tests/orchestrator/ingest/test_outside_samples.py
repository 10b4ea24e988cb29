"""Exports written by others (tests/data/outside/) ingest, and their totals match an independent pandas
computation on the raw file to the cent: per billing period and currency, billed and effective.

Left out (tests/data/outside/*/README.md): focus_converters' Oracle report (ingest has no Oracle format). The
toolkit's header-only EA_NoRows.csv is an empty export: 0 rows, noted.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from finops_core.money import from_nanos
from finops_core.store import Store
from finops_orchestrator.ingest import ingest

from tests.conftest import REPO

OUTSIDE = REPO / "tests/data/outside"
CUR = OUTSIDE / "focus_converters/sample-anonymous-aws-export-dataset.trimmed.csv"
EA = OUTSIDE / "focus_converters/sample-anonymous-ea-export-dataset.csv"
ACTUAL = OUTSIDE / "finops-toolkit/EA_ActualCost_Small.csv"
AMORTIZED = OUTSIDE / "finops-toolkit/EA_AmortizedCost_Small.csv"
NO_ROWS = OUTSIDE / "finops-toolkit/EA_NoRows.csv"
CENT = Decimal("0.01")
Totals = dict[tuple[str, str], tuple[Decimal, Decimal]]


def _raw(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _amount(text: str) -> Decimal:
    return Decimal(text) if text.strip() else Decimal(0)


def _expected(periods: pd.Series, currencies: pd.Series, billed: pd.Series, effective: pd.Series) -> Totals:
    out: dict[tuple[str, str], list[Decimal]] = {}
    for key, b, e in zip(zip(periods, currencies, strict=True), billed, effective, strict=True):
        sums = out.setdefault(key, [Decimal(0), Decimal(0)])
        sums[0] += b
        sums[1] += e
    return {k: (b.quantize(CENT), e.quantize(CENT)) for k, (b, e) in out.items()}


def _stored(path: Path, folder: Path) -> Totals:
    store = Store(folder / "store.sqlite")
    (report,) = ingest(store, [str(path)])
    assert report.rows_read == len(_raw(path))
    with store.reader() as conn:
        rows = conn.execute(
            "SELECT date(billing_period_start, 'unixepoch'), billing_currency, SUM(billed_cost), SUM(effective_cost) "
            "FROM focus_line_items GROUP BY 1, 2"
        ).fetchall()
    return {(p, c): (from_nanos(int(b)).quantize(CENT), from_nanos(int(e)).quantize(CENT)) for p, c, b, e in rows}


def test_the_focus_converters_cur_matches_its_unblended_cost(tmp_path: Path) -> None:
    cur = _raw(CUR)
    unblended = cur["lineItem/UnblendedCost"].map(_amount)
    expected = _expected(
        cur["bill/BillingPeriodStartDate"].str[:10], cur["lineItem/CurrencyCode"], unblended, unblended
    )
    assert _stored(CUR, tmp_path) == expected
    assert expected == {("2023-11-01", "USD"): (Decimal("0.12"), Decimal("0.12"))}  # not a vacuous match


def _azure_periods(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["BillingPeriodStartDate"], format="%m/%d/%Y").dt.strftime("%Y-%m-01")


@pytest.mark.parametrize(
    ("path", "cost", "currency"),
    [(EA, "CostInBillingCurrency", "BillingCurrencyCode"), (ACTUAL, "Cost", "BillingCurrency")],
    ids=["focus_converters-ea", "toolkit-actual"],
)
def test_an_azure_actual_export_matches_its_cost_column(path: Path, cost: str, currency: str, tmp_path: Path) -> None:
    frame = _raw(path)
    amounts = frame[cost].map(_amount)
    expected = _expected(_azure_periods(frame), frame[currency], amounts, amounts)
    assert _stored(path, tmp_path) == expected


def test_the_toolkit_amortized_export_bills_commitment_usage_at_zero(tmp_path: Path) -> None:
    frame = _raw(AMORTIZED)
    effective = frame["Cost"].map(_amount)
    covered = frame["PricingModel"].isin(["Reservation", "SavingsPlan"])
    billed = effective.where(~covered, Decimal(0))
    assert covered.sum() == 2
    assert _stored(AMORTIZED, tmp_path) == _expected(_azure_periods(frame), frame["BillingCurrency"], billed, effective)


def test_the_toolkit_export_without_rows_is_zero_rows_noted_and_writes_nothing(tmp_path: Path) -> None:
    raw = _raw(NO_ROWS)
    assert len(raw) == 0  # an EA header, no rows
    assert len(raw.columns) > 40
    store = Store(tmp_path / "finops.sqlite")
    (report,) = ingest(store, [str(NO_ROWS)])
    assert (report.line_items, report.note) == (0, "an export with no rows (header only): 0 rows")
    assert store.info().line_items == 0
