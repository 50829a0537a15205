"""Logging a background loop's failures without flooding the log during an outage.

View runners and the chain follower retry every second or two while the database is down.
The first failure is logged in full; while they go on, one line a minute says for how long;
the first success after them says the loop resumed and after how long.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable


class RetryLog:
    """Failures and recovery of one retrying loop, logged as described above."""

    def __init__(
        self,
        log: logging.Logger,
        what: str,
        *,
        every: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = log
        self._clock = clock
        self._what = what
        self._every = every
        self._since: float | None = None  # when the current run of failures began
        self._last = 0.0  # when one of them was last logged
        self._count = 0

    @property
    def failing(self) -> bool:
        """Whether the last attempt failed."""
        return self._since is not None

    def failed(self, error: BaseException) -> None:
        """Notes a failed attempt (call it from the `except` block that caught `error`)."""
        now = self._clock()
        self._count += 1
        if self._since is None:
            self._since = self._last = now
            self._log.error("%s failed; retrying", self._what, exc_info=error)
        elif now - self._last >= self._every:
            self._last = now
            self._log.error(
                "%s still failing after %.0f s (%d attempts): %s",
                self._what,
                now - self._since,
                self._count,
                _first_line(error),
            )

    def succeeded(self) -> None:
        """Notes a successful attempt: logs the recovery if attempts had been failing."""
        if self._since is not None:
            self._log.warning(
                "%s resumed after %.1f s (%d failed attempt%s)",
                self._what,
                self._clock() - self._since,
                self._count,
                "" if self._count == 1 else "s",
            )
        self._since = None
        self._count = 0


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"
