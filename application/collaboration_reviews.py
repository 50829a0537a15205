"""Half-yearly collaboration reviews: a department's joint KPIs and both panels' ratings,
weighed into its score; each use case load → call → save. A department has one review per
half-year: its id is derived from both, so a second opening is refused."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from uuid import UUID, uuid5

from application.aggregates import ItemResult
from application.review_cases import PERIOD_IDS, ReviewCases
from domain.access import NOBODY
from domain.actors import Actor
from domain.collaboration_review import CollaborationReview
from domain.policy import Permission, authorise
from domain.review_terms import CollaborationKpi, HalfYear


class CollaborationReviews(ReviewCases):
    """The half-yearly collaboration reviews of departments."""

    @staticmethod
    def collaboration_review_id(half_year: HalfYear, department: str) -> UUID:
        """The id of a department's review for a half-year."""
        return uuid5(PERIOD_IDS, f"collaboration-review/{half_year}/{department.strip()}")

    def open_collaboration_review(
        self,
        *,
        half_year: HalfYear,
        department: str,
        management: Sequence[str],
        employees: Sequence[str],
        actor: Actor,
    ) -> ItemResult:
        """Opens a department's review for a half-year with both representative panels."""
        authorise(actor, Permission.COLLABORATION_MANAGE, NOBODY)
        department = self.app.directory.code(department)
        review_id = self.collaboration_review_id(half_year, department)
        self._refuse_second(
            CollaborationReview,
            review_id,
            f"{department.strip()} has its {half_year} review already ({review_id})",
        )
        review = CollaborationReview.open(
            id=review_id,
            half_year=half_year,
            department=department,
            management=management,
            employees=employees,
            actor=actor,
            at=self.app.now(),
        )
        return self._access.save(review)

    def record_kpis(
        self,
        review_id: UUID,
        *,
        values: Mapping[CollaborationKpi, Decimal],
        actor: Actor,
        reason: str = "",
        expected_version: int | None = None,
    ) -> ItemResult:
        """Records the three joint KPIs' percentages."""
        review = self._load(
            CollaborationReview, review_id, expected_version, actor, Permission.COLLABORATION_MANAGE
        )
        review.record_kpis(values=values, reason=reason, actor=actor, at=self.app.now())
        return self._access.save(review)

    def rate_collaboration(
        self,
        review_id: UUID,
        *,
        score: Decimal,
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """A representative rates the department's collaboration."""
        review = self._load(
            CollaborationReview, review_id, expected_version, actor, Permission.COLLABORATION_RATE
        )
        review.rate(score=score, actor=actor, at=self.app.now())
        return self._access.save(review)

    def correct_collaboration_rating(
        self,
        review_id: UUID,
        *,
        score: Decimal,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """A representative corrects their rating before the close."""
        review = self._load(
            CollaborationReview, review_id, expected_version, actor, Permission.COLLABORATION_RATE
        )
        review.correct_rating(score=score, reason=reason, actor=actor, at=self.app.now())
        return self._access.save(review)

    def close_collaboration_review(
        self, review_id: UUID, *, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Computes and records the weighted score."""
        review = self._load(
            CollaborationReview, review_id, expected_version, actor, Permission.COLLABORATION_MANAGE
        )
        review.close(actor=actor, at=self.app.now())
        return self._access.save(review)

    def get_collaboration_review(
        self, review_id: UUID, version: int | None = None
    ) -> CollaborationReview:
        """The collaboration review now, or as it stood at `version`."""
        return self._access.get(CollaborationReview, review_id, version)

    def collaboration_review_as_of(self, review_id: UUID, moment: datetime) -> CollaborationReview:
        """The collaboration review as it stood at `moment`."""
        return self._access.as_of(CollaborationReview, review_id, moment)
