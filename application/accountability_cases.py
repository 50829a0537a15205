"""What the penalty and card use cases share: the one `Casework` application (its event
store, clock, calendar and cipher), the rule book and card policy, and reads of either case."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.aggregates import AggregateAccess
from application.casework import Casework
from domain.accountability_rules import RuleBook
from domain.actors import Actor, Role
from domain.card import Card, CardPolicy
from domain.errors import NotFound
from domain.meeting import Meeting
from domain.penalty import Penalty
from domain.policy import Permission

#: Who records what the system notices by itself.
AUTOMATIC = Actor("huiyin-accountability", Role.SYSTEM)

A = TypeVar("A", bound=Aggregate)

_NOUNS: dict[type[Aggregate], str] = {Penalty: "penalty", Card: "card", Meeting: "meeting"}

#: The department the union answers as for what it holds itself (settings name another).
DEFAULT_UNION_OFFICE = "工会办公室"


class AccountabilityCases:
    """The store, rules and reads that penalties and cards share."""

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

    def history(self, aggregate_id: UUID) -> Sequence[Any]:
        """Every event of a penalty or card, in order."""
        return self._access.history(aggregate_id, (Penalty.Recorded, Card.Issued))

    def read_history(
        self, cls: type[Penalty] | type[Card], aggregate_id: UUID, actor: Actor
    ) -> Sequence[Any]:
        """Every event of a penalty or card, if `actor` may read it."""
        self._access.read(cls, aggregate_id, actor=actor, permission=Permission.PENALTY_READ)
        return self.history(aggregate_id)

    def _existing(self, cls: type[A], aggregate_id: UUID) -> A | None:
        try:
            return self._access.get(cls, aggregate_id)
        except NotFound:
            return None
