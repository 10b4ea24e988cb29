"""Exports in the layouts the vendors document (tests/data/outside/columns/) ingest like the samples they are
filled from: the same totals to the cent, and the documented columns that carry FOCUS data are read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from finops_orchestrator.ingest.formats.base import canonical

from tests.conftest import REPO, SHARED
from tests.orchestrator.ingest.formats.stored import stored_rows

COLUMNS = REPO / "tests/data/outside/columns"
TOOLKIT_ACTUAL = REPO / "tests/data/outside/finops-toolkit/EA_ActualCost_Small.csv"
ATHENA_CUR = SHARED / "data/native-samples/aws/koku_cur_athena_snake_case_2022-07-01.csv"
# The toolkit's older EA names for columns the documented layouts name otherwise.
RENAMED = {
    "costinbillingcurrency": "Cost",
    "billingcurrencycode": "BillingCurrency",
    "billingcurrency": "BillingCurrency",
}
RENAMED |= {"resourcegroupname": "ResourceGroup"}


def _documented(name: str) -> list[str]:
    return (COLUMNS / name).read_text().split()


def _in_layout(columns: list[str], target: Path, **values: str) -> Path:
    """The toolkit's EA actual-cost sample rewritten with exactly ``columns`` (matched by name, case-blind);
    a documented column the sample lacks is empty unless ``values`` gives it."""
    sample = pd.read_csv(TOOLKIT_ACTUAL, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    by_name = {canonical(c): c for c in sample.columns}
    frame = pd.DataFrame(index=sample.index)
    for column in columns:
        source = by_name.get(canonical(column)) or RENAMED.get(canonical(column))
        frame[column] = values.get(column, sample.get(source, ""))
    frame.to_csv(target, index=False)
    return target


def _totals(rows: list[dict[str, Any]]) -> tuple[int, int, int]:
    return len(rows), sum(r["billed_cost"] for r in rows), sum(r["effective_cost"] for r in rows)


def test_an_ea_export_in_the_documented_2024_layout_reads_like_the_toolkit_sample(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    documented = _in_layout(_documented("azure-ea-cost-details-2024-08-01.txt"), tmp_path / "ea.csv")
    rows = stored_rows([documented], tmp_path / "a")
    original = stored_rows([TOOLKIT_ACTUAL], tmp_path / "b")
    assert _totals(rows) == _totals(original)
    assert _totals(rows)[1] > 0
    for column in ("sku_id", "charge_frequency", "billing_currency", "region_id", "resource_type", "service_name"):
        assert [r[column] for r in rows] == [r[column] for r in original], column


def test_an_mca_export_in_the_documented_layout_keeps_its_invoice_id(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    columns = _documented("azure-mca-cost-details-2023-12-01-preview.txt")
    documented = _in_layout(columns, tmp_path / "mca.csv", invoiceId="G012345678")
    rows = stored_rows([documented], tmp_path / "a")
    assert _totals(rows) == _totals(stored_rows([TOOLKIT_ACTUAL], tmp_path / "b"))
    assert {r["invoice_id"] for r in rows} == {"G012345678"}
    assert {r["billing_account_type"] for r in rows} == {"Billing Account"}


def test_a_cur_2_0_export_gives_the_payer_and_usage_account_names_it_documents(tmp_path: Path) -> None:
    frame = pd.read_csv(ATHENA_CUR, dtype=str, keep_default_na=False)
    for column in _documented("aws-cur2-bill-columns-and-account-names.txt"):
        if column not in frame:
            frame[column] = {"bill_payer_account_name": "Payer Org", "line_item_usage_account_name": "Member A"}.get(
                column, ""
            )
    cur2 = tmp_path / "cur2.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), cur2)
    rows = stored_rows([cur2], tmp_path)
    assert {(r["billing_account_name"], r["sub_account_name"]) for r in rows} == {("Payer Org", "Member A")}
