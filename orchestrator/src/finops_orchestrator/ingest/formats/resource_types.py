"""FOCUS ResourceType read from each cloud's resource identifiers (FOCUS: not null whenever ResourceId is not).

- AWS: the resource type an ARN names (``arn:aws:ec2:...:instance/i-1`` -> ``instance``), the EC2 id prefixes
  (``i-``, ``vol-``...) with the same names, else the type the product's ARNs use (S3 -> ``bucket``);
- Azure: the ``providers/<namespace>/<type>`` path of a resource id, shown as the FinOps toolkit's display name
  for it (``Virtual machine``), or as the type itself when the toolkit does not list it;
- Google Cloud: the collection in a resource's full name (``.../instances/vm-1`` -> ``Instance``).

None when an id says nothing about its type; a None id gives None.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from functools import cache, lru_cache
from importlib import resources

_EC2_PREFIXES = {
    "i-": "instance",
    "vol-": "volume",
    "snap-": "snapshot",
    "ami-": "image",
    "eipalloc-": "elastic-ip",
    "eni-": "network-interface",
    "nat-": "natgateway",
    "vpc-": "vpc",
    "vpce-": "vpc-endpoint",
    "subnet-": "subnet",
    "sg-": "security-group",
    "igw-": "internet-gateway",
    "tgw-attach-": "transit-gateway-attachment",
    "tgw-": "transit-gateway",
}
# The resource type in the ARNs of services whose ARNs name none, and of products whose CUR ids are bare names.
_BY_SERVICE = {
    "s3": "bucket",
    "sqs": "queue",
    "sns": "topic",
    "AmazonS3": "bucket",
    "AmazonCloudFront": "distribution",
    "AWSQueueService": "queue",
    "AmazonSQS": "queue",
    "AmazonSNS": "topic",
    "AWSLambda": "function",
    "AmazonDynamoDB": "table",
}


@lru_cache(maxsize=65_536)
def aws_resource_type(resource_id: str | None, product_code: str | None = None) -> str | None:
    if not resource_id:
        return None
    if resource_id.startswith("arn:"):
        parts = resource_id.split(":", 5)
        if len(parts) == 6:
            service, rest = parts[2], parts[5]
            for separator in ("/", ":"):
                if separator in rest:
                    return rest.split(separator, 1)[0]
            return _BY_SERVICE.get(service, service)
    # Longest prefix first: tgw-attach- before tgw-.
    for prefix in sorted(_EC2_PREFIXES, key=len, reverse=True):
        if resource_id.startswith(prefix):
            return _EC2_PREFIXES[prefix]
    return _BY_SERVICE.get(product_code or "")


_AZURE_PROVIDERS = re.compile(r"/providers/", re.IGNORECASE)


@cache
def _azure_display_names() -> dict[str, str]:
    """The FinOps toolkit's ResourceTypes.csv (MIT; see data/README.md): type id -> singular display name."""
    data = resources.files("finops_orchestrator") / "data" / "azure_resource_types.csv.gz"
    with gzip.open(io.BytesIO(data.read_bytes()), "rt", encoding="utf-8") as text:
        return {row["ResourceType"].lower(): row["SingularDisplayName"] for row in csv.DictReader(text)}


@lru_cache(maxsize=65_536)
def azure_resource_type(resource_id: str | None) -> str | None:
    if not resource_id:
        return None
    # The last provider segment names the type: nested resources (".../providers/A/x/n/providers/B/y/m") are B/y.
    parts = _AZURE_PROVIDERS.split(resource_id)
    segments = parts[-1].strip("/").split("/") if len(parts) > 1 else []
    if len(segments) < 3:
        return None
    # namespace/type/name/subtype/name -> namespace/type/subtype (ids are case-insensitive; the table is lower case)
    type_id = "/".join([segments[0], *segments[1::2]]).lower()
    return _azure_display_names().get(type_id, type_id)


@lru_cache(maxsize=65_536)
def google_resource_type(resource_name: str | None) -> str | None:
    """``//compute.googleapis.com/projects/p/zones/z/instances/vm-1`` -> ``Instance``."""
    if not resource_name or not resource_name.startswith("//"):
        return None
    segments = resource_name[2:].strip("/").split("/")
    if len(segments) < 3:
        return None
    collection = segments[-2]
    singular = collection[:-1] if collection.endswith("s") else collection
    return singular[:1].upper() + singular[1:]
