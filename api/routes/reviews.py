"""Golden-idea reviews, skill competitions and collaboration reviews: one POST per command."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from api.auth import require
from api.deps import ExpectedVersionDep, IdempotencyKeyDep, ReviewsDep, etag
from api.personal_data import sees_identity
from api.routes.meetings import done, one_of_version_and_as_of
from api.schemas.bodies import AwareDatetime
from api.schemas.collaboration_reviews import (
    CollaborationReviewCreate,
    CollaborationReviewRead,
    KpisIn,
    RatingCorrection,
    RatingIn,
)
from api.schemas.competitions import (
    CompetitionCreate,
    CompetitionRead,
    CompetitionScoreCorrection,
    CompetitionScoresIn,
    ContestantIn,
)
from api.schemas.idea_reviews import (
    IdeaIn,
    IdeaReviewCreate,
    IdeaReviewRead,
    IdeaScoreCorrection,
    IdeaScoreIn,
)
from api.schemas.meetings import ItemCommandRead, ItemHistoryRead, event_read
from domain.actors import Actor
from domain.collaboration_review import CollaborationReview
from domain.competition import Competition
from domain.golden_idea import IdeaReview
from domain.meeting_policy import Quarter
from domain.policy import Permission
from domain.review_terms import HalfYear

router = APIRouter(tags=["reviews"])

ReviewId = Annotated[UUID, "the review's id"]
CompetitionId = Annotated[UUID, "the competition's id"]
Version = Annotated[int | None, Query(ge=1, description="as it stood at this version")]
AsOf = Annotated[AwareDatetime | None, Query(description="as it stood then (ISO 8601, with zone)")]


def _history(aggregate_id: UUID, history: Sequence[Any], identity: bool = True) -> ItemHistoryRead:
    events = [event_read(e, identity) for e in history]
    return ItemHistoryRead(id=aggregate_id, events=events)


# -- golden ideas (金点子) ----------------------------------------------------------------------


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
    reviews: ReviewsDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> IdeaReviewRead:
    """The golden-idea review now, at a version, or as it stood at a moment; ETag is its version."""
    one_of_version_and_as_of(version, as_of, "review")
    review = reviews.read(IdeaReview, review_id, actor, version=version, as_of=as_of)
    response.headers["ETag"] = etag(review.version)
    return IdeaReviewRead.of(review)


@router.get("/idea-reviews/{review_id}/history")
def idea_review_history(
    review_id: ReviewId,
    actor: Annotated[Actor, require(Permission.IDEA_REVIEW_READ)],
    reviews: ReviewsDep,
) -> ItemHistoryRead:
    """Every event of the golden-idea review in order: type, time, actor and data."""
    return _history(review_id, reviews.read_history(IdeaReview, review_id, actor))


# -- skill competition (工匠杯) -----------------------------------------------------------------


@router.post("/competitions", status_code=status.HTTP_201_CREATED)
def open_competition(
    body: CompetitionCreate,
    actor: Annotated[Actor, require(Permission.COMPETITION_MANAGE)],
    reviews: ReviewsDep,
    response: Response,
    key: IdempotencyKeyDep,
) -> ItemCommandRead:
    """Open a skill competition with its judges; weights default to 30/50/20."""
    result = reviews.open_competition(
        name=body.name,
        judges=body.judges,
        weights=body.weights.value() if body.weights else None,
        actor=actor,
        key=key,
    )
    response.headers["Location"] = f"/competitions/{result.id}"
    return done(result, response)


@router.post("/competitions/{competition_id}/contestants")
def register_contestant(
    competition_id: CompetitionId,
    body: ContestantIn,
    actor: Annotated[Actor, require(Permission.COMPETITION_MANAGE)],
    reviews: ReviewsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Register a contestant for the department they represent."""
    result = reviews.register_contestant(
        competition_id,
        contestant=body.contestant,
        department=body.department,
        actor=actor,
        expected_version=version,
    )
    return done(result, response)


@router.post("/competitions/{competition_id}/scores")
def submit_scores(
    competition_id: CompetitionId,
    body: CompetitionScoresIn,
    actor: Annotated[Actor, require(Permission.COMPETITION_SCORE)],
    reviews: ReviewsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Score a contestant's parts (0–100 each), as one of the judges; each part once."""
    result = reviews.submit_scores(
        competition_id,
        contestant=body.contestant,
        scores=body.scores(),
        actor=actor,
        expected_version=version,
    )
    return done(result, response)


@router.post("/competitions/{competition_id}/scores/correct")
def correct_competition_score(
    competition_id: CompetitionId,
    body: CompetitionScoreCorrection,
    actor: Annotated[Actor, require(Permission.COMPETITION_SCORE)],
    reviews: ReviewsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Correct your own score of one part before finalising, with a reason."""
    result = reviews.correct_competition_score(
        competition_id,
        contestant=body.contestant,
        part=body.part,
        score=body.score,
        reason=body.reason,
        actor=actor,
        expected_version=version,
    )
    return done(result, response)


@router.post("/competitions/{competition_id}/finalise")
def finalise_competition(
    competition_id: CompetitionId,
    actor: Annotated[Actor, require(Permission.COMPETITION_MANAGE)],
    reviews: ReviewsDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Record the ranking: the top 20 earn the title, the top 5 go on to industry contests."""
    result = reviews.finalise_competition(competition_id, actor=actor, expected_version=version)
    return done(result, response)


@router.get("/competitions/{competition_id}")
def get_competition(
    competition_id: CompetitionId,
    actor: Annotated[Actor, require(Permission.COMPETITION_READ)],
    reviews: ReviewsDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> CompetitionRead:
    """The competition now, at a version, or as it stood at a moment; ETag is its version."""
    one_of_version_and_as_of(version, as_of, "competition")
    competition = reviews.read(Competition, competition_id, actor, version=version, as_of=as_of)
    response.headers["ETag"] = etag(competition.version)
    return CompetitionRead.of(competition, sees_identity(actor, competition))


@router.get("/competitions/{competition_id}/history")
def competition_history(
    competition_id: CompetitionId,
    actor: Annotated[Actor, require(Permission.COMPETITION_READ)],
    reviews: ReviewsDep,
) -> ItemHistoryRead:
    """Every event of the competition in order: type, time, actor and data (contestants
    only for those who may see who)."""
    identity = sees_identity(actor, reviews.read(Competition, competition_id, actor))
    return _history(competition_id, reviews.history(competition_id), identity)


# -- half-yearly collaboration review ---------------------------------------------------------


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
    reviews: ReviewsDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> CollaborationReviewRead:
    """The collaboration review now, at a version, or as it stood then; ETag is its version."""
    one_of_version_and_as_of(version, as_of, "review")
    review = reviews.read(CollaborationReview, review_id, actor, version=version, as_of=as_of)
    response.headers["ETag"] = etag(review.version)
    return CollaborationReviewRead.of(review)


@router.get("/collaboration-reviews/{review_id}/history")
def collaboration_review_history(
    review_id: ReviewId,
    actor: Annotated[Actor, require(Permission.COLLABORATION_READ)],
    reviews: ReviewsDep,
) -> ItemHistoryRead:
    """Every event of the collaboration review in order: type, time, actor and data."""
    return _history(review_id, reviews.read_history(CollaborationReview, review_id, actor))
