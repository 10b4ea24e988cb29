"""The compact answer of the cost tools besides the cost query: record lists as columns and rows, nested records
flattened, a text table rather than a second copy of the JSON, and a byte ceiling that says what it left out."""

from __future__ import annotations

from decimal import Decimal

from finops_core.answer_tables import table_answer
from finops_core.cost_tables import ANSWER_BYTES, answer_bytes
from finops_core.money import Money
from pydantic import BaseModel


class Budget(BaseModel):
    name: str
    limit: Money
    percent_used: float | None = None


class Budgets(BaseModel):
    account_id: str
    budgets: list[Budget]
    note: str | None = None


def _budgets(count: int) -> Budgets:
    return Budgets(
        account_id="123456789012",
        budgets=[
            Budget(name=f"team-{n:04d}", limit=Money(amount=Decimal("1000.50"), currency="USD"), percent_used=n / 10)
            for n in range(count)
        ],
    )


def test_records_become_columns_and_rows_with_nested_fields_flattened() -> None:
    result = table_answer(_budgets(2))
    body = result.structured_content
    assert body == {
        "account_id": "123456789012",
        "budgets": {
            "columns": ["name", "limit.amount", "limit.currency", "percent_used"],
            "rows": [["team-0000", "1000.50", "USD", 0.0], ["team-0001", "1000.50", "USD", 0.1]],
        },
    }
    text = result.content[0].text  # type: ignore[union-attr]
    assert text.splitlines() == [
        "account_id: 123456789012",
        "budgets:",
        "name | limit.amount | limit.currency | percent_used",
        "team-0000 | 1000.50 | USD | 0.0",
        "team-0001 | 1000.50 | USD | 0.1",
    ]


def test_past_the_ceiling_the_first_rows_are_listed_and_the_answer_says_how_many_it_left_out() -> None:
    result = table_answer(_budgets(2_000))
    assert answer_bytes(result) <= ANSWER_BYTES
    body = result.structured_content
    assert body is not None
    cut = body["cut"]
    assert (cut["table"], cut["rows"]) == ("budgets", 2_000)
    assert len(body["budgets"]["rows"]) == cut["rows_listed"] < 2_000
    assert body["budgets"]["rows"][0][0] == "team-0000"
    text = result.content[0].text  # type: ignore[union-attr]
    assert text.splitlines()[-1].startswith(f"Cut to fit 16,000 bytes: the first {cut['rows_listed']} of 2000 budgets")
