"""Reading and rendering the prompt templates."""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any


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

    def render(self, values: dict[str, Any]) -> str:
        """The body with placeholders filled; a missing required argument raises ``ValueError``."""
        known = {a.name for a in self.arguments}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"Unknown argument(s) {sorted(unknown)}; this prompt takes {sorted(known)}.")
        filled: dict[str, str] = {}
        for arg in self.arguments:
            value = values.get(arg.name)
            if value in (None, ""):
                if arg.required:
                    raise ValueError(f"Argument {arg.name!r} is required: {arg.description}")
                value = arg.default
            filled[arg.name] = str(value)
        return string.Formatter().vformat(self.body, (), filled)


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
