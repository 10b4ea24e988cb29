"""The store replaces partitions atomically, keeps rollups in step, and sums money exactly."""

from __future__ import annotations

import itertools
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from finops_core.errors import InvalidInput, StoreError
from finops_core.focus import CostLineItem
from finops_core.models import CostQuery
from finops_core.settings import Settings
from finops_core.store import Store
from finops_core.store.schema import (
    DAILY_DIMENSIONS,
    MONTHLY_DIMENSIONS,
    ROLLUP_METRICS,
    ROLLUP_SHAPES,
    ROLLUP_TABLES,
)
from finops_core.store.writer import REQUIRED

from tests.core.store.rollups import assert_rollups_equal_line_items
from tests.core.store.varied import varied_columns
from tests.factories import key_of, line_item, lineage

JAN = (date(2026, 1, 1), date(2026, 2, 1))


def _total(store: Store, metric: str = "billed") -> Decimal:
    answer = store.query_costs(CostQuery(start=date(2000, 1, 1), end=date(2100, 1, 1), metric=metric))  # type: ignore[arg-type]
    return sum((t.amount for t in answer.totals), Decimal(0))


def _count(store: Store, table: str = "line_items") -> int:
    with store.reader() as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_rewriting_a_partition_replaces_it_instead_of_adding_to_it(store: Store) -> None:
    rows = [line_item(date(2026, 1, d)) for d in range(1, 11)]
    store.replace_partition(key_of(rows[0]), rows, lineage(), kind="export")
    result = store.replace_partition(key_of(rows[0]), rows[:4], lineage(), kind="export")
    assert (result.rows, result.replaced_rows) == (4, 10)
    assert _count(store) == 4
    assert _total(store) == Decimal("40.00")


def test_partitions_of_other_months_and_accounts_are_left_alone(store: Store) -> None:
    jan, feb = line_item(date(2026, 1, 3)), line_item(date(2026, 2, 3))
    other = line_item(date(2026, 1, 3), billing_account_id="999")
    for row in (jan, feb, other):
        store.replace_partition(key_of(row), [row], lineage(), kind="export")
    store.replace_partition(key_of(jan), [], lineage(), kind="export")
    assert _count(store) == 2
    assert len(store.partitions()) == 3


def test_a_row_outside_the_partition_aborts_the_write_and_changes_nothing(store: Store) -> None:
    good = line_item(date(2026, 1, 2))
    store.replace_partition(key_of(good), [good], lineage(), kind="export")
    stray = line_item(date(2026, 2, 2))
    with pytest.raises(InvalidInput, match="does not belong to partition"):
        store.replace_partition(
            key_of(good), [line_item(date(2026, 1, 3), service_name="New"), stray], lineage(), kind="export"
        )
    assert _count(store) == 1
    assert _total(store) == Decimal("10.00")
    with store.reader() as conn:
        assert conn.execute("SELECT COUNT(*) FROM strings WHERE value = 'New'").fetchone()[0] == 0


def test_an_interruption_mid_write_rolls_the_partition_back(store: Store) -> None:
    first = [line_item(date(2026, 1, d)) for d in range(1, 4)]
    store.replace_partition(key_of(first[0]), first, lineage(), kind="export")

    def interrupted() -> Iterator[CostLineItem]:
        yield line_item(date(2026, 1, 9), billed_cost=Decimal("500"))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.replace_partition(key_of(first[0]), interrupted(), lineage(), kind="export")
    assert _count(store) == 3
    assert _total(store) == Decimal("30.00")
    assert _count(store, "rollup_daily") == 3
    store.replace_partition(key_of(first[0]), first[:1], lineage(), kind="export")  # still writable
    assert _count(store) == 1


def test_a_sync_never_overwrites_an_ingested_export(store: Store) -> None:
    exported = line_item(billed_cost=Decimal("100"))
    store.replace_partition(key_of(exported), [exported], lineage("aws-cur"), kind="export")
    result = store.replace_partition(
        key_of(exported), [line_item(billed_cost=Decimal("7"))], lineage("sync:aws"), kind="sync"
    )
    assert not result.written
    assert "count the same costs twice" in (result.reason or "")
    assert _total(store) == Decimal("100.00")
    assert store.partitions()[0].kind == "export"


def test_an_ingested_export_supersedes_synced_aggregates(store: Store) -> None:
    synced = line_item(billed_cost=Decimal("7"))
    store.replace_partition(key_of(synced), [synced, synced], lineage("sync:aws"), kind="sync")
    store.replace_partition(key_of(synced), [line_item(billed_cost=Decimal("15"))], lineage("aws-cur"), kind="export")
    assert _total(store) == Decimal("15.00")
    (partition,) = store.partitions()
    assert (partition.kind, partition.lineage.source, partition.row_count) == ("export", "aws-cur", 1)


def test_every_focus_column_survives_a_round_trip_exactly(store: Store) -> None:
    full = line_item(
        availability_zone="us-east-1a",
        billing_account_name="Payer",
        billing_account_type="Billing Account",
        capacity_reservation_id="cr-1",
        capacity_reservation_status="Used",
        charge_class="Correction",
        charge_description="desc",
        charge_frequency="Usage-Based",
        commitment_discount_category="Spend",
        commitment_discount_id="sp-1",
        commitment_discount_name="SP",
        commitment_discount_quantity=Decimal("1.5"),
        commitment_discount_status="Used",
        commitment_discount_type="Savings Plan",
        commitment_discount_unit="USD",
        consumed_quantity=Decimal("0.000000000123"),
        consumed_unit="Hours",
        contracted_unit_price=Decimal("0.0416"),
        invoice_id="INV-1",
        invoice_issuer_name="Amazon Web Services, Inc.",
        list_unit_price=Decimal("0.096"),
        pricing_category="Committed",
        pricing_currency="USD",
        pricing_currency_contracted_unit_price=Decimal("0.04"),
        pricing_currency_effective_cost=Decimal("1.234567891"),
        pricing_currency_list_unit_price=Decimal("0.09"),
        pricing_quantity=Decimal("24"),
        pricing_unit="Hours",
        publisher_name="AWS Marketplace",
        region_name="N. Va",
        resource_id="i-1",
        resource_name="web",
        resource_type="Instance",
        service_category="Compute",
        service_subcategory="Virtual Machines",
        sku_id="SKU1",
        sku_meter="BoxUsage",
        sku_price_details={"CoreCount": 4, "OS": "Linux"},
        sku_price_id="SKU1.P1",
        sub_account_name="prod",
        sub_account_type="Account",
        tags={"team": "web", "env": "prod ", "": "x"},
        billed_cost=Decimal("-0.000000001"),
        effective_cost=Decimal("123456789.123456789"),
        x_extras={"x_UsageType": "BoxUsage:m5.large", "x_Discounts": {"a": 1}},
    )
    store.replace_partition(key_of(full), [full], lineage(), kind="export")
    (back,) = list(store.line_items())
    assert back.model_dump(exclude={"lineage"}) == full.model_dump(exclude={"lineage"})
    assert back.lineage is not None
    assert back.lineage.file == "test.csv"


def test_rollups_add_up_to_the_line_items_after_every_write(store: Store) -> None:
    rows = [
        line_item(date(2026, 1, d), service_name=s, billed_cost=Decimal(f"{d}.{len(s)}"))
        for d in range(1, 29)
        for s in ("A", "BB", "CCC")
    ]
    store.replace_partition(key_of(rows[0]), rows, lineage(), kind="export")
    store.replace_partition(key_of(rows[0]), rows[::2], lineage(), kind="export")
    with store.reader() as conn:
        for table in (t for shape in ROLLUP_SHAPES for t, _ in shape.tables):
            sums = conn.execute(
                f"SELECT SUM(billed_cost), SUM(effective_cost), SUM(list_cost), SUM(contracted_cost), SUM(row_count) "
                f"FROM {table}"
            ).fetchone()
            raw = conn.execute(
                "SELECT SUM(billed_cost), SUM(effective_cost), SUM(list_cost), SUM(contracted_cost), "
                "COUNT(*) FROM line_items"
            ).fetchone()
            assert tuple(sums) == tuple(raw)


def test_readers_see_the_last_committed_state_while_a_write_runs(store: Store) -> None:
    old = [line_item(billed_cost=Decimal("1"))] * 3
    store.replace_partition(key_of(old[0]), old, lineage(), kind="export")
    halfway, reader_done = threading.Event(), threading.Event()

    def slow_rows() -> Iterator[CostLineItem]:
        for n in range(1000):
            if n == 500:
                halfway.set()
                assert reader_done.wait(timeout=30)
            yield line_item(billed_cost=Decimal("2"))

    errors: list[BaseException] = []

    def write() -> None:
        try:
            store.replace_partition(key_of(old[0]), slow_rows(), lineage(), kind="export")
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    assert halfway.wait(timeout=30)
    try:
        during = _total(store)
        partitions_during = store.partitions()
    finally:
        reader_done.set()
    writer.join(timeout=60)
    assert not errors
    assert during == Decimal("3.00")
    assert partitions_during[0].row_count == 3
    assert _total(store) == Decimal("2000.00")


@pytest.mark.slow
def test_a_million_tiny_amounts_sum_to_the_exact_total(store: Store) -> None:
    tiny = line_item(billed_cost=Decimal("0.0000008"), effective_cost=Decimal("0.0000008"))
    store.replace_partition(key_of(tiny), itertools.repeat(tiny, 1_000_000), lineage(), kind="export")
    assert _total(store) == Decimal("0.80")
    for granularity in ("daily", "monthly"):
        answer = store.query_costs(CostQuery(start=JAN[0], end=JAN[1], granularity=granularity, metric="effective"))
        assert answer.totals[0].amount == Decimal("0.8")
    assert float(sum([0.0000008] * 1_000_000)) != 0.8  # what float drift would have reported


def test_repeated_strings_are_stored_once(store: Store) -> None:
    rows = [line_item(date(2026, 1, 1 + n % 28), resource_id=f"i-{n % 5}", tags={"team": "web"}) for n in range(300)]
    store.replace_partition(key_of(rows[0]), rows, lineage(), kind="export")
    with store.reader() as conn:
        assert conn.execute("SELECT COUNT(*) FROM strings WHERE value LIKE 'i-%'").fetchone()[0] == 5
        assert conn.execute("SELECT COUNT(*) FROM tag_pairs").fetchone()[0] == 1


def test_the_store_runs_in_wal_mode_with_a_busy_timeout(store: Store) -> None:
    with store.reader() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_the_read_connection_cannot_write(store: Store) -> None:
    with store.reader() as conn, pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM partitions")


def test_the_default_store_file_lives_under_finops_home(tmp_path: Path) -> None:
    settings = Settings.load({"FINOPS_HOME": str(tmp_path)})
    assert settings.store_file == tmp_path / "finops.sqlite"


def test_reopening_a_store_keeps_its_data_and_applies_no_migration_twice(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    row = line_item()
    with Store(path) as first:
        first.replace_partition(key_of(row), [row], lineage(), kind="export")
    with Store(path) as second:
        info = second.info()
    assert info.line_items == 1
    assert info.migrations == [
        "0001_initial",
        "0002_source_totals",
        "0003_line_items_one_index",
        "0004_budgets",
        "0005_rollup_lattice",
        "0006_provider_snapshots",
        "0007_daily_region_pairs",
        "0008_api_answers",
        "0009_remediation",
        "0010_sources",
    ]
    assert info.first_day == info.last_day == date(2026, 1, 5)


def test_creating_a_store_leaves_pandas_and_numpy_unloaded_and_importable_after(tmp_path: Path) -> None:
    # sqlite_utils imports them when installed: a per-cloud server's first answer on a fresh FINOPS_HOME paid
    # ~100 MB and ~0.4 s for it (the side-by-side's RSS after the first answer was 1.65x the peer's).
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from finops_core.store import Store\n"
        f"Store(Path({str(tmp_path / 's.sqlite')!r})).close()\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'sqlite_utils') if m in sys.modules))\n"
        "import pandas, sqlite_utils\n"
        "print(pandas.DataFrame({'a': [1]}).shape)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split("\n")[:2] == ["['sqlite_utils']", "(1, 1)"]


def test_a_store_that_cannot_be_created_says_what_to_do(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="FINOPS_HOME"):
        Store(blocker / "store.sqlite")


def test_lineage_is_recorded_per_partition(store: Store) -> None:
    row = line_item()
    store.replace_partition(key_of(row), [row], lineage("focus-export"), kind="export")
    (partition,) = store.partitions()
    assert partition.lineage.source == "focus-export"
    assert partition.lineage.ingested_at == datetime(2026, 11, 1, tzinfo=UTC)


def test_one_writer_replaces_every_partition_it_touches_in_one_transaction(store: Store) -> None:
    old = [line_item(date(2026, 1, 2)), line_item(date(2026, 2, 2))]
    for row in old:
        store.replace_partition(key_of(row), [row], lineage(), kind="export")
    with store.writer(lineage("file"), kind="export") as writer:
        writer.add_items([line_item(date(2026, 1, d), billed_cost=Decimal(1)) for d in (3, 4)])
        writer.add_items([line_item(date(2026, 2, d), billed_cost=Decimal(2)) for d in (3, 4, 5)])
    assert {(r.key.billing_period_start.month, r.rows, r.replaced_rows) for r in writer.results} == {
        (1, 2, 1),
        (2, 3, 1),
    }
    assert _total(store) == Decimal("8.00")


def test_an_interruption_in_a_later_partition_rolls_back_the_earlier_ones_too(store: Store) -> None:
    old = [line_item(date(2026, 1, 2)), line_item(date(2026, 2, 2))]
    for row in old:
        store.replace_partition(key_of(row), [row], lineage(), kind="export")

    def interrupted_write() -> None:
        with store.writer(lineage("file"), kind="export") as writer:
            writer.add_items([line_item(date(2026, 1, 9), billed_cost=Decimal(99))])
            writer.add_items([line_item(date(2026, 2, 9), billed_cost=Decimal(99))])
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted_write()
    assert _total(store) == Decimal("20.00")
    assert {p.lineage.source for p in store.partitions()} == {"test"}


def test_a_sync_batch_spanning_an_exported_and_a_free_month_writes_only_the_free_one(store: Store) -> None:
    exported = line_item(date(2026, 1, 5), billed_cost=Decimal("100"))
    store.replace_partition(key_of(exported), [exported], lineage("aws-cur"), kind="export")
    synced = [line_item(date(2026, m, d), billed_cost=Decimal(d)) for m in (1, 2) for d in (1, 2, 3)]
    with store.writer(lineage("sync:aws"), kind="sync") as writer:
        writer.add_items(synced)
    assert _total(store) == Decimal("106.00")  # the export's 100 and February's 1 + 2 + 3
    assert [(p.key.billing_period_start.month, p.kind, p.row_count) for p in store.partitions()] == [
        (1, "export", 1),
        (2, "sync", 3),
    ]
    assert _count(store, "rollup_daily") == 4


def test_a_batch_with_an_empty_required_column_names_the_row_and_writes_nothing(store: Store) -> None:
    batch = {name: [getattr(line_item(), name), getattr(line_item(), name)] for name in REQUIRED}
    batch["billed_cost"][1] = None
    with (
        pytest.raises(InvalidInput, match=r"f\.csv: row 2: billed_cost is empty"),
        store.writer(lineage(), kind="export") as writer,
    ):
        writer.add_columns(batch, 2, where="f.csv: ")
    assert _count(store) == 0
    assert store.partitions() == []


def test_rollups_built_while_writing_equal_a_group_by_over_the_line_items(store: Store) -> None:
    rows = [
        line_item(
            date(2026, 1, 1 + n % 5),
            service_name=("A", "B")[n % 2],
            region_id=(None, "eu-west-1")[n % 3 % 2],
            sub_account_id=None if n % 4 == 0 else "222",
            contracted_cost=None if n % 3 == 0 else Decimal(n),
            billed_cost=Decimal(n) / 7,
        )
        for n in range(60)
    ]
    store.replace_partition(key_of(rows[0]), rows, lineage(), kind="export")
    with store.reader() as conn:
        for table, period, dims in (
            ("rollup_daily", "date(charge_period_start, 'unixepoch')", DAILY_DIMENSIONS),
            ("rollup_monthly", "strftime('%Y-%m-01', charge_period_start, 'unixepoch')", MONTHLY_DIMENSIONS),
        ):
            cols = ", ".join(dims)
            metrics = ", ".join(f"SUM({m})" for m in ROLLUP_METRICS)
            expected = conn.execute(
                f"SELECT partition_id, {period}, {cols}, {metrics}, COUNT(*) FROM line_items "
                f"GROUP BY partition_id, {period}, {cols}"
            ).fetchall()
            built = conn.execute(f"SELECT * FROM {table}").fetchall()
            assert sorted(map(tuple, built), key=str) == sorted(map(tuple, expected), key=str)


def test_rows_of_one_billing_period_must_agree_on_its_exact_bounds(store: Store) -> None:
    first = line_item(date(2026, 1, 2))
    shifted = line_item(date(2026, 1, 3), billing_period_end=datetime(2026, 2, 1, 8, tzinfo=UTC))
    with pytest.raises(InvalidInput, match="disagree on the billing period"):
        store.replace_partition(key_of(first), [first, shifted], lineage(), kind="export")
    assert store.partitions() == []


def test_the_billing_period_is_kept_once_per_partition_and_read_back_on_every_row(store: Store) -> None:
    rows = [line_item(date(2026, 1, d)) for d in (2, 3)]
    store.replace_partition(key_of(rows[0]), rows, lineage(), kind="export")
    with store.reader() as conn:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(line_items)")}
    assert "billing_period_start" not in columns
    assert "billing_period_end" not in columns
    assert [i.billing_period_end for i in store.line_items()] == [datetime(2026, 2, 1, tzinfo=UTC)] * 2


def _lattice_rows(rows_per_day: int = 6) -> list[CostLineItem]:
    tags = ({"team": "web", "env": "prod"}, {"team": "data"}, {}, {"env": "dev"})
    return [
        line_item(
            date(2026, m, 1 + n % 27),
            **varied_columns(n),
            tags=tags[n % 9 % 4],
        )
        for m in (1, 2)
        for n in range(27 * rows_per_day)
    ]


def test_every_rollup_and_tag_rollup_built_while_writing_equals_a_group_by_over_the_line_items(store: Store) -> None:
    rows = _lattice_rows()
    for month in (1, 2):
        part = [r for r in rows if r.charge_period_start.month == month]
        store.replace_partition(key_of(part[0]), part, lineage(), kind="export")
    assert_rollups_equal_line_items(store)


def test_replacing_a_partition_replaces_its_rows_in_every_rollup(store: Store) -> None:
    rows = [r for r in _lattice_rows() if r.charge_period_start.month == 1]
    store.replace_partition(key_of(rows[0]), rows, lineage(), kind="export")
    store.replace_partition(key_of(rows[0]), rows[::3], lineage(), kind="export")
    assert_rollups_equal_line_items(store)
    with store.reader() as conn:
        for table in ROLLUP_TABLES:
            assert conn.execute(f"SELECT COUNT(DISTINCT partition_id) FROM {table}").fetchone()[0] == 1, table


def test_a_failed_rewrite_leaves_every_rollup_as_it_was(store: Store) -> None:
    rows = [r for r in _lattice_rows() if r.charge_period_start.month == 1]
    store.replace_partition(key_of(rows[0]), rows, lineage(), kind="export")
    with store.reader() as conn:
        before = {t: conn.execute(f"SELECT COUNT(*), SUM(billed_cost) FROM {t}").fetchone() for t in ROLLUP_TABLES}
    other_month = line_item(date(2026, 3, 1))
    with pytest.raises(InvalidInput):
        store.replace_partition(key_of(rows[0]), [*rows[::2], other_month], lineage(), kind="export")
    with store.reader() as conn:
        after = {t: conn.execute(f"SELECT COUNT(*), SUM(billed_cost) FROM {t}").fetchone() for t in ROLLUP_TABLES}
    assert after == before


def test_an_older_store_gets_the_rollup_lattice_filled_from_its_line_items(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    rows = _lattice_rows(rows_per_day=2)
    with Store(path) as first:
        for month in (1, 2):
            part = [r for r in rows if r.charge_period_start.month == month]
            first.replace_partition(key_of(part[0]), part, lineage(), kind="export")
    conn = sqlite3.connect(path)  # back to a store of before 0005: no lattice, migration not applied
    for table in ROLLUP_TABLES:
        if table not in ("rollup_daily", "rollup_monthly"):
            conn.execute(f"DROP TABLE {table}")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0005_rollup_lattice'")
    conn.commit()
    conn.close()
    with Store(path) as reopened:
        assert "0005_rollup_lattice" in reopened.info().migrations
        assert_rollups_equal_line_items(reopened)


def test_a_store_made_before_the_daily_region_pairs_gets_them_filled_from_its_line_items(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    rows = _lattice_rows(rows_per_day=2)
    with Store(path) as first:
        first.replace_partition(
            key_of(rows[0]), [r for r in rows if r.charge_period_start.month == 1], lineage(), kind="export"
        )
    conn = sqlite3.connect(path)  # back to a store of before 0007
    for table in ("rollup_day_service_region", "rollup_day_sub_account_region"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0007_daily_region_pairs'")
    conn.commit()
    conn.close()
    with Store(path) as reopened:
        assert reopened.info().migrations[-1] == "0007_daily_region_pairs"
        assert_rollups_equal_line_items(reopened)


def test_a_paid_answer_is_kept_under_its_request_key_with_when_it_was_fetched(tmp_path: Path) -> None:
    fetched = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    with Store(tmp_path / "s.sqlite") as store:
        assert store.cached_answer("aws:abc") is None
        store.save_answer("aws:abc", provider="aws", operation="GetCostAndUsage", stored_at=fetched, body='{"a": 1}')
        store.save_answer("aws:abc", provider="aws", operation="GetCostAndUsage", stored_at=fetched, body='{"a": 2}')
        answer = store.cached_answer("aws:abc")
    assert answer is not None
    assert (answer.stored_at, answer.body) == (fetched, '{"a": 2}')
