"""The plumbing every REST cloud's adapter has (Azure, Google Cloud), one scenario for each (``RestPlumbing``): a
fan-out answers for each configured place and names the one that refused, an HTTP error becomes the finops error
that says what to do, and a service that stops answering is unavailable once the timeout passes.

Each cloud's ``test_foundation.py`` subclasses ``RestPlumbing`` with one fixture, ``listing``: one list of its API
over its emulator, asked through the adapter's real SDK clients (``Listing``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import pytest
from finops_core.errors import AuthError, NotFound, PermissionDenied, Throttled, Unavailable
from finops_core.fanout import FanOut

from tests.credentials import leaked
from tests.fakes.rest import Handler, RestError, RestFake, RestRequest

C = TypeVar("C")


class Listing(ABC, Generic[C]):
    """One list of a cloud's REST API (Azure Advisor's recommendations, Google's Recommender) over its emulator
    ``fake``, asked through the contexts ``context(**setting_overrides)`` makes (the ``<cloud>_context`` fixture)."""

    route: str  # the list's route name in the emulator
    path: str  # its path pattern
    places: tuple[str, str]  # the configured subscriptions or projects; the second refuses
    item: str  # what the list names in the first place
    role_doc: str  # where a refused place's note sends the user
    unreachable: str  # how the error of a service that stops answering begins

    def __init__(self, fake: RestFake, context: Callable[..., C]) -> None:
        self.fake, self.context = fake, context

    @abstractmethod
    def answer(self, request: RestRequest) -> dict[str, Any]:
        """The emulator's answer: one item, ``item``, in the first place; a refusal (403) in the second."""

    @abstractmethod
    def refusal(self, status: int) -> RestError:
        """The cloud's error answer with HTTP ``status``."""

    @abstractmethod
    async def fan_out(self) -> FanOut[list[str]]:
        """The list asked in every configured place at once, through the adapter's context."""

    @abstractmethod
    def list_once(self, **settings: Any) -> list[str]:
        """The list asked once (no retry) in the first place, with ``settings`` over the test's, in the cloud's error
        mapping."""

    def serve(self, handler: Handler | None = None) -> None:
        """The emulator answers the list with ``handler`` (default: ``answer``)."""
        self.fake.route(self.route, "GET", self.path, handler or self.answer)


class RestPlumbing:
    """A fan-out answers per place and names the one that refused, with where to grant the permission; every HTTP
    error is the finops error that says what to do, with no credential in it; a service that stops answering is
    unavailable once the read timeout passes, instead of hanging."""

    pytestmark = pytest.mark.anyio

    async def test_fan_out_answers_per_place_and_names_the_one_that_refused(self, listing: Listing[Any]) -> None:
        listing.serve()
        out = await listing.fan_out()
        assert out.results == [[listing.item]]
        assert len(out.missing) == 1
        assert listing.places[1] in out.missing[0]
        assert listing.role_doc in out.missing[0]

    @pytest.mark.parametrize(
        ("status", "error"),
        [(401, AuthError), (403, PermissionDenied), (404, NotFound), (429, Throttled), (503, Unavailable)],
    )
    def test_http_errors_become_finops_errors_that_say_what_to_do(
        self, listing: Listing[Any], status: int, error: type[Exception]
    ) -> None:
        def refuse(request: RestRequest) -> dict[str, Any]:
            raise listing.refusal(status)

        listing.serve(refuse)
        with pytest.raises(error) as raised:
            listing.list_once()
        assert leaked(str(raised.value)) == []

    def test_a_service_that_stops_answering_is_unavailable_once_the_read_timeout_passes(
        self, listing: Listing[Any]
    ) -> None:
        listing.serve()
        listing.fake.fail(listing.route, "slow")
        with pytest.raises(Unavailable, match=listing.unreachable):
            listing.list_once(timeout_seconds=0.3)
