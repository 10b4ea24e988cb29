"""The inventory template's gathering of independent reads."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from finops_core.errors import Unavailable
from finops_core.inventory import Gathered, Read, read_all
from finops_core.models import Resource

pytestmark = pytest.mark.anyio


@dataclass
class Listed:
    resource: Resource


def _resource(name: str) -> Listed:
    return Listed(Resource(provider="aws", resource_id=name, resource_type="instance", account_id="123456789012"))


def _read(gathered: Gathered[Listed] | None) -> Read[Listed]:
    async def run() -> Gathered[Listed]:
        if gathered is None:
            raise Unavailable("the region did not answer", provider="aws")
        return gathered

    return Read(run, lambda exc: f"eu-west-1: {exc}")


async def test_a_read_its_source_cut_short_makes_the_whole_gathering_cut_short() -> None:
    whole = Gathered([_resource("i-1")])
    cut = Gathered([_resource("i-2")], truncated=True)
    gathered = await read_all([_read(whole), _read(cut)])
    assert [g.resource.resource_id for g in gathered.found] == ["i-1", "i-2"]
    assert gathered.truncated


async def test_a_failed_read_is_a_missing_line_and_only_all_failing_raises() -> None:
    gathered = await read_all([_read(Gathered([_resource("i-1")])), _read(None)])
    assert [g.resource.resource_id for g in gathered.found] == ["i-1"]
    assert gathered.missing == ["eu-west-1: aws: the region did not answer"]
    assert not gathered.truncated
    with pytest.raises(Unavailable, match="did not answer"):
        await read_all([_read(None), _read(None)])
