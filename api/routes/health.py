"""Liveness: answers once the service can take commands."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import ServicesDep

router = APIRouter(tags=["service"])


class HealthRead(BaseModel):
    """The service is up and its database answers."""

    status: str
    position: int
    calendar_projected_years: list[int] = Field(
        description="years deadlines set now may fall in whose published holiday schedule the "
        "calendar lacks (counted on a projection until HUIYIN_CALENDAR_FILE lists them)",
        examples=[[2027]],
    )


@router.get("/health")
def health(services: ServicesDep) -> HealthRead:
    """Ready when the database answers; `position` is the head of the event sequence."""
    services.store.ping()
    casework = services.casework
    return HealthRead(
        status="ok",
        position=casework.head_position(),
        calendar_projected_years=casework.calendar.projected_years(casework.now()),
    )
