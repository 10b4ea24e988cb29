"""The policy file: guardrails refuse plans that touch protected resources, go beyond the allowed actions or the
limits, or run outside the windows; invalid files say where and how to fix them; no file means safe defaults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from finops_core.errors import ConfigError
from finops_core.models import Cloud
from finops_core.money import Money
from finops_core.settings import Settings
from finops_orchestrator.policy import Policy, StepFacts
from typer.testing import CliRunner

FULL = """
[guardrails]
protected_tags = ["finops:protect=true", "legal-hold"]
max_resources_per_plan = 3
max_monthly_amount_per_plan = 500.50
approval_ttl_minutes = 15
environment_tags = ["env", "environment"]

[[guardrails.allow]]
cloud = "aws"
environment = "dev"
actions = ["stop_instance", "delete_volume"]

[[guardrails.allow]]
cloud = "*"
environment = "none"
actions = ["release_ip"]

[[guardrails.windows]]
days = ["mon", "tue", "wed", "thu", "fri"]
start = "09:00"
end = "18:00"
timezone = "Europe/Berlin"

[[tag_policies]]
key = "team"
allowed = ["payments", "data", "web"]
providers = ["aws", "azure"]
resource_types = ["instance", "volume"]
"""


def _policy(tmp_path: Path, text: str) -> Policy:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    return Policy.load(path)


def _step(
    resource_id: str = "i-1",
    *,
    provider: Cloud = "aws",
    kind: str = "stop_instance",
    tags: dict[str, str] | None = None,
    savings: str | None = "10",
    currency: str = "USD",
) -> StepFacts:
    money = Money(amount=Decimal(savings), currency=currency) if savings is not None else None
    return StepFacts(
        provider=provider,
        kind=kind,
        resource_id=resource_id,
        tags={"env": "dev"} if tags is None else tags,
        monthly_savings=money,
    )


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _refusal(policy: Policy, now: str) -> str:
    why = policy.outside_window(_at(now))
    assert why is not None, f"{now} should be outside every window"
    return why


# Defaults


def test_without_a_policy_file_the_safe_defaults_apply(tmp_path: Path) -> None:
    for policy in (Policy.load(None), Policy.load(tmp_path / "policy.toml")):
        assert policy.guardrails.protected_tags == ["finops:protect=true", "finops-protect=true"]
        assert policy.guardrails.max_resources_per_plan == 20
        assert policy.guardrails.max_monthly_amount_per_plan is None
        assert policy.approval_ttl == timedelta(minutes=60)
        assert policy.tag_policies == []
        assert policy.outside_window(_at("2026-03-28T03:00:00+00:00")) is None
        assert policy.plan_violations([_step(f"i-{n}", tags={"env": "prod"}) for n in range(20)]) == []
    described = Policy.load(tmp_path / "policy.toml").describe()
    assert f"Default policy (no file at {tmp_path / 'policy.toml'})" in described
    assert "finops:protect=true or finops-protect=true" in described
    assert "At most 20 resources per plan" in described
    assert "any time" in described


def test_the_policy_file_lives_in_finops_home_unless_settings_say_otherwise(tmp_path: Path) -> None:
    assert Settings.load({"FINOPS_HOME": str(tmp_path)}).policy_file == tmp_path / "policy.toml"
    moved = Settings.load({"FINOPS_HOME": str(tmp_path), "FINOPS_POLICY_PATH": str(tmp_path / "p.toml")})
    assert moved.policy_file == tmp_path / "p.toml"


def test_a_full_policy_file_is_read_and_described(tmp_path: Path) -> None:
    policy = _policy(tmp_path, FULL)
    assert policy.guardrails.max_monthly_amount_per_plan == Decimal("500.50")
    assert policy.approval_ttl == timedelta(minutes=15)
    assert [r.cloud for r in policy.guardrails.allow] == ["aws", "*"]
    assert policy.tag_policies[0].allowed == ["payments", "data", "web"]
    described = policy.describe()
    assert f"Policy from {tmp_path / 'policy.toml'}" in described
    assert "AWS, environment dev: stop_instance, delete_volume" in described
    assert "any cloud, no environment tag: release_ip" in described
    assert "mon-fri 09:00-18:00 Europe/Berlin" in described
    assert "500.50 a month per currency" in described
    assert "expire after 15 minutes" in described


# Violations


def test_a_resource_with_the_default_protected_tag_is_refused_naming_it_and_the_tag() -> None:
    problems = Policy().plan_violations([_step("i-keep", tags={"finops:protect": "true"})])
    assert len(problems) == 1
    assert "AWS i-keep carries the protected tag finops:protect=true" in problems[0]
    assert "Drop the step" in problems[0]


def test_protected_tags_match_without_case_as_azure_keys_do() -> None:
    step = _step("vm-1", provider="azure", tags={"FinOps-Protect": "True"})
    assert "carries the protected tag finops-protect=true" in Policy().plan_violations([step])[0]
    assert Policy().plan_violations([_step("vm-2", provider="azure", tags={"finops-protect": "false"})]) == []


def test_a_protected_key_without_a_value_protects_every_value(tmp_path: Path) -> None:
    policy = _policy(tmp_path, '[guardrails]\nprotected_tags = ["legal-hold"]\n')
    problems = policy.plan_violations([_step("vol-1", kind="delete_volume", tags={"legal-hold": "case-42"})])
    assert "carries the protected tag legal-hold" in problems[0]
    assert str(tmp_path / "policy.toml") in problems[0]


def test_a_step_whose_tags_were_not_read_is_refused_because_protection_cannot_be_checked() -> None:
    step = StepFacts(provider="gcp", kind="stop_instance", resource_id="vm-x", tags=None, monthly_savings=None)
    problems = Policy().plan_violations([step])
    assert problems == [
        "Cannot tell whether vm-x is protected: its tags were not read. Plan it again once its tags can be read "
        "(the credentials need permission to read tags), or drop the step."
    ]


def test_only_actions_an_allow_rule_matches_by_cloud_environment_and_kind_pass(tmp_path: Path) -> None:
    policy = _policy(tmp_path, FULL)
    allowed = [
        _step("i-dev", tags={"env": "dev"}),
        _step("vol-dev", kind="delete_volume", tags={"Environment": "DEV"}),  # keys and values without case
        _step("ip-1", provider="gcp", kind="release_ip", tags={"team": "web"}, savings=None),  # no environment
    ]
    assert policy.plan_violations(allowed) == []
    refused = policy.plan_violations(
        [
            _step("i-prod", tags={"env": "prod"}),
            _step("vm-dev", provider="azure", tags={"env": "dev"}),
            _step("i-dev", kind="resize_instance", tags={"env": "dev"}),
        ]
    )
    assert len(refused) == 3
    assert refused[0].startswith("stop_instance on AWS i-prod (environment prod) is not allowed")
    assert "no [[guardrails.allow]] rule matches cloud azure" in refused[1]
    assert refused[2].startswith("resize_instance on AWS i-dev (environment dev)")
    assert all(f"add a rule to the policy file {tmp_path / 'policy.toml'}" in p for p in refused)


def test_the_first_environment_tag_listed_decides_the_environment(tmp_path: Path) -> None:
    policy = _policy(tmp_path, FULL)
    assert policy.environment_of({"environment": "prod", "env": "dev"}) == "dev"
    assert policy.environment_of({"ENV": " staging "}) == "staging"
    assert policy.environment_of({"env": "  "}) is None
    assert policy.environment_of(None) is None


def test_unknown_tags_match_only_rules_for_any_environment(tmp_path: Path) -> None:
    unread = StepFacts(provider="aws", kind="stop_instance", resource_id="i-9", tags=None, monthly_savings=None)
    problems = _policy(tmp_path, FULL).plan_violations([unread])
    assert "Cannot tell whether i-9 is protected" in problems[0]
    assert "(environment unknown: tags not read) is not allowed" in problems[1]
    assert len(Policy().plan_violations([unread])) == 1  # the default rule allows any environment


def test_a_plan_with_more_steps_than_the_maximum_is_refused(tmp_path: Path) -> None:
    policy = _policy(tmp_path, FULL)
    problems = policy.plan_violations([_step(f"i-{n}", savings="1") for n in range(4)])
    assert problems == [
        f"The plan has 4 steps; the policy allows at most 3 per plan. Split it into smaller plans, or raise "
        f"max_resources_per_plan in the policy file {tmp_path / 'policy.toml'}."
    ]
    assert policy.plan_violations([_step(f"i-{n}", savings="1") for n in range(3)]) == []


def test_monthly_amounts_over_the_maximum_are_refused_per_currency(tmp_path: Path) -> None:
    policy = _policy(tmp_path, FULL)
    steps = [
        _step("i-1", savings="300"),
        _step("i-2", savings="-200.51"),  # a negative estimate still moves money: counted by size
        _step("vol-1", kind="delete_volume", savings="499", currency="EUR"),
    ]
    problems = policy.plan_violations(steps)
    assert len(problems) == 1
    assert "amount to 500.51 USD a month; the policy allows at most 500.50 per currency per plan" in problems[0]
    assert "max_monthly_amount_per_plan" in problems[0]
    unknown = [_step("i-1", savings="500.50"), _step("i-2", savings=None)]  # an unknown saving adds nothing
    assert policy.plan_violations(unknown) == []


def test_every_violation_of_a_plan_is_reported_at_once(tmp_path: Path) -> None:
    policy = _policy(tmp_path, FULL)
    steps = [
        _step("i-1", tags={"env": "dev", "legal-hold": "yes"}, savings="400"),
        _step("i-2", tags={"env": "prod"}, savings="400"),
        _step("i-3", savings="1"),
        _step("i-4", savings="1"),
    ]
    problems = policy.plan_violations(steps)
    assert [p.split(" ")[0:3] for p in problems] == [
        ["AWS", "i-1", "carries"],
        ["stop_instance", "on", "AWS"],
        ["The", "plan", "has"],
        ["The", "plan's", "steps"],
    ]


# Windows


BERLIN_OFFICE = """
[[guardrails.windows]]
days = ["mon", "tue", "wed", "thu", "fri"]
start = "09:00"
end = "18:00"
timezone = "Europe/Berlin"
"""


def test_execution_is_allowed_inside_a_window_and_refused_outside_with_the_next_opening(tmp_path: Path) -> None:
    policy = _policy(tmp_path, BERLIN_OFFICE)
    assert policy.outside_window(_at("2026-07-01T09:00:00+02:00")) is None
    assert policy.outside_window(_at("2026-07-01T17:59:59+02:00")) is None
    why = policy.outside_window(_at("2026-07-01T18:00:00+02:00"))
    assert why is not None
    assert "allowed only in the policy's windows (mon-fri 09:00-18:00 Europe/Berlin)" in why
    assert "next window opens Thu 2026-07-02 09:00 Europe/Berlin (2026-07-02 07:00 UTC)" in why
    assert f"change [[guardrails.windows]] in the policy file {tmp_path / 'policy.toml'}" in why


def test_windows_follow_the_local_clock_through_daylight_saving_time(tmp_path: Path) -> None:
    policy = _policy(tmp_path, BERLIN_OFFICE)
    assert policy.outside_window(_at("2026-07-01T07:30:00+00:00")) is None  # 09:30 CEST
    assert policy.outside_window(_at("2026-01-07T07:30:00+00:00")) is not None  # 08:30 CET
    spring = _refusal(policy, "2026-03-27T17:00:00+00:00")  # Friday 18:00 CET; clocks go forward Sunday
    assert "Mon 2026-03-30 09:00 Europe/Berlin (2026-03-30 07:00 UTC)" in spring
    autumn = _refusal(policy, "2026-10-23T16:00:00+00:00")  # Friday 18:00 CEST; clocks go back Sunday
    assert "Mon 2026-10-26 09:00 Europe/Berlin (2026-10-26 08:00 UTC)" in autumn


def test_a_window_that_starts_in_the_skipped_hour_opens_when_the_clock_resumes(tmp_path: Path) -> None:
    policy = _policy(tmp_path, '[[guardrails.windows]]\nstart = "02:30"\nend = "04:00"\ntimezone = "Europe/Berlin"\n')
    why = _refusal(policy, "2026-03-29T00:30:00+00:00")  # 01:30 CET, the night clocks go forward
    assert "(2026-03-29 01:30 UTC)" in why
    assert policy.outside_window(_at("2026-03-29T01:30:00+00:00")) is None  # 03:30 CEST


def test_a_window_past_midnight_belongs_to_the_day_it_starts(tmp_path: Path) -> None:
    window = 'days = ["Fri", "sat"]\nstart = "22:00"\nend = "06:00"\ntimezone = "America/New_York"\n'
    policy = _policy(tmp_path, "[[guardrails.windows]]\n" + window)
    friday = "2026-06-12T{}-04:00"
    assert policy.outside_window(_at(friday.format("21:59:00"))) is not None
    assert policy.outside_window(_at(friday.format("22:00:00"))) is None
    assert policy.outside_window(_at("2026-06-13T03:00:00-04:00")) is None  # Saturday night, Friday's window
    assert policy.outside_window(_at("2026-06-14T05:59:00-04:00")) is None  # Sunday, Saturday's window
    monday = _refusal(policy, "2026-06-15T03:00:00-04:00")  # Sunday opens no window
    assert "Fri 2026-06-19 22:00 America/New_York (2026-06-20 02:00 UTC)" in monday
    assert policy.outside_window(_at("2026-06-11T23:00:00-04:00")) is not None  # Thursday is not listed


def test_the_earliest_of_several_windows_is_named_and_a_whole_day_ends_at_24_00(tmp_path: Path) -> None:
    policy = _policy(
        tmp_path,
        BERLIN_OFFICE + '[[guardrails.windows]]\ndays = ["sat"]\nstart = "00:00"\nend = "24:00"\ntimezone = "UTC"\n',
    )
    assert policy.outside_window(_at("2026-06-13T23:59:00+00:00")) is None  # Saturday, the whole day
    why = _refusal(policy, "2026-06-12T20:00:00+00:00")  # Friday evening
    assert "next window opens Sat 2026-06-13 00:00 UTC" in why


def test_outside_window_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        Policy().outside_window(datetime(2026, 1, 1, 12, 0))


# Invalid files


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[guardrails\nmax_resources_per_plan = 3\n", "is not valid TOML: "),
        ("[guardrails]\nmax_resource_per_plan = 3\n", "guardrails.max_resource_per_plan: unknown key (known here: "),
        ("colour = 1\n", "colour: unknown key (known here: guardrails, tag_policies)"),
        (
            '[[guardrails.windows]]\ndays = ["mon", "tues"]\nstart = "09:00"\nend = "17:00"\n',
            "guardrails.windows[0].days[1]: Input should be 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun' "
            "(got 'tues')",
        ),
        (
            '[[guardrails.windows]]\nstart = "09:00"\nend = "17:00"\ntimezone = "Europe/Berln"\n',
            "guardrails.windows[0].timezone: unknown time zone 'Europe/Berln': use a zoneinfo name such as",
        ),
        (
            '[[guardrails.windows]]\nstart = "9am"\nend = "17:00"\n',
            "guardrails.windows[0].start: '9am' is not a time of day: write 24-hour \"HH:MM\"",
        ),
        ('[[guardrails.windows]]\nstart = "09:00"\nend = "24:30"\n', "guardrails.windows[0].end: '24:30' is not a"),
        ('[[guardrails.windows]]\nstart = "09:00"\nend = "09:00"\n', 'for a whole day write start = "00:00"'),
        ('[[guardrails.windows]]\nend = "17:00"\n', "guardrails.windows[0].start: required key missing"),
        ('[[guardrails.allow]]\nactions = ["stop_vm"]\n', "guardrails.allow[0].actions: unknown action 'stop_vm'"),
        ('[[guardrails.allow]]\ncloud = "amazon"\n', "guardrails.allow[0].cloud: Input should be 'aws', 'azure'"),
        ("[guardrails]\napproval_ttl_minutes = 0\n", "guardrails.approval_ttl_minutes: Input should be greater"),
        ('[guardrails]\nprotected_tags = ["=true"]\n', "'=true' is not a tag: write \"key=value\""),
        ('[[tag_policies]]\nkey = "team"\nrequired = false\n', "the policy for 'team' checks nothing"),
        ('[[tag_policies]]\nkey = "team"\nresource_types = ["vm"]\n', "unknown resource type 'vm' (known: instance"),
    ],
)
def test_an_invalid_policy_file_says_where_what_and_how_to_fix_it(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        _policy(tmp_path, text)
    message = str(raised.value)
    assert str(tmp_path / "policy.toml") in message
    assert expected in message
    assert "Fix" in message


def test_an_unreadable_policy_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "policy.toml").write_bytes(b"\xff\xfe[guardrails]")
    with pytest.raises(ConfigError, match="Cannot read policy file"):
        Policy.load(tmp_path / "policy.toml")


# The command


def test_finops_policy_prints_the_policy_in_force_and_rejects_an_invalid_file(home: Path) -> None:
    from finops_orchestrator.cli import app

    # In-process (CliRunner), not a subprocess: the command only reads a file, and startup would dominate.
    env = {"FINOPS_HOME": str(home), "FINOPS_POLICY_PATH": str(home / "policy.toml"), "COLUMNS": "200"}
    (home / "policy.toml").write_text(FULL)
    done = CliRunner().invoke(app, ["policy"], env=env)
    assert done.exit_code == 0, done.output
    flat = " ".join(done.stdout.split())
    assert f"Policy from {home / 'policy.toml'}" in flat
    assert "tag 'team' required, one of payments, data, web (AWS, Azure; instance, volume)" in flat
    (home / "policy.toml").write_text('[[guardrails.windows]]\nstart = "25:00"\nend = "17:00"\n')
    failed = CliRunner().invoke(app, ["policy"], env=env)
    assert failed.exit_code == 1
    assert "guardrails.windows[0].start: '25:00' is not a time of day" in " ".join(failed.stderr.split())


def test_finops_policy_prints_brackets_as_written_not_as_markup(home: Path) -> None:
    from finops_orchestrator.cli import app

    env = {"FINOPS_HOME": str(home), "FINOPS_POLICY_PATH": str(home / "policy.toml"), "COLUMNS": "200"}
    (home / "policy.toml").write_text('[guardrails]\nprotected_tags = ["[hold]"]\n')
    done = CliRunner().invoke(app, ["policy"], env=env)
    assert done.exit_code == 0, done.output
    flat = " ".join(done.stdout.split())
    assert "No tag policies: add [[tag_policies]] entries (key, required, allowed) to check tags." in flat
    assert "[hold]" in flat  # the file's own values too
