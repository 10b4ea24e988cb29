"""``Lazy``: what a cloud's clients make once, on first use, and keep (a boto3 session, an Azure or Google
credential): slow to make or needing the environment, so never made at start, and asked for from several worker
threads at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Generic, TypeVar, cast

T = TypeVar("T")


_UNMADE = object()  # not made yet (None may be a made value)


class Lazy(Generic[T]):
    """``make()``'s value, made on the first call under the cloud's error translation (``errors(what)``), one thread
    at a time, then kept; after a failure the next call tries again."""

    def __init__(self, make: Callable[[], T], what: str, errors: Callable[[str], AbstractContextManager[None]]) -> None:
        self._make = make
        self._what = what
        self._errors = errors
        self._value: T | object = _UNMADE
        self._lock = threading.Lock()

    def __call__(self) -> T:
        with self._lock:
            if self._value is _UNMADE:
                with self._errors(self._what):
                    self._value = self._make()
            return cast("T", self._value)
