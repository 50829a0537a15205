"""Request and response bodies of golden-idea reviews (金点子评审)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.bodies import Body, text_field
from api.schemas.reviews import People, Score
from domain import limits
from domain.award_scale import AwardScale
from domain.golden_idea import IdeaReview
from domain.golden_idea_records import Idea
from domain.review_terms import IdeaReviewStatus


class AwardBandIn(Body):
    """A combined score of at least `min_score` earns `award` yuan (100–500)."""

    min_score: Score
    award: int = Field(ge=100, le=500, examples=[300])


class IdeaReviewCreate(Body):
    """A quarter's review: its reviewers and, if not the default, its award scale."""

    quarter: str = Field(max_length=10, examples=["2026-Q3"])
    reviewers: People
    scale: list[AwardBandIn] | None = Field(
        default=None,
        min_length=1,
        max_length=limits.BANDS,
        examples=[None],
        description="default: 0→100, 60→200, 70→300, 80→400, 90→500 yuan",
    )

    def scale_value(self) -> AwardScale | None:
        """The domain scale, if one was given."""
        if self.scale is None:
            return None
        return AwardScale.of([(band.min_score, band.award) for band in self.scale])


class IdeaIn(Body):
    """An adopted suggestion appeal to put up for review."""

    appeal_id: UUID
    title: str | None = Field(
        default=None,
        min_length=1,
        max_length=limits.TITLE,
        examples=["井下通风改进建议"],
        description="the title the awards publish it by; by default the appeal's own "
        "(give one when that carries personal data, which is refused)",
    )


class IdeaScoreIn(Body):
    """A reviewer's score of an idea's applied effect and benefit."""

    appeal_id: UUID
    effect: Score
    benefit: Score


class IdeaScoreCorrection(IdeaScoreIn):
    """A reviewer's corrected score, with the reason."""

    reason: str = text_field(limits.REASON, "误读了节约金额")


class AwardBandRead(BaseModel):
    """A band of the award scale."""

    min_score: Decimal
    award: int


class ReviewerScoreRead(BaseModel):
    """One reviewer's score of one idea; the total is the mean of effect and benefit."""

    reviewer: str
    effect: Decimal
    benefit: Decimal
    total: Decimal
    at: datetime


class IdeaRead(BaseModel):
    """An idea under review, every reviewer's score, and once decided its score and award."""

    appeal_id: UUID
    case_number: str
    title: str
    department: str
    adopted_at: datetime
    scores: list[ReviewerScoreRead]
    combined_score: Decimal | None
    award: int | None

    @classmethod
    def of(cls, idea: Idea) -> IdeaRead:
        """The read model of an idea."""
        return cls(
            appeal_id=idea.appeal_id,
            case_number=idea.case_number,
            title=idea.title,
            department=idea.department,
            adopted_at=idea.adopted_at,
            scores=[
                ReviewerScoreRead(
                    reviewer=s.reviewer, effect=s.effect, benefit=s.benefit, total=s.total, at=s.at
                )
                for s in idea.scores.values()
            ],
            combined_score=idea.combined_score,
            award=idea.award,
        )


class IdeaReviewRead(BaseModel):
    """A golden-idea review as it stands (or stood)."""

    id: UUID
    version: int
    quarter: str
    status: IdeaReviewStatus
    scale: list[AwardBandRead]
    reviewers: list[str]
    ideas: list[IdeaRead]
    missing_scores: dict[str, list[str]]
    total_awarded: int
    opened_by: str
    decided_at: datetime | None
    published_at: datetime | None
    modified_at: datetime

    @classmethod
    def of(cls, review: IdeaReview) -> IdeaReviewRead:
        """The read model of a golden-idea review."""
        return cls(
            id=review.id,
            version=review.version,
            quarter=str(review.quarter),
            status=review.status,
            scale=[AwardBandRead(min_score=b.min_score, award=b.award) for b in review.scale.bands],
            reviewers=list(review.reviewers),
            ideas=[IdeaRead.of(idea) for idea in review.ideas.values()],
            missing_scores=review.missing_scores(),
            total_awarded=review.total_awarded,
            opened_by=review.opened_by,
            decided_at=review.decided_at,
            published_at=review.published_at,
            modified_at=review.modified_on,
        )
