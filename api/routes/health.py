"""Liveness: answers once the service can take commands."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import ServicesDep

router = APIRouter(tags=["service"])


class HealthRead(BaseModel):
    """The service is up and its database answers."""

    status: str
    position: int


@router.get("/health")
def health(services: ServicesDep) -> HealthRead:
    """Ready when the database answers; `position` is the head of the event sequence."""
    services.store.ping()
    return HealthRead(status="ok", position=services.casework.head_position())
