"""The half-yearly review of a department's HR–union collaboration (协作评议).

A department's score is out of 100: the three joint KPIs weigh 15% each, and the other 55%
is split evenly between the management representatives' mean rating (27.5%) and the employee
representatives' (27.5%), so that neither side outweighs the other. A KPI's percentage counts
as its score out of 100. The weights are recorded on the event that opens the review.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import limits
from domain.access import Parties
from domain.actors import Actor
from domain.collaboration_review_states import (
    COLLABORATION_REVIEW_STATES,
    CollaborationReviewCommand,
)
from domain.errors import InvalidInput, NotPermitted
from domain.review_terms import (
    CollaborationKpi,
    HalfYear,
    RepresentativeSide,
    clean_score,
    mean,
    panel,
    round_half_up,
)
from domain.values import check_aware, clean_text

KPI_WEIGHT = Decimal("0.15")
SIDE_WEIGHT = Decimal("0.275")

#: Every component of the score and its weight; the weights add up to 1.
WEIGHTS: dict[str, Decimal] = {
    **{kpi.value: KPI_WEIGHT for kpi in CollaborationKpi},
    **{side.value: SIDE_WEIGHT for side in RepresentativeSide},
}


@dataclass(frozen=True)
class RepresentativeRating:
    """One representative's rating of the department's collaboration, out of 100."""

    representative: str
    side: RepresentativeSide
    score: Decimal
    at: datetime


class CollaborationReview(Aggregate):
    """One department's collaboration review for one half-year."""

    class Event(Aggregate.Event):
        """Every review event records who acted, in which role."""

        actor_id: str
        actor_role: str

        def apply(self, aggregate: Any) -> None:
            """Mutates the review; subclasses override `apply_to`. The state an event
            leads to is the state table's (`domain.collaboration_review_states`)."""
            review = cast(CollaborationReview, aggregate)
            status = COLLABORATION_REVIEW_STATES.status_after(self)
            if status is not None:
                review.status = status
            self.apply_to(review)

        def apply_to(self, review: CollaborationReview) -> None:
            """Changes the review's state as this event says."""

    class Opened(Aggregate.Created):
        """The review was opened: half-year, department, both panels, and the weights."""

        actor_id: str
        actor_role: str
        half_year: str
        department: str
        management: list[str]
        employees: list[str]
        weights: dict[str, Decimal]

        def apply(self, aggregate: Any) -> None:
            """Sets up the new review."""
            cast(CollaborationReview, aggregate).start(self)

    class KpisRecorded(Event):
        """The three joint KPIs' values for the half-year (percentages), as given."""

        values: dict[str, Decimal]
        reason: str

        def apply_to(self, review: CollaborationReview) -> None:
            review.kpis = {CollaborationKpi(k): v for k, v in self.values.items()}

    class Rated(Event):
        """A representative rated the department's collaboration."""

        side: str
        score: Decimal

        def apply_to(self, review: CollaborationReview) -> None:
            review.ratings[self.actor_id] = RepresentativeRating(
                self.actor_id, RepresentativeSide(self.side), self.score, self.timestamp
            )

    class RatingCorrected(Rated):
        """A representative corrected their rating before the close, with a reason."""

        previous: Decimal
        reason: str

    class Closed(Event):
        """The weighted score was computed and recorded, component by component."""

        components: list[dict[str, Any]]
        score: Decimal

        def apply_to(self, review: CollaborationReview) -> None:
            review.closed_at = self.timestamp
            review.components = list(self.components)
            review.score = self.score

    # -- state -------------------------------------------------------------------------

    def start(self, opened: CollaborationReview.Opened) -> None:
        """Initial state, from the Opened event."""
        self.half_year = HalfYear.parse(opened.half_year)
        self.department = opened.department
        self.panels = {
            RepresentativeSide.MANAGEMENT: list(opened.management),
            RepresentativeSide.EMPLOYEES: list(opened.employees),
        }
        self.weights = dict(opened.weights)
        self.opened_by = opened.actor_id
        self.status = COLLABORATION_REVIEW_STATES.initial
        self.kpis: dict[CollaborationKpi, Decimal] = {}
        self.ratings: dict[str, RepresentativeRating] = {}
        self.components: list[dict[str, Any]] = []
        self.score: Decimal | None = None
        self.closed_at: datetime | None = None

    @property
    def parties(self) -> Parties:
        """Who the review concerns, for access: the department it rates and its raters."""
        return Parties(
            departments=frozenset({self.department}),
            panel=frozenset(p for members in self.panels.values() for p in members),
        )

    def side_of(self, person: str) -> RepresentativeSide | None:
        """The panel `person` sits on, if any."""
        for side, members in self.panels.items():
            if person in members:
                return side
        return None

    def missing_ratings(self) -> list[str]:
        """The representatives who have not rated yet."""
        return [
            person
            for members in self.panels.values()
            for person in members
            if person not in self.ratings
        ]

    # -- commands ----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        *,
        id: UUID,
        half_year: HalfYear,
        department: str,
        management: Sequence[str],
        employees: Sequence[str],
        actor: Actor,
        at: datetime,
    ) -> CollaborationReview:
        """Opens a department's review with the management and employee representatives."""
        check_aware("time", at)
        managers = panel("management", management, limits.ACTOR_ID)
        staff = panel("employees", employees, limits.ACTOR_ID)
        both = sorted(set(managers) & set(staff))
        if both:
            raise InvalidInput("employees", f"on both panels: {', '.join(both)}")
        return cls._create(
            cls.Opened,
            id=id,
            timestamp=at,
            actor_id=actor.id,
            actor_role=actor.role.value,
            half_year=str(half_year),
            department=clean_text("department", department, limits.DEPARTMENT),
            management=managers,
            employees=staff,
            weights=dict(WEIGHTS),
        )

    def record_kpis(
        self,
        *,
        values: Mapping[CollaborationKpi, Decimal],
        actor: Actor,
        at: datetime,
        reason: str = "",
    ) -> None:
        """Records the three KPI percentages; recording them again needs a reason."""
        self._require(CollaborationReviewCommand.RECORD_KPIS)
        absent = [kpi.value for kpi in CollaborationKpi if kpi not in values]
        if absent:
            raise InvalidInput(f"kpis.{absent[0]}", "give all three KPIs")
        checked = {kpi.value: clean_score(f"kpis.{kpi.value}", values[kpi]) for kpi in values}
        why = clean_text("reason", reason, limits.REASON, required=bool(self.kpis))
        self._trigger(self.KpisRecorded, actor, at, values=checked, reason=why)

    def rate(self, *, score: Decimal, actor: Actor, at: datetime) -> None:
        """A representative rates the department's collaboration (0–100), once."""
        side = self._rater(actor, CollaborationReviewCommand.RATE)
        if actor.id in self.ratings:
            raise COLLABORATION_REVIEW_STATES.refuse(
                CollaborationReviewCommand.RATE,
                self.status,
                f"{actor.id} has rated already; correct the rating instead",
            )
        self._trigger(self.Rated, actor, at, side=side.value, score=clean_score("score", score))

    def correct_rating(self, *, score: Decimal, reason: str, actor: Actor, at: datetime) -> None:
        """A representative corrects their own rating before the close, with a reason."""
        side = self._rater(actor, CollaborationReviewCommand.CORRECT_RATING)
        previous = self.ratings.get(actor.id)
        if previous is None:
            raise COLLABORATION_REVIEW_STATES.refuse(
                CollaborationReviewCommand.CORRECT_RATING,
                self.status,
                f"{actor.id} has not rated yet",
            )
        new = clean_score("score", score)
        if new == previous.score:
            raise InvalidInput("score", f"the rating is {new} already")
        self._trigger(
            self.RatingCorrected,
            actor,
            at,
            side=side.value,
            score=new,
            previous=previous.score,
            reason=clean_text("reason", reason, limits.REASON),
        )

    def close(self, *, actor: Actor, at: datetime) -> None:
        """Computes and records the weighted score; needs the KPIs and every rating."""
        self._require(CollaborationReviewCommand.CLOSE)
        if not self.kpis:
            raise COLLABORATION_REVIEW_STATES.refuse(
                CollaborationReviewCommand.CLOSE, self.status, "the KPIs are not recorded"
            )
        missing = self.missing_ratings()
        if missing:
            raise COLLABORATION_REVIEW_STATES.refuse(
                CollaborationReviewCommand.CLOSE,
                self.status,
                f"not rated yet by {', '.join(missing)}",
            )
        components = [self._component(kpi.value, self.kpis[kpi], {}) for kpi in CollaborationKpi]
        for side, members in self.panels.items():
            ratings = {person: self.ratings[person].score for person in members}
            components.append(self._component(side.value, mean(ratings.values()), ratings))
        total = round_half_up(sum((c["points"] for c in components), Decimal(0)))
        self._trigger(self.Closed, actor, at, components=components, score=total)

    # -- guards ------------------------------------------------------------------------

    def _component(
        self, name: str, value: Decimal, ratings: Mapping[str, Decimal]
    ) -> dict[str, Any]:
        weight = self.weights[name]
        record: dict[str, Any] = {
            "name": name,
            "value": value,
            "weight": weight,
            "points": weight * value,
        }
        if ratings:
            record["ratings"] = dict(ratings)
        return record

    def _rater(self, actor: Actor, command: CollaborationReviewCommand) -> RepresentativeSide:
        self._require(command)
        side = self.side_of(actor.id)
        if side is None:
            raise NotPermitted(
                f"{actor.id} is not a representative in the {self.half_year} review "
                f"of {self.department}"
            )
        return side

    def _require(self, command: CollaborationReviewCommand) -> None:
        """Refuses `command` unless the state table allows it now."""
        COLLABORATION_REVIEW_STATES.require(command, self.status)

    def _trigger(
        self,
        event_class: type[CollaborationReview.Event],
        actor: Actor,
        at: datetime,
        **data: Any,
    ) -> None:
        check_aware("time", at)
        self.trigger_event(
            event_class, timestamp=at, actor_id=actor.id, actor_role=actor.role.value, **data
        )
