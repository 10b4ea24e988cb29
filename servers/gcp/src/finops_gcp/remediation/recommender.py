"""Telling the Recommender what became of a recommendation an action realized.

An action built from a Recommender recommendation carries ``recommendation_name`` (its full name,
``projects/P/locations/L/recommenders/R/recommendations/ID``) and ``recommendation_etag``. After apply, the
recommendation is marked SUCCEEDED (the change was made, or the resource was already so) or FAILED (the change
was attempted and failed), so the Recommender stops proposing it.

The marking itself is ``finops_gcp.recommendations.state``'s.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from finops_core.errors import FinOpsError, InvalidInput

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

NAME_PARAMETER = "recommendation_name"
ETAG_PARAMETER = "recommendation_etag"
PARAMETERS = (NAME_PARAMETER, ETAG_PARAMETER)
_NAME = re.compile(
    r"^(projects|billingAccounts|folders|organizations)/[^/]+/locations/[^/]+/recommenders/[^/]+/recommendations/[^/]+$"
)


def recommendation_of(parameters: dict[str, str]) -> tuple[str, str] | None:
    """(name, etag) when the action names a recommendation; both or neither must be given."""
    name = parameters.get(NAME_PARAMETER, "").strip()
    etag = parameters.get(ETAG_PARAMETER, "").strip()
    if not name and not etag:
        return None
    if not name or not etag:
        raise InvalidInput(
            f"Give both parameters.{NAME_PARAMETER} and parameters.{ETAG_PARAMETER} (as gcp_list_recommendations "
            "returns them), or neither."
        )
    if not _NAME.match(name):
        raise InvalidInput(
            f"parameters.{NAME_PARAMETER} {name!r} is not a recommendation's name "
            "(projects/P/locations/L/recommenders/R/recommendations/ID)."
        )
    return name, etag


async def mark(ctx: GcpContext, recommendation: tuple[str, str], *, succeeded: bool) -> str:
    """Mark the recommendation and say so in a sentence; a failure to mark is reported, never raised (the change
    itself is what the person asked for)."""
    name, etag = recommendation
    state = "SUCCEEDED" if succeeded else "FAILED"
    from finops_gcp.recommendations.state import mark_failed, mark_succeeded

    try:
        await (mark_succeeded if succeeded else mark_failed)(ctx, name, etag)
    except FinOpsError as exc:
        return f" Could not mark recommendation {name} {state} ({exc}); mark it in the console if wanted."
    return f" Marked recommendation {name} {state}."
