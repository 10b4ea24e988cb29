"""Our own waste rules over the Compute Engine inventory and Cloud Monitoring (source ``finops-gcp-rules``).

Each finding names the resource, the evidence, and an estimated monthly saving at list prices. A rule needs
evidence to fire: a VM with too few days of CPU data is unknown, not idle. Google's Recommender covers much of
the same ground with its own data; these rules work without it (and say why they fired).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from finops_core.errors import FinOpsError
from finops_core.fanout import fan_out
from finops_core.findings import Rule, WasteRules, created, ranked
from finops_core.inventory import survey
from finops_core.models import Recommendation, Resource
from finops_core.money import Money

from finops_gcp.inventory.compute import Address, Disk, Instance, Snapshot
from finops_gcp.inventory.metrics import daily_cpu, window
from finops_gcp.inventory.prices import PriceBook
from finops_gcp.inventory.resources import Found, GcpInventory

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext


def _key(r: Resource) -> str:
    return r.resource_id.removeprefix("//")


RULES = WasteRules[Found]("list prices (Cloud Billing catalog)", key=_key)
UNATTACHED_DISK = Rule("unattached-disk", "unattached", "low", "medium", "delete_volume", {"snapshot_first": "true"})
UNUSED_ADDRESS = Rule("unused-address", "unattached", "low", "medium", "release_ip")
STOPPED_INSTANCE = Rule("stopped-instance-disks", "other", "medium", "medium")
# Riskier while its disk exists: it may be a deliberate backup.
OLD_SNAPSHOT = Rule("old-snapshot", "other", "low", "low", "delete_snapshot")
IDLE_INSTANCE = Rule("idle-instance", "idle", "low", "medium", "stop_instance")


def unattached_disk(f: Found) -> Recommendation:
    d: Disk = f.record
    savings = RULES.savings(f)
    return RULES.finding(
        UNATTACHED_DISK,
        f,
        f"Delete unattached disk {d.name} ({f.resource.size})",
        f"Persistent disk {d.name} in {d.location} ({f.resource.size}) is attached to no VM{created(f.resource)}; "
        f"{RULES.estimate(savings)}. Deleting it takes a snapshot first, whose storage costs less than the disk.",
        savings,
    )


def unused_address(f: Found) -> Recommendation:
    a: Address = f.record
    savings = RULES.savings(f)
    return RULES.finding(
        UNUSED_ADDRESS,
        f,
        f"Release unused static address {a.name} ({a.address})",
        f"External static address {a.address} ({a.name}, {a.region}) is reserved but used by nothing"
        f"{created(f.resource)}; {RULES.estimate(savings)}. A released address cannot be got back: check that nothing "
        "allow-lists it or points DNS at it.",
        savings,
    )


def stopped_instance(f: Found, disks: list[Found]) -> Recommendation:
    i: Instance = f.record
    costs = [d.resource.monthly_cost for d in disks if d.resource.monthly_cost is not None]
    currencies = {c.currency for c in costs}
    if len(costs) == len(disks) and len(currencies) == 1:
        savings = Money(amount=sum((c.amount for c in costs), Decimal(0)), currency=currencies.pop())
    else:
        savings = RULES.savings(None, Decimal("0.00"))
    size = sum(int(d.record.size_gb) for d in disks)
    listed = ", ".join(f"{d.resource.name} ({d.resource.size})" for d in disks)
    return RULES.finding(
        STOPPED_INSTANCE,
        f,
        f"Stopped VM {i.name} still pays for {size} GiB of persistent disk",
        f"{i.machine_type} VM in {i.zone} is {i.status} (no compute billed), but its disks {listed} still bill: "
        f"{RULES.estimate(savings)}. If it is no longer needed, snapshot its disks and delete it.",
        savings,
    )


def old_snapshot(f: Found, age_days: int, disk_exists: bool) -> Recommendation:
    s: Snapshot = f.record
    savings = RULES.savings(f)
    if disk_exists:
        origin = f"its disk {s.source_disk.rsplit('/', 1)[-1]} still exists (it may be a deliberate backup: check)"
    elif s.source_disk:
        origin = f"its source disk {s.source_disk.rsplit('/', 1)[-1]} no longer exists"
    else:
        origin = "it has no source disk"
    gone = "" if disk_exists else ", source disk gone"
    return RULES.finding(
        OLD_SNAPSHOT,
        f,
        f"Delete old snapshot {s.name} ({age_days} days{gone})",
        f"Snapshot {s.name} ({f.resource.size}) is {age_days} days old; {origin}. {RULES.estimate(savings)}.",
        savings,
        risk="medium" if disk_exists else None,
    )


def idle_instance(f: Found, cpu: list[float], days: int) -> Recommendation:
    i: Instance = f.record
    savings = RULES.savings(f)
    mean = sum(cpu) / len(cpu)
    return RULES.finding(
        IDLE_INSTANCE,
        f,
        f"Stop idle VM {i.name} ({i.machine_type})",
        f"mean CPU {mean:.2f}% over {len(cpu)} of the last {days} days (Cloud Monitoring, daily means); stopping "
        f"saves its compute: {RULES.estimate(savings)}. Its persistent disks still bill.",
        savings,
    )


CpuByProject = dict[str, dict[str, list[float]]]


async def _cpu(ctx: GcpContext, projects: list[str], today: date) -> tuple[CpuByProject, list[str]]:
    start, end = window(today, ctx.settings.idle_days)

    async def one(project: str) -> tuple[str, dict[str, list[float]]]:
        return project, await daily_cpu(ctx, project, start, end)

    try:
        out = await fan_out(projects, one, lambda p: f"Cloud Monitoring CPU in project {p} (idle VMs not checked)")
    except FinOpsError as exc:
        return {}, [f"Cloud Monitoring CPU (idle VMs not checked): {exc}"]
    return dict(out.results), out.missing


async def waste_findings(ctx: GcpContext, prices: PriceBook | None = None) -> tuple[list[Recommendation], list[str]]:
    """Waste found by our rules across every configured project, largest saving first, and what could not be
    checked (projects, zones, prices or metrics that failed).

    Rules: unattached disks (``delete_volume``, snapshot first), unused external static addresses
    (``release_ip``), stopped VMs whose disks still bill (a finding, no action), snapshots older than
    ``old_snapshot_days`` not made by a schedule (``delete_snapshot``), and running VMs whose mean daily CPU stayed
    under ``idle_cpu_percent`` over ``idle_days`` with at least half those days measured (``stop_instance``).
    """
    settings = ctx.settings
    gathered = await survey(GcpInventory(ctx, prices or PriceBook()), ("instance", "volume", "snapshot", "ip"))
    missing = gathered.missing
    today = ctx.today()
    running = [f for f in gathered.found if isinstance(f.record, Instance) and f.record.status == "RUNNING"]
    cpu: CpuByProject = {}
    if running:
        cpu, cpu_missing = await _cpu(ctx, sorted({f.project for f in running}), today)
        missing.extend(cpu_missing)
    min_days = max(1, settings.idle_days // 2)
    disks = {f.resource.resource_id: f for f in gathered.found if isinstance(f.record, Disk)}

    findings: list[Recommendation] = []
    for f in gathered.found:
        record = f.record
        if isinstance(record, Disk) and f.resource.state == "unattached":
            findings.append(unattached_disk(f))
        elif isinstance(record, Address) and record.status == "RESERVED" and record.address_type == "EXTERNAL":
            findings.append(unused_address(f))
        elif isinstance(record, Instance) and record.status == "TERMINATED":
            attached = [disks[d] for d in record.disks if d in disks]
            if attached:
                findings.append(stopped_instance(f, attached))
        elif isinstance(record, Instance) and record.status == "RUNNING":
            values = cpu.get(f.project, {}).get(record.instance_id) or []
            if len(values) >= min_days and sum(values) / len(values) < settings.idle_cpu_percent:
                findings.append(idle_instance(f, values, settings.idle_days))
        elif isinstance(record, Snapshot) and record.created_at is not None and not record.auto_created:
            age = (today - record.created_at.date()).days
            if age > settings.old_snapshot_days:
                findings.append(old_snapshot(f, age, record.source_disk in disks))
    return ranked(findings, missing)
