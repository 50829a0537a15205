"""The quarterly golden-idea review (金点子评审): adopted suggestions scored, awarded, published.

The award scale it publishes is `domain.award_scale`; the ideas it takes and their scores,
`domain.golden_idea_records`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import limits
from domain.access import Parties
from domain.actors import Actor
from domain.award_scale import AWARD_CEILING, AWARD_FLOOR, AwardScale
from domain.calendar import CHINA_TZ
from domain.errors import InvalidInput, NotPermitted
from domain.golden_idea_records import AdoptedSuggestion, Idea, ReviewerScore
from domain.golden_idea_states import IDEA_REVIEW_STATES, IdeaReviewCommand
from domain.meeting_policy import Quarter
from domain.personal_data import CaseOf, words
from domain.publication import Withheld, check_public
from domain.review_terms import clean_score, mean, panel, quarter_ends_at
from domain.values import check_aware, clean_text


class IdeaReview(Aggregate):
    """One quarter's review of adopted suggestions; every rule about it is checked here."""

    class Event(Aggregate.Event):
        """Every review event records who acted, in which role."""

        actor_id: str
        actor_role: str

        def apply(self, aggregate: Any) -> None:
            """Mutates the review; subclasses override `apply_to`. The state an event
            leads to is the state table's (`domain.golden_idea_states`)."""
            review = cast(IdeaReview, aggregate)
            status = IDEA_REVIEW_STATES.status_after(self)
            if status is not None:
                review.status = status
            self.apply_to(review)

        def apply_to(self, review: IdeaReview) -> None:
            """Changes the review's state as this event says."""

    class Opened(Aggregate.Created):
        """The union opened the quarter's review with its reviewers and published award scale."""

        actor_id: str
        actor_role: str
        quarter: str
        scale: list[dict[str, Any]]
        award_floor: int
        award_ceiling: int
        reviewers: list[str]

        def apply(self, aggregate: Any) -> None:
            """Sets up the new review."""
            cast(IdeaReview, aggregate).start(self)

    class IdeaAdded(Event):
        """An adopted suggestion was put up for review."""

        personal = (words("title", CaseOf("appeal_id")),)  # the appellant's own words

        appeal_id: UUID
        case_number: str
        title: str
        department: str
        adopted_at: datetime

        def apply_to(self, review: IdeaReview) -> None:
            review.ideas[self.appeal_id] = Idea(
                self.appeal_id, self.case_number, self.title, self.department, self.adopted_at
            )

    class IdeaScored(Event):
        """A reviewer scored an idea's applied effect and benefit."""

        appeal_id: UUID
        effect: Decimal
        benefit: Decimal

        def apply_to(self, review: IdeaReview) -> None:
            review.ideas[self.appeal_id].scores[self.actor_id] = ReviewerScore(
                self.actor_id, self.effect, self.benefit, self.timestamp
            )

    class ScoreCorrected(IdeaScored):
        """A reviewer corrected their score before the decision, with a reason."""

        previous_effect: Decimal
        previous_benefit: Decimal
        reason: str

    class Decided(Event):
        """The review was decided: each idea's combined score and award, reviewer by reviewer."""

        awards: list[dict[str, Any]]
        total_awarded: int

        def apply_to(self, review: IdeaReview) -> None:
            review.decided_at = self.timestamp
            for record in self.awards:
                idea = review.ideas[record["appeal_id"]]
                idea.combined_score = record["score"]
                idea.award = record["award"]

    class Published(Event):
        """The awards were published (公示) for employees to see."""

        def apply_to(self, review: IdeaReview) -> None:
            review.published_at = self.timestamp

    # -- state -------------------------------------------------------------------------

    def start(self, opened: IdeaReview.Opened) -> None:
        """Initial state, from the Opened event."""
        self.quarter = Quarter.parse(opened.quarter)
        self.scale = AwardScale.from_record(opened.scale)
        self.reviewers = list(opened.reviewers)
        self.opened_by = opened.actor_id
        self.status = IDEA_REVIEW_STATES.initial
        self.ideas: dict[UUID, Idea] = {}
        self.decided_at: datetime | None = None
        self.published_at: datetime | None = None

    @property
    def parties(self) -> Parties:
        """Who the review concerns, for access: its reviewers."""
        return Parties(panel=frozenset(self.reviewers))

    @property
    def total_awarded(self) -> int:
        """Yuan awarded over all ideas (0 before the decision)."""
        return sum(idea.award or 0 for idea in self.ideas.values())

    def missing_scores(self) -> dict[str, list[str]]:
        """For each idea (by case number) not yet scored by every reviewer, who is missing."""
        return {
            idea.case_number: missing
            for idea in self.ideas.values()
            if (missing := [r for r in self.reviewers if r not in idea.scores])
        }

    # -- commands ----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        *,
        id: UUID,
        quarter: Quarter,
        scale: AwardScale,
        reviewers: Sequence[str],
        actor: Actor,
        at: datetime,
    ) -> IdeaReview:
        """Opens a quarter's review with its reviewers and the award scale it publishes."""
        check_aware("time", at)
        return cls._create(
            cls.Opened,
            id=id,
            timestamp=at,
            actor_id=actor.id,
            actor_role=actor.role.value,
            quarter=str(quarter),
            scale=scale.to_record(),
            award_floor=AWARD_FLOOR,
            award_ceiling=AWARD_CEILING,
            reviewers=panel("reviewers", reviewers, limits.ACTOR_ID),
        )

    def add_idea(self, *, idea: AdoptedSuggestion, actor: Actor, at: datetime) -> None:
        """Puts an adopted suggestion up for review; it must have been adopted by quarter's end.
        Its title is published with the awards, so it is checked now, while another can be
        given (see `publish`)."""
        self._require(IdeaReviewCommand.ADD_IDEA)
        check_public("title", idea.title, idea.withheld)
        if idea.appeal_id in self.ideas:
            raise InvalidInput("appeal_id", f"{idea.case_number} is already under review")
        ends = quarter_ends_at(self.quarter, CHINA_TZ)
        if idea.adopted_at >= ends:
            raise InvalidInput(
                "appeal_id",
                f"{idea.case_number} was adopted on {idea.adopted_at.date().isoformat()}, "
                f"after {self.quarter} ended; review it in a later quarter",
            )
        self._trigger(
            self.IdeaAdded,
            actor,
            at,
            appeal_id=idea.appeal_id,
            case_number=idea.case_number,
            title=idea.title,
            department=idea.department,
            adopted_at=idea.adopted_at,
        )

    def score(
        self, *, appeal_id: UUID, effect: Decimal, benefit: Decimal, actor: Actor, at: datetime
    ) -> None:
        """A reviewer scores an idea's applied effect and benefit (0–100 each), once."""
        idea = self._scorable(appeal_id, actor, IdeaReviewCommand.SCORE)
        if actor.id in idea.scores:
            raise IDEA_REVIEW_STATES.refuse(
                IdeaReviewCommand.SCORE,
                self.status,
                f"{actor.id} has scored {idea.case_number} already; correct the score instead",
            )
        self._trigger(
            self.IdeaScored,
            actor,
            at,
            appeal_id=appeal_id,
            effect=clean_score("effect", effect),
            benefit=clean_score("benefit", benefit),
        )

    def correct_score(
        self,
        *,
        appeal_id: UUID,
        effect: Decimal,
        benefit: Decimal,
        reason: str,
        actor: Actor,
        at: datetime,
    ) -> None:
        """A reviewer corrects their own score of an idea before the decision, with a reason."""
        idea = self._scorable(appeal_id, actor, IdeaReviewCommand.CORRECT_SCORE)
        previous = idea.scores.get(actor.id)
        if previous is None:
            raise IDEA_REVIEW_STATES.refuse(
                IdeaReviewCommand.CORRECT_SCORE,
                self.status,
                f"{actor.id} has not scored {idea.case_number} yet",
            )
        new_effect, new_benefit = clean_score("effect", effect), clean_score("benefit", benefit)
        if (new_effect, new_benefit) == (previous.effect, previous.benefit):
            raise InvalidInput("effect", "the correction gives the same scores as before")
        self._trigger(
            self.ScoreCorrected,
            actor,
            at,
            appeal_id=appeal_id,
            effect=new_effect,
            benefit=new_benefit,
            previous_effect=previous.effect,
            previous_benefit=previous.benefit,
            reason=clean_text("reason", reason, limits.REASON),
        )

    def decide(self, *, actor: Actor, at: datetime) -> None:
        """Combines every reviewer's score of each idea (the mean) and awards by the scale."""
        self._require(IdeaReviewCommand.DECIDE)
        if not self.ideas:
            raise IDEA_REVIEW_STATES.refuse(
                IdeaReviewCommand.DECIDE, self.status, "it has no ideas"
            )
        missing = self.missing_scores()
        if missing:
            gaps = "; ".join(f"{case} by {', '.join(who)}" for case, who in missing.items())
            raise IDEA_REVIEW_STATES.refuse(
                IdeaReviewCommand.DECIDE, self.status, f"scores are missing: {gaps}"
            )
        awards: list[dict[str, Any]] = []
        for idea in self.ideas.values():
            scores = [idea.scores[r] for r in self.reviewers]
            combined = mean(s.total for s in scores)
            awards.append(
                {
                    "appeal_id": idea.appeal_id,
                    "case_number": idea.case_number,
                    "score": combined,
                    "award": self.scale.award_for(combined),
                    "reviewers": [s.to_record() for s in scores],
                }
            )
        self._trigger(
            self.Decided,
            actor,
            at,
            awards=awards,
            total_awarded=sum(a["award"] or 0 for a in awards),
        )

    def publish(self, *, appellants: Withheld, actor: Actor, at: datetime) -> None:
        """Publishes the decided awards (公示): each idea's case number, title, department,
        score and award. No title may carry personal data, `appellants` (the ideas', which
        the application reads) included."""
        self._require(IdeaReviewCommand.PUBLISH)
        for idea in self.ideas.values():
            check_public(f"ideas.{idea.case_number}.title", idea.title, appellants)
        self._trigger(self.Published, actor, at)

    # -- guards ------------------------------------------------------------------------

    def _scorable(self, appeal_id: UUID, actor: Actor, command: IdeaReviewCommand) -> Idea:
        self._require(command)
        if actor.id not in self.reviewers:
            raise NotPermitted(f"{actor.id} is not a reviewer of the {self.quarter} review")
        idea = self.ideas.get(appeal_id)
        if idea is None:
            raise InvalidInput("appeal_id", f"appeal {appeal_id} is not under this review")
        return idea

    def _require(self, command: IdeaReviewCommand) -> None:
        """Refuses `command` unless the state table allows it now."""
        IDEA_REVIEW_STATES.require(command, self.status)

    def _trigger(
        self, event_class: type[IdeaReview.Event], actor: Actor, at: datetime, **data: Any
    ) -> None:
        check_aware("time", at)
        self.trigger_event(
            event_class, timestamp=at, actor_id=actor.id, actor_role=actor.role.value, **data
        )
