"""Request and response bodies for golden ideas, the skill competition and collaboration reviews."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.personal_data import shown_id
from api.schemas.bodies import Body, text_field
from domain import limits
from domain.award_scale import AwardScale
from domain.collaboration_review import CollaborationReview
from domain.competition import Competition
from domain.competition_records import Contestant, Standing, Weights
from domain.golden_idea import IdeaReview
from domain.golden_idea_records import Idea
from domain.review_terms import (
    CollaborationKpi,
    CollaborationReviewStatus,
    CompetitionPart,
    CompetitionStatus,
    IdeaReviewStatus,
    RepresentativeSide,
)

Score = Annotated[
    Decimal, Field(ge=0, le=100, decimal_places=2, examples=["85.5"], description="0 to 100")
]
People = Annotated[
    list[str],
    Field(min_length=1, max_length=limits.PEOPLE, examples=[["R-li", "R-wang", "R-zhao"]]),
]


# -- golden ideas (金点子) ----------------------------------------------------------------------


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


# -- skill competition (工匠杯) -----------------------------------------------------------------


class WeightsIn(Body):
    """The parts' weights; they add up to 1."""

    theory: Decimal = Field(gt=0, le=1, examples=["0.30"])
    practice: Decimal = Field(gt=0, le=1, examples=["0.50"])
    innovation: Decimal = Field(gt=0, le=1, examples=["0.20"])

    def value(self) -> Weights:
        """The domain weights."""
        return Weights(self.theory, self.practice, self.innovation)


class CompetitionCreate(Body):
    """A competition: its name, its judges and, if not 30/50/20, the parts' weights."""

    name: str = text_field(limits.TOPIC, "2026年工匠杯·电钳工")
    judges: People
    weights: WeightsIn | None = Field(default=None, examples=[None])


class ContestantIn(Body):
    """A contestant (employee number) and the department they represent."""

    contestant: str = text_field(limits.PERSON_ID, "E10234")
    department: str = text_field(limits.DEPARTMENT, "机电科")


class CompetitionScoresIn(Body):
    """A judge's scores of one contestant: one or more parts."""

    contestant: str = text_field(limits.PERSON_ID, "E10234")
    theory: Score | None = None
    practice: Score | None = None
    innovation: Score | None = None

    def scores(self) -> dict[CompetitionPart, Decimal]:
        """The parts given."""
        given = {
            CompetitionPart.THEORY: self.theory,
            CompetitionPart.PRACTICE: self.practice,
            CompetitionPart.INNOVATION: self.innovation,
        }
        return {part: score for part, score in given.items() if score is not None}


class CompetitionScoreCorrection(Body):
    """A judge's corrected score of one part, with the reason."""

    contestant: str = text_field(limits.PERSON_ID, "E10234")
    part: CompetitionPart
    score: Score
    reason: str = text_field(limits.REASON, "评分表合计有误")


class JudgeScoreRead(BaseModel):
    """One judge's score of one part."""

    judge: str
    part: CompetitionPart
    score: Decimal
    at: datetime


class ContestantRead(BaseModel):
    """A contestant with every judge's scores and each scored part's mean."""

    contestant: str
    department: str
    order: int
    scores: list[JudgeScoreRead]
    means: dict[CompetitionPart, Decimal]

    @classmethod
    def of(cls, entry: Contestant, identity: bool = True) -> ContestantRead:
        """The read model of a contestant (who, only for those who may see it)."""
        return cls(
            contestant=shown_id(entry.contestant, identity),
            department=entry.department,
            order=entry.order,
            scores=[
                JudgeScoreRead(judge=s.judge, part=s.part, score=s.score, at=s.at)
                for s in entry.scores.values()
            ],
            means=entry.means(),
        )


class StandingRead(BaseModel):
    """A place in the final ranking."""

    rank: int
    contestant: str
    department: str
    means: dict[CompetitionPart, Decimal]
    total: Decimal
    title: bool = Field(description="earns the title of craftsman (工匠)")
    industry_contest: bool = Field(description="goes on to the industry contests")

    @classmethod
    def of(cls, standing: Standing, identity: bool = True) -> StandingRead:
        """The read model of a standing (who, only for those who may see it)."""
        return cls(
            rank=standing.rank,
            contestant=shown_id(standing.contestant, identity),
            department=standing.department,
            means=standing.means,
            total=standing.total,
            title=standing.title,
            industry_contest=standing.industry_contest,
        )


class CompetitionRead(BaseModel):
    """A competition as it stands (or stood); the ranking once finalised."""

    id: UUID
    version: int
    name: str
    status: CompetitionStatus
    judges: list[str]
    weights: dict[CompetitionPart, Decimal]
    title_places: int
    industry_contest_places: int
    contestants: list[ContestantRead]
    missing_scores: list[str]
    ranking: list[StandingRead]
    opened_by: str
    finalised_at: datetime | None
    modified_at: datetime

    @classmethod
    def of(cls, competition: Competition, identity: bool = True) -> CompetitionRead:
        """The read model of a competition; contestants' ids only for those who may see
        who a competition names (`api.personal_data`)."""
        return cls(
            id=competition.id,
            version=competition.version,
            name=competition.name,
            status=competition.status,
            judges=list(competition.judges),
            weights=competition.weights.by_part(),
            title_places=competition.title_places,
            industry_contest_places=competition.industry_contest_places,
            contestants=[ContestantRead.of(c, identity) for c in competition.contestants.values()],
            missing_scores=competition.missing_scores() if identity else [],
            ranking=[StandingRead.of(s, identity) for s in competition.ranking],
            opened_by=competition.opened_by,
            finalised_at=competition.finalised_at,
            modified_at=competition.modified_on,
        )


# -- half-yearly collaboration review ---------------------------------------------------------


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
