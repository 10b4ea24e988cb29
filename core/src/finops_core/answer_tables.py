"""The compact answer of every cost tool besides the cost query (``aws_cost_explorer``, ``azure_budgets``, ...).

The same shape as the cost query's (``finops_core.cost_answers``): each list of records in the answer becomes a
table, ``{"columns": [...], "rows": [[...], ...]}``, a nested record's fields flattened into ``name.field`` columns
(a ``group``'s own keys stand alone); the text is the answer's fields as ``name: value`` lines and each table as
``a | b`` lines, not a second copy of the JSON. An answer whose costs are grouped lines (``CostLines``: costs by
AWS or Azure dimensions) is written as a cost table, a trend pivoted by period, and folds its smallest groups
into '(other)' to fit the byte ceiling. Any other answer past the ceiling lists the first rows of its longest
table and says how many it left out and how to narrow the question.

An answer from the cache of paid calls says so: ``cached`` and, when it came from the cache, ``cached_at`` and
``cached_age_minutes``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, cast, runtime_checkable

from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel

from finops_core.cached import cache_fields, cache_text
from finops_core.cost_answers import money
from finops_core.cost_tables import ANSWER_BYTES, Cut, Line, answer_bytes, fit, largest, tabulate, text_rows

NARROW = "a shorter period, a smaller limit or top_n, or a filter"


@runtime_checkable
class CostLines(Protocol):
    """An answer made of grouped cost lines (``rows`` and ``other``), written as a cost table."""

    def cost_lines(self) -> tuple[list[str], bool, list[Line], list[Line]]:
        """Its group labels, whether it is a trend (periods), its lines and its '(other)' lines."""
        ...


def _flat(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            inner = "" if key == "group" and not prefix else f"{prefix}{key}."  # a group's keys are the columns
            out |= _flat(value, inner)  # pyright: ignore[reportUnknownArgumentType]
        else:
            out[f"{prefix}{key}"] = tabulated(value)
    return out


def tabulated(value: Any) -> Any:
    """``value`` (plain JSON) with every non-empty list of records written as columns and rows."""
    if isinstance(value, dict):
        return {k: tabulated(v) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType]
    listed = _records(value)
    if listed is not None:
        records = [_flat(v) for v in listed]
        columns: list[str] = []
        for record in records:
            columns += [c for c in record if c not in columns]
        return {"columns": columns, "rows": [[r.get(c) for c in columns] for r in records]}
    return value  # pyright: ignore[reportUnknownVariableType]


def _records(value: Any) -> list[dict[str, Any]] | None:
    """``value`` if it is a non-empty list of records."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in cast("list[Any]", value)):
        return cast("list[dict[str, Any]]", value)
    return None


def _hoisted(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` tabulated, its own ``rows`` and ``other`` records (if any) as one table at the top, as the cost
    query's: ``columns``, ``rows``, ``other``."""
    rows = _records(data.get("rows"))
    if rows is None:
        return tabulated(data)
    extra = _records(data.get("other")) or []
    table = tabulated([*rows, *extra])
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "rows":
            out["columns"] = table["columns"]
            out["rows"] = table["rows"][: len(rows)]
            if extra:
                out["other"] = table["rows"][len(rows) :]
        elif key != "other" or not extra:
            out[key] = tabulated(value)
    return out


def _totals(totals: Any) -> Any:
    """Totals as ``{currency: amount}`` when they are plain money, else tabulated."""
    found = _records(totals)
    if found is not None and all(set(t) == {"amount", "currency"} for t in found):
        return {t["currency"]: t["amount"] for t in found}
    return tabulated(totals)


def _is_table(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"columns", "rows"}  # pyright: ignore[reportUnknownArgumentType]


def _text(data: dict[str, Any], prefix: str = "") -> list[str]:
    """``name: value`` lines for fields, ``a | b`` lines for tables (values as sent)."""
    lines: list[str] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if _is_table(value):
            lines.append(f"{name}:")
            lines.append(" | ".join(value["columns"]))
            lines += [" | ".join("" if v is None else _cell(v) for v in row) for row in value["rows"]]
        elif isinstance(value, dict):
            lines += _text(value, f"{name}.")  # pyright: ignore[reportUnknownArgumentType]
        elif isinstance(value, list):
            lines.append(f"{name}: {', '.join(_cell(v) for v in value)}" if value else f"{name}: none")  # pyright: ignore[reportUnknownVariableType]
        else:
            lines.append(f"{name}: {_cell(value)}")
    return lines


def _cell(value: Any) -> str:
    if _is_table(value):
        return "; ".join(", ".join(_cell(v) for v in row if v is not None) for row in value["rows"])
    if isinstance(value, dict):
        return ", ".join(f"{k}={_cell(v)}" for k, v in value.items())  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _result(data: dict[str, Any], text: Sequence[str]) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text="\n".join(text))], structured_content=data)


def table_answer(model: BaseModel, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> CallToolResult:
    """``model`` as a compact answer under the byte ceiling (see the module's docstring)."""
    data: dict[str, Any] = model.model_dump(mode="json", exclude_none=True)
    cached_at = getattr(model, "cached_at", None)
    if "cached" in data:
        cache = cache_fields(data.pop("cached"), cached_at, now())
        data.pop("cached_at", None)
        data |= cache
    else:
        cache = {}
    if isinstance(model, CostLines):
        return _cost_lines_answer(model, data, cache)
    data = _hoisted(data)
    whole = _result(data, _heading(cache) + _text(data))
    if answer_bytes(whole) <= ANSWER_BYTES:
        return whole
    tables = [k for k, v in data.items() if _is_table(v)]
    if not tables:
        return whole
    longest = max(tables, key=lambda k: len(str(data[k])))
    rows: list[Any] = data[longest]["rows"]

    def first(count: int) -> CallToolResult:
        cut = {
            "ceiling_bytes": ANSWER_BYTES,
            "table": longest,
            "rows_listed": count,
            "rows": len(rows),
            "narrow": f"ask {NARROW}",
        }
        shown = {**data, longest: {**data[longest], "rows": rows[:count]}, "cut": cut}
        note = (
            f"Cut to fit {ANSWER_BYTES:,} bytes: the first {count} of {len(rows)} {longest} are listed. For the rest, "
            f"ask {NARROW}."
        )
        return _result(shown, [*_heading(cache), *_text({k: v for k, v in shown.items() if k != "cut"}), note])

    return first(largest(lambda n: answer_bytes(first(n)) <= ANSWER_BYTES, 0, len(rows)))


def _heading(cache: dict[str, Any]) -> list[str]:
    line = cache_text(cache)
    return [line] if line else []


def _cost_lines_answer(model: CostLines, data: dict[str, Any], cache: dict[str, Any]) -> CallToolResult:
    group_by, periodic, lines, other = model.cost_lines()
    fields = {k: v for k, v in data.items() if k not in ("rows", "other", *cache)}
    totals = fields.pop("totals", None)

    def render(kept: list[Line], rest: list[Line], cut: Cut | None) -> CallToolResult:
        table = tabulate(group_by, kept, rest, periodic=periodic)
        out: dict[str, Any] = {**fields, "columns": table.columns, "rows": table.rows}
        if table.other:
            out["other"] = table.other
        if totals is not None:
            out["totals"] = _totals(totals)
        if cut is not None:
            out["truncated"] = True
        out |= cache
        if cut is not None:
            out["cut"] = cut.structured()
        text = [*_heading(cache), *_text(fields), *text_rows(table, money)]
        if totals is not None:
            text += _text({"totals": _totals(totals)})
        if cut is not None:
            text.append(cut.text())
        return _result(out, text)

    return fit(render, lines, other, len(group_by))
