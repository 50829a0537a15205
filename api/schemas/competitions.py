"""Request and response bodies of skill competitions (工匠杯)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field

from api.personal_data import shown_id
from api.schemas.bodies import Body, text_field
from api.schemas.reviews import People, Score
from domain import limits
from domain.competition import Competition
from domain.competition_records import Contestant, Standing, Weights
from domain.review_terms import CompetitionPart, CompetitionStatus


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
