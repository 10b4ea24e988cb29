"""Our own waste rules' findings, for every cloud: a resource, what is wrong with it, what fixing it saves (from the
inventory's list-price estimate, and said to be one), and the action that fixes it.

A cloud declares each of its rules once (``Rule``: name, kind, effort, risk, action) and how its findings are
written (``WasteRules``: the prices its estimates are at, the key that makes a finding's id unique, the parameters
every action of the cloud carries); a rule's code then says only what it found: title, detail and saving.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, TypeVar

from finops_core.inventory import Listed
from finops_core.models import (
    Effort,
    Recommendation,
    RecommendationKind,
    RemediationAction,
    Resource,
    Risk,
)
from finops_core.money import Money
from finops_core.ranking import by_savings

L = TypeVar("L", bound=Listed)


@dataclass(frozen=True)
class Rule:
    """One waste rule: its name (in the finding's id), the kind of waste, the effort and risk of fixing it, and the
    remediation action that fixes it with its parameters (no action: a finding to act on by hand)."""

    name: str
    kind: RecommendationKind
    effort: Effort
    risk: Risk
    action: str | None = None
    parameters: Mapping[str, str] = field(default_factory=lambda: dict[str, str]())


def _resource_id(resource: Resource) -> str:
    return resource.resource_id


def _rule_parameters(listed: object, parameters: Mapping[str, str]) -> dict[str, str]:
    return dict(parameters)


def _no_currency(listed: object) -> str | None:
    return None


def rules_source(cloud: str) -> str:
    """``finops-<cloud>-rules``: who recommends our own waste rules' findings (the merges rank it by this name)."""
    return f"finops-{cloud}-rules"


@dataclass(frozen=True)
class WasteRules(Generic[L]):
    """How one cloud writes its waste findings.

    ``prices`` names the prices estimates are at ("on-demand list prices"); ``key`` makes a finding's id unique
    and stable (default the resource id); ``parameters`` turns a rule's action parameters into the action's (a
    cloud adds what every action needs, such as the region); ``currency`` names the currency of a saving when the
    cloud knows it better than the estimate (default the estimate's, else USD).
    """

    prices: str
    key: Callable[[Resource], str] = _resource_id
    parameters: Callable[[L, Mapping[str, str]], dict[str, str]] = _rule_parameters
    currency: Callable[[L], str | None] = _no_currency

    def savings(self, listed: L | None, amount: Decimal | None = None) -> Money:
        """``amount`` (default: the resource's monthly estimate), or zero when no list price is known."""
        cost = listed.resource.monthly_cost if listed is not None else None
        if amount is None:
            amount = cost.amount if cost is not None else Decimal("0.00")
        currency = self.currency(listed) if listed is not None else None
        return Money(amount=amount, currency=currency or (cost.currency if cost is not None else "USD"))

    def estimate(self, savings: Money) -> str:
        """How a finding's saving was reached, for its detail."""
        if savings.amount == 0:
            return "no list price was found, so the saving is not estimated"
        return f"estimated {savings} a month at {self.prices}"

    def finding(
        self, rule: Rule, listed: L, title: str, detail: str, savings: Money, *, risk: Risk | None = None
    ) -> Recommendation:
        """A finding of ``rule`` on ``listed``; ``risk`` when this finding's differs from the rule's."""
        resource = listed.resource
        source = rules_source(resource.provider)
        action = (
            RemediationAction(
                provider=resource.provider,
                kind=rule.action,
                resource_id=resource.resource_id,
                parameters=self.parameters(listed, rule.parameters),
            )
            if rule.action is not None
            else None
        )
        return Recommendation(
            provider=resource.provider,
            recommendation_id=f"{source}/{rule.name}/{self.key(resource)}",
            source=source,
            kind=rule.kind,
            title=title,
            resource_id=resource.resource_id,
            account_id=resource.account_id,
            region=resource.region,
            monthly_savings=savings,
            effort=rule.effort,
            risk=risk or rule.risk,
            detail=detail,
            action=action,
        )


def created(resource: Resource) -> str:
    """``", created <day>"`` for a finding's detail, or nothing when the creation day is unknown."""
    return f", created {resource.created_at.date()}" if resource.created_at else ""


def ranked(findings: list[Recommendation], missing: list[str]) -> tuple[list[Recommendation], list[str]]:
    """Findings largest saving first (then by id, so the order is stable), and what could not be checked, sorted."""
    findings = sorted(findings, key=by_savings)
    return findings, sorted(missing)
