"""The tag guardrails of one remediation step, checked on the tags its resource carries when the step runs.

The orchestrator's policy (``policy.toml``) decides them. The orchestrator checks them on tags read from the cloud
just before each step, and sends them, signed inside the step's approval (``finops_core.proof``), to a per-cloud
server in another process, which reads the tags again and refuses on its own. Both match tags with the functions
here, so the two checks cannot disagree. Matching is on the safe side: keys and values compare without case or
surrounding spaces (Azure tag keys are case-insensitive, and a protection must not be dodged by ``True``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

ANY_ENVIRONMENT = "*"
UNTAGGED = "none"  # an allow rule's environment for resources without an environment tag


def tag_value(tags: Mapping[str, str], key: str, *, exact: bool) -> str | None:
    """``tags[key]``, or when not ``exact`` the value of the first key equal to it without case and spaces."""
    if key in tags:
        return tags[key]
    if exact:
        return None
    wanted = key.strip().casefold()
    return next((v for k, v in tags.items() if k.strip().casefold() == wanted), None)


def protected_by(tags: Mapping[str, str], specs: Sequence[str]) -> str | None:
    """The first of ``specs`` ("key=value", or "key" for any value) that ``tags`` carry, as written; or None."""
    folded = {k.strip().casefold(): v.strip().casefold() for k, v in tags.items()}
    for spec in specs:
        key, has_value, value = spec.partition("=")
        found = folded.get(key.strip().casefold())
        if found is not None and (not has_value or found == value.strip().casefold()):
            return spec
    return None


def environment_of(tags: Mapping[str, str], keys: Sequence[str]) -> str | None:
    """The value of the first of the environment tag ``keys`` (in order) that ``tags`` carry non-empty; or None."""
    for key in keys:
        value = tag_value(tags, key, exact=False)
        if value is not None and value.strip():
            return value.strip()
    return None


def environment_matches(environment: str | None, rule: str) -> bool:
    """Whether an allow rule's environment (a value, ``*`` or ``none``) covers a resource in ``environment``."""
    if rule == ANY_ENVIRONMENT:
        return True
    if rule.casefold() == UNTAGGED:
        return environment is None
    return environment is not None and environment.casefold() == rule.casefold()


class TagGuardrails(BaseModel):
    """What the policy says about one step's resource, from its tags alone: the protected tags, and the
    environments in which the policy allows the step's action (on its cloud)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    protected_tags: list[str] = Field(description='"key=value", or "key" for any value.')
    environment_tags: list[str] = Field(description="The tag keys naming an environment, first found wins.")
    environments: list[str] = Field(
        description='The environments the action is allowed in: tag values, "*" for any, "none" for untagged.'
    )

    def refusal(self, tags: Mapping[str, str]) -> str | None:
        """Why a resource carrying ``tags`` may not be changed by this step (for "<resource> ..."); None if it may."""
        protected = protected_by(tags, self.protected_tags)
        if protected is not None:
            return f"carries the protected tag {protected}"
        environment = environment_of(tags, self.environment_tags)
        if not any(environment_matches(environment, allowed) for allowed in self.environments):
            allowed = ", ".join(self.environments) or "no environment"
            return f"is in environment {environment or UNTAGGED}, where the policy does not allow it (only: {allowed})"
        return None
