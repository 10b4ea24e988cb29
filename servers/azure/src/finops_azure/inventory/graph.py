"""Azure Resource Graph queries: one query across many subscriptions (not one call per subscription), paged
with ``$skipToken`` to the end.

Resource Graph takes at most 1000 subscriptions per request, so longer lists go in batches of 1000.

A subscription the credentials may not read is left out silently: Microsoft documents that a query naming several
subscriptions answers "for the subscriptions the user has access to … without any indication that the result might
be partial", and is refused (403) only when the caller can read none of them. So after a query over several
subscriptions we ask which of them Resource Graph can see (one ``ResourceContainers`` query) and name the others in
``missing``: a partial answer must say it is partial. A refused batch is asked again one subscription at a time, so
the answer can name the ones that refused and still hold the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from finops_core.errors import FinOpsError, InvalidQuery, NotFound, PermissionDenied
from finops_core.fanout import fan_out

from finops_azure.errors import azure_errors

if TYPE_CHECKING:
    from finops_azure.clients import AzureClients

T = TypeVar("T")


class GraphCalls(Protocol):
    """What a Resource Graph query needs of the cloud's context: its clients, and a way to run a blocking SDK call.
    (A protocol, so the context that uses Resource Graph to find its subscriptions is not imported back here.)"""

    clients: AzureClients

    async def run(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T: ...


MAX_SUBSCRIPTIONS = 1000  # Resource Graph's limit per request
VISIBLE = "ResourceContainers | where type =~ 'microsoft.resources/subscriptions' | project subscriptionId"
UNREADABLE = (
    "the credentials cannot read it, so Azure Resource Graph left it out without an error; grant them Reader on it "
    "(docs/azure-role.json), or remove it from subscriptions under [azure]"
)
PAGE = 1000  # the largest $top Resource Graph accepts


@dataclass
class GraphAnswer:
    """The rows of a query, what could not be read (one line per subscription or batch), and whether Resource
    Graph said it cut the results short."""

    rows: list[dict[str, Any]] = field(default_factory=lambda: list[dict[str, Any]]())
    missing: list[str] = field(default_factory=lambda: list[str]())
    truncated: bool = False


def _pages(
    ctx: GraphCalls, query: str, subscriptions: Sequence[str] | None, management_groups: Sequence[str] | None
) -> tuple[list[dict[str, Any]], bool]:
    """Every row of ``query`` over one scope (blocking: run it in a worker thread)."""
    from azure.mgmt.resourcegraph import ResourceGraphClient
    from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

    client = ctx.clients.client(ResourceGraphClient)
    if management_groups:
        scope = f"management group {', '.join(management_groups)}"
    elif subscriptions:
        scope = (
            f"{len(subscriptions)} subscription(s)" if len(subscriptions) > 1 else f"subscription {subscriptions[0]}"
        )
    else:
        scope = "every subscription the credentials can see"
    rows: list[dict[str, Any]] = []
    truncated = False
    skip_token: str | None = None
    while True:
        request = QueryRequest(
            subscriptions=list(subscriptions) if subscriptions else None,
            management_groups=list(management_groups) if management_groups else None,
            query=query,
            options=QueryRequestOptions(result_format="objectArray", top=PAGE, skip_token=skip_token),
        )
        with azure_errors(f"querying Azure Resource Graph ({scope})"):
            answer = client.resources(request)
        data: Any = answer.data
        if not isinstance(data, list):
            raise InvalidQuery(
                "Azure Resource Graph answered in table format, not the object array we asked for.", provider="azure"
            )
        rows.extend(r for r in data if isinstance(r, dict))  # pyright: ignore[reportUnknownVariableType]
        skip_token = answer.skip_token
        if not skip_token:
            truncated = str(answer.result_truncated).lower() == "true"
            return rows, truncated


async def _scope(
    ctx: GraphCalls, query: str, subscriptions: Sequence[str] | None, management_groups: Sequence[str] | None
) -> tuple[list[dict[str, Any]], bool]:
    """``_pages`` in a worker thread. Resource Graph's rate limit (429) is waited out by the client's retry policy
    (``retries.AttemptsPolicy``), so a throttled page counts against ``max_attempts`` once, not once per layer."""
    return await ctx.run(_pages, ctx, query, subscriptions, management_groups)


async def unreadable(ctx: GraphCalls, subscriptions: Sequence[str]) -> list[str]:
    """Those of ``subscriptions`` whose subscription record Resource Graph does not show these credentials: it
    answered for the others and dropped these without a word."""
    rows, _ = await _scope(ctx, VISIBLE, subscriptions, None)
    seen = {str(row.get("subscriptionId") or "").lower() for row in rows}
    return [s for s in subscriptions if s.lower() not in seen]


async def run_query(
    ctx: GraphCalls,
    query: str,
    subscriptions: Sequence[str] | None = None,
    management_groups: Sequence[str] | None = None,
) -> GraphAnswer:
    """All rows of a Resource Graph ``query`` over ``subscriptions`` (batches of 1000) or ``management_groups``
    (or, with neither, every subscription the credentials can see).

    A refused batch of several subscriptions is asked again one subscription at a time, and those that still
    refuse are named in ``missing``; when nothing answers, the first error is raised.
    """
    out = GraphAnswer()
    if management_groups or not subscriptions:
        rows, truncated = await _scope(ctx, query, None, management_groups)
        out.rows, out.truncated = rows, truncated
        return out
    batches = [list(subscriptions[i : i + MAX_SUBSCRIPTIONS]) for i in range(0, len(subscriptions), MAX_SUBSCRIPTIONS)]
    errors: list[FinOpsError] = []
    answered = False
    for batch in batches:
        try:
            rows, truncated = await _scope(ctx, query, batch, None)
        except (PermissionDenied, NotFound, InvalidQuery) as exc:
            if len(batch) == 1:
                errors.append(exc)
                out.missing.append(f"subscription {batch[0]}: {exc}")
                continue

            async def alone(subscription: str) -> tuple[list[dict[str, Any]], bool]:
                return await _scope(ctx, query, [subscription], None)

            try:
                each = await fan_out(batch, alone, lambda s: f"subscription {s}")
            except FinOpsError as every:
                errors.append(every)
                out.missing.append(f"{len(batch)} subscriptions ({batch[0]}, ...): {every}")
                continue
            answered = True
            out.missing.extend(each.missing)
            for rows, truncated in each.results:
                out.rows.extend(rows)
                out.truncated = out.truncated or truncated
            continue
        except FinOpsError as exc:
            if len(batches) == 1:
                raise
            errors.append(exc)
            out.missing.append(f"{len(batch)} subscriptions ({batch[0]}, ...): {exc}")
            continue
        answered = True
        out.rows.extend(rows)
        out.truncated = out.truncated or truncated
        if len(batch) > 1:  # one unreadable subscription alone is refused (403), not dropped
            out.missing.extend(f"subscription {s}: {UNREADABLE}" for s in await unreadable(ctx, batch))
    if errors and not answered:
        raise errors[0]
    return out
