"""What a person's answer to a confirmation question counts as, when it is not a plain yes or no.

A change is confirmed (``Confirm``) or a plan approved (``Approve``) only by the boolean ``true``: the questions'
models are strict, so "yes", "y", "1", "t", 1 or 1.0, which pydantic's lax mode would take for ``true``, are not
an answer. The MCP SDK rejects such an answer, and an accepted question with no answer at all, before the tool
runs, with its own error naming the resolver; ``refusal_for`` turns that into a refusal a person understands.
"""

from __future__ import annotations

import re

NO_ANSWER = (
    "No answer was given: nothing was changed. The client accepted the confirmation question without an answer; "
    "call the tool again and answer it yes or no."
)
NOT_YES_OR_NO = (
    "The answer was not a plain yes or no: nothing was changed. Only the boolean true confirms (not text or numbers "
    'such as "yes" or 1); call the tool again and answer the question with its yes/no choice.'
)
# The SDK's messages (mcp.server.mcpserver.resolve, mcp.server.elicitation) for an answer it could not use, on the
# 2026-07-28 protocol ("Resolver 'k' received ...") and the legacy one ("Resolver 'k': Received ...").
_UNUSABLE = re.compile(
    r"Resolver '[^']+':? (?:[Rr]eceived an accepted elicitation (?P<what>with no content|whose content does not "
    r"match the requested schema)|received an invalid elicitation response)"
)


def refusal_for(exc: BaseException) -> str | None:
    """The refusal to answer when ``exc`` (a failed tool call) is the SDK rejecting a person's answer to a
    confirmation question; None for any other error."""
    seen: BaseException | None = exc
    while seen is not None:
        match = _UNUSABLE.fullmatch(str(seen))
        if match is not None:
            return NO_ANSWER if match["what"] == "with no content" else NOT_YES_OR_NO
        seen = seen.__cause__
    return None
