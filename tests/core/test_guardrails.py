"""A step's tag guardrails, as a per-cloud server checks them on the tags it reads: protected tags and environments,
matched without case or surrounding spaces."""

from __future__ import annotations

import pytest
from finops_core.guardrails import TagGuardrails


def _rails(*environments: str) -> TagGuardrails:
    return TagGuardrails(
        protected_tags=["finops:protect=true", "legal-hold"],
        environment_tags=["env", "environment"],
        environments=list(environments),
    )


@pytest.mark.parametrize(
    ("tags", "protected"),
    [
        ({"Legal-Hold": "anything"}, "legal-hold"),
        ({" FINOPS:PROTECT ": " True "}, "finops:protect=true"),
        ({"finops:protect": "false"}, None),
        ({"team": "web"}, None),
    ],
)
def test_a_protected_tag_is_found_whatever_its_case_and_spaces(tags: dict[str, str], protected: str | None) -> None:
    refusal = _rails("*").refusal(tags)
    assert refusal == (f"carries the protected tag {protected}" if protected else None)


def test_an_action_runs_only_in_the_environments_the_policy_allows_it_in() -> None:
    rails = _rails("dev", "none")
    assert rails.refusal({"env": "DEV"}) is None
    assert rails.refusal({}) is None  # untagged: "none"
    assert rails.refusal({"environment": "prod"}) == (
        "is in environment prod, where the policy does not allow it (only: dev, none)"
    )
    assert _rails().refusal({"env": "dev"}) == (
        "is in environment dev, where the policy does not allow it (only: no environment)"
    )
    assert _rails("*").refusal({"env": "prod"}) is None
