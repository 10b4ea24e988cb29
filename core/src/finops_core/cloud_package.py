"""The provider's parts builder: a cloud package's ``inventory``, ``recommendations`` and ``remediation``
subpackages, by the names each exports, made into the ``Parts`` of its ``AdapterProvider``.

Every cloud package has that layout (docs/ARCHITECTURE.md, "How to add a cloud"); the protocols below are it, so
a cloud's ``create_provider`` hands its subpackages over and core wires them the same way for every cloud: one price
book per provider, kept for its lifetime and shared by the inventory and the waste rules.

A cloud's ``provider.py`` holds its ``AdapterProvider`` subclass and ``create_provider(settings)``, the entry point the
orchestrator imports for ``mode = "in-process"`` and the ``finops-<cloud>`` server uses. It touches nothing on the
cloud: credentials are looked up on the first call, so the server starts and lists its tools without any.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol, TypeVar

from finops_core.adapter import Found, Parts
from finops_core.models import Recommendation, RemediationAction, RemediationPlan, RemediationResult
from finops_core.provider import CostSource, ResourceInventory, ResourceType

C = TypeVar("C", contravariant=True)
B = TypeVar("B")
CS = TypeVar("CS", bound=CostSource)


class InventoryPackage(Protocol[C, B]):
    """``<cloud>.inventory``: its price book (list prices) and the inventory and waste rules that price with it."""

    @property
    def PriceBook(self) -> Callable[[], B]: ...  # noqa: N802 - the class each cloud exports under this name

    def list_resources(
        self,
        ctx: C,
        resource_type: ResourceType | None = None,
        region: str | None = None,
        limit: int = 100,
        prices: B | None = None,
    ) -> Awaitable[ResourceInventory]: ...

    def waste_findings(self, ctx: C, prices: B | None = None) -> Awaitable[Found]: ...


class RecommendationsPackage(Protocol[C]):
    """``<cloud>.recommendations``: the cloud's own recommendations, and how it de-duplicates them with ours."""

    def all_recommendations(self, ctx: C) -> Awaitable[Found]: ...

    def merge(self, recommendations: list[Recommendation]) -> list[Recommendation]: ...


class RemediationPackage(Protocol[C]):
    """``<cloud>.remediation``: plan and apply an action, and read a resource's tags now (its ``ActionTable``)."""

    def plan_remediation(self, ctx: C, action: RemediationAction) -> Awaitable[RemediationPlan]: ...

    def apply_remediation(self, ctx: C, action: RemediationAction) -> Awaitable[RemediationResult]: ...

    def resource_tags(self, ctx: C, resource_id: str, parameters: Mapping[str, str]) -> Awaitable[dict[str, str]]: ...


def package_parts(
    costs: CS,
    inventory: InventoryPackage[C, B],
    recommendations: RecommendationsPackage[C],
    remediation: RemediationPackage[C],
    *,
    sources: str,
) -> Parts[C, CS]:
    """The parts of a provider whose costs come from ``costs`` and the rest from the cloud's subpackages;
    ``sources`` names who recommends, for answers."""
    prices = inventory.PriceBook()  # list prices, fetched once per provider lifetime
    return Parts[C, CS](
        costs=costs,
        list_resources=functools.partial(inventory.list_resources, prices=prices),
        recommendations=(
            recommendations.all_recommendations,
            functools.partial(inventory.waste_findings, prices=prices),
        ),
        merge=recommendations.merge,
        plan=remediation.plan_remediation,
        apply=remediation.apply_remediation,
        tags=remediation.resource_tags,
        sources=sources,
    )
