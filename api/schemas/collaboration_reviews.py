"""Request and response bodies of half-yearly collaboration reviews."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.bodies import Body, text_field
from api.schemas.reviews import People, Score
from domain import limits
from domain.collaboration_review import CollaborationReview
from domain.review_terms import (
    CollaborationKpi,
    CollaborationReviewStatus,
    RepresentativeSide,
)


class CollaborationReviewCreate(Body):
    """A department's review for a half-year, with both representative panels."""

    half_year: str = Field(max_length=10, examples=["2026-H1"])
    department: str = text_field(limits.DEPARTMENT, "机电科")
    management: People
    employees: People


class KpisIn(Body):
    """The three joint KPIs for the half-year, in percent; a second recording needs a reason."""

    satisfaction_improvement: Score
    joint_completion: Score
    timely_response: Score
    reason: str = text_field(limits.REASON, "审计更正", required=False)

    def values(self) -> dict[CollaborationKpi, Decimal]:
        """The KPI values."""
        return {
            CollaborationKpi.SATISFACTION_IMPROVEMENT: self.satisfaction_improvement,
            CollaborationKpi.JOINT_COMPLETION: self.joint_completion,
            CollaborationKpi.TIMELY_RESPONSE: self.timely_response,
        }


class RatingIn(Body):
    """A representative's rating of the department's collaboration."""

    score: Score


class RatingCorrection(RatingIn):
    """A representative's corrected rating, with the reason."""

    reason: str = text_field(limits.REASON, "填错了分数")


class RepresentativeRatingRead(BaseModel):
    """One representative's rating."""

    representative: str
    side: RepresentativeSide
    score: Decimal
    at: datetime


class CollaborationReviewRead(BaseModel):
    """A collaboration review as it stands (or stood); the score once closed."""

    id: UUID
    version: int
    half_year: str
    department: str
    status: CollaborationReviewStatus
    management: list[str]
    employees: list[str]
    weights: dict[str, Decimal]
    kpis: dict[CollaborationKpi, Decimal]
    ratings: list[RepresentativeRatingRead]
    missing_ratings: list[str]
    components: list[dict[str, Any]]
    score: Decimal | None
    opened_by: str
    closed_at: datetime | None
    modified_at: datetime

    @classmethod
    def of(cls, review: CollaborationReview) -> CollaborationReviewRead:
        """The read model of a collaboration review."""
        return cls(
            id=review.id,
            version=review.version,
            half_year=str(review.half_year),
            department=review.department,
            status=review.status,
            management=list(review.panels[RepresentativeSide.MANAGEMENT]),
            employees=list(review.panels[RepresentativeSide.EMPLOYEES]),
            weights=dict(review.weights),
            kpis=dict(review.kpis),
            ratings=[
                RepresentativeRatingRead(
                    representative=r.representative, side=r.side, score=r.score, at=r.at
                )
                for r in review.ratings.values()
            ],
            missing_ratings=review.missing_ratings(),
            components=list(review.components),
            score=review.score,
            opened_by=review.opened_by,
            closed_at=review.closed_at,
            modified_at=review.modified_on,
        )
