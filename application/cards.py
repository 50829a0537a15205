"""Red and yellow cards (红黄牌): issued when a department's penalties over a period call
for one, rectified or escalated; each use case load → call → save. A card's id follows from
its department, colour and period, so evaluating twice issues it once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.accountability_cases import AUTOMATIC, AccountabilityCases
from application.aggregates import ItemResult
from domain.access import Parties
from domain.actors import Actor
from domain.card import (
    Card,
    CardColour,
    CardStatus,
    Finding,
    PenaltyRecord,
    Period,
    card_id,
    tally,
)
from domain.errors import ConcurrentWrite, InvalidInput, NotFound
from domain.penalty import Penalty
from domain.policy import Permission, authorise


@dataclass(frozen=True)
class CardEvaluation:
    """What a department's penalties over a period came to, and the card issued, if any."""

    department: str
    period: Period
    penalty_points: int
    overdue_count: int
    finding: Finding | None
    issued: ItemResult | None


class Cards(AccountabilityCases):
    """The cards that warn lagging departments."""

    def penalty_records(
        self, department: str, period: Period, penalty_ids: Sequence[UUID]
    ) -> list[PenaltyRecord]:
        """The named penalties as a card evaluation counts them; each must be the department's
        and recorded within the period."""
        department = self.app.directory.department(department).code
        records = []
        for pid in dict.fromkeys(penalty_ids):
            try:
                penalty = self._access.get(Penalty, pid)
            except NotFound:
                raise InvalidInput("penalty_ids", f"no penalty {pid}") from None
            if penalty.department != department.strip():
                raise InvalidInput(
                    "penalty_ids", f"penalty {pid} is {penalty.department}'s, not {department}'s"
                )
            day = self.app.calendar.local_date(penalty.recorded_at)
            if not period.contains(day):
                raise InvalidInput(
                    "penalty_ids",
                    f"penalty {pid} was recorded on {day}, outside {period.start}–{period.end}",
                )
            records.append(
                PenaltyRecord(penalty.id, penalty.rule_code, penalty.points, not penalty.counts)
            )
        return records

    def current_period(self) -> Period:
        """The card period that today (Beijing time) falls in."""
        return self.policy.period_containing(self.app.calendar.local_date(self.app.now()))

    def evaluate_cards(
        self,
        department: str,
        period: Period,
        penalties: Sequence[PenaltyRecord],
        *,
        actor: Actor = AUTOMATIC,
    ) -> CardEvaluation:
        """Issues the card a department's penalties over the period call for, once.

        No card is issued while one of the same colour (or a red one) is open for the
        department in this period or the one before; a red finding needs no yellow card first.
        """
        department = self.app.directory.department(department).code
        authorise(
            actor,
            Permission.CARD_ISSUE,
            Parties(departments=frozenset({department}), holding=frozenset({department})),
        )
        points, overdue = tally(penalties)
        finding = self.policy.finding(penalties)
        evaluation = CardEvaluation(department.strip(), period, points, overdue, finding, None)
        if finding is None or self._has_card(department, period, finding.colour):
            return evaluation
        at = self.app.now()
        card = Card.issue(
            finding=finding,
            department=department,
            period=period,
            rectification_deadline=self.policy.rectification_deadline(self.app.calendar, at),
            actor=actor,
            at=at,
        )
        try:
            issued = self._access.save(card)
        except ConcurrentWrite:
            issued = self._access.save(self._access.get(Card, card.id))
        return CardEvaluation(department.strip(), period, points, overdue, finding, issued)

    def rectify_card(
        self, card_id: UUID, *, note: str, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """Records the department's rectification before the deadline; the card is cleared."""
        card = self._access.load(
            Card, card_id, expected_version, actor=actor, permission=Permission.CARD_RECTIFY
        )
        card.rectify(note=note, actor=actor, at=self.app.now())
        return self._access.save(card)

    def escalate_card(
        self, card_id: UUID, *, actor: Actor = AUTOMATIC, expected_version: int | None = None
    ) -> ItemResult:
        """Escalates an unrectified card past its deadline: a yellow one becomes a red card
        (issued in the same save), a red one goes to the committee."""
        card = self._access.load(
            Card, card_id, expected_version, actor=actor, permission=Permission.CARD_ISSUE
        )
        at = self.app.now()
        card.escalate(actor=actor, at=at)
        if card.red_card_id is None or self._existing(Card, card.red_card_id) is not None:
            return self._access.save(card)
        red = Card.issue(
            finding=card.red_card_finding(),
            department=card.department,
            period=card.period,
            rectification_deadline=self.policy.rectification_deadline(self.app.calendar, at),
            actor=actor,
            at=at,
            escalated_from=card.id,
        )
        return self._save_together(card, red)

    def read_card(self, card_id: UUID, actor: Actor, version: int | None = None) -> Card:
        """The card now or at `version`, if `actor` may read it."""
        return self._access.read(
            Card, card_id, actor=actor, permission=Permission.PENALTY_READ, version=version
        )

    def get_card(self, card_id: UUID, version: int | None = None) -> Card:
        """The card now, or as it stood at `version`."""
        return self._access.get(Card, card_id, version)

    # -- plumbing ----------------------------------------------------------------------

    def _has_card(self, department: str, period: Period, colour: CardColour) -> bool:
        """Whether a card already answers this finding: any card of the colour (or a red one)
        in this period, or one still open from the period before."""
        colours = [CardColour.RED] if colour is CardColour.RED else list(CardColour)
        for when, only_open in ((period, False), (self.policy.previous_period(period), True)):
            for shade in colours:
                card = self._existing(Card, card_id(department, shade, when.start))
                if card is not None and (not only_open or card.status is CardStatus.OPEN):
                    return True
        return False

    def _save_together(self, card: Card, red: Card) -> ItemResult:
        try:
            recordings = self.app.save(card, red)
        except IntegrityError:
            raise ConcurrentWrite(
                f"card {card.id} was changed by another request at the same time", card.id
            ) from None
        position = max((r.notification.id for r in recordings), default=0)
        return ItemResult(card.id, card.version, position)
