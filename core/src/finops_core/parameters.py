"""The tool parameters several tools share, each described once: ``Annotated`` types whose ``Field`` description is
what a model reads in the tool's input schema. A tool with a parameter of the same meaning uses the type here, so the
same argument never reads two ways on two tools (issue 19)."""

from typing import Annotated

from pydantic import Field

from finops_core.bounds import Day, Id, IdMap, Ids, Token
from finops_core.models import ActionKind, CostMetric, Dimension, Granularity

# A period and the groups to list, on a cloud's own cost tools (``finops_core.cost_tools``).
StartDay = Annotated[Day, Field(description="YYYY-MM-DD")]
EndDay = Annotated[Day, Field(description="YYYY-MM-DD, exclusive")]
TopN = Annotated[int, Field(ge=1, le=100)]

# A period and what is asked of it (the cost query and the orchestrator's analysis tools).
StartParam = Annotated[Day | None, Field(description="First day, YYYY-MM-DD. Default: 30 days before end.")]
EndParam = Annotated[
    Day | None,
    Field(description="Day after the last day (exclusive), YYYY-MM-DD. Default: today, i.e. through yesterday."),
]
GroupByParam = Annotated[list[Dimension] | None, Field(description="Up to two dimensions.", max_length=2)]
TagKeyParam = Annotated[Id | None, Field(description="Also group by this tag key; untagged = null.")]
GranularityParam = Annotated[
    Granularity,
    Field(
        description="Weeks are ISO (Monday to Sunday). A week or month cut by start or end is labelled by its "
        "first day in the period and listed in partial_periods."
    ),
]
MetricParam = Annotated[
    CostMetric,
    Field(description="effective (amortized, default), billed (invoice cash), list (before discounts) or contracted."),
]
ProvidersParam = Annotated[Ids | None, Field(description="Only these providers: AWS, Microsoft, Google Cloud.")]
ServicesParam = Annotated[Ids | None, Field(description="Only these service names.")]
AccountsParam = Annotated[
    Ids | None, Field(description="Only these sub-account ids (AWS account, subscription, project).")
]
RegionsParam = Annotated[Ids | None, Field(description="Only these region ids.")]
TopNParam = Annotated[int, Field(description="Groups to list before folding the rest into '(other)'.", ge=1, le=500)]

# A change to one resource (plan, apply, read its tags).
KindParam = Annotated[ActionKind, Field(description="What to do.")]
ResourceIdParam = Annotated[Id, Field(description="The resource's id, as listed.")]
ActionParams = Annotated[
    IdMap | None,
    Field(
        description="new_size for resize_instance; snapshot_first ('true'/'false') for delete_volume; "
        "the tags to set for set_tags; transition_days+storage_class, expire_days, prefix for add_lifecycle_rule; "
        "region and account_id as listed."
    ),
]
ApprovalParam = Annotated[
    Token | None,
    Field(description="Set by the finops orchestrator for a change a person approved there; leave empty otherwise."),
]
