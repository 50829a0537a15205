"""Golden-idea reviews (金点子评审): a quarter's adopted suggestions, scored by its reviewers,
awarded by its scale and published; each use case load → call → save. A quarter has one
review: its id is derived from the quarter, so a second opening is refused."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from uuid import UUID, uuid5

from application.aggregates import ItemResult
from application.review_cases import PERIOD_IDS, ReviewCases
from application.withheld import appellants
from domain.access import NOBODY
from domain.actors import Actor
from domain.appeal import Appeal
from domain.award_scale import AwardScale
from domain.errors import InvalidInput, NotFound
from domain.golden_idea import IdeaReview
from domain.golden_idea_records import AdoptedSuggestion
from domain.meeting_policy import Quarter
from domain.policy import Permission, authorise
from domain.publication import Withheld


class IdeaReviews(ReviewCases):
    """The quarterly golden-idea reviews."""

    @staticmethod
    def idea_review_id(quarter: Quarter) -> UUID:
        """The id of the quarter's golden-idea review."""
        return uuid5(PERIOD_IDS, f"idea-review/{quarter}")

    def open_idea_review(
        self,
        *,
        quarter: Quarter,
        reviewers: Sequence[str],
        actor: Actor,
        scale: AwardScale | None = None,
    ) -> ItemResult:
        """Opens the quarter's review with its reviewers and award scale (default 100–500)."""
        authorise(actor, Permission.IDEA_REVIEW_MANAGE, NOBODY)
        review_id = self.idea_review_id(quarter)
        self._refuse_second(
            IdeaReview, review_id, f"{quarter} has its review already ({review_id})"
        )
        review = IdeaReview.open(
            id=review_id,
            quarter=quarter,
            scale=scale or AwardScale.default(),
            reviewers=reviewers,
            actor=actor,
            at=self.app.now(),
        )
        return self._access.save(review)

    def add_idea(
        self,
        review_id: UUID,
        *,
        appeal_id: UUID,
        actor: Actor,
        title: str | None = None,
        expected_version: int | None = None,
    ) -> ItemResult:
        """Puts an adopted suggestion appeal up for the review, published by the appeal's
        title or by `title` (one without personal data, when the appeal's carries some)."""
        review = self._load(
            IdeaReview, review_id, expected_version, actor, Permission.IDEA_REVIEW_MANAGE
        )
        idea = self.adopted_suggestion(appeal_id, title)
        review.add_idea(idea=idea, actor=actor, at=self.app.now())
        return self._access.save(review)

    def score_idea(
        self,
        review_id: UUID,
        *,
        appeal_id: UUID,
        effect: Decimal,
        benefit: Decimal,
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """A reviewer scores an idea's applied effect and benefit."""
        review = self._load(
            IdeaReview, review_id, expected_version, actor, Permission.IDEA_REVIEW_SCORE
        )
        review.score(
            appeal_id=appeal_id, effect=effect, benefit=benefit, actor=actor, at=self.app.now()
        )
        return self._access.save(review)

    def correct_idea_score(
        self,
        review_id: UUID,
        *,
        appeal_id: UUID,
        effect: Decimal,
        benefit: Decimal,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """A reviewer corrects their score of an idea before the decision."""
        review = self._load(
            IdeaReview, review_id, expected_version, actor, Permission.IDEA_REVIEW_SCORE
        )
        review.correct_score(
            appeal_id=appeal_id,
            effect=effect,
            benefit=benefit,
            reason=reason,
            actor=actor,
            at=self.app.now(),
        )
        return self._access.save(review)

    def decide_ideas(
        self, review_id: UUID, *, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Decides the review: combined scores and awards by the scale."""
        review = self._load(
            IdeaReview, review_id, expected_version, actor, Permission.IDEA_REVIEW_MANAGE
        )
        review.decide(actor=actor, at=self.app.now())
        return self._access.save(review)

    def publish_awards(
        self, review_id: UUID, *, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Publishes the decided awards; no idea's title may carry personal data."""
        review = self._load(
            IdeaReview, review_id, expected_version, actor, Permission.IDEA_REVIEW_MANAGE
        )
        review.publish(appellants=self.appellants_of(review), actor=actor, at=self.app.now())
        return self._access.save(review)

    def appellants_of(self, review: IdeaReview) -> Withheld:
        """The appellants of the review's ideas, whom its published awards withhold."""
        return appellants(self.app, review.ideas)

    def adopted_suggestion(self, appeal_id: UUID, title: str | None = None) -> AdoptedSuggestion:
        """The appeal as a candidate idea, with the time it was adopted (and `title` to
        publish it by instead of the appeal's)."""
        try:
            appeal = self.app.get_appeal(appeal_id)
        except NotFound:
            raise InvalidInput("appeal_id", f"no appeal {appeal_id}") from None
        adoptions = [e for e in self.app.history(appeal_id) if isinstance(e, Appeal.Adopted)]
        return AdoptedSuggestion.of(appeal, adoptions[-1].timestamp if adoptions else None, title)

    def get_idea_review(self, review_id: UUID, version: int | None = None) -> IdeaReview:
        """The golden-idea review now, or as it stood at `version`."""
        return self._access.get(IdeaReview, review_id, version)

    def idea_review_as_of(self, review_id: UUID, moment: datetime) -> IdeaReview:
        """The golden-idea review as it stood at `moment`."""
        return self._access.as_of(IdeaReview, review_id, moment)
