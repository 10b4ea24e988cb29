"""The inventory template every cloud fills in: gather what the cloud holds, price it at list prices, then list it
most expensive first (``list_priced`` and ``Listing.answer``) or hand it to the cloud's waste rules (``survey``).

A cloud supplies only its own parts (``InventoryParts``): how it reads its resources and how it prices them. The
checks of a request, the order of the answer, the notes of a partial answer and the answer's shape live here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Generic, Protocol, TypeVar, get_args

from finops_core.errors import FinOpsError, InvalidInput
from finops_core.models import Resource
from finops_core.provider import ResourceInventory, ResourceType


class Listed(Protocol):
    """A resource as a cloud's inventory read it (its own record type), holding the normalized resource; pricing
    fills the resource's ``monthly_cost``."""

    @property
    def resource(self) -> Resource: ...


L = TypeVar("L", bound=Listed)


@dataclass
class Gathered(Generic[L]):
    """What a cloud read, a line for each place or list it could not read, and whether the source cut its answer
    short (Azure Resource Graph does past its limits)."""

    found: list[L] = field(default_factory=lambda: list[L]())
    missing: list[str] = field(default_factory=lambda: list[str]())
    truncated: bool = False


@dataclass(frozen=True)
class Read(Generic[L]):
    """One independent read of a gathering (the regional lists, the buckets), and how its failure reads in
    ``missing``."""

    run: Callable[[], Awaitable[Gathered[L]]]
    failed: Callable[[FinOpsError], str]


async def read_all(reads: Sequence[Read[L]]) -> Gathered[L]:
    """Every read in turn, their resources and missing lines together. A read that fails is a missing line; only
    when every read failed is the first error raised (a partial answer of nothing helps nobody)."""
    out = Gathered[L]()
    errors: list[FinOpsError] = []
    for read in reads:
        try:
            part = await read.run()
        except FinOpsError as exc:
            errors.append(exc)
            out.missing.append(read.failed(exc))
        else:
            out.found.extend(part.found)
            out.missing.extend(part.missing)
            out.truncated = out.truncated or part.truncated
    if errors and len(errors) == len(reads):
        raise errors[0]
    return out


class InventoryParts(Protocol[L]):
    """One cloud's part of an inventory question, made over its context, its price book and the places asked."""

    # How a pricing failure reads in an answer: "the AWS Price List API failed".
    prices_failed: ClassVar[str]

    async def gather(self, kinds: Sequence[ResourceType]) -> Gathered[L]:
        """Every resource of ``kinds`` in the places asked; raises only when nothing at all could be read."""
        ...

    async def price(self, found: list[L]) -> str | None:
        """Fill each resource's estimated ``monthly_cost``; why prices are missing if they could not be read."""
        ...


def check_request(resource_type: str | None, limit: int) -> None:
    """Refuse a listing's arguments that no cloud takes."""
    if limit < 1:
        raise InvalidInput("limit must be at least 1.")
    if resource_type is not None and resource_type not in get_args(ResourceType):
        raise InvalidInput(f"resource_type must be one of {', '.join(get_args(ResourceType))}; got {resource_type!r}.")


def kinds_asked(resource_type: ResourceType | None, kinds: Sequence[ResourceType]) -> list[ResourceType]:
    """The kinds to read: the one asked for, or every kind the cloud lists."""
    return [resource_type] if resource_type is not None else list(kinds)


def refusal(provider: str, source: str, note: str) -> ResourceInventory:
    """An answer that lists nothing, and says why in ``note`` (a region or kind the cloud does not have)."""
    return ResourceInventory(
        provider=provider, resources=[], total=0, truncated=False, is_demo=False, source=source, note=note
    )


async def survey(parts: InventoryParts[L], kinds: Sequence[ResourceType]) -> Gathered[L]:
    """Every resource of ``kinds``, priced, for the waste rules; a pricing failure is one more ``missing`` line (the
    findings still come, their savings unestimated)."""
    gathered = await parts.gather(kinds)
    error = await parts.price(gathered.found)
    if error is not None:
        gathered.missing.append(f"savings estimates ({parts.prices_failed}): {error}")
    return gathered


def _cost(resource: Resource) -> Decimal:
    return resource.monthly_cost.amount if resource.monthly_cost is not None else Decimal(-1)


@dataclass
class Listing(Generic[L]):
    """Resources gathered and priced, most expensive first, with what could not be read or priced."""

    found: list[L]
    missing: list[str]
    truncated: bool
    prices_failed: str
    pricing_error: str | None

    def answer(
        self, provider: str, limit: int, *, source: str, nothing_found: str, notes: Sequence[str] = ()
    ) -> ResourceInventory:
        """The first ``limit`` resources; the note says when there are none (``nothing_found``), what is missing,
        the cloud's own ``notes``, and why costs are missing."""
        said: list[str] = []
        if not self.found:
            said.append(nothing_found)
        if self.missing:
            said.append("Partial answer; missing: " + "; ".join(self.missing))
        said.extend(notes)
        if self.pricing_error is not None:
            said.append(f"Costs are missing because {self.prices_failed}: {self.pricing_error}")
        return ResourceInventory(
            provider=provider,
            resources=[f.resource for f in self.found[:limit]],
            total=len(self.found),
            truncated=len(self.found) > limit,
            is_demo=False,
            source=source,
            note=" ".join(said) or None,
        )


async def list_priced(
    parts: InventoryParts[L], kinds: Sequence[ResourceType], *, id_order: Callable[[str], str] = str
) -> Listing[L]:
    """Every resource of ``kinds``, priced, most expensive first (then by kind and ``id_order`` of the id; unpriced
    last)."""
    gathered = await parts.gather(kinds)
    error = await parts.price(gathered.found)
    found = sorted(
        gathered.found, key=lambda f: (-_cost(f.resource), f.resource.resource_type, id_order(f.resource.resource_id))
    )
    return Listing(found, gathered.missing, gathered.truncated, parts.prices_failed, error)
