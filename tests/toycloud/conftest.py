from __future__ import annotations

from collections.abc import Iterator

import pytest
from finops_core.clouds import CloudEntry, registered

from tests.toycloud.cloud import ENTRY


@pytest.fixture(autouse=True)
def toy() -> Iterator[CloudEntry]:
    """The toy cloud registered for each test here, and gone after it: nothing else tells finops-mcp of it."""
    with registered(ENTRY) as known:
        yield known
