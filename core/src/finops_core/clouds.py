"""The cloud registry: every cloud finops-mcp knows, and the facts about it that the rest of the code reads.

A cloud is one ``CloudEntry``: its id (the tool prefix, its settings section ``[<id>]`` and ``[providers.<id>]``),
its display name, the FOCUS ProviderName of its exports, how it compares tag keys, the tag that protects a resource
from changes, its demo company (a sandbox ``CloudSpec``) and the package that serves it. Nothing else in the code
names a cloud: ``models.Cloud`` validates against this registry, and the settings sections, the policy, the sandbox,
the server entry point and the orchestrator's providers iterate over it.

Registration: the three built-in clouds are declared here, because the orchestrator must know them (their names,
their demo, how to install them) when their packages are not installed. Any other cloud's package declares one entry
point in its pyproject::

    [project.entry-points."finops_mcp.clouds"]
    toy = "finops_toy.cloud:ENTRY"

and is found when the registry is first read, without any file of finops-mcp changing. An entry point (rather than
a ``register`` call in the package) because the orchestrator must learn of an installed cloud without importing
every installed package to find out; ``register`` exists for tests and embedding, for the life of a process.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import logging
import re
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Literal, overload

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

ENTRY_POINT_GROUP = "finops_mcp.clouds"
_log = logging.getLogger("finops.clouds")  # the standard library's: this module imports none of ours
ID_PATTERN = re.compile(r"[a-z][a-z0-9]{1,15}")  # a tool prefix, a TOML section name and a FINOPS_<ID>__ variable
TagKeys = Literal["exact", "any-case", "lowercase"]
"""How a cloud compares tag keys: ``exact`` (AWS), ``any-case`` (Azure: keys are case-insensitive), ``lowercase``
(Google Cloud: label keys are lowercase letters, digits, ``_`` and ``-``, so ``finops:protect`` cannot be one)."""


@dataclass(frozen=True)
class CloudEntry:
    """One cloud, as the registry knows it. ``demo`` and ``provider`` name objects as ``"module:attribute"`` and are
    imported only when used, so registering a cloud imports nothing of it."""

    id: str
    name: str  # for people: "Google Cloud"
    focus_provider: str  # the FOCUS ProviderName its exports carry ("Microsoft" for Azure)
    demo: str  # its sandbox CloudSpec (finops_core.sandbox.company)
    provider: str  # create_provider(settings) -> CloudProvider, for in-process use and its server
    package: str  # the distribution that holds ``provider``
    install: str  # the command that installs it
    tag_keys: TagKeys = "exact"
    protect_tag: str = "finops:protect=true"  # the tag (key=value) that keeps a resource out of every change

    def __post_init__(self) -> None:
        if not ID_PATTERN.fullmatch(self.id):
            raise ValueError(f"A cloud id is 2-16 lower-case letters and digits, starting with a letter: {self.id!r}")
        for ref in (self.demo, self.provider):
            if ref.count(":") != 1:
                raise ValueError(f"{self.id}: {ref!r} is not 'module:attribute'")

    @property
    def command(self) -> str:
        """The console script of its per-cloud server."""
        return f"finops-{self.id}"

    @property
    def module(self) -> str:
        """The top-level import package of its provider (present when the cloud's package is installed)."""
        return self.provider.partition(":")[0].partition(".")[0]

    def installed(self) -> bool:
        return importlib.util.find_spec(self.module) is not None


def load(ref: str) -> object:
    """The object ``ref`` ("module:attribute") names, imported now. (Its users type it: this module imports none of
    ours, so every other module can import it.)"""
    module, _, attribute = ref.partition(":")
    return getattr(importlib.import_module(module), attribute)


BUILT_IN = (
    CloudEntry(
        id="aws",
        name="AWS",
        focus_provider="AWS",
        demo="finops_core.sandbox.company:AWS",
        provider="finops_aws.provider:create_provider",
        package="finops-mcp-aws",
        install="pip install 'finops-mcp[aws]'",
    ),
    CloudEntry(
        id="azure",
        name="Azure",
        focus_provider="Microsoft",
        demo="finops_core.sandbox.company:AZURE",
        provider="finops_azure.provider:create_provider",
        package="finops-mcp-azure",
        install="pip install 'finops-mcp[azure]'",
        tag_keys="any-case",
    ),
    CloudEntry(
        id="gcp",
        name="Google Cloud",
        focus_provider="Google Cloud",
        demo="finops_core.sandbox.company:GCP",
        provider="finops_gcp.provider:create_provider",
        package="finops-mcp-gcp",
        install="pip install 'finops-mcp[gcp]'",
        tag_keys="lowercase",
        protect_tag="finops-protect=true",  # label keys cannot hold ':'
    ),
)


def _loaded(point: importlib.metadata.EntryPoint) -> CloudEntry | None:
    """The cloud an installed package declares; None (and a warning naming it) when its entry point is broken: one
    broken package must not stop every server, nor the other clouds."""
    try:
        found = point.load()
    except Exception as exc:
        problem = f"cannot be imported ({type(exc).__name__}: {exc})"
    else:
        if isinstance(found, CloudEntry):
            return found
        problem = f"is a {type(found).__name__}, not a CloudEntry"
    _log.warning(
        "Cloud %r (entry point %s in %s) %s, so it is left out. Reinstall or uninstall the package that declares it.",
        point.name,
        point.value,
        ENTRY_POINT_GROUP,
        problem,
    )
    return None


class _Registry:
    def __init__(self) -> None:
        self._entries: dict[str, CloudEntry] = {e.id: e for e in BUILT_IN}
        self._discovered = False

    def entries(self) -> dict[str, CloudEntry]:
        if not self._discovered:
            self._discovered = True  # first, so that a failing entry point is not retried on every read
            for point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
                found = _loaded(point)
                if found is not None and found.id not in self._entries:  # a built-in id is never replaced
                    self._entries[found.id] = found
        return self._entries

    def rediscover(self) -> None:
        """Read the installed entry points again on the next read (after installing a package)."""
        self._entries = {e.id: e for e in BUILT_IN}
        self._discovered = False


_REGISTRY = _Registry()


def entries() -> tuple[CloudEntry, ...]:
    """Every registered cloud, built-in ones first."""
    return tuple(_REGISTRY.entries().values())


def entry(cloud: str) -> CloudEntry:
    """The registry's entry for ``cloud``; ``KeyError`` naming the known ones when it has none."""
    found = _REGISTRY.entries().get(cloud)
    if found is None:
        raise KeyError(f"No cloud {cloud!r} is registered (known: {', '.join(_REGISTRY.entries())})")
    return found


def register(new: CloudEntry) -> None:
    """Add ``new`` for the life of this process (tests, embedding); an installed package uses its entry point."""
    known = _REGISTRY.entries()
    if known.get(new.id, new) != new:
        raise ValueError(f"Another cloud is already registered as {new.id!r}")
    known[new.id] = new


def unregister(cloud: str) -> None:
    if cloud in {e.id for e in BUILT_IN}:
        raise ValueError(f"{cloud!r} is built in")
    _REGISTRY.entries().pop(cloud, None)


@contextmanager
def registered(new: CloudEntry) -> Generator[CloudEntry]:
    """``new`` registered for the duration of the block."""
    register(new)
    try:
        yield new
    finally:
        unregister(new.id)


def rediscover() -> None:
    _REGISTRY.rediscover()


class _Ids(Sequence[str]):
    """The registered cloud ids, read when used (a cloud registered later is included)."""

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return tuple(_REGISTRY.entries())[index]

    def __len__(self) -> int:
        return len(_REGISTRY.entries())

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(_REGISTRY.entries()))

    def __repr__(self) -> str:
        return repr(tuple(self))


class _Facts(Mapping[str, str]):
    """One fact of every registered cloud by id, read when used."""

    def __init__(self, read: Callable[[CloudEntry], str]) -> None:
        self._read = read

    def __getitem__(self, cloud: str) -> str:
        found = _REGISTRY.entries().get(cloud)
        if found is None:
            raise KeyError(cloud)
        return self._read(found)

    def __len__(self) -> int:
        return len(_REGISTRY.entries())

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(_REGISTRY.entries()))


CLOUDS: Sequence[str] = _Ids()
CLOUD_NAMES: Mapping[str, str] = _Facts(lambda e: e.name)
FOCUS_PROVIDER_NAMES: Mapping[str, str] = _Facts(lambda e: e.focus_provider)


def _expected(options: Sequence[str]) -> str:
    """Pydantic's own wording for a Literal's choices: 'a', 'b' or 'c'."""
    quoted = [repr(o) for o in options]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


@dataclass(frozen=True)
class RegisteredCloud:
    """A pydantic annotation for a string that must be a registered cloud id (or one of ``also``): validated against
    the registry when a value arrives, and published as an ``enum`` of the registered clouds when a JSON schema is
    made, the same error and schema a ``Literal`` of them would give."""

    also: tuple[str, ...] = ()

    def options(self) -> list[str]:
        return [*CLOUDS, *self.also]

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        def check(value: str) -> str:
            options = self.options()
            if value not in options:
                raise PydanticCustomError(
                    "literal_error", "Input should be {expected}", {"expected": _expected(options)}
                )
            return value

        return core_schema.no_info_after_validator_function(check, core_schema.str_schema())

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"enum": self.options(), "type": "string"}


Cloud = Annotated[str, RegisteredCloud()]
"""A registered cloud's id ("aws", "azure", "gcp", or a plug-in's)."""
CloudOrAny = Annotated[str, RegisteredCloud(also=("*",))]
