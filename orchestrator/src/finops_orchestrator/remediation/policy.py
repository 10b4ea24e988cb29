"""The policy file: guardrails every remediation plan must pass, and tag policies checked as findings.

One TOML file (``Settings.policy_file``, default ``<home>/policy.toml``); without it the defaults below apply,
which already refuse to touch resources tagged ``finops:protect=true``. Example::

    [guardrails]
    protected_tags = ["finops:protect=true", "finops-protect=true"]   # "key=value", or "key" for any value
    max_resources_per_plan = 20
    max_monthly_amount_per_plan = 5000      # per currency, over the steps' monthly savings; default: no limit
    approval_ttl_minutes = 60
    environment_tags = ["env", "environment"]

    [[guardrails.allow]]                    # default: one rule allowing every action everywhere
    cloud = "aws"                           # or "*"
    environment = "dev"                     # a resource's environment tag value, "*", or "none" (untagged)
    actions = ["stop_instance", "delete_volume"]   # or ["*"]

    [[guardrails.windows]]                  # none: any time
    days = ["mon", "tue", "wed", "thu", "fri"]
    start = "09:00"
    end = "18:00"                           # an end before the start runs past midnight
    timezone = "Europe/Berlin"

    [[tag_policies]]
    key = "team"
    required = true
    allowed = ["payments", "data", "web"]   # empty: any value
    providers = ["aws", "azure"]            # empty: every cloud
    resource_types = ["instance", "volume"] # empty: every type

Matching is on the safe side: protected tag keys and values, and environment tag keys and values, compare
without case (Azure tag keys are case-insensitive, and a protection must not be dodged by ``True``); the matching
is ``finops_core.guardrails``, which a per-cloud server applies too. Tag policies compare keys exactly except on
Azure, and values exactly: they exist to make tags consistent.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from finops_core.clouds import CloudOrAny, entries, entry
from finops_core.errors import ConfigError
from finops_core.guardrails import TagGuardrails, environment_matches, environment_of, protected_by, tag_value
from finops_core.models import ACTION_KINDS, CLOUD_NAMES, Cloud, Resource
from finops_core.money import Money
from finops_core.provider import ResourceType
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: tuple[Day, ...] = get_args(Day)
RESOURCE_TYPES: tuple[str, ...] = get_args(ResourceType)


def default_protected_tags() -> list[str]:
    """Every registered cloud's protection tag (``finops:protect=true``; Google's labels: ``finops-protect=true``)."""
    return list(dict.fromkeys(e.protect_tag for e in entries()))


_TIME = re.compile(r"(\d{1,2}):(\d{2})")


@dataclass(frozen=True)
class StepFacts:
    """What a plan knows about one step, from the provider's dry run."""

    provider: Cloud
    kind: str
    resource_id: str
    tags: Mapping[str, str] | None  # None: the dry run could not read them
    monthly_savings: Money | None


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AllowRule(_Section):
    """``[[guardrails.allow]]``: actions allowed on one cloud (or all) in one environment (or all)."""

    cloud: CloudOrAny = "*"  # a registered cloud or "*": one error message for a typo
    environment: str = Field(default="*", min_length=1)
    actions: list[str] = Field(default_factory=lambda: ["*"])

    @field_validator("actions")
    @classmethod
    def _known_actions(cls, actions: list[str]) -> list[str]:
        if not actions:
            raise ValueError('list at least one action, or ["*"] for every action')
        for action in actions:
            if action != "*" and action not in ACTION_KINDS:
                raise ValueError(f"unknown action {action!r} (known: {', '.join(ACTION_KINDS)}, or *)")
        return actions

    def allows(self, cloud: Cloud, environment: str | None, kind: str, *, environment_known: bool = True) -> bool:
        if not self.covers(cloud, kind):
            return False
        if self.environment != "*" and not environment_known:
            return False
        return environment_matches(environment, self.environment)

    def covers(self, cloud: Cloud, kind: str) -> bool:
        """Whether this rule speaks of ``kind`` on ``cloud`` (in its environment)."""
        return self.cloud in ("*", cloud) and ("*" in self.actions or kind in self.actions)

    def describe(self) -> str:
        cloud = "any cloud" if self.cloud == "*" else CLOUD_NAMES[self.cloud]
        environment = {"*": "any environment", "none": "no environment tag"}.get(
            self.environment.casefold(), f"environment {self.environment}"
        )
        actions = "any action" if "*" in self.actions else ", ".join(self.actions)
        return f"{cloud}, {environment}: {actions}"


class Window(_Section):
    """``[[guardrails.windows]]``: when execution may run, in local wall-clock time (so DST moves with it).
    ``days`` name the day a window starts; an ``end`` before the ``start`` runs past midnight."""

    days: list[Day] = Field(default_factory=lambda: list(DAYS))
    start: str
    end: str
    timezone: str = "UTC"

    @field_validator("days", mode="before")
    @classmethod
    def _lower_days(cls, days: Any) -> Any:
        return [d.strip().lower() if isinstance(d, str) else d for d in days] if isinstance(days, list) else days

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, text: str) -> str:
        hours, minutes = divmod(_minutes(text), 60)
        return f"{hours:02d}:{minutes:02d}"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            hint = "" if available_timezones() else " (this machine has no time zone data: pip install tzdata)"
            raise ValueError(
                f"unknown time zone {name!r}: use a zoneinfo name such as 'Europe/Berlin' or 'UTC'{hint}"
            ) from exc
        return name

    @model_validator(mode="after")
    def _span(self) -> Window:
        if not self.days:
            raise ValueError("days is empty: list the days the window opens, e.g. ['mon', 'tue']")
        if _minutes(self.start) >= 24 * 60:
            raise ValueError(f"start {self.start!r} must be before 24:00")
        if _minutes(self.start) == _minutes(self.end):
            raise ValueError(
                f'start and end are both {self.start}: for a whole day write start = "00:00", end = "24:00"'
            )
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def contains(self, now: datetime) -> bool:
        local = now.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        start, end = _minutes(self.start), _minutes(self.end)
        today, yesterday = DAYS[local.weekday()], DAYS[(local.weekday() - 1) % 7]
        if start < end:
            return today in self.days and start <= minute < end
        return (today in self.days and minute >= start) or (yesterday in self.days and minute < end)

    def next_opening(self, now: datetime) -> datetime:
        """The first start of this window after ``now`` (UTC). A start in a DST gap opens at the gap's end."""
        zone = self.zone
        hour, minute = divmod(_minutes(self.start), 60)
        first_day = now.astimezone(zone).date()
        for offset in range(8):
            day = first_day + timedelta(days=offset)
            if DAYS[day.weekday()] not in self.days:
                continue
            opening = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)
            if opening > now:
                return opening
        raise AssertionError("a window with days opens within eight days")  # pragma: no cover

    def describe(self) -> str:
        return f"{_day_list(self.days)} {self.start}-{self.end} {self.timezone}"


class Guardrails(_Section):
    """``[guardrails]``: what every plan must pass before it is approved and again before it runs."""

    protected_tags: list[str] = Field(default_factory=default_protected_tags)
    max_resources_per_plan: int = Field(default=20, ge=1, le=10_000)
    max_monthly_amount_per_plan: Decimal | None = Field(default=None, ge=0)
    approval_ttl_minutes: int = Field(default=60, ge=1, le=1440)
    environment_tags: list[str] = Field(default_factory=lambda: ["env", "environment"])
    allow: list[AllowRule] = Field(default_factory=lambda: [AllowRule()])
    windows: list[Window] = Field(default_factory=lambda: list[Window]())

    @field_validator("protected_tags")
    @classmethod
    def _tag_specs(cls, specs: list[str]) -> list[str]:
        for spec in specs:
            key, has_value, value = spec.partition("=")
            if not key.strip() or (has_value and not value.strip()):
                raise ValueError(f'{spec!r} is not a tag: write "key=value", or "key" to protect any value')
        return specs

    @field_validator("environment_tags")
    @classmethod
    def _keys(cls, keys: list[str]) -> list[str]:
        if any(not k.strip() for k in keys):
            raise ValueError("a tag key cannot be empty")
        return keys

    def protected_by(self, tags: Mapping[str, str]) -> str | None:
        """The first protected tag ``tags`` carry (as written in the policy), or None."""
        return protected_by(tags, self.protected_tags)


class TagPolicy(_Section):
    """``[[tag_policies]]``: a tag every resource in scope must carry, and the values it may have."""

    key: str = Field(min_length=1)
    required: bool = True
    allowed: list[str] = Field(default_factory=lambda: list[str]())
    providers: list[Cloud] = Field(default_factory=lambda: list[Cloud]())
    resource_types: list[str] = Field(default_factory=lambda: list[str]())

    @field_validator("resource_types")
    @classmethod
    def _known_types(cls, types: list[str]) -> list[str]:
        for kind in types:
            if kind not in RESOURCE_TYPES:
                raise ValueError(f"unknown resource type {kind!r} (known: {', '.join(RESOURCE_TYPES)})")
        return types

    @model_validator(mode="after")
    def _checks_something(self) -> TagPolicy:
        if not self.required and not self.allowed:
            raise ValueError(f"the policy for {self.key!r} checks nothing: set required = true or list allowed values")
        return self

    def applies_to(self, resource: Resource) -> bool:
        return (not self.providers or resource.provider in self.providers) and (
            not self.resource_types or resource.resource_type in self.resource_types
        )

    def problem(self, resource: Resource) -> str | None:
        """Why ``resource`` breaks this policy: "missing", "value 'x' not allowed"; None when it complies.
        An empty value counts as missing: it allocates nothing."""
        value = tag_value(resource.tags, self.key, exact=entry(resource.provider).tag_keys != "any-case")
        if value is None or not value.strip():
            return "missing" if self.required else None
        if self.allowed and value not in self.allowed:
            return f"value {value!r} not allowed"
        return None

    def describe(self) -> str:
        scope = [
            ", ".join(CLOUD_NAMES[p] for p in self.providers) if self.providers else "every cloud",
            ", ".join(self.resource_types) if self.resource_types else "every resource type",
        ]
        rule = "required" if self.required else "optional"
        values = f", one of {', '.join(self.allowed)}" if self.allowed else ""
        return f"tag {self.key!r} {rule}{values} ({'; '.join(scope)})"


class Policy(_Section):
    """The guardrails and tag policies in force (``Policy.load(settings.policy_file)``)."""

    guardrails: Guardrails = Field(default_factory=Guardrails)
    tag_policies: list[TagPolicy] = Field(default_factory=lambda: list[TagPolicy]())
    _path: Path | None = PrivateAttr(default=None)
    _file_exists: bool = PrivateAttr(default=False)

    @classmethod
    def load(cls, path: Path | None) -> Policy:
        """The policy in ``path``; the defaults when ``path`` is None or there is no such file.
        Raises ``ConfigError`` naming the file, the key and the fix when it cannot be read or is invalid."""
        if path is None or not path.exists():
            policy = cls()
            policy._path = path
            return policy
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"Policy file {path} is not valid TOML: {exc}. Fix the syntax there.") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Cannot read policy file {path}: {exc}. Fix its permissions or encoding.") from exc
        try:
            policy = cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(_problem(e) for e in exc.errors())
            raise ConfigError(
                f"Invalid policy file {path}: {problems}. Fix it there (`finops policy` checks it), "
                "or remove the file to use the defaults."
            ) from exc
        policy._path = path
        policy._file_exists = True
        return policy

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def approval_ttl(self) -> timedelta:
        return timedelta(minutes=self.guardrails.approval_ttl_minutes)

    def environment_of(self, tags: Mapping[str, str] | None) -> str | None:
        """The value of the first environment tag (``environment_tags``, in order, keys without case) a resource
        carries; None when it has none (or its tags are unknown)."""
        return None if tags is None else environment_of(tags, self.guardrails.environment_tags)

    def guardrails_for(self, cloud: Cloud, kind: str) -> TagGuardrails:
        """What this policy says about a ``kind`` step on ``cloud`` from its resource's tags alone: sent with the
        step's approval, so a per-cloud server in another process checks the tags too."""
        rails = self.guardrails
        return TagGuardrails(
            protected_tags=list(rails.protected_tags),
            environment_tags=list(rails.environment_tags),
            environments=list(dict.fromkeys(r.environment for r in rails.allow if r.covers(cloud, kind))),
        )

    def step_violations(self, step: StepFacts) -> list[str]:
        """Every reason the policy forbids ``step`` from its resource's tags (protected tags, environments)."""
        rails = self.guardrails
        where = self._where()
        problems: list[str] = []
        name = f"{CLOUD_NAMES[step.provider]} {step.resource_id}"
        if step.tags is None:
            problems.append(
                f"Cannot tell whether {step.resource_id} is protected: its tags were not read. Plan it again "
                "once its tags can be read (the credentials need permission to read tags), or drop the step."
            )
        else:
            protected = rails.protected_by(step.tags)
            if protected is not None:
                problems.append(
                    f"{name} carries the protected tag {protected}: the policy never touches it. Drop the step, "
                    f"or remove the tag from the resource if it should no longer be protected ({where})."
                )
        environment = self.environment_of(step.tags)
        known = step.tags is not None
        if not any(r.allows(step.provider, environment, step.kind, environment_known=known) for r in rails.allow):
            label = environment if environment else ("unknown: tags not read" if not known else "none")
            problems.append(
                f"{step.kind} on {name} (environment {label}) is not allowed: no [[guardrails.allow]] rule "
                f"matches cloud {step.provider}, that environment and that action. Drop the step, or add a "
                f"rule to {where}."
            )
        return problems

    def plan_violations(self, steps: Sequence[StepFacts]) -> list[str]:
        """Every reason a plan of ``steps`` is not allowed; an empty list when it is."""
        rails = self.guardrails
        where = self._where()
        problems = [problem for step in steps for problem in self.step_violations(step)]
        if len(steps) > rails.max_resources_per_plan:
            problems.append(
                f"The plan has {len(steps)} steps; the policy allows at most {rails.max_resources_per_plan} per plan. "
                f"Split it into smaller plans, or raise max_resources_per_plan in {where}."
            )
        limit = rails.max_monthly_amount_per_plan
        if limit is not None:
            totals: dict[str, Decimal] = defaultdict(Decimal)
            for step in steps:
                if step.monthly_savings is not None:
                    totals[step.monthly_savings.currency] += abs(step.monthly_savings.amount)
            for currency, total in sorted(totals.items()):
                if total > limit:
                    problems.append(
                        f"The plan's steps amount to {total:,.2f} {currency} a month; the policy allows at most "
                        f"{limit:,.2f} per currency per plan. Split it into smaller plans, or raise "
                        f"max_monthly_amount_per_plan in {where}."
                    )
        return problems

    def outside_window(self, now: datetime) -> str | None:
        """None when execution may run at ``now`` (an aware datetime); otherwise why, and when the next window
        opens."""
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("outside_window needs an aware datetime (with a time zone)")
        windows = self.guardrails.windows
        if not windows or any(w.contains(now) for w in windows):
            return None
        opening, window = min(((w.next_opening(now), w) for w in windows), key=lambda pair: pair[0])
        local = opening.astimezone(window.zone)
        allowed = "; ".join(w.describe() for w in windows)
        return (
            f"Execution is allowed only in the policy's windows ({allowed}); it is now {now.astimezone(UTC):%a %H:%M} "
            f"UTC. The next window opens {local:%a %Y-%m-%d %H:%M} {window.timezone} ({opening:%Y-%m-%d %H:%M} UTC): "
            f"execute then, or change [[guardrails.windows]] in {self._where()}."
        )

    def describe(self) -> str:
        """One paragraph: the guardrails in force and where they come from."""
        rails = self.guardrails
        if self._file_exists:
            origin = f"Policy from {self._path}."
        elif self._path is not None:
            origin = f"Default policy (no file at {self._path})."
        else:
            origin = "Default policy."
        allowed = "; ".join(r.describe() for r in rails.allow) or "nothing (no allow rules)"
        protected = (
            f"Never touches resources tagged {' or '.join(rails.protected_tags)}, nor any whose tags cannot be read."
            if rails.protected_tags
            else "No tag protects a resource."
        )
        money = (
            f" and {rails.max_monthly_amount_per_plan:,.2f} a month per currency"
            if rails.max_monthly_amount_per_plan is not None
            else ""
        )
        windows = "; ".join(w.describe() for w in rails.windows) if rails.windows else "any time"
        environment = ", ".join(rails.environment_tags) or "(none)"
        return (
            f"{origin} Allowed: {allowed}. {protected} At most {rails.max_resources_per_plan} resources{money} per "
            f"plan. Execution: {windows}. Approvals expire after {rails.approval_ttl_minutes} minutes. Environment "
            f"tags: {environment}. Tag policies: {len(self.tag_policies)}."
        )

    def _where(self) -> str:
        if self._path is None:
            return "the policy file (policy_path in finops.toml; default <home>/policy.toml)"
        return f"the policy file {self._path}" + ("" if self._file_exists else " (create it)")


def _minutes(text: str) -> int:
    match = _TIME.fullmatch(text.strip())
    hours, minutes = (int(match.group(1)), int(match.group(2))) if match else (-1, -1)
    if not (0 <= hours <= 23 and 0 <= minutes <= 59) and (hours, minutes) != (24, 0):
        raise ValueError(f'{text!r} is not a time of day: write 24-hour "HH:MM", e.g. "09:00" or "18:30"')
    return hours * 60 + minutes


def _day_list(days: Sequence[Day]) -> str:
    """``mon-fri`` for a run of consecutive days, else the days with commas."""
    indexes = sorted({DAYS.index(d) for d in days})
    if len(indexes) == 7:
        return "every day"
    if len(indexes) > 2 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"{DAYS[indexes[0]]}-{DAYS[indexes[-1]]}"
    return ",".join(DAYS[i] for i in indexes)


def _problem(error: Any) -> str:
    """One validation error as a person reads it: where in the file, and what is wrong."""
    loc: tuple[str | int, ...] = tuple(error["loc"])
    place = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        known = ", ".join(_known_keys(loc[:-1]))
        return f"{place}: unknown key (known here: {known})"
    if kind == "missing":
        return f"{place}: required key missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind != "value_error" and "input" in error and not isinstance(error["input"], dict | list):
        message += f" (got {error['input']!r})"
    return f"{place}: {message}"


def _known_keys(loc: tuple[str | int, ...]) -> list[str]:
    """The keys the section at ``loc`` accepts, found by walking the models' field types."""
    model: type[BaseModel] = Policy
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        inner = _model_in(field.annotation) if field is not None else None
        if inner is None:
            break
        model = inner
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
