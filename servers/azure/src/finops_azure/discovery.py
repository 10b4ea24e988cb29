"""Which subscriptions to cover when ``[azure]`` names none: those the credentials can see (or those under
``management_group``), found with one Azure Resource Graph query over ``ResourceContainers``."""

from __future__ import annotations

from finops_core.errors import ConfigError

from finops_azure.inventory.graph import GraphCalls, run_query
from finops_azure.settings import AzureSettings

QUERY = (
    "ResourceContainers"
    " | where type =~ 'microsoft.resources/subscriptions'"
    " | project subscriptionId, name, properties"
    " | order by subscriptionId asc"
)
# Subscriptions in these states answer no query (Disabled, Deleted): skipping them avoids a partial answer.
USABLE_STATES = {"enabled", "pastdue", "warned", ""}


async def discover_subscriptions(ctx: GraphCalls, settings: AzureSettings) -> list[str]:
    """The ids of the enabled subscriptions the credentials can read (within ``settings.management_group``
    when it is set), sorted; a ``ConfigError`` saying what to do when there are none."""
    group = settings.management_group
    answer = await run_query(ctx, QUERY, management_groups=[group] if group else None)
    found: list[str] = []
    for row in answer.rows:
        subscription = str(row.get("subscriptionId") or "")
        properties = row.get("properties")
        state = str(properties.get("state") or "") if isinstance(properties, dict) else ""  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]
        if subscription and state.lower() in USABLE_STATES:
            found.append(subscription)
    if not found:
        where = f"under management group {group}" if group else "for these credentials"
        raise ConfigError(
            f"No enabled Azure subscription is visible {where}. Grant the credentials Reader on the subscriptions "
            "(or the management group), or list them in subscriptions under [azure] of finops.toml."
        )
    return sorted(dict.fromkeys(found))
