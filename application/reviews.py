"""Reviews: golden ideas, the skill competition and the collaboration review, load → call → save.

`Reviews` wraps the one `Casework` application, as `Meetings` does: the same event store,
clock and cipher. Every command returns an `ItemResult` (id, new version, global position);
every command on an existing review takes `expected_version` and refuses a stale one.
A quarter has one golden-idea review and a department one collaboration review per half-year:
their ids are derived from the period, so a second opening is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from application.aggregates import AggregateAccess, ItemResult
from application.casework import Casework
from application.withheld import appellants
from domain.access import NOBODY
from domain.actors import Actor
from domain.appeal import Appeal
from domain.award_scale import AwardScale
from domain.collaboration_review import CollaborationReview
from domain.competition import Competition
from domain.competition_records import Weights
from domain.errors import ActionNotAllowed, InvalidInput, NotFound
from domain.golden_idea import IdeaReview
from domain.golden_idea_records import AdoptedSuggestion
from domain.meeting_policy import Quarter
from domain.policy import Permission, authorise
from domain.publication import Withheld
from domain.review_terms import CollaborationKpi, CompetitionPart, HalfYear

__all__ = ["ItemResult", "Reviews"]

_NOUNS: dict[type[Aggregate], str] = {
    IdeaReview: "golden-idea review",
    Competition: "competition",
    CollaborationReview: "collaboration review",
}

Review = TypeVar("Review", IdeaReview, Competition, CollaborationReview)

#: What reading each kind of review needs.
_READ: dict[type[Aggregate], Permission] = {
    IdeaReview: Permission.IDEA_REVIEW_READ,
    Competition: Permission.COMPETITION_READ,
    CollaborationReview: Permission.COLLABORATION_READ,
}

#: Ids of reviews that exist once per period are derived from the period within this namespace.
_PERIOD_IDS = uuid5(NAMESPACE_URL, "https://huiyin.local/reviews")


class Reviews:
    """Quarterly golden-idea reviews, skill competitions, half-yearly collaboration reviews."""

    def __init__(self, app: Casework) -> None:
        self.app = app
        self._access = AggregateAccess(app, _NOUNS)

    # -- golden ideas (金点子) ------------------------------------------------------------

    @staticmethod
    def idea_review_id(quarter: Quarter) -> UUID:
        """The id of the quarter's golden-idea review."""
        return uuid5(_PERIOD_IDS, f"idea-review/{quarter}")

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

    # -- skill competition (工匠杯) --------------------------------------------------------

    def open_competition(
        self,
        *,
        name: str,
        judges: Sequence[str],
        actor: Actor,
        weights: Weights | None = None,
        key: str | None = None,
    ) -> ItemResult:
        """Opens a competition with its judges (weights default to 30/50/20; with an
        idempotency `key`, once)."""
        authorise(actor, Permission.COMPETITION_MANAGE, NOBODY)
        weights = weights or Weights()
        request = {"name": name, "judges": list(judges), "weights": weights}
        claim = self.app.claim(key, actor, "open_competition", request)
        build = partial(
            Competition.open,
            name=name,
            judges=judges,
            weights=weights,
            actor=actor,
            at=self.app.now(),
        )
        return self._access.create(Competition, lambda new_id: build(id=new_id), claim).result

    def register_contestant(
        self,
        competition_id: UUID,
        *,
        contestant: str,
        department: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """Registers a contestant; registration order breaks the last ties."""
        competition = self._load(
            Competition, competition_id, expected_version, actor, Permission.COMPETITION_MANAGE
        )
        competition.register(
            contestant=contestant,
            department=self.app.directory.code(department),
            actor=actor,
            at=self.app.now(),
        )
        return self._access.save(competition)

    def submit_scores(
        self,
        competition_id: UUID,
        *,
        contestant: str,
        scores: Mapping[CompetitionPart, Decimal],
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """A judge scores a contestant's parts."""
        competition = self._load(
            Competition, competition_id, expected_version, actor, Permission.COMPETITION_SCORE
        )
        competition.submit_scores(
            contestant=contestant, scores=scores, actor=actor, at=self.app.now()
        )
        return self._access.save(competition)

    def correct_competition_score(
        self,
        competition_id: UUID,
        *,
        contestant: str,
        part: CompetitionPart,
        score: Decimal,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """A judge corrects their score of one part before finalising."""
        competition = self._load(
            Competition, competition_id, expected_version, actor, Permission.COMPETITION_SCORE
        )
        competition.correct_score(
            contestant=contestant,
            part=part,
            score=score,
            reason=reason,
            actor=actor,
            at=self.app.now(),
        )
        return self._access.save(competition)

    def finalise_competition(
        self, competition_id: UUID, *, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Records the final ranking."""
        competition = self._load(
            Competition, competition_id, expected_version, actor, Permission.COMPETITION_MANAGE
        )
        competition.finalise(actor=actor, at=self.app.now())
        return self._access.save(competition)

    def get_competition(self, competition_id: UUID, version: int | None = None) -> Competition:
        """The competition now, or as it stood at `version`."""
        return self._access.get(Competition, competition_id, version)

    def competition_as_of(self, competition_id: UUID, moment: datetime) -> Competition:
        """The competition as it stood at `moment`."""
        return self._access.as_of(Competition, competition_id, moment)

    # -- half-yearly collaboration review --------------------------------------------------

    @staticmethod
    def collaboration_review_id(half_year: HalfYear, department: str) -> UUID:
        """The id of a department's review for a half-year."""
        return uuid5(_PERIOD_IDS, f"collaboration-review/{half_year}/{department.strip()}")

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

    # -- any review ------------------------------------------------------------------------

    def read(
        self,
        cls: type[Review],
        review_id: UUID,
        actor: Actor,
        *,
        version: int | None = None,
        as_of: datetime | None = None,
    ) -> Review:
        """A golden-idea review, competition or collaboration review now, at `version` or
        as of a moment, if `actor` may read it."""
        return self._access.read(
            cls, review_id, actor=actor, permission=_READ[cls], version=version, as_of=as_of
        )

    def read_history(self, cls: type[Review], review_id: UUID, actor: Actor) -> Sequence[Any]:
        """Every event of a review, if `actor` may read it."""
        self.read(cls, review_id, actor)
        return self.history(review_id)

    def history(self, aggregate_id: UUID) -> Sequence[Any]:
        """Every event of a golden-idea review, competition or collaboration review, in order."""
        return self._access.history(
            aggregate_id, (IdeaReview.Opened, Competition.Opened, CollaborationReview.Opened)
        )

    def _load(
        self,
        cls: type[Review],
        review_id: UUID,
        expected_version: int | None,
        actor: Actor,
        permission: Permission,
    ) -> Review:
        return self._access.load(
            cls, review_id, expected_version, actor=actor, permission=permission
        )

    def _refuse_second(
        self, cls: type[IdeaReview] | type[CollaborationReview], review_id: UUID, detail: str
    ) -> None:
        try:
            existing = self._access.get(cls, review_id)
        except NotFound:
            return
        noun = _NOUNS[cls]
        raise ActionNotAllowed("open", existing.status.value, detail, subject=noun)
