"""Waiting in tests for something another thread, process or server does: a bounded poll
of a condition, never a fixed sleep."""

from __future__ import annotations

import time
from collections.abc import Callable

#: Seconds between looks at the condition.
EVERY = 0.01


def until(what: str, condition: Callable[[], object], timeout: float = 30.0) -> None:
    """Returns as soon as `condition()` is true; fails naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(EVERY)
