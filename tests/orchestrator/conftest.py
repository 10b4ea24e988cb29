from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from finops_core.models import CLOUDS
from finops_core.sandbox import SandboxProvider
from finops_core.store import Store
from finops_orchestrator.demo import load_demo
from finops_orchestrator.progress import progress_bar

from tests.conftest import AS_OF


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The sandbox company loaded once for the module (the tools only read it)."""
    import anyio

    store = Store(Path(tmp_path_factory.mktemp("demo")) / "demo.sqlite")

    async def load() -> None:
        with progress_bar("x", 1, enabled=False) as bar:
            await load_demo(store, [SandboxProvider(c, as_of=AS_OF) for c in CLOUDS], bar)

    anyio.run(load)
    return store


def copy_of(store: Store, folder: Path) -> Store:
    """A writable copy of ``store`` (tests that write keep the shared demo store clean)."""
    copy = folder / "copy.sqlite"
    with store.reader() as conn:
        conn.execute("VACUUM INTO ?", (str(copy),))
    return Store(copy)


@pytest.fixture(scope="module")
def demo_frame() -> pd.DataFrame:
    """Every sandbox line item straight from the providers (not from the store), for independent expectations."""
    import anyio

    async def items() -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        for cloud in CLOUDS:
            provider = SandboxProvider(cloud, as_of=AS_OF)
            for item in await provider.daily_costs(provider.line_items[0].charge_period_start.date(), AS_OF):
                rows.append(
                    {
                        "provider": item.provider_name,
                        "service": item.service_name,
                        "account": item.sub_account_id,
                        "currency": item.billing_currency,
                        "day": item.charge_period_start.date(),
                        "effective": item.effective_cost,
                        "billed": item.billed_cost,
                        "team": item.tags.get("team"),
                        "charge": item.charge_category,
                        "commitment": item.commitment_discount_id,
                        "status": item.commitment_discount_status,
                        "list": item.list_cost,
                    }
                )
        return rows

    return pd.DataFrame(anyio.run(items))
