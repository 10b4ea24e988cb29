"""One list of recommendations from several sources: the same change named twice is kept once.

Cost Optimization Hub, Compute Optimizer, Cost Explorer and our own waste rules often see the same instance.
Two recommendations are the same when they name the same resource (an ARN and its plain id match) in the
same account and propose the same kind of change (resize or modernize; stop or delete). Commitments (Savings
Plans, Reserved Instances) from several sources are the same when they would cover the same usage. The
recommendation of the most trusted source is kept (Hub, Compute Optimizer, Cost Explorer, then our rules);
savings are never added together (they are one saving, estimated twice), and the detail names the others.
"""

from __future__ import annotations

import re

from finops_core.models import Recommendation
from finops_core.ranking import change_of, merge_by

from finops_aws.recommendations.common import PRIORITY, plain_id

# Commitments that cover the same EC2 usage: buying one makes the other's savings vanish.
_COMMITMENT_COVERAGE = {
    "ComputeSavingsPlans": "compute",
    "Ec2InstanceSavingsPlans": "compute",
    "Ec2ReservedInstances": "compute",
}
# EC2-style ids (i-0abc..., vol-..., eipalloc-...) are unique within a partition; names are not, even per account.
_UNIQUE_ID = re.compile(r"[a-z]+-[0-9a-f]{8,17}")

Key = tuple[str, ...]


def merge_key(rec: Recommendation) -> Key | None:
    """What makes two recommendations the same change; None when nothing can match it."""
    if rec.kind == "commitment":
        coverage = _COMMITMENT_COVERAGE.get(rec.resource_id or "", rec.resource_id or "compute")
        return ("commitment", rec.provider, coverage)
    resource = plain_id(rec.resource_id)
    if not resource:
        return None
    region = "" if _UNIQUE_ID.fullmatch(resource) else (rec.region or "")
    return ("resource", rec.provider, rec.account_id or "", region, resource, change_of(rec.kind))


def merge(recommendations: list[Recommendation]) -> list[Recommendation]:
    """De-duplicated and ranked by monthly savings (largest first): for a change several sources name, only the
    most trusted source's recommendations are kept, the others named in ``detail`` (``finops_core.ranking``)."""
    return merge_by(recommendations, key=merge_key, priority=PRIORITY)
