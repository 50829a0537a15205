"""The golden-idea review's state machine: each command, the states that allow it, and where
it leads. `IdeaReview` refuses a command its state does not allow by looking it up in
`IDEA_REVIEW_STATES`, and sets the state each event leads to from it.
"""

from __future__ import annotations

from enum import StrEnum

from domain.review_terms import IdeaReviewStatus
from domain.transitions import StateTable, Transition


class IdeaReviewCommand(StrEnum):
    """What can be done to a quarter's golden-idea review once opened."""

    ADD_IDEA = "add_idea"
    SCORE = "score"
    CORRECT_SCORE = "correct_score"
    DECIDE = "decide"
    PUBLISH = "publish"


IDEA_REVIEW_STATES: StateTable[IdeaReviewCommand, IdeaReviewStatus] = StateTable(
    subject="golden-idea review",
    initial=IdeaReviewStatus.OPEN,
    commands={
        IdeaReviewCommand.ADD_IDEA: Transition(
            "add an idea to",
            allowed={IdeaReviewStatus.OPEN},
            events=("IdeaAdded",),
            condition="adopted by the quarter's end",
        ),
        IdeaReviewCommand.SCORE: Transition(
            "score an idea in",
            allowed={IdeaReviewStatus.OPEN},
            events=("IdeaScored",),
            condition="by a reviewer, once",
        ),
        IdeaReviewCommand.CORRECT_SCORE: Transition(
            "correct a score in",
            allowed={IdeaReviewStatus.OPEN},
            events=("ScoreCorrected",),
            condition="the reviewer's own",
        ),
        IdeaReviewCommand.DECIDE: Transition(
            "decide",
            allowed={IdeaReviewStatus.OPEN},
            events=("Decided",),
            condition="every idea scored by every reviewer",
        ),
        IdeaReviewCommand.PUBLISH: Transition(
            "publish", allowed={IdeaReviewStatus.DECIDED}, events=("Published",)
        ),
    },
    events={"Decided": IdeaReviewStatus.DECIDED, "Published": IdeaReviewStatus.PUBLISHED},
)
