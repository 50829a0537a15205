"""What a golden-idea review keeps: the adopted suggestions it takes, and every score."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain import limits
from domain.appeal import Appeal
from domain.errors import InvalidInput
from domain.publication import NO_ONE, Withheld
from domain.terms import Kind, Outcome, Status
from domain.values import clean_text


@dataclass(frozen=True)
class AdoptedSuggestion:
    """A suggestion appeal that was adopted: the only kind of idea a review takes."""

    appeal_id: UUID
    case_number: str
    title: str
    department: str
    adopted_at: datetime
    #: The appellant's identity, which the idea's title must not carry.
    withheld: Withheld = NO_ONE

    @classmethod
    def of(
        cls, appeal: Appeal, adopted_at: datetime | None, title: str | None = None
    ) -> AdoptedSuggestion:
        """The appeal as a candidate idea: adopted, and still adopted or closed as resolved.
        Its title is published with the awards: the appeal's, or `title` given instead."""
        if appeal.kind is not Kind.SUGGESTION:
            raise InvalidInput(
                "appeal_id",
                f"appeal {appeal.case_number} is a {appeal.kind.value}, not a suggestion",
            )
        implemented = appeal.status is Status.CLOSED and appeal.outcome is Outcome.RESOLVED
        adopted = appeal.status is Status.ADOPTED or implemented
        if not adopted or adopted_at is None or appeal.implementing_department is None:
            raise InvalidInput(
                "appeal_id",
                f"suggestion {appeal.case_number} is {appeal.status.value}; "
                "only adopted suggestions are reviewed",
            )
        return cls(
            appeal.id,
            appeal.case_number,
            clean_text("title", title, limits.TITLE) if title is not None else appeal.title,
            appeal.implementing_department,
            adopted_at,
            appeal.appellant.withheld() if appeal.appellant else NO_ONE,
        )


@dataclass(frozen=True)
class ReviewerScore:
    """One reviewer's score of one idea: applied effect and benefit, each out of 100."""

    reviewer: str
    effect: Decimal
    benefit: Decimal
    at: datetime

    @property
    def total(self) -> Decimal:
        """Effect and benefit weigh the same: their mean."""
        return (self.effect + self.benefit) / 2

    def to_record(self) -> dict[str, Any]:
        """The score as the decision records it."""
        return {
            "reviewer": self.reviewer,
            "effect": self.effect,
            "benefit": self.benefit,
            "total": self.total,
        }


@dataclass
class Idea:
    """An adopted suggestion under review, with every reviewer's score."""

    appeal_id: UUID
    case_number: str
    title: str
    department: str
    adopted_at: datetime
    scores: dict[str, ReviewerScore] = field(default_factory=dict)
    combined_score: Decimal | None = None
    award: int | None = None
