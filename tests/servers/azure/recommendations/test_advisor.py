"""Azure Advisor's Cost recommendations over the fake: exact savings, kinds, actions, paging, partial answers."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from finops_azure.context import AzureContext
from finops_azure.recommendations import all_recommendations
from finops_azure.recommendations.advisor import RIGHTSIZE_VM_TYPE
from finops_core.errors import PermissionDenied
from finops_core.models import RemediationAction

from tests.fakes.azure import advisor
from tests.fakes.azure.advisor import advisor_item
from tests.fakes.azure.arm import ArmError, ArmFake
from tests.servers.azure.conftest import SUBSCRIPTIONS, TOKEN

pytestmark = pytest.mark.anyio
A, B = SUBSCRIPTIONS
RG = f"/subscriptions/{A}/resourceGroups/RG-Web/providers"
VM = f"{RG}/Microsoft.Compute/virtualMachines/web-1"
IDLE_VM = f"{RG}/Microsoft.Compute/virtualMachines/batch-7"
DISK = f"{RG}/Microsoft.Compute/disks/old-data"
RIGHTSIZE = "Right-size or shutdown underutilized virtual machines"


def _resize() -> dict[str, object]:
    return advisor_item(
        A,
        "rec-resize",
        resource_id=VM,
        solution=RIGHTSIZE,
        problem="Right-size or shutdown underutilized virtual machines",
        type_id=RIGHTSIZE_VM_TYPE,
        impact="High",
        extended={
            "savingsAmount": "61.32",
            "annualSavingsAmount": "735.84",
            "savingsCurrency": "EUR",
            "currentSku": "Standard_D8s_v5",
            "targetSku": "Standard_D4s_v5",
            "regionId": "westeurope",
            "recommendationType": "SkuChange",
            "lookbackPeriod": "7",
        },
    )


def _shutdown() -> dict[str, object]:
    return advisor_item(
        A,
        "rec-shutdown",
        resource_id=IDLE_VM,
        solution=RIGHTSIZE,
        type_id=RIGHTSIZE_VM_TYPE,
        impact="Medium",
        extended={"savingsAmount": "140.16", "savingsCurrency": "USD", "targetSku": "Shutdown", "regionId": "eastus"},
    )


async def test_a_right_size_is_normalized_exactly_with_its_resize_action(
    arm: ArmFake, azure_context: Callable[..., AzureContext]
) -> None:
    advisor.install(arm, {A: [_resize()]})
    recs, missing = await all_recommendations(azure_context())
    assert missing == []
    (rec,) = recs
    assert rec.source == "azure-advisor"
    assert rec.recommendation_id == f"{VM}/providers/Microsoft.Advisor/recommendations/rec-resize"
    assert rec.kind == "rightsize"
    assert rec.title == RIGHTSIZE
    assert rec.monthly_savings.amount == Decimal("61.32")
    assert str(rec.monthly_savings.amount) == "61.32"
    assert rec.monthly_savings.currency == "EUR"
    assert (rec.account_id, rec.region, rec.resource_id) == (A, "westeurope", VM)
    assert (rec.effort, rec.risk) == ("medium", "medium")
    assert rec.action == RemediationAction(
        provider="azure", kind="resize_instance", resource_id=VM, parameters={"new_size": "Standard_D4s_v5"}
    )
    assert rec.detail is not None
    assert "Advisor impact: High" in rec.detail
    assert "Standard_D8s_v5 -> Standard_D4s_v5" in rec.detail
    assert "annual: 735.84" in rec.detail


async def test_shutdown_commitment_and_unattached_disk_get_their_kinds_and_actions(
    arm: ArmFake, azure_context: Callable[..., AzureContext]
) -> None:
    reservation = advisor_item(
        A,
        "rec-ri",
        resource_id=f"/subscriptions/{A}",
        solution="Buy virtual machine reserved instances to save money over pay-as-you-go costs",
        impact="High",
        impacted_field="Microsoft.Subscriptions/subscriptions",
        extended={"savingsAmount": "1203.4", "savingsCurrency": "USD", "term": "P3Y", "lookbackPeriod": "30"},
    )
    disk = advisor_item(
        A,
        "rec-disk",
        resource_id=DISK,
        solution="Delete unattached managed disks",
        impact="Low",
        impacted_field="Microsoft.Compute/disks",
        extended={"annualSavingsAmount": "100.00", "savingsCurrency": "USD"},
    )
    advisor.install(arm, {A: [_shutdown(), reservation, disk]})
    recs, _ = await all_recommendations(azure_context())
    by_id = {r.recommendation_id.rsplit("/", 1)[-1]: r for r in recs}
    shutdown, ri, unattached = by_id["rec-shutdown"], by_id["rec-ri"], by_id["rec-disk"]
    assert (shutdown.kind, shutdown.effort, shutdown.risk) == ("idle", "low", "medium")
    assert shutdown.action == RemediationAction(provider="azure", kind="stop_instance", resource_id=IDLE_VM)
    assert (ri.kind, ri.effort, ri.risk, ri.action) == ("commitment", "low", "medium", None)
    assert ri.monthly_savings.amount == Decimal("1203.4")
    assert ri.detail is not None
    assert "term: P3Y" in ri.detail
    assert (unattached.kind, unattached.effort, unattached.risk) == ("unattached", "low", "low")
    assert unattached.action == RemediationAction(provider="azure", kind="delete_volume", resource_id=DISK)
    # Only the annual figure: monthly is a twelfth of it, to the cent, and the detail says so.
    assert unattached.monthly_savings.amount == Decimal("8.33")
    assert unattached.detail is not None
    assert "derived from Advisor's annual 100.00" in unattached.detail
    assert [r.recommendation_id.rsplit("/", 1)[-1] for r in recs] == ["rec-ri", "rec-shutdown", "rec-disk"]


async def test_every_page_is_read(arm: ArmFake, azure_context: Callable[..., AzureContext]) -> None:
    items = [
        advisor_item(
            A,
            f"rec-{i:02d}",
            resource_id=f"{RG}/Microsoft.Compute/virtualMachines/vm-{i:02d}",
            solution=RIGHTSIZE,
            type_id=RIGHTSIZE_VM_TYPE,
            extended={"savingsAmount": f"{i}.05", "savingsCurrency": "USD", "targetSku": "Standard_B2s"},
        )
        for i in range(1, 8)
    ]
    advisor.install(arm, {A: items}, page_size=3)
    recs, missing = await all_recommendations(azure_context(subscriptions=[A]))
    assert missing == []
    assert len(recs) == 7
    assert [str(r.monthly_savings.amount) for r in recs] == [f"{i}.05" for i in range(7, 0, -1)]
    pages = arm.calls("advisor")
    assert len(pages) == 3
    assert all(p.query["$filter"] == "Category eq 'Cost'" for p in pages)
    assert [p.query.get("$skiptoken") for p in pages] == [None, "3", "6"]


async def test_a_failing_subscription_gives_a_partial_answer_naming_it(
    arm: ArmFake, azure_context: Callable[..., AzureContext]
) -> None:
    advisor.install(arm, {A: [_resize()], B: ArmError(403, "AuthorizationFailed", "no read on Advisor")})
    recs, missing = await all_recommendations(azure_context())
    assert [r.resource_id for r in recs] == [VM]
    (line,) = missing
    assert line.startswith("Azure Advisor: subscription " + B)
    assert "docs/azure-role.json" in line
    assert TOKEN not in line


async def test_when_every_subscription_fails_the_error_says_what_to_do(
    arm: ArmFake, azure_context: Callable[..., AzureContext]
) -> None:
    refused = ArmError(403, "AuthorizationFailed", "no read on Advisor")
    advisor.install(arm, {A: refused, B: refused})
    with pytest.raises(PermissionDenied, match="Advisor"):
        await all_recommendations(azure_context())
