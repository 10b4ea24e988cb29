"""What ``set_tags`` changes on a resource, the same on every cloud: the tags it sets are merged into the resource's
own (none is removed), so undoing it sets the changed values back and removes the keys it added."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class TagChange:
    """Setting some tags on a resource that carries ``current``."""

    changed: dict[str, str]  # the tags set whose value is new, as asked
    restore: dict[str, str]  # the keys it changes, as the resource spells them, with their values now
    added: list[str]  # the keys it adds

    @classmethod
    def of(cls, current: Mapping[str, str], wanted: Mapping[str, str], *, any_case: bool = False) -> TagChange:
        """``wanted`` set on ``current``; with ``any_case`` (Azure) a key matches the resource's in any case."""
        fold: Callable[[str], str] = str.lower if any_case else str
        spelled = {fold(k): k for k in current}
        changed = {k: v for k, v in wanted.items() if current.get(spelled.get(fold(k), k)) != v}
        restore = {spelled[fold(k)]: current[spelled[fold(k)]] for k in changed if fold(k) in spelled}
        added = [k for k in changed if fold(k) not in spelled]
        return cls(changed, restore, added)

    def undo(self, resource_id: str, remove: Callable[[list[str]], str]) -> str:
        """How to undo it: set_tags with the old values, then ``remove(added)``, the cloud's way to delete keys."""
        steps: list[str] = []
        if self.restore:
            steps.append(f"set_tags on {resource_id} with {self.restore}")
        if self.added:
            steps.append(remove(self.added))
        return "; then ".join(steps) or "nothing to undo"
