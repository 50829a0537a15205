"""Red and yellow cards (红黄牌预警): a lagging department is warned and must rectify in time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, cast
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain import limits
from domain.access import Parties
from domain.accountability_rules import RuleCode
from domain.actors import Actor
from domain.calendar import WorkingCalendar
from domain.card_states import CARD_STATES, CardCommand

# Re-exported from the states' old home, where callers import them.
from domain.card_states import CardStatus as CardStatus
from domain.errors import InvalidInput
from domain.values import check_aware, clean_text

CARD_NAMESPACE = uuid5(NAMESPACE_URL, "https://huiyin.local/cards")
#: Card periods are counted in fixed steps from this day.
PERIOD_EPOCH = date(2026, 1, 1)


class CardColour(StrEnum):
    """How serious the warning is."""

    YELLOW = "yellow"  # 黄牌
    RED = "red"  # 红牌


class CardMeasure(StrEnum):
    """What was counted against the department over the period."""

    PENALTY_POINTS = "penalty_points"  # 扣分
    OVERDUE_COUNT = "overdue_count"  # 逾期件数


class EscalatedTo(StrEnum):
    """Where an unrectified card goes: a yellow to a red card, a red to the committee."""

    RED_CARD = "red_card"
    COMMITTEE = "committee"


@dataclass(frozen=True)
class Period:
    """The days a card's measure was counted over, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput("period_end", f"{self.end} is before the start {self.start}")
        if (self.end - self.start).days > 366:
            raise InvalidInput("period_end", "a card period is at most a year")

    def contains(self, day: date) -> bool:
        """Whether `day` falls in the period."""
        return self.start <= day <= self.end


@dataclass(frozen=True)
class PenaltyRecord:
    """What a card evaluation needs to know of one penalty in the period."""

    id: UUID
    rule: RuleCode
    points: int
    reversed: bool


@dataclass(frozen=True)
class Finding:
    """A threshold crossed: which card it calls for, and the penalties that show it."""

    colour: CardColour
    measure: CardMeasure
    value: int
    threshold: int
    evidence: tuple[UUID, ...]


@dataclass(frozen=True)
class CardPolicy:
    """The thresholds and the rectification time; the numbers come from settings."""

    yellow_penalty_points: int = 3
    red_penalty_points: int = 6
    yellow_overdue: int = 2
    red_overdue: int = 4
    period_days: int = 30
    rectification_working_days: int = 10

    def __post_init__(self) -> None:
        numbers = (self.yellow_penalty_points, self.yellow_overdue, self.period_days)
        if min(*numbers, self.rectification_working_days) < 1:
            raise ValueError("card thresholds, period and rectification days are at least 1")
        if self.red_penalty_points <= self.yellow_penalty_points:
            raise ValueError("a red card needs more penalty points than a yellow one")
        if self.red_overdue <= self.yellow_overdue:
            raise ValueError("a red card needs more overdue replies than a yellow one")

    def finding(self, penalties: Sequence[PenaltyRecord]) -> Finding | None:
        """The most serious card the penalties call for, if any; reversed ones do not count."""
        counting = [p for p in penalties if not p.reversed]
        overdue = tuple(p.id for p in counting if p.rule is RuleCode.OVERDUE_REPLY)
        points = sum(-p.points for p in counting)
        evidence = tuple(p.id for p in counting)
        thresholds = [
            (CardColour.RED, CardMeasure.PENALTY_POINTS, points, self.red_penalty_points, evidence),
            (CardColour.RED, CardMeasure.OVERDUE_COUNT, len(overdue), self.red_overdue, overdue),
            (
                CardColour.YELLOW,
                CardMeasure.PENALTY_POINTS,
                points,
                self.yellow_penalty_points,
                evidence,
            ),
            (
                CardColour.YELLOW,
                CardMeasure.OVERDUE_COUNT,
                len(overdue),
                self.yellow_overdue,
                overdue,
            ),
        ]
        for colour, measure, value, threshold, shown_by in thresholds:
            if value >= threshold:
                return Finding(colour, measure, value, threshold, shown_by)
        return None

    def rectification_deadline(self, calendar: WorkingCalendar, at: datetime) -> datetime:
        """The end of the last working day the department has to rectify (限期整改)."""
        return calendar.add_working_days(at, self.rectification_working_days)

    def period_containing(self, day: date) -> Period:
        """The policy's fixed period that `day` falls in (periods of `period_days` from 2026-01-01).

        Fixed periods, not a window ending today, so that evaluating again tomorrow finds the
        same card instead of issuing a new one.
        """
        index = (day - PERIOD_EPOCH).days // self.period_days
        start = PERIOD_EPOCH + timedelta(days=index * self.period_days)
        return Period(start, start + timedelta(days=self.period_days - 1))

    def previous_period(self, period: Period) -> Period:
        """The period of the same length just before `period`."""
        length = (period.end - period.start).days + 1
        return Period(period.start - timedelta(days=length), period.start - timedelta(days=1))


def tally(penalties: Sequence[PenaltyRecord]) -> tuple[int, int]:
    """The penalty points and the overdue replies counted against a department (not reversed)."""
    counting = [p for p in penalties if not p.reversed]
    points = sum(-p.points for p in counting)
    return points, sum(1 for p in counting if p.rule is RuleCode.OVERDUE_REPLY)


def card_id(department: str, colour: CardColour, period_start: date) -> UUID:
    """A card's id: one card of a colour per department and period, however often evaluated."""
    return uuid5(CARD_NAMESPACE, f"{department.strip()}|{colour.value}|{period_start.isoformat()}")


class Card(Aggregate):
    """A red or yellow card and its rectification or escalation."""

    class Event(Aggregate.Event):
        """Every card event records who acted, in which role."""

        actor_id: str
        actor_role: str

        def apply(self, aggregate: Any) -> None:
            """Mutates the card; subclasses override `apply_to`. The state an event
            leads to is the state table's (`domain.card_states`)."""
            card = cast(Card, aggregate)
            status = CARD_STATES.status_after(self)
            if status is not None:
                card.status = status
            self.apply_to(card)

        def apply_to(self, card: Card) -> None:
            """Changes the card's state as this event says."""

    class Issued(Aggregate.Created):
        """A card was issued to a department, with the evidence and a rectification deadline."""

        actor_id: str
        actor_role: str
        colour: str
        department: str
        measure: str
        value: int
        threshold: int
        period_start: str
        period_end: str
        evidence: list[str]
        rectification_deadline: datetime
        escalated_from: UUID | None

        def apply(self, aggregate: Any) -> None:
            """Sets up the new card."""
            cast(Card, aggregate).start(self)

    class Rectified(Event):
        """The department rectified in time; the card is cleared (销号)."""

        note: str

        def apply_to(self, card: Card) -> None:
            card.rectification_note = self.note
            card.rectified_at = self.timestamp

    class Escalated(Event):
        """The deadline passed unrectified: a yellow card became a red one, a red one went up."""

        escalated_to: str
        red_card_id: UUID | None

        def apply_to(self, card: Card) -> None:
            card.escalated_to = EscalatedTo(self.escalated_to)
            card.red_card_id = self.red_card_id
            card.escalated_at = self.timestamp

    # -- state -------------------------------------------------------------------------

    def start(self, issued: Card.Issued) -> None:
        """Initial state, from the Issued event."""
        self.colour = CardColour(issued.colour)
        self.department = issued.department
        self.measure = CardMeasure(issued.measure)
        self.value = issued.value
        self.threshold = issued.threshold
        self.period = Period(
            date.fromisoformat(issued.period_start), date.fromisoformat(issued.period_end)
        )
        self.evidence = [UUID(e) for e in issued.evidence]
        self.rectification_deadline = issued.rectification_deadline
        self.escalated_from = issued.escalated_from
        self.issued_by = issued.actor_id
        self.issued_at = issued.timestamp
        self.status = CARD_STATES.initial
        self.rectification_note: str | None = None
        self.rectified_at: datetime | None = None
        self.escalated_to: EscalatedTo | None = None
        self.red_card_id: UUID | None = None
        self.escalated_at: datetime | None = None

    @property
    def parties(self) -> Parties:
        """Who the card concerns, for access: the department it warns."""
        return Parties(
            departments=frozenset({self.department}), holding=frozenset({self.department})
        )

    def overdue_at_moment(self, moment: datetime) -> bool:
        """Whether at `moment` the card is open and its rectification deadline has passed."""
        return self.status is CardStatus.OPEN and moment > self.rectification_deadline

    def red_card_finding(self) -> Finding:
        """What the red card replacing this unrectified yellow one rests on."""
        return Finding(
            CardColour.RED, self.measure, self.value, self.threshold, tuple(self.evidence)
        )

    # -- commands ----------------------------------------------------------------------

    @classmethod
    def issue(
        cls,
        *,
        finding: Finding,
        department: str,
        period: Period,
        rectification_deadline: datetime,
        actor: Actor,
        at: datetime,
        escalated_from: UUID | None = None,
    ) -> Card:
        """Issues the card the finding calls for; its id follows from department, colour, period."""
        check_aware("time", at)
        check_aware("rectification_deadline", rectification_deadline)
        name = clean_text("department", department, limits.DEPARTMENT)
        if finding.value < finding.threshold:
            raise InvalidInput(
                "measure", f"{finding.value} has not reached the threshold {finding.threshold}"
            )
        if not finding.evidence:
            raise InvalidInput("evidence", "a card names the penalties or cases it rests on")
        if rectification_deadline <= at:
            raise InvalidInput("rectification_deadline", "must lie after the card is issued")
        return cls._create(
            cls.Issued,
            id=card_id(name, finding.colour, period.start),
            timestamp=at,
            actor_id=actor.id,
            actor_role=actor.role.value,
            colour=finding.colour.value,
            department=name,
            measure=finding.measure.value,
            value=finding.value,
            threshold=finding.threshold,
            period_start=period.start.isoformat(),
            period_end=period.end.isoformat(),
            evidence=[str(e) for e in finding.evidence],
            rectification_deadline=rectification_deadline,
            escalated_from=escalated_from,
        )

    def rectify(self, *, note: str, actor: Actor, at: datetime) -> None:
        """Records the department's rectification, by the deadline; the card is cleared."""
        self._require(CardCommand.RECTIFY)
        check_aware("time", at)
        if at > self.rectification_deadline:
            raise CARD_STATES.refuse(
                CardCommand.RECTIFY,
                self.status,
                f"its rectification deadline {self.rectification_deadline.isoformat()} has "
                "passed; it can only be escalated",
            )
        self._trigger(self.Rectified, actor, at, note=clean_text("note", note, limits.COMMENT))

    def escalate(self, *, actor: Actor, at: datetime) -> None:
        """Escalates the unrectified card once its deadline has passed.

        A yellow card is replaced by the red card of its department and period (the
        application issues it in the same save); a red card goes to the committee.
        """
        self._require(CardCommand.ESCALATE)
        check_aware("time", at)
        if at <= self.rectification_deadline:
            raise CARD_STATES.refuse(
                CardCommand.ESCALATE,
                self.status,
                f"the department has until {self.rectification_deadline.isoformat()} to rectify",
            )
        if self.colour is CardColour.YELLOW:
            red = card_id(self.department, CardColour.RED, self.period.start)
            self._trigger(
                self.Escalated, actor, at, escalated_to=EscalatedTo.RED_CARD.value, red_card_id=red
            )
        else:
            self._trigger(
                self.Escalated,
                actor,
                at,
                escalated_to=EscalatedTo.COMMITTEE.value,
                red_card_id=None,
            )

    # -- guards ------------------------------------------------------------------------

    def _require(self, command: CardCommand) -> None:
        """Refuses `command` unless the card's state table allows it now."""
        CARD_STATES.require(command, self.status)

    def _trigger(
        self, event_class: type[Card.Event], actor: Actor, at: datetime, **data: Any
    ) -> None:
        self.trigger_event(
            event_class, timestamp=at, actor_id=actor.id, actor_role=actor.role.value, **data
        )
