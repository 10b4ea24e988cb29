"""Every service table gives only FOCUS 1.2's allowed (category, subcategory) pairs, and the demo company's
services are filed where ingest files the same names."""

from __future__ import annotations

import pytest
from finops_core.sandbox.company import AWS, AZURE, GCP, CloudSpec
from finops_core.service_categories import AWS as AWS_SERVICES
from finops_core.service_categories import AZURE as AZURE_SERVICES
from finops_core.service_categories import GOOGLE as GOOGLE_SERVICES
from finops_core.service_categories import OTHER, SUBCATEGORIES, Classification, classify

TABLES = {"aws": AWS_SERVICES, "azure": AZURE_SERVICES, "gcp": GOOGLE_SERVICES}


@pytest.mark.parametrize("cloud", TABLES)
def test_each_table_gives_only_allowed_pairs(cloud: str) -> None:
    pairs: set[Classification] = set(TABLES[cloud].values())
    assert all(sub in SUBCATEGORIES[category] for category, sub in pairs)


def test_an_unknown_service_is_other_and_names_are_trimmed() -> None:
    assert classify(AWS_SERVICES, "Something New") == OTHER
    assert classify(AWS_SERVICES, None) == OTHER
    assert classify(AWS_SERVICES, " Amazon Simple Storage Service ") == ("Storage", "Object Storage")


@pytest.mark.parametrize("spec", [AWS, AZURE, GCP], ids=lambda s: s.cloud)
def test_the_demo_company_files_its_services_where_ingest_files_them(spec: CloudSpec) -> None:
    assert all(classify(TABLES[spec.cloud], s.service)[0] == s.category for s in spec.series)
