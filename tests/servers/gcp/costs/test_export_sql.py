"""The SQL sent to BigQuery is GoogleSQL: every shape ``ExportQuery`` builds parses with sqlglot's BigQuery dialect,
names the configured table as a three-part id, carries every value as a parameter (no literal from a caller), and
uses exactly the parameters it sends. (The BigQuery fake reads and transpiles the same text the same way, so every
cost test runs it as BigQuery SQL too.)"""

from __future__ import annotations

import itertools
from datetime import date

import pytest
import sqlglot
from finops_gcp.costs.export_sql import ExportKind, ExportQuery, columns
from sqlglot import exp

TABLE = "billing-admin.billing.gcp_billing_export_v1_000000_AAAAAA_BBBBBB"
HOSTILE = "x' OR 1=1 --"


def shapes() -> list[ExportQuery]:
    out: list[ExportQuery] = []
    kinds: tuple[ExportKind, ...] = ("standard", "detailed", "focus")
    for kind, daily, with_list in itertools.product(kinds, (True, False), (True, False)):
        keys = list(columns(kind))
        for n in (0, 1, 2, len(keys)):
            out.append(
                ExportQuery(
                    table=TABLE,
                    kind=kind,
                    start=date(2024, 1, 1),
                    end=date(2024, 2, 1),
                    keys=keys[:n],
                    labels=["team", HOSTILE][: n % 3],
                    filters={k: [HOSTILE, "b"] for k in keys[: n % 3]},
                    daily=daily,
                    with_list=with_list,
                )
            )
    return out


@pytest.mark.parametrize("query", shapes(), ids=lambda q: f"{q.kind}-{len(q.keys)}keys-{q.daily}-{q.with_list}")
def test_every_query_shape_is_googlesql_with_every_value_a_parameter(query: ExportQuery) -> None:
    sql, params = query.sql_and_parameters()
    tree = sqlglot.parse_one(sql, read="bigquery")  # raises on anything BigQuery's grammar does not take
    tables = [".".join(p for p in (t.catalog, t.db, t.name) if p) for t in tree.find_all(exp.Table)]
    assert tables == [TABLE]
    used = {p.name for p in tree.find_all(exp.Parameter)}
    assert used == {name for name, _, _ in params}
    assert HOSTILE not in sql
    strings = [lit.this for lit in tree.find_all(exp.Literal) if lit.is_string]
    assert strings == [], "values travel as parameters, never as literals"
    # The text BigQuery gets is what sqlglot writes back for it: nothing the parser dropped or misread.
    assert sqlglot.parse_one(tree.sql(dialect="bigquery"), read="bigquery") == tree
