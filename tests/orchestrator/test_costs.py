"""finops_cost_query answers compactly (a short text table, columns and rows in structured content) and, when
asked, converts into the report currency at the configured rate table, checked against pandas."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pandas as pd
import pytest
from finops_core.currency import CurrencySettings
from finops_core.store import Store
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client
from mcp.types import CallToolResult

from tests.conftest import AS_OF

pytestmark = pytest.mark.anyio

LAST_MONTH = {"start": "2026-10-01", "end": "2026-11-01"}  # the last full month before AS_OF
RATES = CurrencySettings(
    report_currency="USD", rates={"EUR": Decimal("1.0837")}, rates_as_of=date(2026, 10, 31), source="ECB reference"
)


async def _ask(store: Store, arguments: dict[str, Any], currency: CurrencySettings | None = None) -> CallToolResult:
    server = build_orchestrator(OrchestratorState(store=store, is_demo=True, today=lambda: AS_OF, currency=currency))
    async with Client(server) as client:
        return await client.call_tool("finops_cost_query", arguments)


def _text(result: CallToolResult) -> str:
    return "".join(getattr(c, "text", "") for c in result.content)


def _body(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, _text(result)
    assert result.structured_content is not None
    return result.structured_content


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def _month(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[(frame["day"] >= date(2026, 10, 1)) & (frame["day"] < date(2026, 11, 1))].copy()


def _in_usd(frame: pd.DataFrame) -> pd.Series:
    """Each line item converted on its own: an independent route to the same exact sums."""
    rates = {"USD": Decimal(1), **RATES.rates}
    return pd.Series([a * rates[c] for a, c in zip(frame["effective"], frame["currency"], strict=True)], frame.index)


async def test_last_months_spend_by_service_fits_in_two_and_a_half_kilobytes_with_structured_content(
    demo_store: Store,
) -> None:
    result = await _ask(demo_store, {**LAST_MONTH, "group_by": ["service"]})
    body = _body(result)
    size = len(_text(result).encode()) + len(json.dumps(body).encode())
    assert size <= 2_500, f"the answer is {size} bytes"
    assert body["truncated"] is True
    assert len(body["rows"]) == 15


async def test_structured_rows_keep_exact_amounts_that_add_up_to_the_totals_per_currency(
    demo_store: Store, demo_frame: pd.DataFrame
) -> None:
    body = _body(await _ask(demo_store, {**LAST_MONTH, "group_by": ["service"]}))
    assert body["columns"] == ["service", "currency", "cost"]
    sums: dict[str, Decimal] = {}
    for _, currency, cost in [*body["rows"], *body["other"]]:
        sums[currency] = sums.get(currency, Decimal(0)) + Decimal(cost)
    expected = _month(demo_frame).groupby("currency")["effective"].sum()
    assert sums == {c: Decimal(body["totals"][c]) for c in body["totals"]} == expected.to_dict()
    assert body["other"][0][0] == "(other)"
    assert (body["metric"], body["start"], body["end_exclusive"]) == ("effective", "2026-10-01", "2026-11-01")
    assert "amortized" in body["metric_meaning"]
    assert "converted" not in body
    assert "note" not in body  # nothing to say: left out rather than null


async def test_the_text_is_a_short_table_naming_metric_period_totals_and_truncation(demo_store: Store) -> None:
    text = _text(await _ask(demo_store, {**LAST_MONTH, "group_by": ["service"]}))
    lines = text.splitlines()
    assert lines[0].startswith("effective cost (amortized")
    assert "2026-10-01 through 2026-10-31, by service" in lines[0]
    assert "DEMO DATA" in lines[1]
    assert lines[2] == "service | currency | cost"
    assert "Amazon Elastic Compute Cloud | USD | 40,720.87" in lines
    assert "Totals: 34,782.66 EUR; 111,803.68 USD (currencies are not added together)." in lines
    assert lines[-1].startswith("Truncated: the top 15 groups")
    assert "{" not in text  # not a second copy of the JSON


async def test_a_tag_value_that_is_not_set_reads_as_not_set(demo_store: Store) -> None:
    result = await _ask(demo_store, {**LAST_MONTH, "tag_key": "team", "top_n": 50})
    body = _body(result)
    assert body["columns"] == ["tag:team", "currency", "cost"]
    assert None in [r[0] for r in body["rows"]]
    assert any(line.startswith("(not set) | ") for line in _text(result).splitlines())


async def test_weekly_trends_name_their_partial_weeks_in_text_and_structure(demo_store: Store) -> None:
    result = await _ask(demo_store, {**LAST_MONTH, "granularity": "weekly", "group_by": ["provider"]})
    body = _body(result)
    weeks = ["2026-10-01", "2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26"]
    assert body["columns"] == ["provider", "currency", *weeks]  # a trend: one column per period
    assert {(r[0], r[1]) for r in body["rows"]} == {("AWS", "USD"), ("Google Cloud", "USD"), ("Microsoft", "EUR")}
    assert body["partial_periods"] == [["2026-10-01", "2026-10-05"], ["2026-10-26", "2026-11-01"]]
    assert (
        "Partial weeks (cut by the period): 2026-10-01 through 2026-10-04; 2026-10-26 through 2026-10-31. "
        "Every other week is Monday through Sunday." in _text(result)
    )


async def test_an_empty_answer_says_why_in_text_and_structure(demo_store: Store) -> None:
    result = await _ask(demo_store, {"start": "2020-01-01", "end": "2020-02-01"})
    body = _body(result)
    assert body["rows"] == []
    assert body["totals"] == {}
    assert "widen the period" in body["note"]
    assert "widen the period" in _text(result)


async def test_converted_totals_match_an_independent_pandas_computation(
    demo_store: Store, demo_frame: pd.DataFrame
) -> None:
    result = await _ask(demo_store, {**LAST_MONTH, "group_by": ["service"], "convert": True}, RATES)
    body = _body(result)
    month = _month(demo_frame)
    converted = body["converted"]
    assert Decimal(converted["total"]) == _cents(_in_usd(month).sum())
    assert converted["total"] == "149497.65"  # 34,782.662664 EUR x 1.0837 + 111,803.682911 USD
    assert converted["rates"] == {"EUR": "1.0837"}
    assert (converted["currency"], converted["rates_as_of"], converted["rates_source"]) == (
        "USD",
        "2026-10-31",
        "ECB reference",
    )
    assert body["totals"] == {"EUR": "34782.662664", "USD": "111803.682911"}  # the per-currency totals stay
    text = _text(result)
    assert "Converted to USD at 1 EUR = 1.0837 USD as of 2026-10-31, source ECB reference: total 149,497.65 USD" in text


async def test_converted_rows_match_pandas_per_service_and_currency(
    demo_store: Store, demo_frame: pd.DataFrame
) -> None:
    body = _body(await _ask(demo_store, {**LAST_MONTH, "group_by": ["service"], "convert": True}, RATES))
    month = _month(demo_frame)
    month["usd"] = _in_usd(month)
    expected = month.groupby(["service", "currency"])["usd"].sum()
    assert body["columns"] == ["service", "currency", "cost", "cost_USD"]
    for service, currency, _, usd in body["rows"]:
        assert Decimal(usd) == _cents(expected[(service, currency)]), service


async def test_weekly_converted_totals_per_period_match_pandas(demo_store: Store, demo_frame: pd.DataFrame) -> None:
    body = _body(await _ask(demo_store, {**LAST_MONTH, "granularity": "weekly", "convert": True}, RATES))
    month = _month(demo_frame)
    month["usd"] = _in_usd(month)
    month["week"] = [max(d - timedelta(days=d.weekday()), date(2026, 10, 1)).isoformat() for d in month["day"]]
    expected = {week: format(_cents(v), "f") for week, v in month.groupby("week")["usd"].sum().items()}
    assert body["converted"]["by_period"] == expected


async def test_a_long_converted_trend_leaves_per_row_amounts_out_and_says_so(demo_store: Store) -> None:
    result = await _ask(
        demo_store, {**LAST_MONTH, "granularity": "daily", "group_by": ["provider"], "convert": True}, RATES
    )
    body = _body(result)
    assert body["columns"][:2] == ["provider", "currency"]
    assert "per-row amounts come with granularity total" in body["converted"]["rows_not_converted"]
    assert len(body["converted"]["by_period"]) == 31
    assert "Not converted per row" in _text(result)


async def test_without_convert_currencies_are_never_summed_even_with_a_rate_table(demo_store: Store) -> None:
    body = _body(await _ask(demo_store, {**LAST_MONTH, "group_by": ["provider"]}, RATES))
    assert "converted" not in body
    assert set(body["totals"]) == {"EUR", "USD"}


async def test_converting_without_a_rate_table_says_what_to_add_to_finops_toml(demo_store: Store) -> None:
    result = await _ask(demo_store, {**LAST_MONTH, "convert": True})
    assert result.is_error
    text = _text(result)
    assert "No currency rate table is configured" in text
    assert '[currency]\nreport_currency = "USD"\nrates = { EUR = "1.08" }' in text


async def test_a_currency_without_a_rate_names_the_rate_to_add(demo_store: Store) -> None:
    result = await _ask(demo_store, {**LAST_MONTH, "convert": True}, CurrencySettings(rates={"GBP": Decimal("1.27")}))
    assert result.is_error
    assert 'no rate for EUR. Add it, e.g. rates = { EUR = "<USD per 1 EUR>" }' in _text(result)


async def test_an_answer_in_the_report_currency_alone_converts_without_any_rate(demo_store: Store) -> None:
    body = _body(
        await _ask(demo_store, {**LAST_MONTH, "providers": ["AWS"], "convert": True}, CurrencySettings(rates={}))
    )
    assert body["converted"]["rates"] == {}
    assert body["converted"]["total"] == format(_cents(Decimal(body["totals"]["USD"])), "f")
