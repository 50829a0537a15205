"""Golden-idea reviews (金点子评审): one POST per command, and reads of a review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status

from api.auth import require
from api.case_versions import idea_review_at
from api.deps import ExpectedVersionDep, ReviewsDep, ServicesDep, etag
from api.routes.meetings import done
from api.routes.reviews import AsOf, ReviewId, Version, review_history
from api.schemas.idea_reviews import (
    IdeaIn,
    IdeaReviewCreate,
    IdeaReviewRead,
    IdeaScoreCorrection,
    IdeaScoreIn,
)
from api.schemas.meetings import ItemCommandRead, ItemHistoryRead
from domain.actors import Actor
from domain.golden_idea import IdeaReview
from domain.meeting_policy import Quarter
from domain.policy import Permission

router = APIRouter(tags=["reviews"])


@router.post("/idea-reviews", status_code=status.HTTP_201_CREATED)
def open_idea_review(
    body: IdeaReviewCreate,
    actor: Annotated[Actor, require(Permission.IDEA_REVIEW_MANAGE)],
    reviews: ReviewsDep,
    response: Response,
) -> ItemCommandRead:
    """Open a quarter's golden-idea review with its reviewers and published award scale."""
    result = reviews.open_idea_review(
        quarter=Quarter.parse(body.quarter),
        reviewers=body.reviewers,
        scale=body.scale_value(),
        actor=actor,
    )
    response.headers["Location"] = f"/idea-reviews/{result.id}"
    return done(result, response)


@router.post("/idea-reviews/{review_id}/ideas")
def add_idea(
    review_id: ReviewId,
    body: IdeaIn,
    actor: Annotated[Actor, require(Permission.IDEA_REVIEW_MANAGE)],
    reviews: ReviewsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Put an adopted suggestion appeal up for review."""
    result = reviews.add_idea(
        review_id, appeal_id=body.appeal_id, title=body.title, actor=actor, expected_version=version
    )
    return done(result, response)


@router.post("/idea-reviews/{review_id}/scores")
def score_idea(
    review_id: ReviewId,
    body: IdeaScoreIn,
    actor: Annotated[Actor, require(Permission.IDEA_REVIEW_SCORE)],
    reviews: ReviewsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Score an idea's applied effect and benefit (0–100 each), as one of the reviewers."""
    result = reviews.score_idea(
        review_id,
        appeal_id=body.appeal_id,
        effect=body.effect,
        benefit=body.benefit,
        actor=actor,
        expected_version=version,
    )
    return done(result, response)


@router.post("/idea-reviews/{review_id}/scores/correct")
def correct_idea_score(
    review_id: ReviewId,
    body: IdeaScoreCorrection,
    actor: Annotated[Actor, require(Permission.IDEA_REVIEW_SCORE)],
    reviews: ReviewsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Correct your own score of an idea before the decision, with a reason."""
    result = reviews.correct_idea_score(
        review_id,
        appeal_id=body.appeal_id,
        effect=body.effect,
        benefit=body.benefit,
        reason=body.reason,
        actor=actor,
        expected_version=version,
    )
    return done(result, response)


@router.post("/idea-reviews/{review_id}/decide")
def decide_ideas(
    review_id: ReviewId,
    actor: Annotated[Actor, require(Permission.IDEA_REVIEW_MANAGE)],
    reviews: ReviewsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Decide: each idea's mean score over the reviewers and its award by the scale."""
    return done(reviews.decide_ideas(review_id, actor=actor, expected_version=version), response)


@router.post("/idea-reviews/{review_id}/publish")
def publish_awards(
    review_id: ReviewId,
    actor: Annotated[Actor, require(Permission.IDEA_REVIEW_MANAGE)],
    reviews: ReviewsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Publish (公示) the decided awards."""
    return done(reviews.publish_awards(review_id, actor=actor, expected_version=version), response)


@router.get("/idea-reviews/{review_id}")
def get_idea_review(
    review_id: ReviewId,
    actor: Annotated[Actor, require(Permission.IDEA_REVIEW_READ)],
    services: ServicesDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> IdeaReviewRead:
    """The golden-idea review now, at a version, or as it stood at a moment; ETag is its version."""
    review = idea_review_at(services, actor, review_id, version, as_of)
    response.headers["ETag"] = etag(review.version)
    return review


@router.get("/idea-reviews/{review_id}/history")
def idea_review_history(
    review_id: ReviewId,
    actor: Annotated[Actor, require(Permission.IDEA_REVIEW_READ)],
    reviews: ReviewsDep,
) -> ItemHistoryRead:
    """Every event of the golden-idea review in order: type, time, actor and data."""
    return review_history(review_id, reviews.read_history(IdeaReview, review_id, actor))
