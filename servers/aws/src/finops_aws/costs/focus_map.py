"""Cost Explorer's values in FOCUS terms: record types as charge categories, services as service categories.

Cost Explorer names record types two ways (the API's ``SavingsPlanCoveredUsage`` and the console's "Savings Plan
Covered Usage"), so they are compared without spaces or case. Services map through a small table of the common
AWS services; anything else is FOCUS's "Other", as FOCUS allows.
"""

from __future__ import annotations

# FOCUS ChargeCategory for each record type (normalized: lower case, no spaces/underscores), after AWS's own
# FOCUS export: covered usage and Savings Plan negations are Usage; fees for commitments are Purchase;
# refunds, credits and negotiated discounts are Credit.
_CHARGE_CATEGORY: dict[str, str] = {
    "usage": "Usage",
    "discountedusage": "Usage",
    "reservationappliedusage": "Usage",
    "savingsplancoveredusage": "Usage",
    "savingsplannegation": "Usage",
    "tax": "Tax",
    "credit": "Credit",
    "refund": "Credit",
    "edpdiscount": "Credit",
    "enterprisediscountprogramdiscount": "Credit",
    "privateratediscount": "Credit",
    "privateratecarddiscount": "Credit",
    "bundleddiscount": "Credit",
    "distributordiscount": "Credit",
    "sppdiscount": "Credit",
    "solutionproviderprogramdiscount": "Credit",
    "discount": "Credit",
    "rifee": "Purchase",
    "recurringreservationfee": "Purchase",
    "upfrontreservationfee": "Purchase",
    "savingsplanrecurringfee": "Purchase",
    "savingsplanupfrontfee": "Purchase",
    "fee": "Purchase",
    "supportfee": "Purchase",
}


def charge_category(record_type: str) -> str:
    """The FOCUS ChargeCategory of a Cost Explorer RECORD_TYPE value; unknown types are Adjustment."""
    key = record_type.lower().replace(" ", "").replace("_", "").replace("-", "")
    return _CHARGE_CATEGORY.get(key, "Adjustment")


_AI = "AI and Machine Learning"
_DB = "Databases"
_MGMT = "Management and Governance"
_NET = "Networking"
# Cost Explorer SERVICE values -> FOCUS 1.2 ServiceCategory.
_SERVICE_CATEGORY: dict[str, str] = {
    "Amazon Elastic Compute Cloud - Compute": "Compute",
    "EC2 - Other": "Compute",
    "Amazon EC2 Container Registry (ECR)": "Compute",
    "Amazon Elastic Container Service": "Compute",
    "Amazon Elastic Container Service for Kubernetes": "Compute",
    "Amazon Elastic Kubernetes Service": "Compute",
    "AWS Lambda": "Compute",
    "AWS Batch": "Compute",
    "Amazon Lightsail": "Compute",
    "AWS Elastic Beanstalk": "Compute",
    "Savings Plans for AWS Compute usage": "Compute",
    "Amazon Simple Storage Service": "Storage",
    "Amazon Elastic Block Store": "Storage",
    "Amazon Elastic File System": "Storage",
    "Amazon FSx": "Storage",
    "Amazon Glacier": "Storage",
    "AWS Backup": "Storage",
    "AWS Storage Gateway": "Storage",
    "Amazon Relational Database Service": _DB,
    "Amazon DynamoDB": _DB,
    "Amazon ElastiCache": _DB,
    "Amazon DocumentDB (with MongoDB compatibility)": _DB,
    "Amazon Neptune": _DB,
    "Amazon MemoryDB": _DB,
    "Amazon Keyspaces (for Apache Cassandra)": _DB,
    "Amazon Timestream": _DB,
    "Amazon Redshift": "Analytics",
    "Amazon Athena": "Analytics",
    "AWS Glue": "Analytics",
    "Amazon Kinesis": "Analytics",
    "Amazon Kinesis Firehose": "Analytics",
    "Amazon Elastic MapReduce": "Analytics",
    "Amazon OpenSearch Service": "Analytics",
    "Amazon QuickSight": "Analytics",
    "Amazon Managed Streaming for Apache Kafka": "Analytics",
    "Amazon SageMaker": _AI,
    "Amazon Bedrock": _AI,
    "Amazon Rekognition": _AI,
    "Amazon Comprehend": _AI,
    "Amazon Textract": _AI,
    "Amazon Transcribe": _AI,
    "Amazon Translate": _AI,
    "Amazon Polly": _AI,
    "Savings Plans for AWS Machine Learning": _AI,
    "Amazon CloudFront": _NET,
    "Amazon Virtual Private Cloud": _NET,
    "Amazon Route 53": _NET,
    "Amazon API Gateway": _NET,
    "Elastic Load Balancing": _NET,
    "AWS Data Transfer": _NET,
    "AWS Direct Connect": _NET,
    "AWS Global Accelerator": _NET,
    "AmazonCloudWatch": _MGMT,
    "AWS CloudTrail": _MGMT,
    "AWS Config": _MGMT,
    "AWS Systems Manager": _MGMT,
    "AWS CloudFormation": _MGMT,
    "AWS Cost Explorer": _MGMT,
    "AWS Key Management Service": "Security",
    "AWS WAF": "Security",
    "Amazon GuardDuty": "Security",
    "AWS Security Hub": "Security",
    "AWS Secrets Manager": "Security",
    "AWS Shield": "Security",
    "Amazon Inspector": "Security",
    "Amazon Macie": "Security",
    "AWS Certificate Manager": "Security",
    "Amazon Cognito": "Identity",
    "AWS Directory Service": "Identity",
    "Amazon Simple Queue Service": "Integration",
    "Amazon Simple Notification Service": "Integration",
    "Amazon EventBridge": "Integration",
    "AWS Step Functions": "Integration",
    "Amazon MQ": "Integration",
    "AWS AppSync": "Integration",
    "AWS CodeBuild": "Developer Tools",
    "AWS CodePipeline": "Developer Tools",
    "AWS CodeArtifact": "Developer Tools",
    "AWS X-Ray": "Developer Tools",
    "Amazon Simple Email Service": "Business Applications",
    "Amazon Connect": "Business Applications",
    "Amazon WorkSpaces": "Compute",
    "AWS Elemental MediaConvert": "Media",
    "AWS Database Migration Service": "Migration",
    "AWS Transfer Family": "Migration",
    "AWS DataSync": "Migration",
    "AWS Amplify": "Web",
}
# Families of services named by a common prefix ("AWS Support (Business)", "AWS IoT Core", ...).
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("AWS Support", _MGMT),
    ("AWS IoT", "Internet of Things"),
    ("Amazon SageMaker", _AI),
    ("Amazon Bedrock", _AI),
    ("Savings Plans for", "Compute"),
)


def service_category(service: str | None) -> str:
    """The FOCUS ServiceCategory of a Cost Explorer SERVICE value ("Other" when unknown, as FOCUS allows)."""
    if not service:
        return "Other"
    found = _SERVICE_CATEGORY.get(service)
    if found is not None:
        return found
    return next((category for prefix, category in _PREFIXES if service.startswith(prefix)), "Other")


# Services whose whole cost is of one charge category, for daily rows grouped by account and service (where the
# record type is not at hand): Cost Explorer reports tax as the service "Tax" and Savings Plans fees as their own.
def charge_category_of_service(service: str) -> str:
    if service == "Tax":
        return "Tax"
    if service.startswith("Savings Plans for"):
        return "Purchase"
    return "Usage"
