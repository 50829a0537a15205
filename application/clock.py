"""Clocks: the real one, and a manual one that tests and the demo can move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class ManualClock:
    """A clock that follows real time until it is set, then stays where it is put."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now: datetime | None = None
        if start is not None:
            self.set(start)

    def __call__(self) -> datetime:
        """The current time of this clock."""
        return self._now if self._now is not None else datetime.now(UTC)

    def set(self, moment: datetime) -> None:
        """Stops the clock at `moment` (which must carry a time zone)."""
        if moment.tzinfo is None:
            raise ValueError("the clock needs time-zone-aware times")
        self._now = moment

    def advance(self, delta: timedelta) -> datetime:
        """Moves a stopped clock on by `delta` (a following clock is stopped first)."""
        self._now = self() + delta
        return self._now

    def follow_real_time(self) -> None:
        """Lets the clock follow real time again."""
        self._now = None
