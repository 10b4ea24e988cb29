"""Tag policies as findings: resources missing a required tag or carrying a value not allowed, costliest first,
counted per cloud and per key, with the non-compliant monthly cost per currency; through the MCP tool on the
sandbox, with a failing cloud covered by its last sync and an unconnected one named."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from finops_core.errors import Unavailable
from finops_core.models import CLOUDS, Cloud, Resource
from finops_core.money import Money
from finops_core.provider import ResourceInventory, ResourceType
from finops_core.sandbox import SandboxProvider
from finops_core.store import Snapshot, Store
from finops_orchestrator.analysis.tag_policy import tag_findings
from finops_orchestrator.policy import Policy
from finops_orchestrator.providers import demo_status
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client

from tests.conftest import AS_OF

pytestmark = pytest.mark.anyio

POLICIES = """
[[tag_policies]]
key = "team"
allowed = ["web", "data", "platform"]
resource_types = ["instance", "volume"]

[[tag_policies]]
key = "env"
providers = ["aws", "gcp"]
"""


def _policy(tmp_path: Path, text: str = POLICIES) -> Policy:
    (tmp_path / "policy.toml").write_text(text)
    return Policy.load(tmp_path / "policy.toml")


def _resource(
    resource_id: str,
    tags: dict[str, str],
    cost: str | None = "10",
    *,
    provider: Cloud = "aws",
    kind: ResourceType = "instance",
    currency: str = "USD",
) -> Resource:
    return Resource(
        provider=provider,
        resource_id=resource_id,
        name=resource_id.upper(),
        resource_type=kind,
        account_id="1",
        tags=tags,
        monthly_cost=Money(amount=Decimal(cost), currency=currency) if cost is not None else None,
    )


def test_missing_and_disallowed_tags_are_findings_ranked_by_monthly_cost(tmp_path: Path) -> None:
    resources = [
        _resource("i-ok", {"team": "web", "env": "prod"}, "500"),
        _resource("i-none", {}, "20"),
        _resource("i-bi", {"team": "bi", "env": "dev"}, "300"),
        _resource("i-empty", {"team": " ", "env": "dev"}, "40"),  # an empty value allocates nothing: missing
        _resource("i-case", {"Team": "web", "env": "dev"}, "30"),  # AWS keys are case-sensitive
        _resource("vm-case", {"Team": "web"}, "70", provider="azure", currency="EUR"),  # Azure keys are not
        _resource("vm-free", {}, None, provider="azure"),
        _resource("ip-1", {"env": "prod"}, "1", kind="ip"),  # team applies to instances and volumes only
    ]
    report = tag_findings(_policy(tmp_path), resources, top_n=3)
    assert [(f.resource_id, f.key, f.problem) for f in report.findings] == [
        ("i-bi", "team", "value 'bi' not allowed"),
        ("i-empty", "team", "missing"),
        ("i-case", "team", "missing"),
    ]
    assert (report.count, report.truncated) == (6, True)  # i-none twice, vm-free once
    assert report.findings[0].name == "I-BI"
    assert report.findings[0].monthly_cost == Money(amount=Decimal(300), currency="USD")
    assert (report.checked, report.compliant, report.non_compliant) == (8, 3, 5)
    assert report.non_compliant_monthly_cost == [Money(amount=Decimal(390), currency="USD")]  # i-none counted once
    assert [(k.key, k.missing, k.not_allowed) for k in report.by_key] == [("team", 4, 1), ("env", 1, 0)]
    assert [(p.provider, p.checked, p.non_compliant, p.findings) for p in report.by_provider] == [
        ("aws", 6, 4, 5),
        ("azure", 2, 1, 1),
    ]
    assert report.policies == [
        "tag 'team' required, one of web, data, platform (every cloud; instance, volume)",
        "tag 'env' required (AWS, Google Cloud; every resource type)",
    ]
    assert "estimates" in report.note


def test_an_optional_tag_with_allowed_values_checks_only_the_values_present(tmp_path: Path) -> None:
    policy = _policy(tmp_path, '[[tag_policies]]\nkey = "tier"\nrequired = false\nallowed = ["gold"]\n')
    report = tag_findings(policy, [_resource("i-1", {}), _resource("i-2", {"tier": "silver"})])
    assert [(f.resource_id, f.problem) for f in report.findings] == [("i-2", "value 'silver' not allowed")]


def test_without_tag_policies_the_answer_says_how_to_add_them(tmp_path: Path) -> None:
    report = tag_findings(Policy.load(tmp_path / "policy.toml"), [_resource("i-1", {})])
    assert (report.count, report.checked, report.findings) == (0, 0, [])
    assert "No tag policies are configured: add [[tag_policies]]" in report.note
    assert str(tmp_path / "policy.toml") in report.note


async def _call(store: Store, providers: list[SandboxProvider], policy: Policy, top_n: int) -> dict[str, Any]:
    server = build_orchestrator(
        OrchestratorState(
            store=store,
            is_demo=True,
            today=lambda: AS_OF,
            providers=providers,
            statuses=[demo_status(p.cloud) for p in providers],
            policy=policy,
        )
    )
    async with Client(server) as client:
        result = await client.call_tool("finops_tag_policy", {"top_n": top_n})
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def test_the_tool_reports_the_sandbox_s_tag_findings_as_computed_from_its_inventory(tmp_path: Path) -> None:
    providers = [SandboxProvider(c, as_of=AS_OF) for c in CLOUDS]
    body = await _call(Store(tmp_path / "s.sqlite"), providers, _policy(tmp_path), top_n=5)

    # The same rules, worked out here straight from the sandbox's resource list.
    expected: list[tuple[Decimal, str, str, str, str]] = []
    checked = 0
    costs: defaultdict[str, Decimal] = defaultdict(Decimal)
    for provider in providers:
        for r in (await provider.list_resources(limit=500)).resources:
            problems: list[tuple[str, str]] = []
            if r.resource_type in ("instance", "volume"):
                team = r.tags.get("team")
                if not team:
                    problems.append(("team", "missing"))
                elif team not in ("web", "data", "platform"):
                    problems.append(("team", f"value '{team}' not allowed"))
            if r.provider in ("aws", "gcp") and not r.tags.get("env"):
                problems.append(("env", "missing"))
            checked += r.resource_type in ("instance", "volume") or r.provider in ("aws", "gcp")
            assert r.monthly_cost is not None
            if problems:
                costs[r.monthly_cost.currency] += r.monthly_cost.amount
            expected += [(r.monthly_cost.amount, r.provider, r.resource_id, k, p) for k, p in problems]
    expected.sort(key=lambda f: (-f[0], f[1], f[2], f[3]))

    assert [(f["resource_id"], f["key"], f["problem"]) for f in body["findings"]] == [e[2:] for e in expected[:5]]
    assert [Decimal(f["monthly_cost"]["amount"]) for f in body["findings"]] == [e[0] for e in expected[:5]]
    assert (body["count"], body["truncated"]) == (len(expected), True)
    assert body["checked"] == checked
    non_compliant = len({(e[1], e[2]) for e in expected})
    assert (body["non_compliant"], body["compliant"]) == (non_compliant, checked - non_compliant)
    assert {m["currency"]: Decimal(m["amount"]) for m in body["non_compliant_monthly_cost"]} == dict(costs)
    by_key = {k["key"]: (k["missing"], k["not_allowed"]) for k in body["by_key"]}
    for key in ("team", "env"):
        missing = sum(1 for e in expected if e[3] == key and e[4] == "missing")
        assert by_key[key] == (missing, sum(1 for e in expected if e[3] == key) - missing)
    assert {p["provider"]: p["findings"] for p in body["by_provider"]} == Counter(e[1] for e in expected)
    assert body["findings"][0]["problem"] == "value 'bi' not allowed"  # Azure's costliest VM, team bi
    assert (body["missing"], body["from_last_sync"], body["is_demo"]) == ([], [], True)


class Down(SandboxProvider):
    async def list_resources(
        self, resource_type: ResourceType | None = None, region: str | None = None, limit: int = 100
    ) -> ResourceInventory:
        raise Unavailable("Compute API answered 503 after 4 tries", provider=self.cloud)


async def test_a_failing_cloud_is_answered_from_its_last_sync_and_an_unconnected_one_is_named(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    saved = await SandboxProvider("gcp", as_of=AS_OF).list_resources(limit=500)
    taken_at = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
    store.save_snapshot(Snapshot(provider="gcp", kind="resources", taken_at=taken_at, body=saved.model_dump_json()))
    providers = [SandboxProvider("aws", as_of=AS_OF), Down("gcp", as_of=AS_OF)]
    body = await _call(store, providers, _policy(tmp_path), top_n=50)
    assert [m["provider"] for m in body["missing"]] == ["azure"]
    assert "add [providers.azure] to finops.toml" in body["missing"][0]["reason"]
    assert body["from_last_sync"] == [
        {
            "provider": "gcp",
            "reason": "from the sync at 2026-11-25 06:00 UTC; live: gcp: Compute API answered 503 after 4 tries",
        }
    ]
    assert {f["provider"] for f in body["findings"]} == {"aws", "gcp"}
    assert body["checked"] == 9 + saved.total
