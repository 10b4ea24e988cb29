"""Every bundled and test format, exported as FOCUS 1.2, passes the FinOps Foundation's validator apart from
reviewed rules; and each reviewed rule's reason holds: the source lacks the data (checked on the raw files) or
the validator is wrong (checked on a minimal export that is correct by the spec's text)."""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from finops_core.focus import CostLineItem, Lineage
from finops_core.store import PartitionKey, Store
from finops_orchestrator.ingest.formats.base import canonical
from finops_orchestrator.ingest.formats.resource_types import azure_resource_type

from tests.orchestrator.focus_conformance import (
    FOCUS_SAMPLES,
    NATIVE,
    OUTSIDE,
    SPEC_EXAMPLES,
    Validation,
    allow_file,
    allowed_rules,
    amortized_inputs,
    exported,
    focus_inputs,
    load,
    native_inputs,
    spec_examples,
    validate,
)

pytestmark = pytest.mark.slow
RUN_SCOPES = {"native": ("native",), "csv": ("native", "csv"), "amortized": ("amortized",), "focus": ("focus",)}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Validation]]:
    """The four validator runs: Parquet of each store, and CSV of the native one (the formats CSV alone shows)."""
    folder = tmp_path_factory.mktemp("conformance")
    native = load(Store(folder / "native.sqlite"), native_inputs(folder), demo=True)
    amortized = load(Store(folder / "amortized.sqlite"), amortized_inputs())
    focus = load(Store(folder / "focus.sqlite"), focus_inputs(folder))
    out: dict[str, tuple[Path, Validation]] = {}
    for run, (store, file_format) in {
        "native": (native, "parquet"),
        "csv": (native, "csv"),
        "amortized": (amortized, "parquet"),
        "focus": (focus, "parquet"),
    }.items():
        path = exported(store, folder, run, file_format)  # type: ignore[arg-type]
        out[run] = (path, validate(path, allow_file(RUN_SCOPES[run], folder)))
    return out


@pytest.mark.parametrize("run", RUN_SCOPES)
def test_each_export_fails_no_rule_beyond_the_reviewed_ones(runs: dict[str, tuple[Path, Validation]], run: str) -> None:
    _, validation = runs[run]
    assert validation.unexpected() == set(), validation.output[-4000:]
    assert validation.returncode == 0


def test_every_reviewed_rule_still_fails_where_the_list_says(runs: dict[str, tuple[Path, Validation]]) -> None:
    """A rule we meet now leaves the list, and a scope names an export that really fails the rule."""
    failing = {run: validation.failing() for run, (_, validation) in runs.items()}
    stale = [(a.rule, scope) for a in allowed_rules() for scope in (a.scopes - {"all"}) if a.rule not in failing[scope]]
    assert stale == []
    assert [
        a.rule for a in allowed_rules() if "all" in a.scopes and not all(a.rule in f for f in failing.values())
    ] == []


def _model() -> dict[str, Any]:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "focus-validator-2.2.1"
    (path,) = glob.glob(str(cache / "lib/python3.*/site-packages/focus_validator/rules/model-1.2.0.1.json"))
    return json.loads(Path(path).read_text())["ModelRules"]


def _parts(requirement: dict[str, Any]) -> set[str]:
    found = {requirement["ModelRuleId"]} if requirement.get("CheckFunction") == "CheckModelRule" else set()
    for item in requirement.get("Items", []):
        found |= _parts(item)
    return found


def test_each_listed_composite_has_a_listed_part(runs: dict[str, tuple[Path, Validation]]) -> None:
    model, listed = _model(), {a.rule for a in allowed_rules()}
    composites = [a for a in allowed_rules() if a.reason == "composite"]
    assert composites
    for entry in composites:
        rule = model[entry.rule]
        parts = _parts(rule["ValidationCriteria"]["Requirement"]) or set(rule["ValidationCriteria"]["Dependencies"])
        assert rule["Function"] == "Composite" or entry.rule.startswith("CostAndUsage-D"), entry.rule
        assert parts & listed, entry.rule


def _defect_proof(folder: Path) -> Path:
    """Two rows correct by the FOCUS 1.2 text: AWS usage invoiced by Amazon Web Services, Inc. (no third party
    is paid: BilledCost is the charge), without capacity reservation or commitment (so no status), one on an
    issued invoice (InvoiceId set) and one, a Marketplace product, not yet invoiced (InvoiceId null); with
    numeric-looking string ids."""
    store = Store(folder / "proof.sqlite")
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    common: dict[str, Any] = {
        "provider_name": "AWS",
        "publisher_name": "AWS",
        "invoice_issuer_name": "Amazon Web Services, Inc.",
        "billing_account_id": "example-payer",  # non-numeric: CSV type inference is checked on the ids below
        "billing_account_name": "Example payer",
        "billing_account_type": "Payer Account",
        "sub_account_id": "example-member",
        "sub_account_name": "Example member",
        "sub_account_type": "Linked Account",
        "billing_currency": "USD",
        "pricing_currency": "USD",
        "billing_period_start": start,
        "billing_period_end": end,
        "charge_category": "Usage",
        "charge_class": None,
        "charge_frequency": "Usage-Based",
        "charge_description": "Linux/UNIX t3.micro instance hours",
        "service_name": "Amazon Elastic Compute Cloud",
        "service_category": "Compute",
        "service_subcategory": "Virtual Machines",
        "region_id": "us-east-1",
        "region_name": "US East (N. Virginia)",
        "resource_id": "i-0123456789abcdef0",
        "resource_name": "web-1",
        "resource_type": "instance",
        "sku_id": "ABCDEFGHIJKLMNOP",
        "sku_meter": "BoxUsage:t3.micro",
        "sku_price_id": "12345678",
        "pricing_category": "Standard",
        "pricing_quantity": Decimal(10),
        "pricing_unit": "Hours",
        "consumed_quantity": Decimal(10),
        "consumed_unit": "Hours",
        "list_unit_price": Decimal("0.0104"),
        "contracted_unit_price": Decimal("0.0104"),
        "billed_cost": Decimal("0.104"),
        "effective_cost": Decimal("0.104"),
        "list_cost": Decimal("0.104"),
        "contracted_cost": Decimal("0.104"),
    }
    marketplace = {  # sold through AWS Marketplace, invoiced by AWS: FOCUS's StringHandling keeps the ® marks
        "service_name": "Red Hat® Enterprise Linux®",
        "service_subcategory": "Other (Compute)",
        "publisher_name": "Red Hat",
        "sku_id": "RHELSKU0000000001",
        "sku_price_id": "12345679",
        "resource_id": "i-0fedcba9876543210",
    }
    items = [
        CostLineItem(
            **(common | extra),
            charge_period_start=datetime(2026, 10, day, tzinfo=UTC),
            charge_period_end=datetime(2026, 10, day + 1, tzinfo=UTC),
            invoice_id=invoice,
        )
        for day, invoice, extra in ((1, "202610123456", {}), (2, None, marketplace))
    ]
    key = PartitionKey(provider_name="AWS", billing_account_id="example-payer", billing_period_start=start.date())
    store.replace_partition(key, items, Lineage(source="proof", ingested_at=start), kind="sync")
    return exported(store, folder, "proof", "csv")


def test_a_minimal_export_correct_by_the_spec_fails_exactly_the_rules_listed_as_validator_defects(
    runs: dict[str, tuple[Path, Validation]], tmp_path: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    proof = validate(_defect_proof(tmp_path), empty)
    composites = {a.rule for a in allowed_rules() if a.reason == "composite"}
    defects = {a.rule for a in allowed_rules() if a.reason.startswith("validator defect")}
    assert proof.failing() - composites == defects, proof.output


# The raw inputs, as their files have them.
def _raw(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _columns(path: Path) -> set[str]:
    return {canonical(c) for c in _raw(path).columns}


SAMPLE = FOCUS_SAMPLES / "FOCUS-1.0/focus_sample_1000.csv"
CURS = [
    *sorted((NATIVE / "aws").glob("*.csv")),
    OUTSIDE / "focus_converters/sample-anonymous-aws-export-dataset.trimmed.csv",
]
AZURE_V1 = NATIVE / "azure/koku_azure_v1_legacy_costreport.csv"
AZURE_V2 = NATIVE / "azure/koku_azure_v2_PascalCase.csv"
AZURE_ACTUAL = OUTSIDE / "finops-toolkit/EA_ActualCost_Small.csv"
GCP = NATIVE / "gcp/koku_gcp_bq_export_2020-11.csv"


def _sample() -> pd.DataFrame:
    return _raw(SAMPLE)


def _examples_without(column: str) -> list[Path]:
    return [p for p in spec_examples() if canonical(column) not in _columns(p)]


def _no_billing_account_name() -> None:
    assert all("billpayeraccountname" not in _columns(p) for p in CURS)
    assert "billingaccountname" not in _columns(GCP) | _columns(AZURE_V1)
    assert set(_sample().query("ProviderName == 'Oracle'")["BillingAccountName"]) <= {"NULL", ""}


def _no_sub_account_name() -> None:
    assert all("lineitemusageaccountname" not in _columns(p) for p in CURS)
    assert "subscriptionname" not in _columns(AZURE_V1)


def _sample_lacks(column: str) -> Callable[[], None]:
    def check() -> None:
        assert canonical(column) not in _columns(SAMPLE)

    return check


def _no_sku_meter() -> None:
    assert "skumeter" not in _columns(SAMPLE)
    assert any("skuid" in _columns(p) for p in _examples_without("SkuMeter"))


def _ec2_in_two_categories() -> None:
    sample = _sample()
    assert set(sample[sample["ServiceName"] == "Amazon Elastic Compute Cloud"]["ServiceCategory"]) == {
        "Compute",
        "Storage",
    }


def _sample_has(column: str, without: str) -> Callable[[], None]:
    """A check that the sample has a row stating ``column`` with ``without`` NULL."""

    def check() -> None:
        sample = _sample()
        assert ((sample[column] != "NULL") & (sample[without] == "NULL")).any()

    return check


def _id_without_type() -> None:
    _sample_has("ResourceId", without="ResourceType")()
    assert any("resourceid" in _columns(p) for p in _examples_without("ResourceType"))
    ids = set(_raw(AZURE_V2)["ResourceId"]) - {""}
    assert ids
    assert all(azure_resource_type(i) is None for i in ids)


def _no_contracted_cost() -> None:
    assert set(_sample().query("ProviderName == 'Oracle'")["ContractedCost"]) <= {"NULL", ""}
    assert _examples_without("ContractedCost")


def _negative_contracted_unit_price() -> None:
    prices = _sample()["ContractedUnitPrice"]
    assert (pd.to_numeric(prices[prices != "NULL"]) < 0).any()


def _no_charge_description() -> None:
    assert _examples_without("ChargeDescription")


def _commitment_without(column: str) -> Callable[[], None]:
    def check() -> None:
        assert any("commitmentdiscountid" in _columns(p) for p in _examples_without(column))

    return check


def _currency_mc_and_token() -> None:
    assert set(_raw(AZURE_V2)["BillingCurrencyCode"]) == {"MC"}
    tokens = [p for p in spec_examples() if "Token" in set(_raw(p).get("PricingCurrency", pd.Series(dtype=str)))]
    assert tokens


def _currency_mc() -> None:
    assert set(_raw(AZURE_V2)["BillingCurrencyCode"]) == {"MC"}


def _actual_export_not_amortized() -> None:
    actual = _raw(AZURE_ACTUAL)
    purchases = actual[(actual["ChargeType"] == "Purchase") & (actual["PricingModel"] == "Reservation")]
    assert (pd.to_numeric(purchases["Cost"]) > 0).all()
    assert len(purchases) == 1
    covered = actual[(actual["ChargeType"] == "Usage") & (actual["PricingModel"] == "Reservation")]
    assert (pd.to_numeric(covered["Cost"]) == 0).all()  # the reservation's usage carries none of its cost


def _rate_id_under_several_skus() -> None:
    for path in (CURS[0], CURS[-1]):
        cur = _raw(path)
        cur = cur[cur["pricing/RateId"] != ""]
        assert (cur.groupby("pricing/RateId")["product/sku"].nunique() > 1).any(), path.name


def _quantity_without_unit() -> None:
    v1 = _raw(AZURE_V1)
    assert ((v1["UsageQuantity"] != "") & (v1["UnitOfMeasure"] == "")).any()
    flexibility = [p for p in spec_examples() if p.parent.name == "commitment_discount_flexibility"]
    assert any("pricingquantity" in _columns(p) and "pricingunit" not in _columns(p) for p in flexibility)


def _quantity_on_unused_commitment() -> None:
    zero = _raw(
        SPEC_EXAMPLES
        / "commitment_discount_flexibility/zero_percent_utilization_without_commitment_discount_flexibility.csv"
    )
    unused = zero[(zero["ChargeCategory"] == "Usage") & (zero["CommitmentDiscountStatus"] == "Unused")]
    assert (unused["ConsumedQuantity"] != "").any()


def _source_units(runs: dict[str, tuple[Path, Validation]]) -> None:
    """Every unit in our exports is one a source file states (we pass units through, never make them up)."""
    stated: set[str] = set()
    unit_columns = {"pricingunit", "unitofmeasure", "usageunit", "usagepricingunit", "consumedunit"}
    for path in [*CURS, *sorted(NATIVE.rglob("*.csv")), SAMPLE, *spec_examples(), *sorted(OUTSIDE.rglob("*.csv"))]:
        frame = _raw(path)
        for column in frame.columns:
            if canonical(column) in unit_columns:
                stated |= set(frame[column])
    exported_units: set[str] = set()
    for run in ("native", "focus", "amortized"):
        table = pq.read_table(runs[run][0], columns=["PricingUnit", "ConsumedUnit"]).to_pandas()
        exported_units |= set(table["PricingUnit"].dropna()) | set(table["ConsumedUnit"].dropna())
    assert exported_units <= stated, exported_units - stated
    assert {"Hrs", "1 Hour", "bytes"} <= exported_units


SOURCE_CHECKS: dict[str, Callable[[], None]] = {
    "BillingAccountName-C-003-C": _no_billing_account_name,
    "SubAccountName-C-005-C": _no_sub_account_name,
    "BillingAccountType-C-005-C": _sample_lacks("BillingAccountType"),
    "SubAccountType-C-005-C": _sample_lacks("SubAccountType"),
    "ServiceSubcategory-C-002-M": _sample_lacks("ServiceSubcategory"),
    "ServiceName-C-008-C": _sample_lacks("ServiceSubcategory"),
    "SkuMeter-C-005-C": _no_sku_meter,
    "ServiceName-C-005-C": _ec2_in_two_categories,
    "ResourceType-C-004-C": _sample_has("ResourceType", without="ResourceId"),
    "ResourceType-C-005-C": _id_without_type,
    "RegionName-C-004-C": _sample_has("RegionName", without="RegionId"),
    "RegionName-C-005-C": _sample_has("RegionId", without="RegionName"),
    "ContractedCost-C-003-M": _no_contracted_cost,
    "ContractedCost-C-004-M": _no_contracted_cost,
    "ContractedUnitPrice-C-009-C": _negative_contracted_unit_price,
    "ChargeDescription-C-003-O": _no_charge_description,
    "CommitmentDiscountCategory-C-004-C": _commitment_without("CommitmentDiscountCategory"),
    "CommitmentDiscountType-C-005-C": _commitment_without("CommitmentDiscountType"),
    "PricingCurrency-C-003-M": _currency_mc_and_token,
    "BillingCurrency-C-003-M": _currency_mc,
    "BillingCurrency-C-006-M": _currency_mc,
    "EffectiveCost-C-005-C": _actual_export_not_amortized,
    "SkuPriceId-C-008-M": _rate_id_under_several_skus,
    "PricingUnit-C-006-C": _quantity_without_unit,
    "ConsumedQuantity-C-004-C": _quantity_on_unused_commitment,
}
UNIT_RULES = ("ConsumedUnit-C-003-O", "PricingUnit-C-003-O")


def test_every_reason_about_the_sources_has_a_check() -> None:
    about_sources = {
        a.rule for a in allowed_rules() if a.reason != "composite" and not a.reason.startswith("validator defect")
    }
    assert about_sources == set(SOURCE_CHECKS) | set(UNIT_RULES)


@pytest.mark.parametrize("rule", SOURCE_CHECKS)
def test_the_source_indeed_lacks_or_states_what_the_reason_says(rule: str) -> None:
    SOURCE_CHECKS[rule]()


def test_the_units_that_break_unit_format_are_the_sources_own(runs: dict[str, tuple[Path, Validation]]) -> None:
    _source_units(runs)
