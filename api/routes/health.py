"""Liveness: answers once the service can take commands."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import ServicesDep

router = APIRouter(tags=["service"])


class ReplicaHealth(BaseModel):
    """The read replica (`HUIYIN_READ_DATABASE_URL`): whether it answers and how far behind
    the primary it is. Reads go to the primary while it cannot be reached."""

    status: str = Field(
        description="ok; unreachable (reads go to the primary meanwhile); not-a-standby "
        "(it answers, but is not replaying a primary's log)",
        examples=["ok"],
    )
    reads_on: str = Field(description="where view reads go now: replica or primary")
    replay_lag_bytes: int | None = Field(
        default=None, description="the primary's log the replica has still to replay"
    )
    last_replay_seconds_ago: float | None = Field(
        default=None,
        description="seconds since the replica replayed a transaction (also grows while "
        "nothing is written)",
    )
    error: str | None = Field(default=None, description="the kind of error, when unreachable")


class OutboxRead(BaseModel):
    """Notices on their way out: alert when `oldest_due_seconds` grows (nothing is being
    sent: the background worker or a receiver is down) or `decided_position` falls behind
    `position` (no notice is being decided)."""

    pending: int = Field(description="deliveries not yet made (due now, or waiting to retry)")
    due: int = Field(description="pending deliveries due now")
    dead: int = Field(description="deliveries given up (GET /webhooks/deliveries?status=dead)")
    oldest_due_seconds: float = Field(
        description="how long the longest-waiting due delivery has been due (0: none)"
    )
    decided_position: int | None = Field(
        description="the last event the notice decider has decided on (null: it never ran)"
    )


class HealthRead(BaseModel):
    """The service is up and its database answers."""

    status: str
    position: int
    calendar_projected_years: list[int] = Field(
        description="years deadlines set now may fall in whose published holiday schedule the "
        "calendar lacks (counted on a projection until HUIYIN_CALENDAR_FILE lists them)",
        examples=[[2027]],
    )
    read_replica: ReplicaHealth | None = Field(
        default=None, description="the read replica, when one is configured"
    )
    outbox: OutboxRead | None = Field(
        default=None, description="notices and their deliveries, when notices are on"
    )


@router.get("/health")
def health(services: ServicesDep) -> HealthRead:
    """Ready when the database answers; `position` is the head of the event sequence. A
    read replica that cannot be reached does not make the service unready (reads go to the
    primary), but `read_replica` says so; nor does an outbox that is behind, but `outbox`
    says so."""
    services.store.ping()
    casework = services.casework
    replica = services.views.replica_health()
    return HealthRead(
        status="ok",
        position=casework.head_position(),
        calendar_projected_years=casework.calendar.projected_years(casework.now()),
        read_replica=None if replica is None else ReplicaHealth(**replica),
        outbox=OutboxRead(**asdict(services.webhooks.health()))
        if services.settings.notices
        else None,
    )
