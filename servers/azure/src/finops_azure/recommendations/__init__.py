"""Azure savings recommendations: Azure Advisor's Cost category, normalized to core ``Recommendation`` and
de-duplicated.

``await all_recommendations(ctx)`` -> (merged recommendations, missing lines); ``merge(recs)`` de-duplicates any
core recommendations (also Cost Management benefit recommendations and our own waste findings) and ranks them by
monthly savings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from finops_core.models import Recommendation

from finops_azure.recommendations.advisor import advisor_recommendations
from finops_azure.recommendations.merge import merge

if TYPE_CHECKING:
    from finops_azure.context import AzureContext

__all__ = ["advisor_recommendations", "all_recommendations", "merge"]


async def all_recommendations(ctx: AzureContext) -> tuple[list[Recommendation], list[str]]:
    """Advisor's Cost recommendations in every subscription, merged (see ``merge``), and a line for each
    subscription that could not answer. When every subscription fails, the first error is raised."""
    found, missing = await advisor_recommendations(ctx)
    return merge(found), [f"Azure Advisor: {line}" for line in missing]
