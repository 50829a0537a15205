"""Half-yearly collaboration reviews: one POST per command, and reads of a review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status

from api.auth import require
from api.case_versions import collaboration_review_at
from api.deps import ExpectedVersionDep, ReviewsDep, ServicesDep, etag
from api.routes.meetings import done
from api.routes.reviews import AsOf, ReviewId, Version, review_history
from api.schemas.collaboration_reviews import (
    CollaborationReviewCreate,
    CollaborationReviewRead,
    KpisIn,
    RatingCorrection,
    RatingIn,
)
from api.schemas.meetings import ItemCommandRead, ItemHistoryRead
from domain.actors import Actor
from domain.collaboration_review import CollaborationReview
from domain.policy import Permission
from domain.review_terms import HalfYear

router = APIRouter(tags=["reviews"])


@router.post("/collaboration-reviews", status_code=status.HTTP_201_CREATED)
def open_collaboration_review(
    body: CollaborationReviewCreate,
    actor: Annotated[Actor, require(Permission.COLLABORATION_MANAGE)],
    reviews: ReviewsDep,
    response: Response,
) -> ItemCommandRead:
    """Open a department's collaboration review for a half-year with both panels."""
    result = reviews.open_collaboration_review(
        half_year=HalfYear.parse(body.half_year),
        department=body.department,
        management=body.management,
        employees=body.employees,
        actor=actor,
    )
    response.headers["Location"] = f"/collaboration-reviews/{result.id}"
    return done(result, response)


@router.post("/collaboration-reviews/{review_id}/kpis")
def record_kpis(
    review_id: ReviewId,
    body: KpisIn,
    actor: Annotated[Actor, require(Permission.COLLABORATION_MANAGE)],
    reviews: ReviewsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Record the three joint KPIs (percent, 15% weight each); again only with a reason."""
    result = reviews.record_kpis(
        review_id,
        values=body.values(),
        reason=body.reason,
        actor=actor,
        expected_version=version,
    )
    return done(result, response)


@router.post("/collaboration-reviews/{review_id}/ratings")
def rate_collaboration(
    review_id: ReviewId,
    body: RatingIn,
    actor: Annotated[Actor, require(Permission.COLLABORATION_RATE)],
    reviews: ReviewsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Rate the department's collaboration (0–100), as one of the representatives."""
    result = reviews.rate_collaboration(
        review_id, score=body.score, actor=actor, expected_version=version
    )
    return done(result, response)


@router.post("/collaboration-reviews/{review_id}/ratings/correct")
def correct_collaboration_rating(
    review_id: ReviewId,
    body: RatingCorrection,
    actor: Annotated[Actor, require(Permission.COLLABORATION_RATE)],
    reviews: ReviewsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Correct your own rating before the close, with a reason."""
    result = reviews.correct_collaboration_rating(
        review_id, score=body.score, reason=body.reason, actor=actor, expected_version=version
    )
    return done(result, response)


@router.post("/collaboration-reviews/{review_id}/close")
def close_collaboration_review(
    review_id: ReviewId,
    actor: Annotated[Actor, require(Permission.COLLABORATION_MANAGE)],
    reviews: ReviewsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Compute and record the weighted score."""
    result = reviews.close_collaboration_review(review_id, actor=actor, expected_version=version)
    return done(result, response)


@router.get("/collaboration-reviews/{review_id}")
def get_collaboration_review(
    review_id: ReviewId,
    actor: Annotated[Actor, require(Permission.COLLABORATION_READ)],
    services: ServicesDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> CollaborationReviewRead:
    """The collaboration review now, at a version, or as it stood then; ETag is its version."""
    review = collaboration_review_at(services, actor, review_id, version, as_of)
    response.headers["ETag"] = etag(review.version)
    return review


@router.get("/collaboration-reviews/{review_id}/history")
def collaboration_review_history(
    review_id: ReviewId,
    actor: Annotated[Actor, require(Permission.COLLABORATION_READ)],
    reviews: ReviewsDep,
) -> ItemHistoryRead:
    """Every event of the collaboration review in order: type, time, actor and data."""
    return review_history(review_id, reviews.read_history(CollaborationReview, review_id, actor))
