"""Reading and rendering the prompt templates."""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

# Prompt arguments have no schema a client checks: this bounds each value (a day count, a month, a tag key, a
# plan id), since every value is pasted into the rendered text, as often as its placeholder appears.
ARGUMENT_CHARS = 512
_NAMED = 5  # unknown arguments an error lists by name
_NAME_CHARS = 40


@dataclass(frozen=True)
class PromptArgumentSpec:
    name: str
    description: str
    required: bool = False
    default: str = ""


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    title: str
    description: str
    arguments: tuple[PromptArgumentSpec, ...]
    body: str

    def check(self, values: Mapping[str, Any]) -> None:
        """Raise ``ValueError`` naming what is wrong with ``values``: an argument this prompt does not take (and
        the ones it does), a required one missing, or a value longer than ``ARGUMENT_CHARS``."""
        known = [a.name for a in self.arguments]
        unknown = sorted(set(values) - set(known))
        if unknown:
            named = ", ".join(repr(_clip(n)) for n in unknown[:_NAMED])
            more = f" and {len(unknown) - _NAMED:,} more" if len(unknown) > _NAMED else ""
            takes = f"takes only {', '.join(known)}" if known else "takes no arguments"
            raise ValueError(f"Unknown argument {named}{more}: the prompt {self.name} {takes}.")
        for arg in self.arguments:
            value = values.get(arg.name)
            if value in (None, "") and arg.required:
                raise ValueError(f"Argument {arg.name!r} is required: {arg.description}")
            if value is not None and len(str(value)) > ARGUMENT_CHARS:
                raise ValueError(
                    f"Argument {arg.name!r} is {len(str(value)):,} characters; send at most {ARGUMENT_CHARS} "
                    f"({arg.description})"
                )

    def render(self, values: Mapping[str, Any]) -> str:
        """The body with placeholders filled; arguments ``check`` refuses raise ``ValueError``."""
        self.check(values)
        filled: dict[str, str] = {}
        for arg in self.arguments:
            value = values.get(arg.name)
            filled[arg.name] = arg.default if value in (None, "") else str(value)
        return string.Formatter().vformat(self.body, (), filled)


def _clip(name: str) -> str:
    return name if len(name) <= _NAME_CHARS else f"{name[:_NAME_CHARS]}…"


def parse_template(text: str, source: str) -> PromptTemplate:
    parts = text.split("+++", 2)
    if len(parts) != 3 or parts[0].strip():
        raise ValueError(f"{source}: expected a TOML header between '+++' lines at the top")
    header = tomllib.loads(parts[1])
    args = tuple(
        PromptArgumentSpec(
            name=a["name"],
            description=a["description"],
            required=bool(a.get("required", False)),
            default=str(a.get("default", "")),
        )
        for a in header.get("arguments", [])
    )
    template = PromptTemplate(
        name=header["name"],
        title=header["title"],
        description=header["description"],
        arguments=args,
        body=parts[2].strip() + "\n",
    )
    placeholders = {f for _, f, _, _ in string.Formatter().parse(template.body) if f}
    missing = placeholders - {a.name for a in args}
    if missing:
        raise ValueError(f"{source}: placeholders {sorted(missing)} are not declared as arguments")
    return template


def load_templates() -> list[PromptTemplate]:
    """Every template shipped in this package, sorted by name."""
    folder = resources.files("finops_prompts") / "templates"
    templates = [
        parse_template(entry.read_text(encoding="utf-8"), entry.name)
        for entry in folder.iterdir()
        if entry.name.endswith(".md")
    ]
    return sorted(templates, key=lambda t: t.name)
