"""MCP prompt templates for cost investigations, shipped with the finops orchestrator.

Each template is a Markdown file in ``templates/`` with a TOML header between ``+++`` lines (name,
title, description, arguments) and a body with ``{argument}`` placeholders.
"""

from finops_prompts.templates_io import PromptArgumentSpec, PromptTemplate, load_templates

__all__ = ["PromptArgumentSpec", "PromptTemplate", "load_templates"]
