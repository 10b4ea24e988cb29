"""``SandboxProvider``: an in-memory ``CloudProvider`` for one cloud of the demo company.

It backs ``--demo`` on every server and the orchestrator's tests. Every answer it gives is labelled as
demo data. Remediation changes its in-memory inventory, and recommendations follow that state.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from finops_core.breakdown import Cell, assemble, period_start
from finops_core.dates import midnight
from finops_core.errors import InvalidInput, NotFound, RemediationRefused
from finops_core.focus import CostLineItem
from finops_core.models import (
    ACTION_KINDS,
    CLOUD_NAMES,
    DIMENSION_COLUMN,
    METRIC_COLUMN,
    Cloud,
    CostBreakdown,
    CostQuery,
    ProviderInfo,
    Recommendation,
    RemediationAction,
    RemediationPlan,
    RemediationResult,
    Resource,
)
from finops_core.money import Money, normalize_amount
from finops_core.provider import RecommendationSet, ResourceInventory, ResourceType
from finops_core.ranking import by_savings
from finops_core.sandbox.company import DEMO_LABEL, demo_spec, generate_line_items, history_start
from finops_core.sandbox.inventory import SandboxResource

IDLE_CPU_PERCENT = 3.0


# The state each action leaves its resource in (actions whose end state is visible).
_END_STATE: dict[str, str] = {
    "stop_instance": "stopped",
    "start_instance": "running",
    "delete_volume": "deleted",
    "delete_snapshot": "deleted",
    "release_ip": "deleted",
}


class SandboxProvider:
    """The demo company's ``cloud`` account, deterministic for a ``seed`` and ``as_of`` day.

    Costs run from the 1st of the month twelve months before ``as_of`` up to the day before ``as_of``.
    """

    def __init__(self, cloud: Cloud, *, seed: int = 7, as_of: date | None = None) -> None:
        self._cloud: Cloud = cloud
        self.spec = demo_spec(cloud)
        self.seed = seed
        self.as_of = as_of or datetime.now(UTC).date()
        self._items: list[CostLineItem] | None = None
        self._resources: dict[str, SandboxResource] = {r.resource_id: r for r in self.spec.resources()}

    @property
    def cloud(self) -> Cloud:
        return self._cloud

    @property
    def line_items(self) -> list[CostLineItem]:
        if self._items is None:
            self._items = generate_line_items(self.spec, seed=self.seed, as_of=self.as_of)
        return self._items

    async def info(self) -> ProviderInfo:
        return ProviderInfo(
            provider=self._cloud,
            display_name=f"{CLOUD_NAMES[self._cloud]} (demo)",
            is_demo=True,
            accounts=sorted({s.account_id for s in self.spec.series}),
            currencies=[self.spec.currency],
            capabilities=["costs", "inventory", "recommendations", "remediation"],
            read_only=False,
        )

    # -- costs -----------------------------------------------------------------------------------

    async def query_costs(self, query: CostQuery) -> CostBreakdown:
        metric = METRIC_COLUMN[query.metric]
        columns = [DIMENSION_COLUMN[d] for d in query.group_by]
        filters = {DIMENSION_COLUMN[d]: set(v) for d, v in query.filters.items()}
        sums: dict[tuple[date | None, str, tuple[str | None, ...]], Decimal] = defaultdict(Decimal)
        for item in self._between(query.start, query.end):
            values = item.__dict__
            if any(values[col] not in allowed for col, allowed in filters.items()):
                continue
            day = item.charge_period_start.date()
            period = period_start(day, query.granularity)
            group = tuple(values[c] for c in columns)
            if query.tag_key is not None:
                group = (*group, item.tags.get(query.tag_key))
            sums[(period, item.billing_currency, group)] += values[metric]
        cells = [Cell(p, g, c, a) for (p, c, g), a in sums.items()]
        first = history_start(self.as_of)
        note = (
            f"No demo costs from {query.start} to {query.end}. The demo holds {first} to "
            f"{self.as_of - timedelta(days=1)}; ask within that range or drop a filter."
        )
        return assemble(query, cells, source=DEMO_LABEL, is_demo=True, empty_note=note)

    async def daily_costs(self, start: date, end: date) -> list[CostLineItem]:
        if end <= start:
            raise InvalidInput(f"end ({end}) must be after start ({start}); the end date is exclusive.")
        return list(self._between(start, end))

    def _between(self, start: date, end: date) -> list[CostLineItem]:
        lo, hi = midnight(start), midnight(end)
        return [i for i in self.line_items if lo <= i.charge_period_start < hi]

    # -- inventory -------------------------------------------------------------------------------

    async def list_resources(
        self, resource_type: ResourceType | None = None, region: str | None = None, limit: int = 100
    ) -> ResourceInventory:
        if limit < 1:
            raise InvalidInput("limit must be at least 1.")
        matched = [
            self._resource(r)
            for r in self._resources.values()
            if r.state != "deleted"
            and (resource_type is None or r.resource_type == resource_type)
            and (region is None or r.region == region)
        ]
        matched.sort(key=lambda r: (-(r.monthly_cost.amount if r.monthly_cost else 0), r.resource_id))
        note = (
            None
            if matched
            else (f"No demo resources match type={resource_type!r} region={region!r}; try without filters.")
        )
        return ResourceInventory(
            provider=self._cloud,
            resources=matched[:limit],
            total=len(matched),
            truncated=len(matched) > limit,
            is_demo=True,
            source=DEMO_LABEL,
            note=note,
        )

    def _resource(self, r: SandboxResource) -> Resource:
        cost = r.stopped_cost if r.state == "stopped" and r.stopped_cost is not None else r.monthly_cost
        return Resource(
            provider=self._cloud,
            resource_id=r.resource_id,
            name=r.name,
            resource_type=r.resource_type,
            native_type=r.native_type,
            account_id=r.account_id,
            region=r.region,
            state=r.state,
            size=r.size,
            tags=dict(r.tags),
            created_at=r.created_at(self.as_of),
            monthly_cost=Money(amount=cost, currency=self.spec.currency),
            monthly_cost_is_estimate=True,
            metrics={} if r.cpu_percent_14d is None else {"avg_cpu_percent_14d": r.cpu_percent_14d},
        )

    # -- recommendations -------------------------------------------------------------------------

    async def list_recommendations(self, min_monthly_savings: float = 0.0, limit: int = 50) -> RecommendationSet:
        if limit < 1:
            raise InvalidInput("limit must be at least 1.")
        recs = [r for r in self._recommendations() if r.monthly_savings.amount >= Decimal(str(min_monthly_savings))]
        recs.sort(key=by_savings)
        total = sum((r.monthly_savings.amount for r in recs), Decimal(0))
        return RecommendationSet(
            provider=self._cloud,
            recommendations=recs[:limit],
            total_monthly_savings=[Money(amount=normalize_amount(total), currency=self.spec.currency)],
            total=len(recs),
            truncated=len(recs) > limit,
            is_demo=True,
            source=DEMO_LABEL,
            note=None if recs else "No open demo recommendations at this savings threshold.",
        )

    def _recommendations(self) -> list[Recommendation]:
        cur = self.spec.currency
        out: list[Recommendation] = []

        def rec(
            r: SandboxResource,
            kind: str,
            title: str,
            savings: Decimal,
            effort: str,
            risk: str,
            action: str,
            **params: str,
        ) -> None:
            out.append(
                Recommendation.model_validate(
                    {
                        "provider": self._cloud,
                        "recommendation_id": f"demo-{kind}-{r.name}",
                        "source": "demo-sandbox",
                        "kind": kind,
                        "title": title,
                        "resource_id": r.resource_id,
                        "account_id": r.account_id,
                        "region": r.region,
                        "monthly_savings": Money(amount=savings, currency=cur),
                        "effort": effort,
                        "risk": risk,
                        "action": RemediationAction(
                            provider=self._cloud, kind=action, resource_id=r.resource_id, parameters=params
                        ),
                    }
                )
            )

        for r in self._resources.values():
            if r.resource_type == "instance" and r.state == "running":
                if r.cpu_percent_14d is not None and r.cpu_percent_14d < IDLE_CPU_PERCENT:
                    saving = r.monthly_cost - (r.stopped_cost or Decimal(0))
                    rec(
                        r,
                        "idle",
                        f"Stop idle instance {r.name} (avg CPU {r.cpu_percent_14d}% over 14 days)",
                        saving,
                        "low",
                        "medium",
                        "stop_instance",
                    )
                elif r.rightsize_to and r.rightsized_cost is not None:
                    rec(
                        r,
                        "rightsize",
                        f"Resize {r.name} from {r.size} to {r.rightsize_to}",
                        r.monthly_cost - r.rightsized_cost,
                        "medium",
                        "medium",
                        "resize_instance",
                        new_size=r.rightsize_to,
                    )
            elif r.resource_type == "volume" and r.state == "unattached":
                rec(
                    r,
                    "unattached",
                    f"Delete unattached volume {r.name} ({r.size}); a snapshot is kept",
                    r.monthly_cost,
                    "low",
                    "low",
                    "delete_volume",
                    snapshot_first="true",
                )
            elif r.resource_type == "ip" and r.state == "unattached":
                rec(
                    r,
                    "unattached",
                    f"Release unassociated IP {r.name}",
                    r.monthly_cost,
                    "low",
                    "low",
                    "release_ip",
                )
            elif (
                r.resource_type == "snapshot"
                and r.state == "available"
                and r.source_volume
                and r.source_volume not in self._resources
            ):
                rec(
                    r,
                    "idle",
                    f"Delete snapshot {r.name} of a deleted volume ({r.age_days} days old)",
                    r.monthly_cost,
                    "low",
                    "medium",
                    "delete_snapshot",
                )
        out.append(
            Recommendation(
                provider=self._cloud,
                recommendation_id="demo-commitment-compute",
                source="demo-sandbox",
                kind="commitment",
                title="Buy a 1-year compute commitment for the steady baseline",
                monthly_savings=Money(amount=self.spec.commitment_savings, currency=cur),
                effort="medium",
                risk="low",
                detail="Covers 60% of the lowest hourly compute spend of the last 30 days.",
            )
        )
        return out

    # -- remediation -----------------------------------------------------------------------------

    def _target(self, action: RemediationAction) -> SandboxResource:
        if action.provider != self._cloud:
            raise InvalidInput(f"This is the {self._cloud} provider; the action is for {action.provider}.")
        if action.kind not in ACTION_KINDS:
            raise InvalidInput(f"Unknown action kind {action.kind!r}; use one of {', '.join(ACTION_KINDS)}.")
        r = self._resources.get(action.resource_id)
        if r is None or r.state == "deleted":
            raise NotFound(
                f"No demo resource {action.resource_id!r}; list resources to see valid ids.",
                provider=self._cloud,
            )
        return r

    def _check(self, action: RemediationAction, r: SandboxResource) -> tuple[str, dict[str, object], str, Decimal]:
        """(summary, expected changes, undo, monthly savings) or raise RemediationRefused."""
        need: dict[str, tuple[ResourceType, tuple[str, ...]]] = {
            "stop_instance": ("instance", ("running",)),
            "start_instance": ("instance", ("stopped",)),
            "resize_instance": ("instance", ("running", "stopped")),
            "delete_volume": ("volume", ("unattached",)),
            "delete_snapshot": ("snapshot", ("available",)),
            "release_ip": ("ip", ("unattached",)),
            # The sandbox has no buckets, so this refuses every demo resource with a message naming its kind.
            "add_lifecycle_rule": ("bucket", ("available",)),
        }
        if action.kind in need:
            rtype, states = need[action.kind]
            if r.resource_type != rtype:
                raise RemediationRefused(f"{action.kind} applies to a {rtype}; {r.resource_id} is a {r.resource_type}.")
            if r.state not in states:
                raise RemediationRefused(
                    f"{action.kind} needs {r.name} to be {' or '.join(states)}; it is {r.state}. Nothing was changed."
                )
        kind = action.kind
        if kind == "stop_instance":
            return (
                f"Stop {r.name} ({r.size})",
                {"state": "stopped"},
                f"start_instance on {r.resource_id}",
                r.monthly_cost - (r.stopped_cost or Decimal(0)),
            )
        if kind == "start_instance":
            return (
                f"Start {r.name} ({r.size})",
                {"state": "running"},
                f"stop_instance on {r.resource_id}",
                (r.stopped_cost or Decimal(0)) - r.monthly_cost,
            )
        if kind == "resize_instance":
            new_size = action.parameters.get("new_size")
            if not new_size:
                raise InvalidInput("resize_instance needs parameters.new_size, e.g. the recommended size.")
            saving = (
                r.monthly_cost - r.rightsized_cost if new_size == r.rightsize_to and r.rightsized_cost else Decimal(0)
            )
            return (
                f"Resize {r.name} from {r.size} to {new_size} (stops and starts it)",
                {"size": new_size},
                f"resize_instance on {r.resource_id} with new_size={r.size}",
                saving,
            )
        if kind == "delete_volume":
            keep = action.parameters.get("snapshot_first", "true").lower() != "false"
            undo = (
                "restore the volume from the snapshot taken first"
                if keep
                else "none: no snapshot is taken, the data is gone"
            )
            return (
                f"Delete volume {r.name} ({r.size})" + (", after a snapshot" if keep else ""),
                {"state": "deleted", "snapshot_taken": keep},
                undo,
                r.monthly_cost,
            )
        if kind == "delete_snapshot":
            return (
                f"Delete snapshot {r.name}",
                {"state": "deleted"},
                "none: a deleted snapshot is gone",
                r.monthly_cost,
            )
        if kind == "release_ip":
            return (
                f"Release IP {r.name}",
                {"state": "deleted"},
                "allocate a new address (the same address may not come back)",
                r.monthly_cost,
            )
        if kind != "set_tags":
            raise RemediationRefused(f"The demo sandbox cannot {kind} on {r.resource_id}. Nothing was changed.")
        tags = dict(action.parameters)
        if not tags:
            raise InvalidInput("set_tags needs the tags to set in parameters, e.g. {'team': 'data'}.")
        return (
            f"Set tags {tags} on {r.name}",
            {"tags": {**r.tags, **tags}},
            f"set_tags on {r.resource_id} with the previous values {r.tags}",
            Decimal(0),
        )

    async def plan_remediation(self, action: RemediationAction) -> RemediationPlan:
        r = self._target(action)
        summary, after, undo, saving = self._check(action, r)
        return RemediationPlan(
            action=action,
            dry_run_ok=True,
            summary=summary,
            before=self._state(r),
            expected_after={**self._state(r), **after},
            undo=undo,
            monthly_savings=Money(amount=normalize_amount(saving), currency=self.spec.currency),
            resource_tags=dict(r.tags),
            is_demo=True,
        )

    async def apply_remediation(self, action: RemediationAction) -> RemediationResult:
        done = self._already_done(action)
        if done is not None:
            return done
        r = self._target(action)
        summary, _, undo, _ = self._check(action, r)
        before = self._state(r)
        kind = action.kind
        if kind == "stop_instance":
            r.state = "stopped"
        elif kind == "start_instance":
            r.state = "running"
        elif kind == "resize_instance":
            new_size = action.parameters["new_size"]
            if new_size == r.rightsize_to and r.rightsized_cost is not None:
                r.monthly_cost, r.rightsize_to, r.rightsized_cost = r.rightsized_cost, None, None
            r.size = new_size
        elif kind == "delete_volume":
            if action.parameters.get("snapshot_first", "true").lower() != "false":
                snap = SandboxResource(
                    resource_id=f"{r.resource_id}-final-snapshot",
                    name=f"{r.name}-final",
                    resource_type="snapshot",
                    native_type="snapshot",
                    account_id=r.account_id,
                    region=r.region,
                    state="available",
                    size=r.size,
                    monthly_cost=(r.monthly_cost * Decimal("0.1")).quantize(Decimal("0.01")),
                    age_days=0,
                    tags=dict(r.tags),
                    source_volume=r.resource_id,
                )
                self._resources[snap.resource_id] = snap
            r.state = "deleted"
        elif kind in ("delete_snapshot", "release_ip"):
            r.state = "deleted"
        elif kind == "set_tags":
            r.tags = {**r.tags, **action.parameters}
        return RemediationResult(
            action=action,
            applied=True,
            message=f"{summary}: done (demo sandbox).",
            before=before,
            after=self._state(r),
            undo=undo,
            is_demo=True,
        )

    async def resource_tags(self, resource_id: str, parameters: Mapping[str, str]) -> dict[str, str]:
        """The resource's tags now. A deleted demo resource keeps its last tags, so a step resumed after its change
        was made reads them and then finds the change done (``_already_done``)."""
        r = self._resources.get(resource_id)
        if r is None:
            raise NotFound(f"No demo resource {resource_id!r}; list resources to see valid ids.", provider=self._cloud)
        return dict(r.tags)

    def _already_done(self, action: RemediationAction) -> RemediationResult | None:
        """Applying a change the resource already shows changes nothing (as on a real cloud), so a repeated
        apply, e.g. an interrupted plan execution resumed, is harmless."""
        r = self._resources.get(action.resource_id)
        wanted = _END_STATE.get(action.kind)
        if r is None or wanted is None or r.state != wanted or action.provider != self._cloud:
            return None
        state = self._state(r)
        return RemediationResult(
            action=action,
            applied=False,
            message=f"{r.name} is already {wanted}: nothing to do (demo sandbox).",
            before=state,
            after=state,
            is_demo=True,
        )

    @staticmethod
    def _state(r: SandboxResource) -> dict[str, object]:
        return {"state": r.state, "size": r.size, "tags": dict(r.tags)}
