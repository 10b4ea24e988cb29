"""AWS savings recommendations: Cost Optimization Hub, Compute Optimizer and Cost Explorer, normalized to core
``Recommendation`` and de-duplicated.

``await all_recommendations(ctx)`` -> (merged recommendations, missing lines); ``merge(recs)`` de-duplicates
any core recommendations (also our own waste findings) and ranks them by monthly savings.
"""

from finops_aws.recommendations.merge import merge
from finops_aws.recommendations.sources import all_recommendations

__all__ = ["all_recommendations", "merge"]
