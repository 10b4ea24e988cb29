"""``CloudSection``: the base of a cloud's own settings section (``[aws]`` in finops.toml, ``FINOPS_AWS__*``).

A cloud's package subclasses it with its fields and its id; reading the section, the error that names each wrong key,
and lists written as comma-separated text in environment variables are done here once for every cloud.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from finops_core.errors import ConfigError
from finops_core.settings import WORDS, Settings

CommaList = Annotated[list[str], WORDS]
"""A list of strings: a TOML array, or text separated by commas or spaces (from an environment variable)."""


class CloudSection(BaseModel):
    """One cloud's section. Subclasses set ``cloud_id`` (its registry id) and declare their fields."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)
    cloud_id: ClassVar[str]

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """The cloud's section of ``settings``, or a ``ConfigError`` naming each wrong key."""
        return cls.from_section(settings.section(cls.cloud_id))

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> Self:
        """``section`` (as finops.toml and the environment give it) validated, or a ``ConfigError`` naming each wrong
        key."""
        try:
            return cls.model_validate(dict(section))
        except ValidationError as exc:
            problems = "; ".join(
                f"{cls.cloud_id}.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                for e in exc.errors(include_input=False)
            )
            raise ConfigError(
                f"Invalid [{cls.cloud_id}] settings ({problems}). Check finops.toml and "
                f"FINOPS_{cls.cloud_id.upper()}__* variables."
            ) from exc
