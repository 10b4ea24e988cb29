"""FOCUS RegionId and RegionName together (FOCUS: a name exactly when there is an id).

- AWS: the CUR names a region by code (``product/regionCode``) and by location (``product/location``), but
  not always both on one row; each is filled from the other with AWS's own code/name pairs.
- Azure: exports spell a resource's location many ways (``EastUS``, ``East US``, ``eastus``); the FinOps
  toolkit's Regions.csv (MIT; see data/README.md) maps each spelling to the region id and display name.
"""

from __future__ import annotations

import csv
import gzip
import io
from functools import cache
from importlib import resources

AWS_REGIONS = {
    "af-south-1": "Africa (Cape Town)",
    "ap-east-1": "Asia Pacific (Hong Kong)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-northeast-2": "Asia Pacific (Seoul)",
    "ap-northeast-3": "Asia Pacific (Osaka)",
    "ap-south-1": "Asia Pacific (Mumbai)",
    "ap-south-2": "Asia Pacific (Hyderabad)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-southeast-3": "Asia Pacific (Jakarta)",
    "ap-southeast-4": "Asia Pacific (Melbourne)",
    "ca-central-1": "Canada (Central)",
    "ca-west-1": "Canada West (Calgary)",
    "eu-central-1": "EU (Frankfurt)",
    "eu-central-2": "EU (Zurich)",
    "eu-north-1": "EU (Stockholm)",
    "eu-south-1": "EU (Milan)",
    "eu-south-2": "EU (Spain)",
    "eu-west-1": "EU (Ireland)",
    "eu-west-2": "EU (London)",
    "eu-west-3": "EU (Paris)",
    "il-central-1": "Israel (Tel Aviv)",
    "me-central-1": "Middle East (UAE)",
    "me-south-1": "Middle East (Bahrain)",
    "sa-east-1": "South America (Sao Paulo)",
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "us-gov-east-1": "AWS GovCloud (US-East)",
    "us-gov-west-1": "AWS GovCloud (US-West)",
}
_AWS_CODES = {name: code for code, name in AWS_REGIONS.items()}


def aws_region(code: str | None, location: str | None) -> tuple[str | None, str | None]:
    """(RegionId, RegionName) from the CUR's region code and location, each filling the other."""
    code = code or _AWS_CODES.get(location or "")
    return code, (location or AWS_REGIONS.get(code or "")) if code else None


@cache
def _azure_regions() -> dict[str, tuple[str, str]]:
    data = resources.files("finops_orchestrator") / "data" / "azure_regions.csv.gz"
    with gzip.open(io.BytesIO(data.read_bytes()), "rt", encoding="utf-8") as text:
        return {row["OriginalValue"].lower(): (row["RegionId"], row["RegionName"]) for row in csv.DictReader(text)}


def azure_region(location: str | None, meter_region: str | None) -> tuple[str | None, str | None]:
    """(RegionId, RegionName) of a resource location in any of Azure's spellings; an unknown spelling keeps
    the file's own id, named by the meter's region."""
    if not location:
        return None, None
    return _azure_regions().get(location.strip().lower(), (location, meter_region or location))
