"""The FOCUS 1.2 spec's commitment examples, loaded through ingest, obey the amortization rules:
per commitment, the usage's EffectiveCost adds up to the purchase's BilledCost, and nothing counts twice.

The examples carry only the columns they illustrate; the test adds the identity columns every FOCUS row
needs (provider, account, currency, service) before loading them.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from finops_core.errors import InvalidInput
from finops_core.money import from_nanos
from finops_core.store import Store
from finops_orchestrator.ingest import ingest

from tests.conftest import SHARED

EXAMPLES = SHARED / "data/focus-samples/spec-examples-v1.2"
FLEXIBILITY = sorted((EXAMPLES / "commitment_discount_flexibility").glob("*.csv"))
SCENARIOS = EXAMPLES / "commitment_discount_scenarios"


def _load(paths: list[Path], tmp_path: Path) -> Store:
    completed = []
    for path in paths:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame = frame.assign(
            ProviderName="Example Cloud",
            BillingAccountId="example-account",
            BillingCurrency="USD",
            ServiceName="Virtual Machines",
        )
        if "ListCost" not in frame:
            frame["ListCost"] = frame["BilledCost"]
        target = tmp_path / path.name
        frame.to_csv(target, index=False)
        completed.append(str(target))
    store = Store(tmp_path / "store.sqlite")
    ingest(store, completed)
    return store


def _sum(store: Store, column: str, where: str) -> Decimal:
    with store.reader() as conn:
        value = conn.execute(f"SELECT COALESCE(SUM({column}), 0) FROM focus_line_items WHERE {where}").fetchone()[0]
    return from_nanos(int(value))


@pytest.mark.parametrize("path", FLEXIBILITY, ids=lambda p: p.stem)
def test_usage_effective_cost_adds_up_to_the_purchase_billed_cost(path: Path, tmp_path: Path) -> None:
    store = _load([path], tmp_path)
    commitment = "commitment_discount_id = '<my-commitment-discount-id>'"
    purchase = _sum(store, "billed_cost", f"charge_category = 'Purchase' AND {commitment}")
    covered = _sum(store, "effective_cost", f"charge_category = 'Usage' AND {commitment}")
    assert purchase > 0
    assert covered == purchase
    assert _sum(store, "effective_cost", "charge_category = 'Purchase'") == 0  # amortized into the usage


@pytest.mark.parametrize("path", FLEXIBILITY, ids=lambda p: p.stem)
def test_billed_and_effective_totals_agree_so_nothing_is_counted_twice(path: Path, tmp_path: Path) -> None:
    store = _load([path], tmp_path)
    assert _sum(store, "billed_cost", "1") == _sum(store, "effective_cost", "1")


def test_a_used_and_an_unused_share_of_one_commitment_hour_add_up_to_it(tmp_path: Path) -> None:
    store = _load([SCENARIOS / "commitment_discount_usage_scenario_3.csv"], tmp_path)
    assert _sum(store, "effective_cost", "commitment_discount_status = 'Used'") == Decimal("0.75")
    assert _sum(store, "effective_cost", "commitment_discount_status = 'Unused'") == Decimal("0.25")
    assert _sum(store, "billed_cost", "1") == 0  # the cash was the purchase, not the usage


def test_a_one_time_purchase_is_cash_now_and_amortized_later(tmp_path: Path) -> None:
    store = _load([SCENARIOS / "commitment_discount_purchase_scenario_1.csv"], tmp_path)
    assert _sum(store, "billed_cost", "1") == Decimal("8760.00")
    assert _sum(store, "effective_cost", "1") == 0


def test_the_spec_example_with_an_impossible_hour_is_refused_with_its_row_and_column(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"row 3, column ChargePeriodEnd: cannot read '2023-02-01T30:00:00Z'"):
        _load([SCENARIOS / "commitment_discount_purchase_scenario_2.csv"], tmp_path)
