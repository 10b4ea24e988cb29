"""The toy cloud's registry entry: all that finops-mcp has to be told to know a cloud.

An installed cloud package declares it as an entry point (``[project.entry-points."finops_mcp.clouds"]``,
``toy = "tests.toycloud.cloud:ENTRY"``); the tests register it with ``finops_core.clouds.registered`` instead,
since the tests package is not installed as a distribution.
"""

from __future__ import annotations

from finops_core.clouds import CloudEntry

ENTRY = CloudEntry(
    id="toy",
    name="Toy Cloud",
    focus_provider="Toy Cloud Inc.",
    demo="tests.toycloud.demo:TOY",
    provider="tests.toycloud.provider:create_provider",
    package="finops-mcp-toy",
    install="pip install finops-mcp-toy",
    tag_keys="lowercase",
    protect_tag="finops.protect=true",  # neither AWS's nor Google's form: the policy must read it from here
)
