"""The quarterly golden-idea review (金点子评审): adopted suggestions scored, awarded, published."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import limits
from domain.access import Parties
from domain.actors import Actor
from domain.appeal import Appeal
from domain.calendar import CHINA_TZ
from domain.errors import InvalidInput, NotPermitted
from domain.golden_idea_states import IDEA_REVIEW_STATES, IdeaReviewCommand
from domain.meeting_policy import Quarter
from domain.personal_data import CaseOf, words
from domain.publication import NO_ONE, Withheld, check_public
from domain.review_terms import (
    clean_score,
    mean,
    panel,
    quarter_ends_at,
)
from domain.terms import Kind, Outcome, Status
from domain.values import check_aware, clean_text

#: Every award of the scale lies within these bounds, in yuan.
AWARD_FLOOR = 100
AWARD_CEILING = 500


@dataclass(frozen=True)
class AwardBand:
    """A combined score of at least `min_score` earns `award` yuan."""

    min_score: Decimal
    award: int

    def to_record(self) -> dict[str, Any]:
        """The band as stored inside an event."""
        return {"min_score": self.min_score, "award": self.award}


@dataclass(frozen=True)
class AwardScale:
    """The published award scale: score bands, each worth 100–500 yuan, rising with the score."""

    bands: tuple[AwardBand, ...]

    @classmethod
    def of(cls, bands: Iterable[tuple[Decimal | int | str, int]]) -> AwardScale:
        """A scale from (minimum score, award) pairs; refuses awards outside 100–500 yuan."""
        checked = [
            AwardBand(clean_score("scale.min_score", low), _award(award)) for low, award in bands
        ]
        if not checked:
            raise InvalidInput("scale", "give at least one score band")
        checked.sort(key=lambda band: band.min_score)
        for lower, upper in pairwise(checked):
            if lower.min_score == upper.min_score:
                raise InvalidInput("scale", f"two bands start at score {lower.min_score}")
            if upper.award <= lower.award:
                raise InvalidInput(
                    "scale",
                    f"a score of {upper.min_score} must earn more than a score of "
                    f"{lower.min_score} ({upper.award} ≤ {lower.award} yuan)",
                )
        return cls(tuple(checked))

    @classmethod
    def default(cls) -> AwardScale:
        """Every adopted idea earns 100 yuan; 60, 70, 80 and 90 points earn 200 to 500."""
        return cls.of([(0, 100), (60, 200), (70, 300), (80, 400), (90, 500)])

    @classmethod
    def from_record(cls, record: Sequence[Mapping[str, Any]]) -> AwardScale:
        """The scale stored inside an event."""
        return cls(tuple(AwardBand(Decimal(b["min_score"]), int(b["award"])) for b in record))

    def to_record(self) -> list[dict[str, Any]]:
        """The scale as stored inside an event."""
        return [band.to_record() for band in self.bands]

    def award_for(self, score: Decimal) -> int | None:
        """The award a combined score earns; None below the lowest band."""
        earned = [band.award for band in self.bands if score >= band.min_score]
        return earned[-1] if earned else None


def _award(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("scale.award", f"{value!r} is not a whole number of yuan")
    if not AWARD_FLOOR <= value <= AWARD_CEILING:
        raise InvalidInput(
            "scale.award", f"{value} yuan is outside {AWARD_FLOOR}–{AWARD_CEILING} yuan"
        )
    return value


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
