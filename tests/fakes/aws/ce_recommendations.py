"""Cost Explorer's recommendation calls (AWS JSON 1.1) on ``AwsJsonFake``: GetRightsizingRecommendation (paged by
NextPageToken) and GetSavingsPlansPurchaseRecommendation. Amounts are decimal strings, as Cost Explorer sends.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.aws.json_service import AwsFault, AwsJsonFake

RIGHTSIZING = "AWSInsightsIndexService.GetRightsizingRecommendation"
SAVINGS_PLANS = "AWSInsightsIndexService.GetSavingsPlansPurchaseRecommendation"
ACCOUNT = "123456789012"


def _details(instance_type: str, region: str, rate: str) -> dict[str, Any]:
    return {
        "EC2ResourceDetails": {
            "HourlyOnDemandRate": rate,
            "InstanceType": instance_type,
            "Platform": "Linux/UNIX",
            "Region": region,
            "Sku": "Q5KJ5ZBY3M2EU4VM",
            "Memory": "32 GiB",
            "NetworkPerformance": "Up to 10 Gigabit",
            "Storage": "EBS only",
            "Vcpu": "8",
        }
    }


def _current(instance_id: str, instance_type: str, region: str, account_id: str, cost: str) -> dict[str, Any]:
    return {
        "ResourceId": instance_id,
        "InstanceName": "web-1",
        "Tags": [],
        "ResourceDetails": _details(instance_type, region, "0.384"),
        "ResourceUtilization": {
            "EC2ResourceUtilization": {
                "MaxCpuUtilizationPercentage": "12",
                "MaxMemoryUtilizationPercentage": "",
                "MaxStorageUtilizationPercentage": "",
            }
        },
        "ReservationCoveredHoursInLookbackPeriod": "0",
        "SavingsPlansCoveredHoursInLookbackPeriod": "0",
        "OnDemandHoursInLookbackPeriod": "336",
        "TotalRunningHoursInLookbackPeriod": "336",
        "MonthlyCost": cost,
        "CurrencyCode": "USD",
    }


def modify(
    instance_id: str = "i-0a1b2c3d4e5f60718",
    *,
    current: str = "m5.2xlarge",
    target: str = "m5.xlarge",
    savings: str = "140.1600000000",
    region: str = "US East (N. Virginia)",
    account_id: str = ACCOUNT,
    currency: str = "USD",
) -> dict[str, Any]:
    """A MODIFY recommendation: two targets, the default one being ``target``."""
    return {
        "AccountId": account_id,
        "CurrentInstance": _current(instance_id, current, region, account_id, "280.32"),
        "RightsizingType": "MODIFY",
        "ModifyRecommendationDetail": {
            "TargetInstances": [
                {
                    "EstimatedMonthlyCost": "210.24",
                    "EstimatedMonthlySavings": "70.08",
                    "CurrencyCode": currency,
                    "DefaultTargetInstance": False,
                    "ResourceDetails": _details("m6i.2xlarge", region, "0.288"),
                    "PlatformDifferences": [],
                },
                {
                    "EstimatedMonthlyCost": "140.16",
                    "EstimatedMonthlySavings": savings,
                    "CurrencyCode": currency,
                    "DefaultTargetInstance": True,
                    "ResourceDetails": _details(target, region, "0.192"),
                    "PlatformDifferences": [],
                },
            ]
        },
        "FindingReasonCodes": ["CPU_OVER_PROVISIONED"],
    }


def terminate(
    instance_id: str = "i-0fedcba9876543210",
    *,
    savings: str = "35.04",
    region: str = "EU (Ireland)",
    account_id: str = "210987654321",
) -> dict[str, Any]:
    return {
        "AccountId": account_id,
        "CurrentInstance": _current(instance_id, "t3.large", region, account_id, "60.74"),
        "RightsizingType": "TERMINATE",
        "TerminateRecommendationDetail": {"EstimatedMonthlySavings": savings, "CurrencyCode": "USD"},
        "FindingReasonCodes": ["CPU_OVER_PROVISIONED"],
    }


def savings_plans(monthly_savings: str = "412.3456", hourly: str = "1.25", currency: str = "USD") -> dict[str, Any]:
    """A GetSavingsPlansPurchaseRecommendation answer for a Compute Savings Plan (1 year, no upfront)."""
    return {
        "Metadata": {
            "RecommendationId": "d1a5c1b3-7f0e-4b71-9a44-0c8b1f6e2a10",
            "GenerationTimestamp": "2024-06-19T09:00:00Z",
            "AdditionalMetadata": "",
        },
        "SavingsPlansPurchaseRecommendation": {
            "AccountScope": "PAYER",
            "SavingsPlansType": "COMPUTE_SP",
            "TermInYears": "ONE_YEAR",
            "PaymentOption": "NO_UPFRONT",
            "LookbackPeriodInDays": "THIRTY_DAYS",
            "SavingsPlansPurchaseRecommendationDetails": [
                {
                    "SavingsPlansDetails": {"OfferingId": "0a1b2c3d-compute-1y-nu"},
                    "AccountId": ACCOUNT,
                    "UpfrontCost": "0",
                    "EstimatedROI": "45.2",
                    "CurrencyCode": currency,
                    "EstimatedSPCost": "912.50",
                    "EstimatedOnDemandCost": "1324.85",
                    "EstimatedSavingsAmount": monthly_savings,
                    "EstimatedSavingsPercentage": "31.12",
                    "HourlyCommitmentToPurchase": hourly,
                    "EstimatedAverageUtilization": "99.8",
                    "EstimatedMonthlySavingsAmount": monthly_savings,
                    "CurrentAverageHourlyOnDemandSpend": "1.81",
                    "RecommendationDetailId": "5b3e0c1a-9d2f-4e6b-8a71-3c0f5e2d9b14",
                }
            ],
            "SavingsPlansPurchaseRecommendationSummary": {
                "EstimatedROI": "45.2",
                "CurrencyCode": currency,
                "EstimatedTotalCost": "912.50",
                "CurrentOnDemandSpend": "1324.85",
                "EstimatedSavingsAmount": monthly_savings,
                "TotalRecommendationCount": "1",
                "DailyCommitmentToPurchase": "30",
                "HourlyCommitmentToPurchase": hourly,
                "EstimatedSavingsPercentage": "31.12",
                "EstimatedMonthlySavingsAmount": monthly_savings,
                "EstimatedOnDemandCostWithCurrentCommitment": "1324.85",
            },
        },
    }


def install(
    fake: AwsJsonFake,
    rightsizing: list[dict[str, Any]] | None = None,
    plan: dict[str, Any] | None = None,
    *,
    page_size: int = 2,
) -> None:
    """Serve ``rightsizing`` recommendations (``page_size`` a page) and the Savings Plans answer ``plan``
    (an empty recommendation when None, as for an account without steady usage)."""
    items = rightsizing or []

    def get_rightsizing(body: dict[str, Any]) -> dict[str, Any]:
        if body.get("Service") != "AmazonEC2":
            raise AwsFault("ValidationException", "Service must be AmazonEC2")  # the model names no error for it
        config = body.get("Configuration")
        if config is not None and set(config) != {"RecommendationTarget", "BenefitsConsidered"}:
            raise AwsFault("ValidationException", "Configuration needs RecommendationTarget and BenefitsConsidered")
        token = body.get("NextPageToken")
        start = int(str(token).removeprefix("ce-rs-")) if token else 0
        end = start + min(page_size, body.get("PageSize") or page_size)
        answer: dict[str, Any] = {
            "Metadata": {
                "RecommendationId": "6d0f0d5e-rightsizing",
                "GenerationTimestamp": "2024-06-19T09:00:00Z",
                "LookbackPeriodInDays": "SEVEN_DAYS",
            },
            "Summary": {
                "TotalRecommendationCount": str(len(items)),
                "EstimatedTotalMonthlySavingsAmount": "175.2",
                "SavingsCurrencyCode": "USD",
                "SavingsPercentage": "41",
            },
            "RightsizingRecommendations": items[start:end],
            "Configuration": config or {"RecommendationTarget": "SAME_INSTANCE_FAMILY", "BenefitsConsidered": True},
        }
        if end < len(items):
            answer["NextPageToken"] = f"ce-rs-{end}"
        return answer

    def get_savings_plans(body: dict[str, Any]) -> dict[str, Any]:
        for key in ("SavingsPlansType", "TermInYears", "PaymentOption"):
            if key not in body:
                raise AwsFault("ValidationException", f"Missing required parameter {key}")
        if plan is None:
            return {"Metadata": {"RecommendationId": "none"}, "SavingsPlansPurchaseRecommendation": {}}
        return plan

    fake.route(RIGHTSIZING, get_rightsizing)
    fake.route(SAVINGS_PLANS, get_savings_plans)
