"""When a failed delivery is tried again, and when it is given up (a dead letter).

Every failure is retried: the next wait is `retry_seconds * 2^(attempt-1)`, capped at an
hour, with ±20% jitter so that a receiver back from an outage is not hit by every sender in
the same second. A delivery still failing `give_up_hours` after it was decided (its `since`)
is dead: listed for admin, who may replay it. One exception: a standard endpoint answering
410 Gone says it wants no more; that delivery is dead at once (the endpoint is not paused —
that is admin's call, and the dead letters show why).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

#: The longest wait between two attempts.
MAX_WAIT = timedelta(hours=1)
#: How far a wait may stray from the doubling, either way.
JITTER = 0.2


class Outcome(StrEnum):
    """What one attempt came to (a row of huiyin_webhook_attempts)."""

    DELIVERED = "delivered"  # 2xx (and errcode 0 from a robot); the SMTP server accepted it
    FAILED = "failed"  # an error status, a robot's errcode, a refusal by the SMTP server
    TIMEOUT = "timeout"  # no answer within webhook_timeout_seconds
    UNREACHABLE = "unreachable"  # no connection (refused, DNS, TLS)
    GONE = "gone"  # 410 from a standard endpoint: it wants no more


@dataclass(frozen=True)
class Attempt:
    """What a transport reports of one try."""

    outcome: Outcome
    status_code: int | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        """Whether the receiver has it."""
        return self.outcome is Outcome.DELIVERED


def next_wait(attempt: int, retry_seconds: float, jitter: float = 0.0) -> timedelta:
    """The wait after the `attempt`-th failure (1 for the first); `jitter` in [-1, 1]
    scales the ±20% spread (a random draw in use, 0 in the rule's tests)."""
    if attempt < 1:
        raise ValueError("attempts are counted from 1")
    doubled = retry_seconds * 2 ** min(attempt - 1, 32)
    base = min(timedelta(seconds=doubled), MAX_WAIT)
    return base * (1 + JITTER * max(-1.0, min(1.0, jitter)))


def given_up(since: datetime, now: datetime, give_up_hours: float) -> bool:
    """Whether a delivery decided at `since` and failing at `now` is given up."""
    return now - since > timedelta(hours=give_up_hours)


@dataclass(frozen=True)
class AfterFailure:
    """What becomes of a delivery after a failed attempt: dead, or tried again at `retry_at`."""

    dead: bool
    retry_at: datetime | None = None


def after_failure(
    attempt: Attempt,
    number: int,
    *,
    since: datetime,
    now: datetime,
    retry_seconds: float,
    give_up_hours: float,
    jitter: float = 0.0,
) -> AfterFailure:
    """The rule in one place: gone or past the give-up time is dead, else back off."""
    if attempt.outcome is Outcome.GONE or given_up(since, now, give_up_hours):
        return AfterFailure(dead=True)
    return AfterFailure(dead=False, retry_at=now + next_wait(number, retry_seconds, jitter))
