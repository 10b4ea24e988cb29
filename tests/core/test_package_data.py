"""A data file shipped in the package that is missing or of the wrong shape is a packaging fault: the error names it."""

from __future__ import annotations

import pytest
from finops_core.package_data import read_toml
from finops_core.sandbox.company import Series
from finops_core.sandbox.inventory import SandboxResource
from pydantic import TypeAdapter, ValidationError


def test_a_missing_data_file_is_named() -> None:
    with pytest.raises(RuntimeError, match=r"data file finops_core\.sandbox/no-such\.toml .* missing or broken"):
        read_toml("finops_core.sandbox", "no-such.toml", dict)


def test_a_data_file_of_the_wrong_shape_is_named() -> None:
    with pytest.raises(RuntimeError, match=r"data file finops_core/service_categories\.toml .* missing or broken"):
        read_toml("finops_core", "service_categories.toml", TypeAdapter(dict[str, int]).validate_python)


@pytest.mark.parametrize("row_type", [Series, SandboxResource], ids=lambda t: t.__name__)
def test_a_row_with_a_key_its_type_lacks_is_refused_not_ignored(row_type: type) -> None:
    with pytest.raises(ValidationError, match=r"growht\n\s+Unexpected keyword argument"):
        TypeAdapter(row_type).validate_python({"growht": 0.03})
