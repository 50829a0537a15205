"""What a skill competition keeps: its part weights, every judge's score, its contestants
and their standings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.errors import InvalidInput
from domain.review_terms import CompetitionPart, mean, round_half_up


@dataclass(frozen=True)
class Weights:
    """How much each part counts towards the total; the three add up to 1."""

    theory: Decimal = Decimal("0.30")
    practice: Decimal = Decimal("0.50")
    innovation: Decimal = Decimal("0.20")

    def __post_init__(self) -> None:
        for part, weight in self.by_part().items():
            if not Decimal(0) < weight <= Decimal(1):
                raise InvalidInput(f"weights.{part}", f"{weight} is not a weight above 0 up to 1")
        if sum(self.by_part().values(), Decimal(0)) != Decimal(1):
            raise InvalidInput("weights", "the three weights must add up to 1")

    def by_part(self) -> dict[CompetitionPart, Decimal]:
        """Each part's weight."""
        return {
            CompetitionPart.THEORY: self.theory,
            CompetitionPart.PRACTICE: self.practice,
            CompetitionPart.INNOVATION: self.innovation,
        }

    def to_record(self) -> dict[str, Decimal]:
        """The weights as stored inside an event."""
        return {part.value: weight for part, weight in self.by_part().items()}

    @classmethod
    def from_record(cls, record: Mapping[str, Decimal]) -> Weights:
        """The weights stored inside an event."""
        return cls(**{part: Decimal(value) for part, value in record.items()})

    def total(self, means: Mapping[CompetitionPart, Decimal]) -> Decimal:
        """The weighted total of the parts' mean scores, rounded half-up to two places."""
        return round_half_up(
            sum((weight * means[part] for part, weight in self.by_part().items()), Decimal(0))
        )


@dataclass(frozen=True)
class JudgeScore:
    """One judge's score of one part of one contestant's performance."""

    judge: str
    part: CompetitionPart
    score: Decimal
    at: datetime


@dataclass
class Contestant:
    """A registered contestant, in registration order, with every judge's scores."""

    contestant: str
    department: str
    order: int
    scores: dict[tuple[str, CompetitionPart], JudgeScore] = field(default_factory=dict)

    def part_scores(self, part: CompetitionPart) -> list[JudgeScore]:
        """The judges' scores of one part."""
        return [s for s in self.scores.values() if s.part is part]

    def means(self) -> dict[CompetitionPart, Decimal]:
        """Each fully scored part's mean over its judges, rounded half-up to two places."""
        return {
            part: mean(s.score for s in scores)
            for part in CompetitionPart
            if (scores := self.part_scores(part))
        }


@dataclass(frozen=True)
class Standing:
    """A contestant's place in the final ranking."""

    rank: int
    contestant: str
    department: str
    order: int
    means: dict[CompetitionPart, Decimal]
    total: Decimal
    title: bool
    industry_contest: bool

    def to_record(self) -> dict[str, Any]:
        """The standing as the finalising event records it."""
        return {
            "rank": self.rank,
            "contestant": self.contestant,
            "department": self.department,
            "order": self.order,
            "means": {part.value: value for part, value in self.means.items()},
            "total": self.total,
            "title": self.title,
            "industry_contest": self.industry_contest,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Standing:
        """The standing recorded by the finalising event."""
        return cls(
            rank=record["rank"],
            contestant=record["contestant"],
            department=record["department"],
            order=record["order"],
            means={CompetitionPart(p): Decimal(v) for p, v in record["means"].items()},
            total=Decimal(record["total"]),
            title=record["title"],
            industry_contest=record["industry_contest"],
        )
