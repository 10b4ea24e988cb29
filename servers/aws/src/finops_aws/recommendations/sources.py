"""Every AWS recommendation source at once; a source that fails is named, the others still answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import anyio
from finops_core.errors import FinOpsError
from finops_core.models import Recommendation

from finops_aws.recommendations.compute_optimizer import compute_optimizer_recommendations
from finops_aws.recommendations.explorer import rightsizing_recommendations, savings_plans_recommendations
from finops_aws.recommendations.hub import hub_recommendations
from finops_aws.recommendations.merge import merge

if TYPE_CHECKING:
    from finops_aws.context import AwsContext

Source = Callable[["AwsContext"], Awaitable[tuple[list[Recommendation], list[str]]]]


def _whole(fetch: Callable[[AwsContext], Awaitable[list[Recommendation]]]) -> Source:
    async def run(ctx: AwsContext) -> tuple[list[Recommendation], list[str]]:
        return await fetch(ctx), []

    return run


# (name in a partial answer's note, how to ask it)
SOURCES: tuple[tuple[str, Source], ...] = (
    ("Cost Optimization Hub", _whole(hub_recommendations)),
    ("Compute Optimizer", compute_optimizer_recommendations),
    ("Cost Explorer rightsizing", _whole(rightsizing_recommendations)),
    ("Cost Explorer Savings Plans", _whole(savings_plans_recommendations)),
)


async def all_recommendations(ctx: AwsContext) -> tuple[list[Recommendation], list[str]]:
    """Recommendations from every source, merged (see ``merge``), and a line for each source, account or region
    that could not answer (a source not opted in, access denied, throttled past the retries).

    Cost Optimization Hub and Cost Explorer answer organization-wide from the credentials' (management) account;
    Compute Optimizer is asked in every account and region. The Cost Explorer calls are paid and cached.
    When every source fails, the first error is raised: a partial answer of nothing helps nobody.
    """
    found: list[list[Recommendation]] = [[] for _ in SOURCES]
    missing: list[list[str]] = [[] for _ in SOURCES]
    errors: list[FinOpsError] = []

    async def one(i: int, name: str, source: Source) -> None:
        try:
            found[i], lines = await source(ctx)
            missing[i] = [f"{name}: {line}" for line in lines]
        except FinOpsError as exc:
            errors.append(exc)
            missing[i] = [f"{name}: {exc}"]

    async with anyio.create_task_group() as tg:
        for i, (name, source) in enumerate(SOURCES):
            tg.start_soon(one, i, name, source)
    if len(errors) == len(SOURCES):
        raise errors[0]
    return merge([rec for recs in found for rec in recs]), [line for lines in missing for line in lines]
