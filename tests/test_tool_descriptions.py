"""Tool descriptions send a model to a neighbour when that one fits better ("why a total moved:
finops_explain_change"): every tool they name exists on the suite's servers, so no description points at a tool that
was renamed or removed."""

from __future__ import annotations

import re

from finops_core.clouds import CLOUDS

from tests.every_server import every_tool

# The tool names of the orchestrator and of every registered cloud (their tools are prefixed with the cloud's id).
TOOL_NAME = re.compile(rf"\b(?:{'|'.join(('finops', *CLOUDS))})_[a-z]+(?:_[a-z]+)*\b")


def test_every_tool_a_description_names_is_a_tool_of_the_suite() -> None:
    listed = every_tool()
    names = {t.name for _, _, t in listed}
    named = {(t.name, n) for _, _, t in listed for n in TOOL_NAME.findall(t.description or "")}
    assert len({n for _, n in named}) >= 15  # the descriptions do point at their neighbours
    assert not {(tool, n) for tool, n in named if n not in names}
