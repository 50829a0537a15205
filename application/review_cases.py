"""What the review use cases share: the one `Casework` application (its event store, clock
and cipher), reads of any of the three reviews, and the ids of reviews held once per period.

Every command returns an `ItemResult` (id, new version, global position); every command on
an existing review takes `expected_version` and refuses a stale one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from application.aggregates import AggregateAccess
from application.casework import Casework
from domain.actors import Actor
from domain.collaboration_review import CollaborationReview
from domain.competition import Competition
from domain.errors import ActionNotAllowed, NotFound
from domain.golden_idea import IdeaReview
from domain.policy import Permission

_NOUNS: dict[type[Aggregate], str] = {
    IdeaReview: "golden-idea review",
    Competition: "competition",
    CollaborationReview: "collaboration review",
}

Review = TypeVar("Review", IdeaReview, Competition, CollaborationReview)

#: What reading each kind of review needs.
_READ: dict[type[Aggregate], Permission] = {
    IdeaReview: Permission.IDEA_REVIEW_READ,
    Competition: Permission.COMPETITION_READ,
    CollaborationReview: Permission.COLLABORATION_READ,
}

#: Ids of reviews that exist once per period are derived from the period within this namespace.
PERIOD_IDS = uuid5(NAMESPACE_URL, "https://huiyin.local/reviews")


class ReviewCases:
    """The store and reads that golden-idea reviews, competitions and collaboration reviews
    share."""

    def __init__(self, app: Casework) -> None:
        self.app = app
        self._access = AggregateAccess(app, _NOUNS)

    def read(
        self,
        cls: type[Review],
        review_id: UUID,
        actor: Actor,
        *,
        version: int | None = None,
        as_of: datetime | None = None,
    ) -> Review:
        """A golden-idea review, competition or collaboration review now, at `version` or
        as of a moment, if `actor` may read it."""
        return self._access.read(
            cls, review_id, actor=actor, permission=_READ[cls], version=version, as_of=as_of
        )

    def read_history(self, cls: type[Review], review_id: UUID, actor: Actor) -> Sequence[Any]:
        """Every event of a review, if `actor` may read it."""
        self.read(cls, review_id, actor)
        return self.history(review_id)

    def history(self, aggregate_id: UUID) -> Sequence[Any]:
        """Every event of a golden-idea review, competition or collaboration review, in order."""
        return self._access.history(
            aggregate_id, (IdeaReview.Opened, Competition.Opened, CollaborationReview.Opened)
        )

    def _load(
        self,
        cls: type[Review],
        review_id: UUID,
        expected_version: int | None,
        actor: Actor,
        permission: Permission,
    ) -> Review:
        return self._access.load(
            cls, review_id, expected_version, actor=actor, permission=permission
        )

    def _refuse_second(
        self, cls: type[IdeaReview] | type[CollaborationReview], review_id: UUID, detail: str
    ) -> None:
        try:
            existing = self._access.get(cls, review_id)
        except NotFound:
            return
        noun = _NOUNS[cls]
        raise ActionNotAllowed("open", existing.status.value, detail, subject=noun)
