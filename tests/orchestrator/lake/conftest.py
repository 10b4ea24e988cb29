"""A lake made from the store: the demo company plus the FOCUS 1.0 sample (resources, SKUs, real tags), exported as
FOCUS Parquet partitioned by billing period (``billing_period=YYYY-MM``), so the store and every engine hold the
same line items and must give the same answers."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest
from finops_core.store import Store
from finops_orchestrator.demo import load_focus_sample
from finops_orchestrator.export import export

from tests.orchestrator.conftest import copy_of


def write_lake(store: Store, folder: Path) -> Path:
    """``store``'s line items as FOCUS Parquet under ``folder``, one hive partition per billing period."""
    single = folder / "all.parquet"
    export(store, single, "parquet")
    table = pq.read_table(single)
    table = table.append_column("billing_period", pc.strftime(table["BillingPeriodStart"], format="%Y-%m"))
    lake = folder / "focus"
    pads.write_dataset(table, lake, format="parquet", partitioning=["billing_period"], partitioning_flavor="hive")
    single.unlink()
    return lake


@pytest.fixture(scope="module")
def lake_store(demo_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The demo company and the FOCUS sample in one store (two currencies, three clouds, resources and SKUs)."""
    store = copy_of(demo_store, tmp_path_factory.mktemp("lake-store"))
    load_focus_sample(store)
    return store


@pytest.fixture(scope="module")
def lake_path(lake_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_lake(lake_store, tmp_path_factory.mktemp("lake"))


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local SparkSession for every Spark test (starting one takes seconds): one core, one shuffle partition,
    no UI. Java 17 must be on PATH; JAVA_HOME is set from it when missing."""
    java = shutil.which("java")
    if java is None:
        pytest.fail("Spark tests need Java 17 on PATH (apt-get install openjdk-17-jre-headless).")
    with pytest.MonkeyPatch.context() as patch:
        if not os.environ.get("JAVA_HOME"):
            patch.setenv("JAVA_HOME", str(Path(java).resolve().parent.parent))
        from pyspark.sql import SparkSession

        session = (
            SparkSession.builder.master("local[2]")
            .appName("finops-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "1")
            .config("spark.default.parallelism", "2")
            .config("spark.driver.memory", "1g")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        yield session
        session.stop()
