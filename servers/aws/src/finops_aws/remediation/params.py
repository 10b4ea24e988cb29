"""Reading an action's string parameters, with errors that say what to send."""

from __future__ import annotations

from finops_core.errors import InvalidInput
from finops_core.prepared import flag

__all__ = ["days", "flag"]


def days(parameters: dict[str, str], name: str, *, least: int = 1) -> int | None:
    """A whole number of days (at least ``least``), or None when absent."""
    text = parameters.get(name, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < least or int(text) > 36_500:
        raise InvalidInput(f"parameters.{name} must be a whole number of days from {least} to 36500, not {text!r}.")
    return int(text)
