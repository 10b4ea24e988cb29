"""Reading an action's string parameters, with errors that say what to send."""

from __future__ import annotations

from finops_core.errors import InvalidInput


def flag(parameters: dict[str, str], name: str, *, default: bool) -> bool:
    """A 'true'/'false' parameter."""
    text = parameters.get(name, "").strip().lower()
    if not text:
        return default
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise InvalidInput(f"parameters.{name} must be 'true' or 'false', not {parameters[name]!r}.")


def days(parameters: dict[str, str], name: str, *, least: int = 1) -> int | None:
    """A whole number of days (at least ``least``), or None when absent."""
    text = parameters.get(name, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < least or int(text) > 36_500:
        raise InvalidInput(f"parameters.{name} must be a whole number of days from {least} to 36500, not {text!r}.")
    return int(text)
