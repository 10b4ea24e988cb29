"""Each file is a source: it replaces only itself (same path or content), so an export cut into files, loaded in
any order and any number of commands, and loaded again, holds exactly what the whole export holds."""

from __future__ import annotations

import random
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from finops_core.models import CostQuery
from finops_core.store import Store
from finops_orchestrator.ingest import ingest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SHARED
from tests.orchestrator.ingest.exports import gcp_months, read, usage_month, write

NATIVE = SHARED / "data/native-samples"
Totals = dict[tuple[str, str, str, str], tuple[int, int, int]]
"""(provider, billing account, billing period, currency) -> (line items, billed nanos, effective nanos)."""

SAMPLES: dict[str, Callable[[], pd.DataFrame]] = {
    "google months": gcp_months,
    "focus": lambda: read(SHARED / "data/focus-samples/FOCUS-1.0/focus_sample_1000.csv"),
    "aws cur": lambda: read(NATIVE / "aws/focus_converters_sample-anonymous-aws-cur-legacy.csv"),
    "azure amortized": lambda: read(NATIVE / "azure/finops-toolkit_EA_AmortizedCost_Small.csv"),
}


def totals(store: Store) -> Totals:
    """Every partition's line items and billed/effective totals per currency, straight from the line items."""
    with store.reader() as conn:
        rows = conn.execute(
            "SELECT p.provider_name, p.billing_account_id, p.billing_period_start, s.value, COUNT(*), "
            "SUM(li.billed_cost), SUM(li.effective_cost) FROM line_items li "
            "JOIN partitions p ON p.id = li.partition_id JOIN strings s ON s.id = li.billing_currency "
            "GROUP BY 1, 2, 3, 4"
        ).fetchall()
    return {(r[0], r[1], r[2], r[3]): (r[4], r[5], r[6]) for r in rows}


def rollup_totals(store: Store) -> dict[tuple[str, ...], tuple[int, int, int]]:
    """The same sums per provider, account and currency read from the coarsest rollup, which answers queries."""
    with store.reader() as conn:
        return {
            tuple(r[:3]): (r[3], r[4], r[5])
            for r in conn.execute(
                "SELECT p.value, a.value, c.value, SUM(row_count), SUM(billed_cost), SUM(effective_cost) "
                "FROM rollup_day_base r JOIN strings p ON p.id = r.provider_name JOIN strings a ON "
                "a.id = r.billing_account_id JOIN strings c ON c.id = r.billing_currency GROUP BY 1, 2, 3"
            )
        }


def answers(store: Store) -> list[object]:
    """What cost queries answer (monthly by service, from the rollups; by resource, from the line items)."""
    out: list[object] = []
    for metric, group in (("billed", "service"), ("effective", "service"), ("effective", "resource")):
        query = CostQuery(start=date(2015, 1, 1), end=date(2027, 1, 1), granularity="monthly", metric=metric)
        answer = store.query_costs(query.model_copy(update={"group_by": (group,), "top_n": 500}))
        out.append((answer.totals, answer.rows))
    return out


@cache
def whole(sample: str) -> tuple[Totals, dict[tuple[str, ...], tuple[int, int, int]], list[object]]:
    """What the export holds when its one whole file is ingested."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write(SAMPLES[sample](), Path(tmp) / f"{sample}.csv")
        with Store(Path(tmp) / "whole.sqlite") as store:
            ingest(store, [str(path)])
            return totals(store), rollup_totals(store), answers(store)


def _split(frame: pd.DataFrame, owners: list[int], folder: Path, name: str) -> list[Path]:
    """Rows to files by owner (files that get no row are not written: an empty export is another test's). Each
    keeps the export's name: an Azure file whose rows do not say actual or amortized is told by its name."""
    paths: list[Path] = []
    for n in sorted(set(owners)):
        paths.append(write(frame[[o == n for o in owners]], folder / f"{name}-part-{n}.csv"))
    return paths


def _ingest(store: Store, paths: list[Path], together: bool) -> None:
    if together:
        ingest(store, [str(p) for p in paths])
    else:
        for path in paths:
            ingest(store, [str(path)])


def test_a_google_export_in_monthly_files_keeps_every_row_when_each_file_has_its_own_command(tmp_path: Path) -> None:
    frame = gcp_months()
    months = usage_month(frame)
    files = [write(frame[months == m], tmp_path / f"gcp-{m}.csv") for m in sorted(set(months))]
    assert len(set(frame["invoice.month"])) == 5  # every file carries rows of the next invoice month
    store = Store(tmp_path / "s.sqlite")
    for path in files:
        ingest(store, [str(path)])
    assert totals(store) == whole("google months")[0]
    assert all(r.matches for r in store.reconcile())


def test_a_file_loaded_again_replaces_only_its_own_rows(tmp_path: Path) -> None:
    frame = gcp_months()
    months = usage_month(frame)
    november = write(frame[months == "2020-11"], tmp_path / "november.csv")
    december = write(frame[months == "2020-12"], tmp_path / "december.csv")
    store = Store(tmp_path / "s.sqlite")
    ingest(store, [str(november), str(december)])
    before = totals(store)
    (again,) = ingest(store, [str(december)])
    assert [(Path(r.label).name, r.reason) for r in again.replaced] == [("december.csv", "the same file, loaded again")]
    assert totals(store) == before


def test_a_renamed_copy_of_a_loaded_file_replaces_it_instead_of_counting_it_twice(tmp_path: Path) -> None:
    frame = gcp_months()
    first = write(frame, tmp_path / "export.csv")
    store = Store(tmp_path / "s.sqlite")
    ingest(store, [str(first)])
    (tmp_path / "copy").mkdir()
    copy = Path(shutil.copy(first, tmp_path / "copy/export (1).csv"))
    (report,) = ingest(store, [str(copy)])
    assert [r.reason for r in report.replaced] == ["the same content, loaded before under another name"]
    assert totals(store) == whole("google months")[0]
    (source,) = store.sources()
    assert sorted(source.names) == sorted([str(first.resolve()), str(copy.resolve())])


def test_a_file_changed_in_place_replaces_what_it_held_before(tmp_path: Path) -> None:
    frame = gcp_months()
    path = write(frame, tmp_path / "export.csv")
    store = Store(tmp_path / "s.sqlite")
    ingest(store, [str(path)])
    write(frame.iloc[::2], path)  # the provider re-issued the file with fewer rows
    ingest(store, [str(path)])
    other = Store(tmp_path / "fresh.sqlite")
    ingest(other, [str(path)])
    assert totals(store) == totals(other)


def test_a_store_from_before_sources_gets_one_source_per_file_and_a_re_ingest_still_replaces(tmp_path: Path) -> None:
    path = write(gcp_months(), tmp_path / "export.csv")
    store_path = tmp_path / "old.sqlite"
    with Store(store_path) as store:
        ingest(store, [str(path)])
        expected = totals(store)
    _back_to_0009(store_path)
    with Store(store_path) as store:
        assert totals(store) == expected  # the migration kept every row
        (legacy,) = store.sources()
        assert legacy.content_hash is None
        assert all(r.matches for r in store.reconcile())
        ingest(store, [str(path)])
        assert totals(store) == expected
        assert len(store.sources()) == 1


def _back_to_0009(path: Path) -> None:
    """Rewrite a store's source tables into their 0009 shape, as a store made before sources holds them."""
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        DROP VIEW focus_line_items;
        CREATE TABLE old_partitions AS SELECT id, provider_name, billing_account_id, billing_period_start,
            period_start, period_end, kind, source, file, focus_version, ingested_at, row_count FROM partitions;
        DROP TABLE partitions;
        ALTER TABLE old_partitions RENAME TO partitions;
        CREATE TABLE old_totals AS SELECT p.id AS partition_id, p.file, st.currency, st.billed, st.effective,
            st.row_count FROM source_totals st JOIN partitions p ON p.provider_name = st.provider_name
            AND p.billing_account_id = st.billing_account_id AND p.billing_period_start = st.billing_period_start;
        DROP TABLE source_totals;
        ALTER TABLE old_totals RENAME TO source_totals;
        DROP TABLE sources;
        DROP TABLE source_labels;
        DROP TABLE source_file_totals;
        DELETE FROM _sqlite_migrations WHERE name = '0010_sources';
        """
    )
    from finops_core.store.schema import _focus_view  # pyright: ignore[reportPrivateUsage]

    conn.execute(_focus_view())
    conn.commit()
    conn.close()


@st.composite
def _plans(draw: st.DrawFn, rows: int) -> tuple[list[int], list[int], bool, list[int], bool, int | None]:
    """How to cut an export of ``rows`` rows into files and load them: each row's file, the order of the files,
    one command or one each, which files to load again (and how), and which file to load again as a copy."""
    files = draw(st.integers(1, 4))
    rng = random.Random(draw(st.integers(0, 2**32)))
    contiguous = draw(st.booleans())
    owners = [rng.randrange(files) for _ in range(rows)]
    if contiguous:  # cut into runs of rows, as files of consecutive days are
        owners.sort()
    present = sorted(set(owners))
    order = draw(st.permutations(range(len(present))))
    again = draw(st.lists(st.sampled_from(range(len(present))), unique=True, max_size=len(present)))
    copy = draw(st.none() | st.sampled_from(range(len(present))))
    return owners, list(order), draw(st.booleans()), again, draw(st.booleans()), copy


@pytest.mark.parametrize("sample", SAMPLES)
def test_any_split_of_an_export_loaded_in_any_order_and_again_gives_the_same_store_as_the_whole(sample: str) -> None:
    frame = SAMPLES[sample]()
    expected, expected_rollups, expected_answers = whole(sample)

    @settings(
        max_examples=6,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(_plans(len(frame)))
    def run(plan: tuple[list[int], list[int], bool, list[int], bool, int | None]) -> None:
        owners, order, together, again, again_together, copy = plan
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            paths = _split(frame, owners, folder, sample)
            with Store(folder / "s.sqlite") as store:
                _ingest(store, [paths[i] for i in order], together)
                _ingest(store, [paths[i] for i in again], again_together)
                if copy is not None:
                    ingest(store, [str(shutil.copy(paths[copy], folder / f"{sample} renamed copy.csv"))])
                assert totals(store) == expected
                assert rollup_totals(store) == expected_rollups
                assert answers(store) == expected_answers
                assert all(r.matches for r in store.reconcile())

    run()


def test_a_file_a_store_from_before_sources_knew_by_a_relative_path_is_replaced_when_given_the_same_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(gcp_months(), tmp_path / "export.csv")
    monkeypatch.chdir(tmp_path)
    with Store(tmp_path / "old.sqlite") as store:
        ingest(store, ["export.csv"])
        expected = totals(store)
    _back_to_0009(tmp_path / "old.sqlite")
    with sqlite3.connect(tmp_path / "old.sqlite") as conn:  # as the old code named it: the path as given
        conn.execute("UPDATE partitions SET file = 'export.csv'")
        conn.execute("UPDATE source_totals SET file = 'export.csv'")
    with Store(tmp_path / "old.sqlite") as store:
        (report,) = ingest(store, ["export.csv"])
        assert [r.label for r in report.replaced] == ["export.csv"]
        assert totals(store) == expected
