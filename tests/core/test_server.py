"""The server factory: prefixed, annotated, typed tools; confirmation before any change."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from finops_core.sandbox import DEMO_LABEL, SandboxProvider
from finops_core.server import build_server
from finops_core.settings import Settings
from mcp import Client
from mcp.types import CallToolResult, ElicitRequestParams, ElicitResult

from tests.conftest import AS_OF
from tests.tool_budget import hosted_bytes

pytestmark = pytest.mark.anyio
MODES = ["auto", "legacy"]
IDLE = "i-0b2c3d4e5f6071829"


def _server(settings: Settings, *, remediation: bool = False, provider: SandboxProvider | None = None) -> Any:
    settings = settings.model_copy(update={"remediation_enabled": remediation})
    return build_server(provider or SandboxProvider("aws", as_of=AS_OF), settings, today=lambda: AS_OF)


def _answer(action: str, content: dict[str, Any] | None = None) -> Callable[..., Awaitable[ElicitResult]]:
    asked: list[str] = []

    async def callback(_ctx: Any, params: ElicitRequestParams) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action=action, content=content)  # type: ignore[arg-type]

    callback.asked = asked  # type: ignore[attr-defined]
    return callback


async def _stop_the_idle_instance(
    settings: Settings, mode: str, callback: Callable[..., Awaitable[ElicitResult]] | None = None
) -> tuple[CallToolResult, SandboxProvider]:
    """Ask a sandbox AWS server with remediation on to stop the idle instance, the person answering through
    ``callback`` (None: a client that cannot ask); the answer, and the provider to look at afterwards."""
    provider = SandboxProvider("aws", as_of=AS_OF)
    async with Client(
        _server(settings, remediation=True, provider=provider), mode=mode, elicitation_callback=callback
    ) as client:
        result = await client.call_tool("aws_apply_remediation", {"kind": "stop_instance", "resource_id": IDLE})
    return result, provider


async def _idle_state(provider: SandboxProvider) -> str:
    resources = await provider.list_resources(resource_type="instance")
    return next(r for r in resources.resources if r.resource_id == IDLE).state


async def test_tools_carry_the_cloud_prefix_and_annotations_and_fit_the_context_budget(settings: Settings) -> None:
    async with Client(_server(settings, remediation=True)) as client:
        tools = (await client.list_tools()).tools
    assert {t.name for t in tools} == {
        "aws_provider_info",
        "aws_cost_query",
        "aws_list_resources",
        "aws_list_recommendations",
        "aws_plan_remediation",
        "aws_apply_remediation",
        "aws_resource_tags",
        "aws_daily_costs",
    }
    assert hosted_bytes(tools) <= 16_000  # what an assistant pays before its first question (issues 5-7, 20)
    for tool in tools:
        assert tool.description
        assert tool.output_schema is not None  # for clients and code; a host does not hand it to the model
        a = tool.annotations
        assert a is not None
        assert None not in (a.read_only_hint, a.destructive_hint, a.idempotent_hint, a.open_world_hint)
        assert a.read_only_hint is (tool.name != "aws_apply_remediation")


async def test_read_only_mode_does_not_register_the_tool_that_changes_resources(settings: Settings) -> None:
    async with Client(_server(settings)) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        info = await client.call_tool("aws_provider_info", {})
    assert "aws_apply_remediation" not in names
    assert info.structured_content is not None
    assert info.structured_content["read_only"] is True


@pytest.mark.parametrize("mode", MODES)
async def test_a_cost_query_returns_structured_totals_labelled_as_demo(settings: Settings, mode: str) -> None:
    async with Client(_server(settings), mode=mode) as client:
        result = await client.call_tool(
            "aws_cost_query", {"start": "2026-10-01", "end": "2026-11-01", "group_by": ["service"], "top_n": 3}
        )
    assert not result.is_error
    assert result.structured_content is not None
    body = result.structured_content
    assert body["metric"] == "effective"
    assert body["is_demo"] is True
    assert body["source"] == DEMO_LABEL
    assert body["truncated"] is True
    assert body["columns"] == ["service", "currency", "cost"]
    assert len({service for service, _, _ in body["rows"]}) == 3
    assert list(body["totals"]) == ["USD"]
    assert isinstance(body["totals"]["USD"], str)


async def test_a_cost_query_defaults_to_the_last_thirty_days(settings: Settings) -> None:
    async with Client(_server(settings)) as client:
        result = await client.call_tool("aws_cost_query", {})
    assert result.structured_content is not None
    body = result.structured_content
    assert (body["start"], body["end_exclusive"]) == ("2026-10-27", "2026-11-26")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"start": "2026-13-01"}, "use YYYY-MM-DD"),
        ({"start": "2026-10-05", "end": "2026-10-01"}, "end is exclusive"),
        ({"group_by": ["service", "region", "provider"]}, "group_by"),
        ({"group_by": ["colour"]}, "group_by"),
    ],
)
async def test_bad_arguments_get_an_error_that_says_what_to_send(
    settings: Settings, arguments: dict[str, Any], message: str
) -> None:
    async with Client(_server(settings)) as client:
        result = await client.call_tool("aws_cost_query", arguments)
    assert result.is_error
    text = result.content[0].text  # type: ignore[union-attr]
    assert message in text
    assert "Traceback" not in text


async def test_planning_changes_nothing(settings: Settings) -> None:
    provider = SandboxProvider("aws", as_of=AS_OF)
    async with Client(_server(settings, provider=provider)) as client:
        before = await client.call_tool("aws_list_resources", {})
        plan = await client.call_tool("aws_plan_remediation", {"kind": "stop_instance", "resource_id": IDLE})
        after = await client.call_tool("aws_list_resources", {})
    assert plan.structured_content is not None
    assert plan.structured_content["dry_run_ok"] is True
    assert before.structured_content == after.structured_content


@pytest.mark.parametrize("mode", MODES)
async def test_a_confirmed_change_is_applied_with_before_after_and_undo(settings: Settings, mode: str) -> None:
    callback = _answer("accept", {"confirm": True})
    result, _ = await _stop_the_idle_instance(settings, mode, callback)
    assert result.structured_content is not None, result.content
    assert result.structured_content["applied"] is True
    assert result.structured_content["after"]["state"] == "stopped"
    assert "start_instance" in result.structured_content["undo"]
    assert "batch-legacy" in callback.asked[0]
    assert "Undo" in callback.asked[0]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("action", "content"), [("decline", None), ("cancel", None), ("accept", {"confirm": False})])
async def test_anything_but_a_yes_changes_nothing(
    settings: Settings, mode: str, action: str, content: dict[str, Any] | None
) -> None:
    result, provider = await _stop_the_idle_instance(settings, mode, _answer(action, content))
    assert result.structured_content is not None
    assert result.structured_content["applied"] is False
    assert await _idle_state(provider) == "running"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("lax", ["yes", "y", "1", "t", "true", 1, 1.0], ids=repr)
async def test_only_the_boolean_true_confirms_a_change_not_a_value_lax_parsing_takes_for_it(
    settings: Settings, mode: str, lax: object
) -> None:
    result, provider = await _stop_the_idle_instance(settings, mode, _answer("accept", {"confirm": lax}))
    assert result.is_error
    assert result.content[0].text.startswith("The answer was not a plain yes or no: nothing was changed.")  # type: ignore[union-attr]
    assert "Resolver" not in result.content[0].text  # type: ignore[union-attr]
    assert await _idle_state(provider) == "running"


@pytest.mark.parametrize("mode", MODES)
async def test_an_accepted_question_without_an_answer_is_a_clear_refusal_and_changes_nothing(
    settings: Settings, mode: str
) -> None:
    result, provider = await _stop_the_idle_instance(settings, mode, _answer("accept", None))
    assert result.is_error
    assert result.content[0].text.startswith("No answer was given: nothing was changed.")  # type: ignore[union-attr]
    assert (result.meta or {})["io.finops/error"] == "RemediationRefused"  # a remote caller rebuilds a refusal
    assert await _idle_state(provider) == "running"


@pytest.mark.parametrize("mode", MODES)
async def test_a_client_that_cannot_ask_a_person_gets_a_refusal_and_nothing_changes(
    settings: Settings, mode: str
) -> None:
    result, provider = await _stop_the_idle_instance(settings, mode)
    assert result.is_error
    assert "Nothing was changed" in result.content[0].text  # type: ignore[union-attr]
    assert await _idle_state(provider) == "running"


async def test_a_change_that_fails_its_dry_run_is_refused_before_anyone_is_asked(settings: Settings) -> None:
    callback = _answer("accept", {"confirm": True})
    async with Client(_server(settings, remediation=True), elicitation_callback=callback) as client:
        result = await client.call_tool(
            "aws_apply_remediation", {"kind": "start_instance", "resource_id": IDLE}
        )  # it is running
    assert result.is_error
    assert "Nothing was changed" in result.content[0].text
    assert callback.asked == []  # type: ignore[attr-defined]


async def test_daily_costs_give_raw_rows_for_at_most_a_month_and_name_the_error_class(settings: Settings) -> None:
    async with Client(_server(settings)) as client:
        rows = await client.call_tool("aws_daily_costs", {"start": "2026-10-01", "end": "2026-10-03"})
        too_long = await client.call_tool("aws_daily_costs", {"start": "2026-09-01", "end": "2026-11-01"})
    assert rows.structured_content is not None
    items = rows.structured_content["items"]
    assert {i["charge_period_start"][:10] for i in items} == {"2026-10-01", "2026-10-02"}
    assert all(None not in i.values() for i in items)  # nulls left out: these pages are large
    assert too_long.is_error
    assert too_long.meta is not None
    assert too_long.meta["io.finops/error"] == "InvalidInput"
    assert "month by month" in too_long.content[0].text  # type: ignore[union-attr]


class ClosingSandbox(SandboxProvider):
    """The sandbox, holding something to release as a real cloud's provider does (its paid-call cache)."""

    def __init__(self) -> None:
        super().__init__("aws", as_of=AS_OF)
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


async def test_a_cloud_servers_provider_is_closed_when_the_server_stops_and_not_before(settings: Settings) -> None:
    provider = ClosingSandbox()
    async with Client(_server(settings, provider=provider)) as client:
        answered = await client.call_tool("aws_cost_query", {"start": "2026-10-01", "end": "2026-11-01"})
        assert not answered.is_error
        assert provider.closed == 0
    assert provider.closed == 1
