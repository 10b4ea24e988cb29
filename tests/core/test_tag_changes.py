"""What set_tags changes, worked out once for every cloud: the values it changes back, the keys it adds, and the
undo that restores the one and removes the other."""

from __future__ import annotations

from finops_core.tag_changes import TagChange


def _remove(added: list[str]) -> str:
    return f"remove {', '.join(added)}"


def test_a_changed_value_is_restored_and_a_new_key_removed_while_an_unchanged_tag_is_left_out() -> None:
    change = TagChange.of({"team": "web", "env": "dev"}, {"team": "data", "env": "dev", "owner": "ana"})
    assert change.changed == {"team": "data", "owner": "ana"}
    assert change.restore == {"team": "web"}
    assert change.added == ["owner"]
    assert change.undo("i-1", _remove) == "set_tags on i-1 with {'team': 'web'}; then remove owner"


def test_tags_already_set_leave_nothing_to_undo() -> None:
    change = TagChange.of({"team": "web"}, {"team": "web"})
    assert (change.changed, change.restore, change.added) == ({}, {}, [])
    assert change.undo("i-1", _remove) == "nothing to undo"


def test_keys_match_in_any_case_only_where_the_cloud_says_so_and_are_restored_as_the_resource_spells_them() -> None:
    current, wanted = {"Team": "web"}, {"team": "data"}
    exact = TagChange.of(current, wanted)
    assert (exact.restore, exact.added) == ({}, ["team"])
    any_case = TagChange.of(current, wanted, any_case=True)
    assert (any_case.changed, any_case.restore, any_case.added) == ({"team": "data"}, {"Team": "web"}, [])
