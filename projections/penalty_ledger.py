"""The penalty ledger: every penalty by department and day, so cards can be evaluated.

The watcher asks it which departments were penalised in a card period and which penalties
those were; the Accountability use cases then load the penalties themselves and decide.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from datetime import date
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking

from domain.calendar import CHINA_TZ
from domain.penalty import Penalty
from projections.view import View, ViewProjection


@dataclass(frozen=True)
class LedgerEntry:
    """One penalty as the ledger holds it."""

    id: UUID
    department: str
    rule: str
    points: int
    day: date
    reversed: bool


class PenaltyLedgerView(View):
    """Where the ledger is kept and queried."""

    @abstractmethod
    def record(self, entry: LedgerEntry, tracking: Tracking) -> None:
        """Adds a penalty."""

    @abstractmethod
    def reverse(self, penalty_id: UUID, tracking: Tracking) -> None:
        """Marks a penalty reversed (it stays in the ledger)."""

    @abstractmethod
    def entries(self, start: date, end: date, department: str | None = None) -> list[LedgerEntry]:
        """Penalties recorded on days in [start, end], of one department or all."""


class PenaltyLedger(ViewProjection):
    """Keeps the ledger from Penalty events."""

    name = "penalty_ledger"

    @property
    def ledger(self) -> PenaltyLedgerView:
        """The view, typed."""
        return self.view_as(PenaltyLedgerView)  # type: ignore[type-abstract]

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events that are not penalties."""
        self.ignore(tracking)

    @process_event.register
    def _(self, event: Penalty.Recorded, tracking: Tracking) -> None:
        entry = LedgerEntry(
            id=event.originator_id,
            department=event.department,
            rule=event.rule_code,
            points=event.points,
            day=event.timestamp.astimezone(CHINA_TZ).date(),
            reversed=False,
        )
        self.ledger.record(entry, tracking)

    @process_event.register
    def _(self, event: Penalty.Reversed, tracking: Tracking) -> None:
        self.ledger.reverse(event.originator_id, tracking)
