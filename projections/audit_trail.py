"""The audit trail: every event of every aggregate, flattened into one row.

Auditors query it by case, actor, department, event type and time, and export it. Each row
says which case (type, reference), which version, what happened (event type and a one-line
summary), when, who in which role, which department it concerns, and the event's data.

Personal data never reaches the view in clear: the view is given it sealed
(`projections.sealed`) and keeps each value as `{"sealed": token}` in the data, and an
employee acting in person as their reference (`person:<ref>`, with the sealed id beside it).
Reads open what the policy lets the reader see (`api.personal_data`); once a person is
erased their values read as erased, and the rows themselves never change.

The rows are flattened from the events by `projections.audit_entries`, their one-line
summaries written by `projections.audit_summaries`.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Tracking

from projections.audit_entries import AuditEntry, entry_of
from projections.scope import ReadScope
from projections.view import View, ViewProjection

EXPORT_CHUNK = 2_000
MAX_LIMIT = 500


@dataclass(frozen=True)
class AuditQuery:
    """Which rows to read, oldest first; `after` continues after a position (the cursor)."""

    case_id: UUID | None = None
    case_type: str | None = None
    event_type: str | None = None
    actor_id: str | None = None
    #: Also the employee with this reference, acting in person (`PERSON_ACTOR`).
    actor_ref: str | None = None
    department: str | None = None
    occurred_from: datetime | None = None
    occurred_before: datetime | None = None
    after: int | None = None
    limit: int = 100
    scope: ReadScope | None = None  # None: every row


@dataclass(frozen=True)
class AuditRow:
    """One row of the audit trail."""

    position: int
    case_id: UUID
    case_type: str
    case_ref: str | None
    version: int
    event_type: str
    at: datetime
    actor_id: str
    actor_role: str
    department: str | None
    summary: str
    data: dict[str, Any]
    actor_token: str | None = None


@dataclass(frozen=True)
class AuditPage:
    """A page of rows and, when more follow, the position to continue after."""

    rows: list[AuditRow]
    next_after: int | None


class AuditTrailView(View):
    """Where the audit trail is kept and queried."""

    @abstractmethod
    def record(self, entry: AuditEntry, tracking: Tracking) -> None:
        """Adds the row of one event (and the case's reference, for a creation event)."""

    @abstractmethod
    def find(self, query: AuditQuery) -> AuditPage:
        """A page of rows matching the query, in position order."""

    @abstractmethod
    def case_trail(self, case_id: UUID, scope: ReadScope | None = None) -> list[AuditRow]:
        """Every row of one case the scope reaches, in order."""

    @abstractmethod
    def export_rows(self, query: AuditQuery) -> Iterator[AuditRow]:
        """Every row matching the query (its `limit` ignored), read in chunks as consumed.

        Stops at the view's position when the export started, so the export is one
        consistent cut of the trail however long the client takes to read it.
        """


class AuditTrail(ViewProjection):
    """Keeps the audit trail: one row per event of every aggregate."""

    name = "audit_trail"

    @cached_property
    def trail(self) -> AuditTrailView:
        """The view, typed (checked once: it is used for every event)."""
        return self.view_as(AuditTrailView)  # type: ignore[type-abstract]

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Whatever is not an aggregate's event (nothing Huiyin stores today)."""
        self.ignore(tracking)

    @process_event.register
    def _(self, event: Aggregate.Event, tracking: Tracking) -> None:
        self.trail.record(entry_of(event), tracking)
