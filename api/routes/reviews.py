"""What the routes of the three reviews share: their path and query parameters, and the
history they answer with.

The routes themselves are in `api.routes.idea_reviews`, `api.routes.competitions` and
`api.routes.collaboration_reviews`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query

from api.schemas.bodies import AwareDatetime
from api.schemas.meetings import ItemHistoryRead, event_read

ReviewId = Annotated[UUID, "the review's id"]
Version = Annotated[int | None, Query(ge=1, description="as it stood at this version")]
AsOf = Annotated[AwareDatetime | None, Query(description="as it stood then (ISO 8601, with zone)")]


def review_history(
    aggregate_id: UUID, history: Sequence[Any], identity: bool = True
) -> ItemHistoryRead:
    """A review's events as a reader may see them (identity hidden unless `identity`)."""
    events = [event_read(e, identity) for e in history]
    return ItemHistoryRead(id=aggregate_id, events=events)
