"""Tag policies evaluated as findings: which resources miss a required tag or carry a value not allowed,
ranked by what they cost a month, with counts per cloud and per tag key.

The policies come from the policy file (``[[tag_policies]]``, see ``finops_orchestrator.policy``); the resources from
every connected cloud's inventory, or from the last sync's saved inventory for a cloud that cannot answer now.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from finops_core.models import CLOUD_NAMES, CLOUDS, Cloud, Resource
from finops_core.money import Money
from finops_core.provider import CloudProvider, ResourceInventory
from finops_core.store import Store
from finops_core.wire import RESOURCES_LIMIT
from pydantic import BaseModel, Field

from finops_orchestrator.policy import Policy
from finops_orchestrator.providers import ProviderStatus
from finops_orchestrator.providers.asking import Missing, absent_reasons, ask_every_cloud, saved_answers


class TagFinding(BaseModel):
    resource_id: str
    provider: Cloud
    resource_type: str
    name: str | None
    key: str = Field(description="The policy's tag key.")
    problem: str = Field(description="missing, or value 'x' not allowed.")
    monthly_cost: Money | None = Field(description="The cloud's estimate of the resource's monthly cost.")


class ProviderCompliance(BaseModel):
    provider: Cloud
    checked: int = Field(description="Resources some tag policy applies to.")
    non_compliant: int
    findings: int


class KeyCompliance(BaseModel):
    key: str
    missing: int
    not_allowed: int


class TagPolicyReport(BaseModel):
    findings: list[TagFinding] = Field(description="Largest monthly cost first; one per resource and broken policy.")
    count: int = Field(description="All findings, listed or not.")
    truncated: bool
    by_provider: list[ProviderCompliance]
    by_key: list[KeyCompliance]
    non_compliant_monthly_cost: list[Money] = Field(
        description="Estimated monthly cost of the non-compliant resources per currency, each resource once."
    )
    checked: int
    compliant: int
    non_compliant: int
    policies: list[str] = Field(description="The tag policies checked.")
    missing: list[Missing] = Field(description="Clouds not in this answer, and why.")
    from_last_sync: list[Missing] = Field(
        default_factory=lambda: list[Missing](),
        description="Clouds answered from the inventory saved by the last sync (not live), and why.",
    )
    is_demo: bool
    note: str


def tag_findings(
    policy: Policy, resources: Sequence[Resource], *, top_n: int = 20, is_demo: bool = False
) -> TagPolicyReport:
    """Every tag policy checked against ``resources``; findings ranked by the resource's monthly cost."""
    findings: list[TagFinding] = []
    checked: dict[Cloud, int] = defaultdict(int)
    broken: dict[Cloud, set[str]] = defaultdict(set)
    per_cloud: dict[Cloud, int] = defaultdict(int)
    by_key: dict[str, list[int]] = {p.key: [0, 0] for p in policy.tag_policies}
    cost: dict[str, Decimal] = defaultdict(Decimal)
    for resource in resources:
        policies = [p for p in policy.tag_policies if p.applies_to(resource)]
        if policies:
            checked[resource.provider] += 1
        for rule in policies:
            problem = rule.problem(resource)
            if problem is None:
                continue
            by_key[rule.key][0 if problem == "missing" else 1] += 1
            per_cloud[resource.provider] += 1
            findings.append(
                TagFinding(
                    resource_id=resource.resource_id,
                    provider=resource.provider,
                    resource_type=resource.resource_type,
                    name=resource.name,
                    key=rule.key,
                    problem=problem,
                    monthly_cost=resource.monthly_cost,
                )
            )
            if resource.resource_id not in broken[resource.provider]:
                broken[resource.provider].add(resource.resource_id)
                if resource.monthly_cost is not None:
                    cost[resource.monthly_cost.currency] += resource.monthly_cost.amount
    findings.sort(
        key=lambda f: (-(f.monthly_cost.amount if f.monthly_cost else Decimal(-1)), f.provider, f.resource_id, f.key)
    )
    total_checked = sum(checked.values())
    non_compliant = sum(len(ids) for ids in broken.values())
    return TagPolicyReport(
        findings=findings[:top_n],
        count=len(findings),
        truncated=len(findings) > top_n,
        by_provider=[
            ProviderCompliance(
                provider=cloud, checked=checked[cloud], non_compliant=len(broken[cloud]), findings=per_cloud[cloud]
            )
            for cloud in CLOUDS
            if checked[cloud]
        ],
        by_key=[KeyCompliance(key=k, missing=m, not_allowed=n) for k, (m, n) in by_key.items()],
        non_compliant_monthly_cost=[Money(amount=v, currency=c) for c, v in sorted(cost.items())],
        checked=total_checked,
        compliant=total_checked - non_compliant,
        non_compliant=non_compliant,
        policies=[p.describe() for p in policy.tag_policies],
        missing=[],
        is_demo=is_demo,
        note=_note(policy, findings),
    )


def _note(policy: Policy, findings: Sequence[TagFinding]) -> str:
    if not policy.tag_policies:
        where = policy.path or "<home>/policy.toml"
        return (
            f"No tag policies are configured: add [[tag_policies]] entries (key, required, allowed, providers, "
            f"resource_types) to {where}, then restart finops serve; `finops policy` checks the file."
        )
    if not findings:
        return "Every resource checked complies with the tag policies."
    return (
        "Costs are the clouds' estimates of each resource's monthly run rate, not billed cost. Tag keys compare "
        "exactly (on Azure without case); values exactly."
    )


async def store_tag_findings(
    store: Store,
    providers: Sequence[CloudProvider],
    statuses: Sequence[ProviderStatus],
    policy: Policy,
    *,
    top_n: int = 20,
    is_demo: bool = False,
) -> TagPolicyReport:
    """``tag_findings`` over every connected cloud's inventory; a cloud that cannot answer now is covered by the
    inventory its last sync saved, and one with neither is named in ``missing``."""
    if not policy.tag_policies:
        return tag_findings(policy, [], top_n=top_n, is_demo=is_demo)
    saved = saved_answers(store, "resources", ResourceInventory.model_validate_json)

    async def inventory(provider: CloudProvider) -> ResourceInventory:
        return await provider.list_resources(limit=RESOURCES_LIMIT)

    answers = await ask_every_cloud(providers, inventory, absent=absent_reasons(statuses), saved=saved)
    found, missing, from_last_sync = answers.found, answers.missing, answers.from_last_sync
    report = tag_findings(
        policy, [r for inventory in found.values() for r in inventory.resources], top_n=top_n, is_demo=is_demo
    )
    cut = [f"{CLOUD_NAMES[c]} {len(i.resources)} of {i.total}" for c, i in sorted(found.items()) if i.truncated]
    note = report.note
    if cut:
        note += f" Only the first resources of each inventory were checked ({', '.join(cut)})."
    if not found:
        note = "No cloud answered: " + "; ".join(m.reason for m in missing)
    return report.model_copy(update={"missing": missing, "from_last_sync": from_last_sync, "note": note})
