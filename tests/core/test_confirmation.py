"""The SDK's errors for an unusable answer to a confirmation question become a refusal a person understands; any
other error is left alone."""

from __future__ import annotations

from finops_core.confirmation import NO_ANSWER, NOT_YES_OR_NO, refusal_for
from mcp.server.mcpserver.exceptions import ToolError


def _wrapped(inner: BaseException) -> ToolError:
    """``inner`` as the SDK's tool runner raises it."""
    try:
        raise ToolError(f"Error executing tool aws_apply_remediation: {inner}") from inner
    except ToolError as exc:
        return exc


def test_an_answer_with_no_content_is_no_answer_on_both_protocol_eras() -> None:
    modern = ToolError("Resolver 'finops_core.server:ask' received an accepted elicitation with no content")
    legacy = ToolError("Resolver 'finops_core.server:ask': Received an accepted elicitation with no content")
    assert refusal_for(_wrapped(modern)) == refusal_for(_wrapped(legacy)) == NO_ANSWER


def test_an_answer_that_is_not_a_boolean_is_not_a_yes_or_no() -> None:
    wrong = ToolError(
        "Resolver 'finops_core.server:ask' received an accepted elicitation whose content does not match the "
        "requested schema"
    )
    assert refusal_for(_wrapped(wrong)) == NOT_YES_OR_NO


def test_other_errors_are_left_alone_even_when_they_quote_the_sdks_words() -> None:
    assert refusal_for(ToolError("Unknown tool: accepted elicitation with no content")) is None
    assert refusal_for(_wrapped(ValueError("Nothing was changed: plan-1 is not allowed now"))) is None
