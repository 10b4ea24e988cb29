"""The inputs of the FOCUS conformance tests: every bundled and test format, loaded into three stores (FOCUS
inputs, native exports, amortized Azure exports: actual and amortized exports of one account never share a
store), exported, and run through the FinOps Foundation's validator (../shared/tools/focus-validate)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import anyio
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from finops_core.models import CLOUDS
from finops_core.sandbox import SandboxProvider
from finops_core.store import Store
from finops_orchestrator.demo import load_demo
from finops_orchestrator.export import ExportFileFormat, export
from finops_orchestrator.ingest import ingest
from finops_orchestrator.progress import progress_bar

from tests.conftest import AS_OF, REPO, SHARED
from tests.orchestrator.ingest.test_file_kinds import _bigquery_records  # pyright: ignore[reportPrivateUsage]

VALIDATE = SHARED / "tools/focus-validate"
ALLOW = Path(__file__).parent / "focus_validator_allow.txt"
FOCUS_SAMPLES = SHARED / "data/focus-samples"
NATIVE = SHARED / "data/native-samples"
OUTSIDE = REPO / "tests/data/outside"
SPEC_EXAMPLES = FOCUS_SAMPLES / "spec-examples-v1.2"
# Spec examples ingest refuses, by design, naming the row and column: an impossible hour ("T30:00:00Z") and
# amounts written as "$10,000.00". The SaaS spend agreements also leave ServiceName empty.
REFUSED_SPEC_EXAMPLES = (
    "purchase_scenario_2",
    "purchase_scenario_3",
    "simple_saas_agreements",
    "saas_spend_agreements",
)
# Identity columns the spec examples leave out (they illustrate amounts), filled only where absent.
EXAMPLE_IDENTITY = {
    "ProviderName": "Example Cloud",
    "PublisherName": "Example Cloud",
    "InvoiceIssuerName": "Example Cloud",
    "BillingAccountId": "example-account",
    "BillingAccountType": "Billing Account",
    "BillingCurrency": "USD",
    "ServiceName": "Example Virtual Machines",
    "ServiceCategory": "Compute",
    "ServiceSubcategory": "Virtual Machines",
}


def spec_examples() -> list[Path]:
    return [p for p in sorted(SPEC_EXAMPLES.rglob("*.csv")) if not any(r in p.stem for r in REFUSED_SPEC_EXAMPLES)]


def completed_spec_example(path: Path, folder: Path) -> Path:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for column, value in EXAMPLE_IDENTITY.items():
        if column not in frame:
            frame[column] = value
    if "ListCost" not in frame:
        frame["ListCost"] = frame["BilledCost"]
    target = folder / f"spec-{path.name}"
    frame.to_csv(target, index=False)
    return target


def cur_2_0_parquet(folder: Path) -> Path:
    """The Athena snake_case CUR as CUR 2.0 Parquet: its product and tag columns folded into map columns."""
    frame = pd.read_csv(NATIVE / "aws/koku_cur_athena_snake_case_2022-07-01.csv", dtype=str, keep_default_na=False)
    tags = [c for c in frame.columns if c.startswith("resource_tags_user_")]
    products = [c for c in frame.columns if c.startswith("product_") and c != "product_servicecode"]
    records = frame.drop(columns=tags + products).to_dict("records")
    for record, (_, row) in zip(records, frame.iterrows(), strict=True):
        record["resource_tags"] = [(f"user_{c.removeprefix('resource_tags_user_')}", row[c]) for c in tags if row[c]]
        record["product"] = [(c.removeprefix("product_"), row[c]) for c in products if row[c]]
    maps = ("resource_tags", "product")
    schema = pa.schema(
        [pa.field(c, pa.string()) for c in records[0] if c not in maps]
        + [pa.field(c, pa.map_(pa.string(), pa.string())) for c in maps]
    )
    target = folder / "cur2.parquet"
    pq.write_table(pa.Table.from_pylist(records, schema=schema), target)
    return target


def gcp_jsonl_and_parquet(folder: Path) -> list[Path]:
    records = _bigquery_records(NATIVE / "gcp/koku_gcp_bq_export_2020-11.csv")
    lines, parquet = folder / "gcp.jsonl", folder / "gcp.parquet"
    lines.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    pq.write_table(pa.Table.from_pylist(records), parquet)
    return [lines, parquet]


def outside_natives() -> list[Path]:
    """The outside samples ingest reads (tests/data/outside/*/README.md says why the others are left out)."""
    return [
        OUTSIDE / "focus_converters/sample-anonymous-aws-export-dataset.trimmed.csv",
        OUTSIDE / "focus_converters/sample-anonymous-ea-export-dataset.csv",
        OUTSIDE / "finops-toolkit/EA_ActualCost_Small.csv",
    ]


def outside_amortized() -> list[Path]:
    return [OUTSIDE / "finops-toolkit/EA_AmortizedCost_Small.csv"]


def native_inputs(folder: Path) -> list[Path]:
    files = [p for p in sorted(NATIVE.rglob("*.csv")) if "Amortized" not in p.name]
    return [*files, cur_2_0_parquet(folder), *gcp_jsonl_and_parquet(folder), *outside_natives()]


def amortized_inputs() -> list[Path]:
    return [*sorted(NATIVE.rglob("*Amortized*.csv")), *outside_amortized()]


def focus_inputs(folder: Path) -> list[Path]:
    return [
        FOCUS_SAMPLES / "FOCUS-1.0/focus_sample_1000.csv",
        *(completed_spec_example(p, folder) for p in spec_examples()),
    ]


def load(store: Store, files: list[Path], *, demo: bool = False) -> Store:
    for path in files:  # one command per file: files of one account and month must not replace each other
        ingest(store, [str(path)])
    if demo:

        async def company() -> None:
            with progress_bar("demo", 1, enabled=False) as bar:
                await load_demo(store, [SandboxProvider(c, as_of=AS_OF) for c in CLOUDS], bar)

        anyio.run(company)
    return store


@dataclass(frozen=True)
class Allowed:
    rule: str
    scopes: frozenset[str]  # which exports may fail it: focus, native, amortized, csv (all: any)
    reason: str


_ALLOW_LINE = re.compile(r"^(?P<rule>\S+)\s+#\s*\[(?P<scopes>[a-z, ]+)\]\s*(?P<reason>.+)$")


def allowed_rules() -> list[Allowed]:
    out: list[Allowed] = []
    for line in ALLOW.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = _ALLOW_LINE.match(line)
        assert match, f"allow-list line without '[scopes] reason': {line!r}"
        scopes = frozenset(s.strip() for s in match["scopes"].split(","))
        out.append(Allowed(match["rule"], scopes, match["reason"]))
    return out


def allow_file(scopes: tuple[str, ...], folder: Path) -> Path:
    """The allow-list entries for one export (its scopes, and ``all``) as the file focus-validate reads."""
    target = folder / f"allow-{'-'.join(scopes)}.txt"
    lines = [f"{a.rule}  # {a.reason}" for a in allowed_rules() if a.scopes & {*scopes, "all"}]
    target.write_text("\n".join(lines) + "\n")
    return target


@dataclass(frozen=True)
class Validation:
    returncode: int
    output: str

    def failing(self) -> set[str]:
        """Every rule the validator failed, allowed or not."""
        return set(re.findall(r"^(?:FAIL|allowed)\s+(\S+):", self.output, re.MULTILINE))

    def unexpected(self) -> set[str]:
        return set(re.findall(r"^FAIL\s+(\S+):", self.output, re.MULTILINE))


def validate(path: Path, allow: Path) -> Validation:
    done = subprocess.run(
        [sys.executable, str(VALIDATE), str(path), "--allow", str(allow)], capture_output=True, text=True, timeout=900
    )
    assert done.returncode in (0, 1), done.stdout[-3000:] + done.stderr[-3000:]
    return Validation(done.returncode, done.stdout)


def exported(store: Store, folder: Path, name: str, file_format: ExportFileFormat) -> Path:
    output = folder / f"{name}.{file_format}"
    export(store, output, file_format)
    return output


def raw_frames(paths: list[Path]) -> Iterator[tuple[Path, pd.DataFrame]]:
    for path in paths:
        if path.suffix == ".csv":
            yield path, pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
