"""The collaboration review's state machine: each command, the states that allow it, and
where it leads. `CollaborationReview` refuses a command its state does not allow by looking
it up in `COLLABORATION_REVIEW_STATES`, and sets the state each event leads to from it.
"""

from __future__ import annotations

from enum import StrEnum

from domain.review_terms import CollaborationReviewStatus
from domain.transitions import StateTable, Transition


class CollaborationReviewCommand(StrEnum):
    """What can be done to a half-year's collaboration review once opened."""

    RECORD_KPIS = "record_kpis"
    RATE = "rate"
    CORRECT_RATING = "correct_rating"
    CLOSE = "close"


COLLABORATION_REVIEW_STATES: StateTable[CollaborationReviewCommand, CollaborationReviewStatus] = (
    StateTable(
        subject="collaboration review",
        initial=CollaborationReviewStatus.OPEN,
        commands={
            CollaborationReviewCommand.RECORD_KPIS: Transition(
                "record the KPIs of",
                allowed={CollaborationReviewStatus.OPEN},
                events=("KpisRecorded",),
            ),
            CollaborationReviewCommand.RATE: Transition(
                "rate",
                allowed={CollaborationReviewStatus.OPEN},
                events=("Rated",),
                condition="by a representative, once",
            ),
            CollaborationReviewCommand.CORRECT_RATING: Transition(
                "correct a rating in",
                allowed={CollaborationReviewStatus.OPEN},
                events=("RatingCorrected",),
                condition="the representative's own",
            ),
            CollaborationReviewCommand.CLOSE: Transition(
                "close",
                allowed={CollaborationReviewStatus.OPEN},
                events=("Closed",),
                condition="the KPIs and every rating recorded",
            ),
        },
        events={"Closed": CollaborationReviewStatus.CLOSED},
    )
)
