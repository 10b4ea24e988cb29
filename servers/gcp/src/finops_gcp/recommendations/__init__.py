"""Google Cloud savings recommendations from the Recommender API, normalized to core ``Recommendation``.

``await all_recommendations(ctx)`` -> (merged recommendations, missing lines); ``merge(recs)`` de-duplicates any
core recommendations (our waste rules' too) and ranks them; ``mark_claimed`` / ``mark_succeeded`` /
``mark_failed`` tell the Recommender what remediation did.
"""

from finops_gcp.recommendations.merge import all_recommendations, merge
from finops_gcp.recommendations.state import mark_claimed, mark_failed, mark_succeeded

__all__ = ["all_recommendations", "mark_claimed", "mark_failed", "mark_succeeded", "merge"]
