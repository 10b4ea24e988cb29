"""Every real sample file ingests, and its totals match an independent pandas computation to the cent."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from finops_core.money import from_nanos
from finops_core.store import Store
from finops_orchestrator.ingest import ingest
from finops_orchestrator.ingest.values import parse_python_literal

from tests.conftest import SHARED

FOCUS = sorted((SHARED / "data/focus-samples/FOCUS-1.0").iterdir())
AWS = sorted((SHARED / "data/native-samples/aws").glob("*.csv"))
AZURE = sorted((SHARED / "data/native-samples/azure").glob("*.csv"))
GCP = sorted((SHARED / "data/native-samples/gcp").glob("*.csv"))
Totals = dict[tuple[str, str, str], tuple[Decimal, Decimal]]


def _d(value: object) -> Decimal:
    text = str(value).strip()
    return Decimal(0) if text in ("", "NULL", "nan", "None") else Decimal(text)


def _store_totals(store: Store) -> Totals:
    """(provider, service, billing period start) -> (billed, effective), read from the store."""
    with store.reader() as conn:
        rows = conn.execute(
            "SELECT provider_name, service_name, date(billing_period_start, 'unixepoch'), SUM(billed_cost), "
            "SUM(effective_cost) FROM focus_line_items GROUP BY 1, 2, 3"
        ).fetchall()
    return {(p, s, b): (from_nanos(int(billed)), from_nanos(int(eff))) for p, s, b, billed, eff in rows}


def _sum(frame: pd.DataFrame, keys: list[str], billed: pd.Series, effective: pd.Series) -> Totals:
    out: dict[tuple[str, str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for key, b, e in zip(zip(*(frame[k] for k in keys), strict=True), billed, effective, strict=True):
        out[key][0] += b
        out[key][1] += e
    return {k: (v[0], v[1]) for k, v in out.items()}


def _to_the_cent(totals: Totals) -> dict[tuple[str, str, str], tuple[Decimal, Decimal]]:
    cent = Decimal("0.01")
    return {k: (b.quantize(cent), e.quantize(cent)) for k, (b, e) in totals.items()}


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return pd.read_parquet(path).astype(str)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _ingested(path: Path, tmp_path: Path) -> Store:
    store = Store(tmp_path / "store.sqlite")
    (report,) = ingest(store, [str(path)])
    assert report.rows_read == len(_read(path))
    return store


@pytest.mark.parametrize("path", FOCUS, ids=lambda p: p.name)
def test_focus_files_match_their_own_billed_and_effective_totals(path: Path, tmp_path: Path) -> None:
    frame = _read(path)
    frame["period"] = frame["BillingPeriodStart"].str[:10]
    expected = _sum(
        frame, ["ProviderName", "ServiceName", "period"], frame["BilledCost"].map(_d), frame["EffectiveCost"].map(_d)
    )
    assert _to_the_cent(_store_totals(_ingested(path, tmp_path))) == _to_the_cent(expected)


@pytest.mark.parametrize("path", AWS, ids=lambda p: p.name)
def test_aws_cur_files_match_unblended_cost_and_the_amortization_rules(path: Path, tmp_path: Path) -> None:
    frame = _read(path).rename(columns=lambda c: c.replace("/", "_").lower().replace("lineitem_", "line_item_"))
    col = {c.replace("_", ""): c for c in frame.columns}
    unblended = frame[col["lineitemunblendedcost"]].map(_d)
    covered = frame[col["lineitemlineitemtype"]] == "SavingsPlanCoveredUsage"
    effective = unblended.where(
        ~covered, frame.get(col.get("savingsplansavingsplaneffectivecost", ""), unblended).map(_d)
    )
    frame["provider"] = "AWS"
    frame["period"] = frame[col["billbillingperiodstartdate"]].str[:10]
    service = col.get("productproductname", col["lineitemproductcode"])
    expected = _sum(frame, ["provider", service, "period"], unblended, effective)
    assert _to_the_cent(_store_totals(_ingested(path, tmp_path))) == _to_the_cent(expected)


@pytest.mark.parametrize("path", AZURE, ids=lambda p: p.name)
def test_azure_files_match_their_cost_column(path: Path, tmp_path: Path) -> None:
    frame = _read(path)
    cost_col = next(c for c in ("CostInBillingCurrency", "Cost", "PreTaxCost") if c in frame.columns)
    cost = frame[cost_col].map(_d)
    amortized = "Amortized" in path.name
    covered = frame.get("PricingModel", pd.Series([""] * len(frame))).isin(["Reservation", "SavingsPlan"])
    billed = cost.where(~(covered & amortized), Decimal(0))
    date_col = "Date" if "Date" in frame.columns else "UsageDateTime"
    dates = pd.to_datetime(frame.get("BillingPeriodStartDate", frame[date_col]), format="mixed")
    frame["period"] = dates.dt.strftime("%Y-%m-01")
    frame["provider"] = "Microsoft"
    expected = _sum(frame, ["provider", "MeterCategory", "period"], billed, cost)
    assert _to_the_cent(_store_totals(_ingested(path, tmp_path))) == _to_the_cent(expected)


@pytest.mark.parametrize("path", GCP, ids=lambda p: p.name)
def test_gcp_files_match_cost_plus_credits(path: Path, tmp_path: Path) -> None:
    frame = _read(path)
    credits = frame["credits"].map(
        lambda t: sum((Decimal(str(c["amount"])) for c in parse_python_literal(t)), Decimal(0)) if t else Decimal(0)
    )
    net = frame["cost"].map(_d) + credits
    frame["provider"] = "Google Cloud"
    frame["period"] = frame["invoice.month"].str[:4] + "-" + frame["invoice.month"].str[4:6] + "-01"
    expected = _sum(frame, ["provider", "service.description", "period"], net, net)
    store = _ingested(path, tmp_path)
    assert _to_the_cent(_store_totals(store)) == _to_the_cent(expected)
    with store.reader() as conn:  # gross usage stays visible beside the credits
        gross = conn.execute("SELECT SUM(billed_cost) FROM focus_line_items WHERE charge_category = 'Usage'")
        assert from_nanos(gross.fetchone()[0]) == sum(frame["cost"].map(_d), Decimal(0))


@pytest.mark.parametrize("path", [*FOCUS, *AWS, *AZURE, *GCP], ids=lambda p: p.name)
def test_ingesting_the_same_file_twice_leaves_identical_totals_and_row_counts(path: Path, tmp_path: Path) -> None:
    store = _ingested(path, tmp_path)
    first, first_info = _store_totals(store), store.info()
    ingest(store, [str(path)])
    assert _store_totals(store) == first
    assert store.info().line_items == first_info.line_items
    assert store.info().partitions == first_info.partitions
