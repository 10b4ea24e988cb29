"""A data file shipped in the package that is missing or of the wrong shape is a packaging fault: the error names it."""

from __future__ import annotations

import pytest
from finops_core.package_data import read_toml
from pydantic import TypeAdapter


def test_a_missing_data_file_is_named() -> None:
    with pytest.raises(RuntimeError, match=r"data file finops_core\.sandbox/no-such\.toml .* missing or broken"):
        read_toml("finops_core.sandbox", "no-such.toml", dict)


def test_a_data_file_of_the_wrong_shape_is_named() -> None:
    with pytest.raises(RuntimeError, match=r"data file finops_core/service_categories\.toml .* missing or broken"):
        read_toml("finops_core", "service_categories.toml", TypeAdapter(dict[str, int]).validate_python)
