"""The server factory: one function that turns a ``CloudProvider`` into an ``MCPServer``.

Every per-cloud server (and ``--demo``) is this factory over a different provider, so the tools, their
descriptions, annotations and safety rules are written once. Tool names carry the cloud prefix
(``aws_cost_query``) so a host that loads several servers sees no collisions. Tools answer with structured
content and publish its ``outputSchema`` (``compact_tool``, ``answer_schemas``); hosts hand a model the name,
description and input schema, which are what the tool-list budgets count. ``RemoteProvider`` validates answers
into the core models.

No ``from __future__ import annotations`` here: the SDK evaluates tool annotations at registration,
and ``Resolve(ask)`` must name a local function.
"""

import functools
import inspect
import json
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

import anyio
import anyio.to_thread
from mcp.server import MCPServer
from mcp.server.mcpserver import (
    AcceptedElicitation,
    Context,
    Elicit,
    ElicitationResult,
    Resolve,
)
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field, StrictBool

from finops_core.access import ServerAuth, require_scope
from finops_core.answer_schemas import model_schema, published, table_schema
from finops_core.answer_tables import table_answer
from finops_core.bounds import Day, Id
from finops_core.cached import cache_fields, cache_record, cache_state
from finops_core.compact import CompactServer
from finops_core.cost_answers import CostAnswer, cost_answer
from finops_core.dates import period, today_utc
from finops_core.errors import ERROR_META_KEY, FinOpsError, InvalidInput, RemediationRefused, error_kind
from finops_core.guardrails import TagGuardrails
from finops_core.models import (
    CLOUD_NAMES,
    CostBreakdown,
    CostMetric,
    CostQuery,
    Dimension,
    Granularity,
    ProviderInfo,
    RemediationAction,
    RemediationPlan,
    RemediationResult,
)
from finops_core.parameters import (
    AccountsParam,
    ActionParams,
    ApprovalParam,
    EndParam,
    GranularityParam,
    GroupByParam,
    KindParam,
    MetricParam,
    ProvidersParam,
    RegionsParam,
    ResourceIdParam,
    ServicesParam,
    StartParam,
    TagKeyParam,
    TopNParam,
)
from finops_core.proof import ApprovalClaims, UsedApprovals, verify_approval
from finops_core.provider import CloudProvider, RecommendationSet, ResourceInventory, ResourceTags, ResourceType
from finops_core.settings import Scope, Settings
from finops_core.versions import cloud_server_version
from finops_core.wire import (
    COST_FILTER_ARGUMENTS,
    DAILY_COSTS_MAX_DAYS,
    RECOMMENDATIONS_LIMIT,
    RESOURCES_LIMIT,
    DailyCosts,
)

ToolFn = TypeVar("ToolFn", bound=Callable[..., Awaitable[Any]])
READ = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)
CHANGE = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True)


class Confirm(BaseModel):
    """The question a person answers before a change is made. Only the boolean ``true`` confirms: pydantic's lax
    mode would take "yes", "y", "1", "t", 1 or 1.0 for it, which a client or a model could send for a person."""

    confirm: StrictBool = Field(description="Apply this change now?")


@asynccontextmanager
async def closing(provider: CloudProvider) -> AsyncGenerator[CloudProvider]:
    """A cloud server's lifespan: ``provider`` while it serves, closed when it stops (it holds the paid-call
    cache's store, which it opens again if used after). Shielded, since a server stops by being cancelled; in a
    worker thread, since closing releases a SQLite connection."""
    try:
        yield provider
    finally:
        close = getattr(provider, "close", None)
        if callable(close):
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(close)


def build_server(
    provider: CloudProvider,
    settings: Settings,
    *,
    today: Callable[[], date] = today_utc,
    extend: Callable[[MCPServer], None] | None = None,
    auth: ServerAuth | None = None,
    version: str | None = None,
) -> MCPServer:
    """An MCP server exposing ``provider``'s costs, inventory, recommendations and (when
    ``settings.remediation_enabled``) remediation, as tools named ``<cloud>_*``. ``extend`` registers a
    cloud's own tools (Cost Explorer forecasts, Athena queries, ...) after the common ones. ``auth``
    (``server_auth(settings.http)``) makes HTTP requests carry a bearer token; each tool checks its scope.
    ``version`` is ``serverInfo.version`` (default: the installed package's, ``cloud_server_version``)."""
    cloud = provider.cloud
    name = CLOUD_NAMES[cloud]

    def lifespan(_server: MCPServer) -> AbstractAsyncContextManager[CloudProvider]:
        return closing(provider)

    server = CompactServer(
        name=f"finops-{cloud}",
        version=version or cloud_server_version(cloud),
        lifespan=lifespan,
        **auth_options(auth),
        instructions=(
            f"Investigate and reduce {name} spend. Start with {cloud}_cost_query for where money goes, "
            f"{cloud}_list_recommendations for savings, {cloud}_list_resources for what is running. Every "
            "answer names its cost metric and currency; amounts in different currencies are never summed. "
            "Answers marked is_demo come from a sandbox company, not a real account."
        ),
    )

    @compact_tool(
        server,
        name=f"{cloud}_provider_info",
        annotations=READ,
        description=f"Which {name} accounts this server sees, their currencies, whether it is demo "
        "data, and whether changes are allowed.",
    )
    async def provider_info() -> ProviderInfo:
        info = await provider.info()
        return info.model_copy(update={"read_only": not settings.remediation_enabled})

    register_cost_query(
        server,
        name=f"{cloud}_cost_query",
        description=f"{name} costs for a period, optionally grouped by up to two dimensions and a tag key, as "
        "a total or a daily/weekly/monthly trend. Returns the top groups plus an '(other)' row, totals per currency, "
        f"and which metric was used (default: effective = amortized). Asks {name} itself; several clouds at once, "
        "from a local store: the finops server's finops_cost_query.",
        answer=provider.query_costs,
        today=today,
    )

    @compact_tool(
        server,
        name=f"{cloud}_list_resources",
        annotations=READ,
        description=f"{name} resources (instances, volumes, snapshots, IPs, ...) with state, size, "
        f"tags, age and an estimated monthly cost, most expensive first. What to change to save: "
        f"{cloud}_list_recommendations.",
    )
    async def list_resources(
        resource_type: Annotated[ResourceType | None, Field(description="Only this kind of resource.")] = None,
        region: Annotated[Id | None, Field(description="Only this region id.")] = None,
        limit: Annotated[int, Field(ge=1, le=RESOURCES_LIMIT, description="At most this many resources.")] = 50,
    ) -> ResourceInventory:
        return await provider.list_resources(resource_type=resource_type, region=region, limit=limit)

    @compact_tool(
        server,
        name=f"{cloud}_list_recommendations",
        annotations=READ,
        description=f"{name} savings opportunities ranked by estimated monthly savings, each with "
        f"effort, risk and, where one exists, the remediation action that realizes it: dry-run it with "
        f"{cloud}_plan_remediation.",
    )
    async def list_recommendations(
        min_monthly_savings: Annotated[float, Field(ge=0, description="Skip smaller savings.")] = 0.0,
        limit: Annotated[int, Field(ge=1, le=RECOMMENDATIONS_LIMIT, description="At most this many.")] = 25,
    ) -> RecommendationSet:
        with cache_record() as fetched:
            found = await provider.list_recommendations(min_monthly_savings=min_monthly_savings, limit=limit)
        return found.model_copy(update=cache_state(*fetched)) if fetched else found

    @compact_tool(
        server,
        name=f"{cloud}_plan_remediation",
        annotations=READ,
        scope="plan",
        description="Dry-run a change: checks it would succeed and shows before/after, savings and "
        "how to undo it. Changes nothing."
        + (
            ""
            if settings.remediation_enabled
            else " Remediation is switched off on this server, so a plan cannot be applied here."
        ),
    )
    async def plan_remediation(
        kind: KindParam,
        resource_id: ResourceIdParam,
        parameters: ActionParams = None,
    ) -> RemediationPlan:
        action = RemediationAction(provider=cloud, kind=kind, resource_id=resource_id, parameters=parameters or {})
        return await provider.plan_remediation(action)

    @compact_tool(
        server,
        name=f"{cloud}_daily_costs",
        annotations=READ,
        description=f"Raw daily {name} cost rows in FOCUS columns for up to {DAILY_COSTS_MAX_DAYS} days, for "
        f"loading into a cost store (finops sync). For questions use {cloud}_cost_query.",
        exclude_none=True,
    )
    async def daily_costs(
        start: Annotated[Day, Field(description="First day, YYYY-MM-DD.")],
        end: Annotated[Day, Field(description="Day after the last day (exclusive), YYYY-MM-DD.")],
    ) -> DailyCosts:
        first, last = period(start, end, today())
        if (last - first).days > DAILY_COSTS_MAX_DAYS:
            raise InvalidInput(
                f"At most {DAILY_COSTS_MAX_DAYS} days per call ({first} to {last} is {(last - first).days}); "
                "ask month by month."
            )
        with cache_record() as fetched:
            items = await provider.daily_costs(first, last)
        info = await provider.info()
        cache = cache_state(*fetched) if fetched else {}
        return DailyCosts(provider=cloud, start=first, end=last, items=items, is_demo=info.is_demo, **cache)

    if settings.remediation_enabled:
        key = settings.approval_key.get_secret_value().encode() if settings.approval_key else None
        _register_apply(server, provider, key)
    if extend is not None:
        extend(server)
    return server


def compact_answer(model: BaseModel, *, exclude_none: bool = False) -> CallToolResult:
    """A tool answer as structured content plus the same JSON, compact, as text (for clients that only read
    text); its schema is ``answer_schemas.model_schema`` of the model."""
    data = model.model_dump(mode="json", by_alias=True, exclude_none=exclude_none)
    fetched = getattr(model, "cached_at", None)
    if isinstance(fetched, datetime) and getattr(model, "cached", None):  # how old a cached answer is
        data["cached_age_minutes"] = cache_fields(True, fetched, datetime.now(UTC))["cached_age_minutes"]
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data)


def error_result(exc: FinOpsError) -> CallToolResult:
    """``exc`` as the model sees it (its message), with its class named in ``_meta`` for a proxy to rebuild."""
    return CallToolResult(
        content=[TextContent(type="text", text=str(exc))], is_error=True, _meta={ERROR_META_KEY: error_kind(exc)}
    )


def auth_options(auth: ServerAuth | None) -> dict[str, Any]:
    """``MCPServer`` keyword arguments for ``auth``: its token verifier and auth settings, or nothing."""
    return {} if auth is None else {"token_verifier": auth.verifier, "auth": auth.settings}


def compact_tool(
    server: MCPServer,
    *,
    exclude_none: bool = False,
    scope: Scope = "read",
    shape: Callable[[Any], CallToolResult] | None = None,
    output: type[BaseModel] | None = None,
    **options: Any,
) -> Callable[[ToolFn], ToolFn]:
    """The one way a tool is declared: a decorator registering ``fn`` (``options`` go to ``server.tool``) and
    returning it unchanged. Around each call it checks the bearer token's ``scope`` (``require_scope``), answers
    with ``compact_answer`` (or ``shape(answer)``: the cost tools' tables), and turns a ``FinOpsError`` into an
    error result the model can read. A function that shapes its own answer returns the ``CallToolResult``.

    The tool publishes an ``outputSchema`` (``answer_schemas``): its return model's, the table's of that model for
    ``shape=table_answer``, or ``output``'s (which a tool with another shape, or its own result, must name)."""

    def register(fn: ToolFn) -> ToolFn:
        tool = str(options.get("name") or fn.__name__)
        signature = inspect.signature(fn, eval_str=True)
        schema = _output_schema(tool, signature.return_annotation, shape, output, exclude_none)

        @functools.wraps(fn)
        async def compact(**arguments: Any) -> CallToolResult:
            try:
                require_scope(scope, tool)
                answer = await fn(**arguments)
                if isinstance(answer, CallToolResult):
                    return answer
                if shape is None:
                    return compact_answer(answer, exclude_none=exclude_none)
                # Folding a large answer to the ceiling is CPU work: off the loop that serves the other clients.
                return await anyio.to_thread.run_sync(shape, answer)
            except FinOpsError as exc:
                return error_result(exc)

        # The SDK reads the parameters from this signature, and publishes the model of the annotated result.
        answer_type = Annotated[CallToolResult, published(schema, f"{tool}_answer")]
        compact.__signature__ = signature.replace(return_annotation=answer_type)  # type: ignore[attr-defined]
        server.tool(**options)(compact)
        return fn

    return register


def _output_schema(
    tool: str,
    returns: Any,
    shape: Callable[[Any], CallToolResult] | None,
    output: type[BaseModel] | None,
    exclude_none: bool,
) -> dict[str, Any]:
    if output is not None:
        return model_schema(output, exclude_none=True)
    if not (isinstance(returns, type) and issubclass(returns, BaseModel)):
        raise TypeError(f"{tool} must return a pydantic model, or name the model of its answer (output=)")
    if shape is None:
        return model_schema(returns, exclude_none=exclude_none)
    if shape is table_answer:
        return table_schema(returns)
    raise TypeError(f"{tool} shapes its answer its own way: name the model of that answer (output=)")


def cost_query_of(
    *,
    start: str | None,
    end: str | None,
    group_by: list[Dimension] | None,
    tag_key: str | None,
    granularity: Granularity,
    metric: CostMetric,
    providers: list[str] | None,
    services: list[str] | None,
    accounts: list[str] | None,
    regions: list[str] | None,
    top_n: int,
    today: date,
) -> CostQuery:
    """The ``CostQuery`` a cost-query tool's arguments ask for, or an ``InvalidInput`` that says what is wrong."""
    first, last = period(start, end, today)
    given = {"providers": providers, "services": services, "accounts": accounts, "regions": regions}
    filters: dict[Dimension, tuple[str, ...]] = {
        dim: tuple(values) for dim, argument in COST_FILTER_ARGUMENTS.items() if (values := given[argument])
    }
    try:
        return CostQuery(
            start=first,
            end=last,
            metric=metric,
            granularity=granularity,
            group_by=tuple(group_by or ()),
            tag_key=tag_key,
            filters=filters,
            top_n=top_n,
        )
    except ValueError as exc:
        raise InvalidInput(f"Invalid cost query: {exc}") from exc


def register_cost_query(
    server: MCPServer,
    *,
    name: str,
    description: str,
    answer: Callable[[CostQuery], Awaitable[CostBreakdown]],
    today: Callable[[], date],
) -> None:
    """Register a cost-query tool answered by ``answer`` (a provider), as a compact ``CostBreakdown``."""

    async def cost_query(
        start: StartParam = None,
        end: EndParam = None,
        group_by: GroupByParam = None,
        tag_key: TagKeyParam = None,
        granularity: GranularityParam = "total",
        metric: MetricParam = "effective",
        providers: ProvidersParam = None,
        services: ServicesParam = None,
        accounts: AccountsParam = None,
        regions: RegionsParam = None,
        top_n: TopNParam = 15,
    ) -> CostBreakdown:
        query = cost_query_of(
            start=start,
            end=end,
            group_by=group_by,
            tag_key=tag_key,
            granularity=granularity,
            metric=metric,
            providers=providers,
            services=services,
            accounts=accounts,
            regions=regions,
            top_n=top_n,
            today=today(),
        )
        return await answer(query)

    compact_tool(server, name=name, annotations=READ, description=description, shape=cost_answer, output=CostAnswer)(
        cost_query
    )


def _register_apply(server: MCPServer, provider: CloudProvider, approval_key: bytes | None) -> None:
    cloud = provider.cloud
    used = UsedApprovals()

    async def ask(
        kind: str,
        resource_id: str,
        ctx: Context[Any],
        parameters: dict[str, str] | None = None,
        approval: str | None = None,
    ) -> Elicit[Confirm] | ApprovalClaims:
        require_scope("execute", f"{cloud}_apply_remediation")  # before the dry run and before asking anyone
        action = RemediationAction(provider=cloud, kind=kind, resource_id=resource_id, parameters=parameters or {})
        if approval:  # approved by a person in the orchestrator: checked here, not taken on trust
            if approval_key is None:
                raise RemediationRefused(
                    "Nothing was changed: this server has no approval_key, so it cannot check the orchestrator's "
                    "approval. Set the same approval_key here (FINOPS_APPROVAL_KEY) and in the orchestrator's "
                    f"[providers.{cloud}]."
                )
            return verify_approval(approval_key, approval, action, datetime.now(UTC))
        capabilities = ctx.client_capabilities
        if capabilities is None or capabilities.elicitation is None:
            raise RemediationRefused(
                "Nothing was changed: this client cannot ask a person to confirm. Run this tool from a "
                f"client that supports MCP elicitation, after reviewing {cloud}_plan_remediation."
            )
        plan = await provider.plan_remediation(action)  # dry run first: refuse before asking if it fails
        saving = f" Saves about {plan.monthly_savings} a month." if plan.monthly_savings else ""
        demo = " (demo sandbox)" if plan.is_demo else ""
        return Elicit(f"{plan.summary}{demo}.{saving} Undo: {plan.undo}.", Confirm)

    @compact_tool(
        server,
        name=f"{cloud}_resource_tags",
        annotations=READ,
        description="The tags (labels) a resource carries now, read from the cloud, never cached: what the finops "
        "orchestrator checks its guardrails on just before each change.",
    )
    async def resource_tags(resource_id: ResourceIdParam, parameters: ActionParams = None) -> ResourceTags:
        tags = await provider.resource_tags(resource_id, parameters or {})
        return ResourceTags(provider=cloud, resource_id=resource_id, tags=tags)

    @compact_tool(
        server,
        name=f"{cloud}_apply_remediation",
        annotations=CHANGE,
        scope="execute",
        description="Make a change to a resource after a dry run and a person's confirmation in the "
        "client. Returns before/after state and how to undo it. Declining changes nothing.",
    )
    async def apply_remediation(
        kind: KindParam,
        resource_id: ResourceIdParam,
        answer: Annotated[ElicitationResult[Confirm | ApprovalClaims], Resolve(ask)],
        parameters: ActionParams = None,
        approval: ApprovalParam = None,
    ) -> RemediationResult:
        action = RemediationAction(provider=cloud, kind=kind, resource_id=resource_id, parameters=parameters or {})
        match answer:
            case AcceptedElicitation(data=ApprovalClaims() as claims):
                used.claim(claims, datetime.now(UTC))
                await refuse_on_live_tags(provider, action, claims.guardrails)
                return await provider.apply_remediation(action)
            case AcceptedElicitation(data=Confirm(confirm=True)):
                return await provider.apply_remediation(action)
            case _:
                return RemediationResult(
                    action=action, applied=False, message="Not confirmed by the person: nothing was changed."
                )


async def refuse_on_live_tags(provider: CloudProvider, action: RemediationAction, guardrails: TagGuardrails) -> None:
    """``RemediationRefused`` unless the tags ``action``'s resource carries now, read from the cloud, pass
    ``guardrails``; also when they cannot be read (whether the resource is protected cannot be told then)."""
    resource = action.resource_id
    try:
        tags = await provider.resource_tags(resource, action.parameters)
    except FinOpsError as exc:
        raise RemediationRefused(
            f"Nothing was changed: the tags of {resource} could not be read just before the change ({exc}), so "
            "whether the policy protects it cannot be told. Try again once they can be read (the credentials need "
            "permission to read tags)."
        ) from exc
    refusal = guardrails.refusal(tags)
    if refusal is not None:
        raise RemediationRefused(
            f"Nothing was changed: {resource} {refusal}, by its tags read from the cloud just now; the approval does "
            "not cover that. If the change is still wanted, change the tags or the policy, then plan and approve again."
        )
