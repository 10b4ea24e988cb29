"""What an AWS account holds and what of it is waste: the inventory (with list-price estimates) and our
own waste rules over it and CloudWatch."""

from finops_aws.inventory.pricing import PriceBook
from finops_aws.inventory.resources import list_resources
from finops_aws.inventory.waste import waste_findings

__all__ = ["PriceBook", "list_resources", "waste_findings"]
