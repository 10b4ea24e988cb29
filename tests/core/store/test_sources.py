"""A source replaces only itself or what its format declares; other sources' rows of its periods stay."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from finops_core.errors import InvalidInput
from finops_core.focus import CostLineItem
from finops_core.models import CostQuery
from finops_core.store import SourceIdentity, Store
from finops_core.store.writer import SourceTotal

from tests.core.store.rollups import assert_rollups_equal_line_items
from tests.factories import key_of, line_item, lineage

YEAR = CostQuery(start=date(2026, 1, 1), end=date(2027, 1, 1), granularity="monthly", metric="billed")


def _write(
    store: Store, label: str, rows: list[CostLineItem], *, content: str | None = None, fmt: str = "focus-export", **kw
) -> list[str]:
    """Ingest ``rows`` as the file ``label``; the labels of the sources it replaced."""
    source = SourceIdentity(label=label, content_hash=content or f"hash of {label}", **kw)
    with store.writer(lineage(fmt), kind="export", source=source) as writer:
        writer.add_items(rows)
    return [r.label for r in writer.replaced]


def _monthly(store: Store) -> dict[str, Decimal]:
    return {f"{r.period_start:%Y-%m}": r.cost for r in store.query_costs(YEAR).rows}


def test_a_file_adds_to_a_billing_period_that_another_file_holds(store: Store) -> None:
    assert _write(store, "jan.csv", [line_item(date(2026, 1, 3))]) == []
    assert _write(store, "feb.csv", [line_item(date(2026, 1, 31)), line_item(date(2026, 2, 2))]) == []
    assert _monthly(store) == {"2026-01": Decimal("20.00"), "2026-02": Decimal("10.00")}
    assert sorted((p.key.billing_period_start.month, p.lineage.file) for p in store.partitions()) == [
        (1, "feb.csv"),
        (1, "jan.csv"),
        (2, "feb.csv"),
    ]
    assert_rollups_equal_line_items(store)


def test_a_file_loaded_again_replaces_every_period_it_held_even_those_it_no_longer_covers(store: Store) -> None:
    _write(store, "other.csv", [line_item(date(2026, 2, 9), billed_cost=Decimal(1))])
    _write(store, "a.csv", [line_item(date(2026, 1, 3)), line_item(date(2026, 2, 3))])
    assert _write(store, "a.csv", [line_item(date(2026, 1, 3), billed_cost=Decimal(7))], content="new") == ["a.csv"]
    assert _monthly(store) == {"2026-01": Decimal("7.00"), "2026-02": Decimal("1.00")}
    assert [s.line_items for s in store.sources()] == [1, 1]
    assert_rollups_equal_line_items(store)


def test_the_same_content_under_another_name_is_the_same_source_and_answers_to_both_names(store: Store) -> None:
    rows = [line_item(date(2026, 1, d)) for d in (1, 2)]
    _write(store, "/exports/jan.csv", rows, content="same")
    assert _write(store, "/downloads/jan (1).csv", rows, content="same") == ["/exports/jan.csv"]
    assert _monthly(store) == {"2026-01": Decimal("20.00")}
    (source,) = store.sources()
    assert sorted(source.names) == ["/downloads/jan (1).csv", "/exports/jan.csv"]
    # The file changes at its first name: still the same source, not a second one.
    assert _write(store, "/exports/jan.csv", rows[:1], content="changed") == ["/downloads/jan (1).csv"]
    assert _monthly(store) == {"2026-01": Decimal("10.00")}


def test_a_newer_delivery_replaces_every_file_of_the_older_one_and_keeps_its_own(store: Store) -> None:
    old = {"scope": "AWS CUR report 2026-01", "assembly": "a1"}
    new = {"scope": "AWS CUR report 2026-01", "assembly": "a2"}
    _write(store, "unrelated.csv", [line_item(date(2026, 1, 9), billing_account_id="999")])
    for part in (1, 2):
        _write(store, f"a1/part-{part}.csv", [line_item(date(2026, 1, part))], fmt="aws-cur", **old)
    assert _write(store, "a2/part-1.csv", [line_item(date(2026, 1, 5))], fmt="aws-cur", **new) == [
        "a1/part-1.csv",
        "a1/part-2.csv",
    ]
    assert _write(store, "a2/part-2.csv", [line_item(date(2026, 1, 6))], fmt="aws-cur", **new) == []
    assert sorted((s.label, tuple(s.names)) for s in store.sources()) == [
        ("a2/part-1.csv", ("a2/part-1.csv",)),  # not the older delivery's names: those are other files
        ("a2/part-2.csv", ("a2/part-2.csv",)),
        ("unrelated.csv", ("unrelated.csv",)),
    ]
    assert _monthly(store) == {"2026-01": Decimal("30.00")}


def test_an_export_removes_synced_aggregates_of_its_periods_and_says_so(store: Store) -> None:
    synced = line_item(date(2026, 1, 2), billed_cost=Decimal(7))
    store.replace_partition(key_of(synced), [synced], lineage("sync"), kind="sync")
    source = SourceIdentity(label="jan.csv", content_hash="h")
    with store.writer(lineage("focus-export"), kind="export", source=source) as writer:
        writer.add_items([line_item(date(2026, 1, 2))])
    assert [(r.format, r.rows) for r in writer.replaced] == [("sync", 1)]
    assert "an ingested export supersedes them" in writer.replaced[0].reason
    assert _monthly(store) == {"2026-01": Decimal("10.00")}
    result = store.replace_partition(key_of(synced), [synced], lineage("sync"), kind="sync")
    assert not result.written  # and a sync never writes over it
    assert [s.label for s in store.sources()] == ["jan.csv"]


def test_one_billing_period_is_never_loaded_from_two_export_formats(store: Store) -> None:
    _write(store, "actual.csv", [line_item(date(2026, 1, 2))], fmt="azure-cost-details:actual")
    refused = r"amortized\.csv: AWS 111111111111 2026-01 is already loaded from actual\.csv \(azure-cost-details:actual"
    with pytest.raises(InvalidInput, match=refused):
        _write(store, "amortized.csv", [line_item(date(2026, 1, 3))], fmt="azure-cost-details:amortized")
    assert [s.label for s in store.sources()] == ["actual.csv"]
    assert _monthly(store) == {"2026-01": Decimal("10.00")}
    assert store.forget_source("actual.csv")[0].rows == 1  # what the refusal tells the user to do
    _write(store, "amortized.csv", [line_item(date(2026, 1, 3))], fmt="azure-cost-details:amortized")
    assert [s.format for s in store.sources()] == ["azure-cost-details:amortized"]


def test_forgetting_a_file_removes_its_rows_rollups_and_totals_and_nothing_else(store: Store) -> None:
    _write(store, "keep.csv", [line_item(date(2026, 1, 2))])
    source = SourceIdentity(label="gone.csv", content_hash="g")
    with store.writer(lineage("focus-export"), kind="export", source=source) as writer:
        writer.add_items([line_item(date(2026, 1, 3)), line_item(date(2026, 2, 3))])
        writer.record_source_totals("gone.csv", {(*_key(1), "USD"): SourceTotal(Decimal(10), Decimal(9), 1)})
    assert [r.label for r in store.forget_source("gone.csv")] == ["gone.csv"]
    assert store.forget_source("gone.csv") == []
    assert _monthly(store) == {"2026-01": Decimal("10.00")}
    assert store.reconcile() == []
    assert store.reconcile_files() == []
    assert_rollups_equal_line_items(store)


def test_a_whole_partition_write_removes_other_files_rows_of_it_and_reconcile_names_them(store: Store) -> None:
    source = SourceIdentity(label="a.csv", content_hash="a")
    with store.writer(lineage("focus-export"), kind="export", source=source) as writer:
        writer.add_items([line_item(date(2026, 1, 3))])
        writer.record_source_totals("a.csv", {(*_key(1), "USD"): SourceTotal(Decimal(10), Decimal(9), 1)})
    assert all(f.matches for f in store.reconcile_files())
    replacement = line_item(date(2026, 1, 4), billed_cost=Decimal(3))
    store.replace_partition(key_of(replacement), [replacement], lineage(), kind="export")
    assert _monthly(store) == {"2026-01": Decimal("3.00")}
    assert store.reconcile() == []  # the period's totals went with its rows
    (check,) = store.reconcile_files()  # but the file still says what it held
    assert (check.label, check.stated_billed, check.held_billed, check.matches) == ("a.csv", 10, 0, False)


def _key(month: int) -> tuple[str, str, object]:
    item = line_item(date(2026, month, 1))
    return item.provider_name, item.billing_account_id, item.billing_period_start
