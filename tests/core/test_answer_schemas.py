"""One way to declare a tool (``compact_tool``) and the outputSchema it publishes: the decorated name stays the
function, the scope check and error mapping hold, and every shape an answer takes (nulls left out, an empty table,
a table cut to fit, from the cache or not) validates against the published schema."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from finops_core.answer_schemas import model_schema, table_schema
from finops_core.answer_tables import table_answer
from finops_core.compact import CompactServer
from finops_core.errors import InvalidInput
from finops_core.server import READ, compact_answer, compact_tool
from jsonschema import Draft202012Validator
from mcp import Client
from pydantic import BaseModel, Field

from tests.answer_schema import check_answer

pytestmark = pytest.mark.anyio


class Part(BaseModel):
    name: str
    size: int | None
    labels: dict[str, str] = Field(default_factory=dict)


class Report(BaseModel):
    day: date
    note: str | None  # required, but may be null: left out without nulls
    parts: list[Part]
    by_kind: dict[str, list[Part]] = Field(default_factory=dict)
    cached: bool | None = None
    cached_at: datetime | None = None


def _valid(schema: dict[str, Any], data: Any) -> list[str]:
    Draft202012Validator.check_schema(schema)
    return [e.message for e in Draft202012Validator(schema).iter_errors(data)]


PARTS = [Part(name="a", size=None, labels={"team": "x"}), Part(name="b", size=2)]
REPORTS = [
    Report(day=date(2026, 11, 1), note=None, parts=PARTS, by_kind={"disk": PARTS}),
    Report(day=date(2026, 11, 1), note="n", parts=[], cached=False),  # an empty list of records stays a list
    Report(day=date(2026, 11, 1), note=None, parts=PARTS, cached=True, cached_at=datetime(2026, 11, 1, tzinfo=UTC)),
    Report(day=date(2026, 11, 1), note=None, parts=[Part(name="x" * 100, size=i) for i in range(400)]),  # cut to fit
]


@pytest.mark.parametrize("report", REPORTS)
def test_every_shape_of_a_table_answer_validates_against_the_table_schema(report: Report) -> None:
    answer = table_answer(report)
    assert answer.structured_content is not None
    assert _valid(table_schema(Report), answer.structured_content) == []


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("exclude_none", [False, True])
def test_a_model_answer_with_or_without_nulls_validates_against_the_model_schema(
    report: Report, exclude_none: bool
) -> None:
    answer = compact_answer(report, exclude_none=exclude_none)
    assert _valid(model_schema(Report, exclude_none=exclude_none), answer.structured_content) == []


class Listing(BaseModel):
    rows: list[Part]
    other: list[Part]
    total: int


@pytest.mark.parametrize(("rows", "other"), [(PARTS, []), ([], PARTS), (PARTS, PARTS), ([], [])])
def test_rows_and_other_lifted_to_the_top_table_validate_whichever_is_empty(
    rows: list[Part], other: list[Part]
) -> None:
    answer = table_answer(Listing(rows=rows, other=other, total=1))
    assert answer.structured_content is not None
    assert _valid(table_schema(Listing), answer.structured_content) == []


def test_the_table_schema_rejects_an_answer_that_is_not_a_table() -> None:
    data = table_answer(REPORTS[0]).structured_content
    assert data is not None
    assert _valid(table_schema(Report), {**data, "parts": [{"name": "a"}]})  # records, not columns and rows


async def test_a_declared_tool_stays_the_function_and_publishes_the_schema_of_its_answer() -> None:
    server = CompactServer(name="probe")

    @compact_tool(server, name="probe_report", annotations=READ, description="A report.")
    async def report(fail: bool = False) -> Report:
        if fail:
            raise InvalidInput("Not today: ask again with fail=false.")
        return REPORTS[0]

    assert (await report()) == REPORTS[0]  # the decorated name is the function, not None
    async with Client(server) as client:
        (tool,) = (await client.list_tools()).tools
        answered = await client.call_tool("probe_report", {})
        refused = await client.call_tool("probe_report", {"fail": True})
    assert tool.output_schema == model_schema(Report)
    assert set(tool.input_schema["properties"]) == {"fail"}
    check_answer("probe_report", tool.output_schema, answered)
    assert refused.is_error
    assert refused.structured_content is None  # an error carries no structured content
    assert refused.content[0].text == "Not today: ask again with fail=false."  # type: ignore[union-attr]


def test_a_tool_whose_answer_has_its_own_shape_must_name_the_model_of_that_shape() -> None:
    server = CompactServer(name="probe")

    async def shaped() -> Report:
        return REPORTS[0]

    with pytest.raises(TypeError, match="output="):
        compact_tool(server, name="probe_shaped", shape=lambda r: compact_answer(r))(shaped)
