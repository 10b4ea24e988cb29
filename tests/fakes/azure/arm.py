"""``ArmFake``: a local Azure Resource Manager (``management.azure.com``) for the tests.

Real Azure SDK clients are pointed at ``fake.url`` (``resource_manager_url`` in ``[azure]``). Routes, faults and
recorded requests work as in ``tests.fakes.rest.RestFake``; errors come in ARM's shape
(``{"error": {"code", "message"}}``), and a request without a bearer token gets 401. Cost Management's throttling
is a ``throttle`` fault with the header to test, e.g. ``x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after``.
"""

from __future__ import annotations

from tests.fakes.rest import RestError as ArmError
from tests.fakes.rest import RestFake
from tests.fakes.rest import RestRequest as ArmRequest
from tests.fakes.rest import RestResponse as ArmResponse

__all__ = ["ArmError", "ArmFake", "ArmRequest", "ArmResponse", "require_api_version"]


class ArmFake(RestFake):
    require_bearer = True


def require_api_version(request: ArmRequest) -> None:
    """Resource Manager refuses a request without ``api-version``."""
    if "api-version" not in request.query:
        raise ArmError(400, "MissingApiVersionParameter", "The api-version query parameter is required.")
