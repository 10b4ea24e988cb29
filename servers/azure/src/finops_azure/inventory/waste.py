"""Our own waste rules over the Azure inventory and Azure Monitor (source ``finops-azure-rules``).

Each finding names the resource, the evidence, and an estimated monthly saving at retail list prices. A rule
needs evidence to fire: a VM with too few days of CPU data is unknown, not idle.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from finops_core.findings import Rule, WasteRules, created, ranked
from finops_core.inventory import survey
from finops_core.models import Recommendation, Resource
from finops_core.provider import ResourceType

from finops_azure.inventory.metrics import CPU, daily_averages, window
from finops_azure.inventory.prices import PriceBook
from finops_azure.inventory.resources import AzureInventory, Found

if TYPE_CHECKING:
    from finops_azure.context import AzureContext

PREMIUM_DISKS = ("premium_lrs", "premium_zrs", "premiumv2_lrs", "ultrassd_lrs")
PLANS = "microsoft.web/serverfarms"
KINDS: tuple[ResourceType, ...] = ("instance", "volume", "snapshot", "ip", "other")


def _key(r: Resource) -> str:
    return r.resource_id.lower()  # Azure resource ids are case-insensitive


RULES = WasteRules[Found]("pay-as-you-go retail list prices", key=_key)
UNATTACHED_DISK = Rule("unattached-disk", "unattached", "low", "medium", "delete_volume", {"snapshot_first": "true"})
UNASSOCIATED_IP = Rule("unassociated-ip", "unattached", "low", "medium", "release_ip")
OLD_SNAPSHOT = Rule("old-snapshot", "other", "low", "medium", "delete_snapshot")
DEALLOCATED_VM = Rule("deallocated-vm-premium-disks", "other", "medium", "medium")
EMPTY_PLAN = Rule("empty-app-service-plan", "idle", "low", "low")
IDLE_VM = Rule("idle-vm", "idle", "low", "medium", "stop_instance", {"deallocate": "true"})


def _unattached_disk(f: Found) -> Recommendation:
    r = f.resource
    savings = RULES.savings(f)
    return RULES.finding(
        UNATTACHED_DISK,
        f,
        f"Delete unattached managed disk {r.name} ({r.size})",
        f"Managed disk {r.size}, attached to no VM (diskState Unattached){created(r)}; {RULES.estimate(savings)}. "
        "Deleting it takes a snapshot first, whose storage costs less than the disk.",
        savings,
    )


def _unassociated_ip(f: Found) -> Recommendation:
    r = f.resource
    savings = RULES.savings(f)
    address = f.extra.get("ip_address") or "no address"
    return RULES.finding(
        UNASSOCIATED_IP,
        f,
        f"Release unassociated public IP {r.name} ({address})",
        f"{r.size} public IP {r.name} ({address}) is associated with no network interface, load balancer or "
        f"NAT gateway; {RULES.estimate(savings)}. A released static address cannot be got back: check that nothing "
        "allow-lists it.",
        savings,
    )


def _old_snapshot(f: Found, age_days: int, source_exists: bool) -> Recommendation:
    r = f.resource
    savings = RULES.savings(f)
    source = f.extra.get("source_disk") or ""
    origin = (
        f"its source disk {source.rsplit('/', 1)[-1]} still exists"
        if source_exists
        else "its source disk no longer exists"
        if source
        else "it names no source disk"
    )
    upper = " (an upper bound: incremental snapshots bill only changed data)" if f.extra.get("incremental") else ""
    return RULES.finding(
        OLD_SNAPSHOT,
        f,
        f"Delete old snapshot {r.name} ({age_days} days)",
        f"Snapshot of {r.size}, {age_days} days old; {origin}; {RULES.estimate(savings)}{upper}. Check that no "
        "restore or image process still needs it.",
        savings,
    )


def _deallocated_vm(f: Found, disks: list[Found]) -> Recommendation:
    r = f.resource
    costs = [d.resource.monthly_cost.amount for d in disks if d.resource.monthly_cost]
    savings = RULES.savings(disks[0], sum(costs, Decimal(0)) if len(costs) == len(disks) else Decimal("0.00"))
    listed = ", ".join(f"{d.resource.name} ({d.resource.size})" for d in disks)
    return RULES.finding(
        DEALLOCATED_VM,
        f,
        f"Deallocated VM {r.name} still pays for {len(disks)} premium disk(s)",
        f"VM {r.name} ({r.size}) is deallocated, so its compute is free, but its premium disks {listed} still "
        f"bill: {RULES.estimate(savings)}. If it is no longer needed, snapshot its disks and delete it; if it is "
        "kept for later, consider moving its disks to Standard SSD while it is off.",
        savings,
    )


def _empty_plan(f: Found) -> Recommendation:
    r = f.resource
    savings = RULES.savings(f)
    return RULES.finding(
        EMPTY_PLAN,
        f,
        f"Empty App Service plan {r.name} ({r.size})",
        f"App Service plan {r.name} ({r.size}) hosts no apps (numberOfSites 0) but bills for its instances: "
        f"{RULES.estimate(savings)}. Delete it, or move an app onto it.",
        savings,
    )


def _idle_vm(f: Found, cpu: list[float], min_days: int, days: int, limit: float) -> Recommendation | None:
    r = f.resource
    if len(cpu) < min_days:
        return None  # unknown: too little data to call it idle
    average = sum(cpu) / len(cpu)
    if average >= limit:
        return None
    savings = RULES.savings(f)
    return RULES.finding(
        IDLE_VM,
        f,
        f"Stop (deallocate) idle VM {r.name} ({r.size})",
        f"Average CPU {average:.1f}% (below {limit:g}%) over {len(cpu)} of the last {days} days (Azure Monitor "
        f"'{CPU}', daily averages); deallocating saves its compute: {RULES.estimate(savings)}. Its disks still bill.",
        savings,
    )


async def waste_findings(ctx: AzureContext, prices: PriceBook | None = None) -> tuple[list[Recommendation], list[str]]:
    """Waste found by our rules across the subscriptions, largest saving first, and what could not be checked
    (subscriptions, prices or metrics that failed)."""
    settings = ctx.settings
    gathered = await survey(AzureInventory(ctx, prices or PriceBook()), KINDS)
    missing = gathered.missing
    if gathered.truncated:
        missing.append("Azure Resource Graph cut its results short; some resources were not checked")

    today = ctx.today()
    disks = {f.resource.resource_id.lower(): f for f in gathered.found if f.resource.resource_type == "volume"}
    running = [
        f for f in gathered.found if f.resource.resource_type == "instance" and f.extra.get("power") == "running"
    ]
    start, end = window(today, settings.idle_days)
    cpu: dict[str, list[float]] = {}
    if running:
        targets = [(f.resource.resource_id, f.resource.account_id) for f in running]
        cpu, failed = await daily_averages(ctx, targets, CPU, start, end)
        if len(failed) > 3:
            failed = [f"Azure Monitor metrics of {len(failed)} VMs (idle VMs not checked), e.g. {failed[0]}"]
        missing.extend(failed)
    min_days = max(1, settings.idle_days // 2)

    findings: list[Recommendation] = []
    for f in gathered.found:
        r = f.resource
        if r.resource_type == "volume" and r.state == "unattached":
            findings.append(_unattached_disk(f))
        elif r.resource_type == "ip" and r.state == "unattached" and f.extra.get("static"):
            findings.append(_unassociated_ip(f))
        elif r.resource_type == "snapshot" and r.created_at is not None:
            age = (today - r.created_at.date()).days
            if age >= settings.old_snapshot_days:
                findings.append(_old_snapshot(f, age, str(f.extra.get("source_disk") or "") in disks))
        elif r.resource_type == "instance" and f.extra.get("power") in ("deallocated", "deallocating"):
            vm_id = r.resource_id.lower()
            held = [
                d
                for key, d in disks.items()
                if (key in f.extra.get("disk_ids", []) or d.extra.get("managed_by") == vm_id)
                and str(d.extra.get("sku") or "").lower() in PREMIUM_DISKS
            ]
            if held:
                findings.append(_deallocated_vm(f, held))
        elif r.resource_type == "instance" and f.extra.get("power") == "running":
            key = r.resource_id.lower()
            if key in cpu:
                idle = _idle_vm(f, cpu[key], min_days, settings.idle_days, settings.idle_cpu_percent)
                if idle is not None:
                    findings.append(idle)
        elif r.resource_type == "other" and (r.native_type or "").lower() == PLANS and f.extra.get("sites") == 0:
            findings.append(_empty_plan(f))
    return ranked(findings, missing)
