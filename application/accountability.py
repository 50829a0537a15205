"""Accountability (考核问责): penalties and red and yellow cards, each use case load → call → save.

`Accountability` wraps the one `Casework` application: the same event store, clock, calendar
and cipher. Automatic penalties and cards have deterministic ids, so recording the same
occurrence twice (two watchers, a restart) finds the first record instead of doubling it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from application.aggregates import AggregateAccess, ItemResult
from application.casework import Casework
from domain.access import NOBODY, Parties
from domain.accountability_rules import (
    CaseRef,
    CaseType,
    RuleBook,
    RuleCode,
    passing_the_buck_suspected,
    penalty_id,
)
from domain.actors import Actor, Role
from domain.card import (
    Card,
    CardColour,
    CardPolicy,
    CardStatus,
    Finding,
    PenaltyRecord,
    Period,
    card_id,
    tally,
)
from domain.deadlines import Deadline, DeadlineAct
from domain.errors import ConcurrentWrite, InvalidInput, NotFound
from domain.meeting import Meeting
from domain.penalty import Penalty, absent_departments_to_penalise
from domain.policy import Permission, authorise

__all__ = ["AUTOMATIC", "Accountability", "BuckCheck", "CardEvaluation", "CardPolicy"]

#: Who records what the system notices by itself.
AUTOMATIC = Actor("huiyin-accountability", Role.SYSTEM)

A = TypeVar("A", bound=Aggregate)

_NOUNS: dict[type[Aggregate], str] = {Penalty: "penalty", Card: "card", Meeting: "meeting"}

#: The department the union answers as for what it holds itself (settings name another).
DEFAULT_UNION_OFFICE = "工会办公室"

#: How a missed deadline's penalty is keyed: one penalty per deadline (the keys of missed
#: replies are the ones releases before used, so their penalties are found, not doubled).
OCCURRENCE = {DeadlineAct.REPLY: "reply-due", DeadlineAct.FIRST_RESPONSE: "response-due"}


@dataclass(frozen=True)
class BuckCheck:
    """How often an appeal was transferred, and whether that is enough to look at (推诿扯皮)."""

    appeal_id: UUID
    case_number: str
    transfers: int
    flagged: bool


@dataclass(frozen=True)
class CardEvaluation:
    """What a department's penalties over a period came to, and the card issued, if any."""

    department: str
    period: Period
    penalty_points: int
    overdue_count: int
    finding: Finding | None
    issued: ItemResult | None


class Accountability:
    """Penalties against departments' heads, and the cards that warn lagging departments."""

    def __init__(
        self,
        app: Casework,
        rules: RuleBook | None = None,
        policy: CardPolicy | None = None,
        union_office: str = DEFAULT_UNION_OFFICE,
    ) -> None:
        self.app = app
        self.union_office = union_office
        self.rules = rules or RuleBook.default()
        self.policy = policy or CardPolicy()
        self._access = AggregateAccess(app, _NOUNS)

    # -- penalties ---------------------------------------------------------------------

    def record_perfunctory_handling(
        self,
        appeal_id: UUID,
        *,
        reason: str,
        actor: Actor,
        head_id: str | None = None,
        key: str | None = None,
    ) -> ItemResult:
        """The appeal's supervisor takes a point from its department for 搪塞应付、推诿扯皮
        (with an idempotency `key`, once)."""
        appeal = self.app.get_appeal(appeal_id)
        supervisor = appeal.transfers[-1].supervisor if appeal.transfers else None
        # The judgement is the named supervisor's (`Penalty.record`), not a whole tier's.
        judge = Parties(leads=frozenset({supervisor} if supervisor else ()))
        authorise(actor, Permission.PENALTY_RECORD, judge)
        request = {"appeal_id": appeal_id, "reason": reason, "head_id": head_id}
        claim = self.app.claim(key, actor, "record_perfunctory_handling", request)
        build = partial(
            Penalty.record,
            rule=self.rules.rule(RuleCode.PERFUNCTORY_HANDLING),
            department=appeal.responsible_department or "",
            head_id=head_id or self._head(appeal.responsible_department),
            case=CaseRef(CaseType.APPEAL, appeal.id, appeal.case_number),
            reason=reason,
            supervisor=supervisor,
            actor=actor,
            at=self.app.now(),
        )
        return self._access.create(Penalty, lambda new_id: build(id=new_id), claim).result

    def record_automatic(
        self,
        rule: RuleCode,
        *,
        department: str,
        case: CaseRef,
        occurrence_key: str,
        at: datetime | None = None,
        actor: Actor = AUTOMATIC,
        reason: str = "",
        head_id: str | None = None,
    ) -> ItemResult:
        """Records an automatic penalty once: an occurrence already recorded is returned as is.

        The id follows from (rule, case id, occurrence key); an existing penalty comes back
        with its current version and position 0 (nothing new was written).
        """
        authorise(actor, Permission.PENALTY_RECORD_AUTOMATIC, NOBODY)
        department = self.app.directory.department(department).code  # closed ones too
        the_rule = self.rules.automatic(rule)
        penalty_key = penalty_id(rule, case.id, occurrence_key)
        existing = self._existing(Penalty, penalty_key)
        if existing is not None:
            return self._access.save(existing)
        penalty = Penalty.record(
            id=penalty_key,
            rule=the_rule,
            department=department,
            head_id=head_id or self._head(department),
            case=case,
            reason=reason,
            actor=actor,
            at=at or self.app.now(),
        )
        try:
            return self._access.save(penalty)
        except ConcurrentWrite:
            # Another watcher recorded the same occurrence a moment ago.
            return self._access.save(self._access.get(Penalty, penalty_key))

    def penalise_missed(
        self,
        appeal_id: UUID,
        *,
        deadline: Deadline,
        actor: Actor = AUTOMATIC,
    ) -> ItemResult:
        """Two points for a deadline the appeal missed (逾期), once per deadline, from
        whoever held it when it passed (`Appeal.holder_at`): its department then, or the
        union's own office while the union held it untransferred. A missed reply is
        逾期未办理, a missed first response 逾期未响应."""
        appeal = self.app.get_appeal(appeal_id)
        holder = appeal.holder_at(deadline.due) or self.union_office
        response = deadline.act is DeadlineAct.FIRST_RESPONSE
        rule = RuleCode.OVERDUE_RESPONSE if response else RuleCode.OVERDUE_REPLY
        what = "first response" if response else "reply"
        return self.record_automatic(
            rule,
            department=holder,
            case=CaseRef(CaseType.APPEAL, appeal.id, appeal.case_number),
            occurrence_key=f"{OCCURRENCE[deadline.act]}:{deadline.due.isoformat()}",
            actor=actor,
            reason=f"{what} overdue on {appeal.case_number} (due {deadline.due.isoformat()})",
        )

    def penalise_absences(self, meeting_id: UUID, *, actor: Actor = AUTOMATIC) -> list[ItemResult]:
        """One point from each department a held talk recorded as absent; once per department."""
        meeting = self._access.get(Meeting, meeting_id)
        case = CaseRef(CaseType.MEETING, meeting.id, meeting.topic)
        return [
            self.record_automatic(
                RuleCode.ABSENT_FROM_TALK,
                department=department,
                case=case,
                occurrence_key=department,
                at=meeting.held_at,
                actor=actor,
                reason=f"sent no one to the talk {meeting.topic!r}",
            )
            for department in absent_departments_to_penalise(meeting)
        ]

    def contest(
        self, penalty_id: UUID, *, reason: str, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """The department contests a penalty, saying why."""
        penalty = self._penalty(penalty_id, expected_version, actor, Permission.PENALTY_CONTEST)
        penalty.contest_by_department(reason=reason, actor=actor, at=self.app.now())
        return self._access.save(penalty)

    def reject_contest(
        self, penalty_id: UUID, *, reason: str, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """The committee keeps a contested penalty, saying why."""
        penalty = self._penalty(penalty_id, expected_version, actor, Permission.PENALTY_DECIDE)
        penalty.reject_contest(reason=reason, actor=actor, at=self.app.now())
        return self._access.save(penalty)

    def reverse(
        self, penalty_id: UUID, *, reason: str, actor: Actor, expected_version: int | None = None
    ) -> ItemResult:
        """The committee reverses a penalty, saying why; it no longer counts."""
        penalty = self._penalty(penalty_id, expected_version, actor, Permission.PENALTY_DECIDE)
        penalty.reverse(reason=reason, actor=actor, at=self.app.now())
        return self._access.save(penalty)

    def read_penalty(self, penalty_id: UUID, actor: Actor, version: int | None = None) -> Penalty:
        """The penalty now or at `version`, if `actor` may read it."""
        return self._access.read(
            Penalty, penalty_id, actor=actor, permission=Permission.PENALTY_READ, version=version
        )

    def read_card(self, card_id: UUID, actor: Actor, version: int | None = None) -> Card:
        """The card now or at `version`, if `actor` may read it."""
        return self._access.read(
            Card, card_id, actor=actor, permission=Permission.PENALTY_READ, version=version
        )

    def get_penalty(self, penalty_id: UUID, version: int | None = None) -> Penalty:
        """The penalty now, or as it stood at `version`."""
        return self._access.get(Penalty, penalty_id, version)

    # -- passing the buck --------------------------------------------------------------

    def transfer_count(self, appeal_id: UUID) -> int:
        """How many times the appeal was transferred (the first transfer included)."""
        return len(self.app.get_appeal(appeal_id).transfers)

    def buck_check(self, appeal_id: UUID, actor: Actor) -> BuckCheck:
        """The appeal's transfers, flagged for its supervisor to judge at three or more."""
        appeal = self.app.read_appeal(appeal_id, actor)
        count = len(appeal.transfers)
        return BuckCheck(appeal.id, appeal.case_number, count, passing_the_buck_suspected(count))

    # -- cards -------------------------------------------------------------------------

    def penalty_records(
        self, department: str, period: Period, penalty_ids: Sequence[UUID]
    ) -> list[PenaltyRecord]:
        """The named penalties as a card evaluation counts them; each must be the department's
        and recorded within the period."""
        department = self.app.directory.department(department).code
        records = []
        for pid in dict.fromkeys(penalty_ids):
            try:
                penalty = self.get_penalty(pid)
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

    def get_card(self, card_id: UUID, version: int | None = None) -> Card:
        """The card now, or as it stood at `version`."""
        return self._access.get(Card, card_id, version)

    # -- history -----------------------------------------------------------------------

    def history(self, aggregate_id: UUID) -> Sequence[Any]:
        """Every event of a penalty or card, in order."""
        return self._access.history(aggregate_id, (Penalty.Recorded, Card.Issued))

    def read_history(
        self, cls: type[Penalty] | type[Card], aggregate_id: UUID, actor: Actor
    ) -> Sequence[Any]:
        """Every event of a penalty or card, if `actor` may read it."""
        self._access.read(cls, aggregate_id, actor=actor, permission=Permission.PENALTY_READ)
        return self.history(aggregate_id)

    # -- plumbing ----------------------------------------------------------------------

    def _penalty(
        self, penalty_id: UUID, expected_version: int | None, actor: Actor, permission: Permission
    ) -> Penalty:
        return self._access.load(
            Penalty, penalty_id, expected_version, actor=actor, permission=permission
        )

    def _head(self, department: str | None) -> str | None:
        """The head the directory names for a department now (penalties fall on them)."""
        if not department:
            return None
        try:
            return self.app.directory.department(department).head
        except InvalidInput:
            return None

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

    def _existing(self, cls: type[A], aggregate_id: UUID) -> A | None:
        try:
            return self._access.get(cls, aggregate_id)
        except NotFound:
            return None

    def _save_together(self, card: Card, red: Card) -> ItemResult:
        try:
            recordings = self.app.save(card, red)
        except IntegrityError:
            raise ConcurrentWrite(
                f"card {card.id} was changed by another request at the same time", card.id
            ) from None
        position = max((r.notification.id for r in recordings), default=0)
        return ItemResult(card.id, card.version, position)
