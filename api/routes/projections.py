"""The projections' progress: each view's position, the head of the event sequence, the lag."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.auth import require
from api.deps import ViewsDep
from domain.actors import Actor
from domain.policy import Permission

router = APIRouter(tags=["projections"])


class ViewStatusRead(BaseModel):
    """How far one view has got."""

    name: str = Field(examples=["case_index"])
    position: int = Field(description="last event applied", examples=[1234])
    head: int = Field(description="newest event in the store", examples=[1236])
    lag: int = Field(description="events not applied yet", examples=[2])
    runner: str = Field(
        description="leading (runs here), standing-by (another process leads), elsewhere "
        "(another process, e.g. serve's worker, runs it) or none (nobody runs it: start "
        "`huiyin project` or check the worker)",
        examples=["leading"],
    )
    error: str | None = Field(
        default=None,
        description="why the view's runner stopped, in whichever process runs it; cleared "
        "when the view next applies an event (it retries every few seconds meanwhile)",
        examples=[None],
    )
    error_position: int | None = Field(
        default=None, description="the event the view failed to apply, when known"
    )
    error_process: str | None = Field(
        default=None, description="host:pid of the runner that stopped", examples=[None]
    )
    error_at: datetime | None = Field(default=None, description="when it stopped")


class ProjectionsRead(BaseModel):
    """Every view's progress against the head of the event sequence."""

    head: int
    views: list[ViewStatusRead]


@router.get("/projections", summary="Views, their positions and lag")
def projections(
    views: ViewsDep, actor: Annotated[Actor, require(Permission.PROJECTIONS_READ)]
) -> ProjectionsRead:
    """Each view's position, the head of the event sequence, and the lag between them."""
    status = views.status()
    head = max((entry["head"] for entry in status), default=views.head())
    return ProjectionsRead(head=head, views=[ViewStatusRead(**entry) for entry in status])
