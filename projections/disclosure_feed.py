"""The disclosure feed: one row per disclosure, for the public board and the committee queue.

The public endpoints read only published and withdrawn rows; the committee's queue reads the
proposed and returned ones. Rows hold public text only: a disclosure's text was checked to
carry no appellant's identity before it was recorded.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from datetime import datetime
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking

from domain.disclosure import PUBLIC_STATUSES, Disclosure, DisclosureStatus
from domain.disclosure_states import DISCLOSURE_STATES
from projections.view import View, ViewProjection


@dataclass(frozen=True)
class EntryProposed:
    """A new row, from a Proposed event."""

    id: UUID
    subject_type: str
    subject: str
    departments: tuple[str, ...]
    title: str
    body: str
    proposed_by: str
    at: datetime


@dataclass(frozen=True)
class EntryChanged:
    """What a later event changes on a row; None leaves a column as it is."""

    id: UUID
    version: int
    at: datetime
    status: DisclosureStatus
    departments: tuple[str, ...] | None = None
    title: str | None = None
    body: str | None = None
    reason: str | None = None
    approved_by: str | None = None
    chain_position: int | None = None
    chain_link: str | None = None


@dataclass(frozen=True)
class FeedQuery:
    """Which rows to list, newest first (by publication, or for the queue by proposal)."""

    statuses: tuple[DisclosureStatus, ...]
    department: str | None = None
    subject_type: str | None = None
    after: tuple[datetime, UUID] | None = None
    limit: int = 50

    @property
    def public(self) -> bool:
        """Whether only public rows are asked for (ordered by publication time)."""
        return all(status in PUBLIC_STATUSES for status in self.statuses)


@dataclass(frozen=True)
class FeedEntry:
    """One disclosure as the feed shows it."""

    id: UUID
    version: int
    status: DisclosureStatus
    subject_type: str
    subject: str
    departments: list[str]
    title: str
    body: str
    proposed_by: str
    proposed_at: datetime
    updated_at: datetime
    returned_reason: str | None
    approved_by: str | None
    approved_at: datetime | None
    chain_position: int | None
    chain_link: str | None
    published_at: datetime | None
    withdrawn_at: datetime | None
    withdrawal_reason: str | None

    @property
    def sort_key(self) -> datetime:
        """What public lists order by (publication), else the proposal time."""
        return self.published_at or self.proposed_at


@dataclass(frozen=True)
class FeedPage:
    """A page of entries and, when more follow, the key of the last one to continue after."""

    entries: list[FeedEntry]
    next_after: tuple[datetime, UUID] | None


class DisclosureFeedView(View):
    """Where the disclosure feed is kept and queried."""

    @abstractmethod
    def add_entry(self, entry: EntryProposed, tracking: Tracking) -> None:
        """Adds a disclosure's row."""

    @abstractmethod
    def change_entry(self, change: EntryChanged, tracking: Tracking) -> None:
        """Updates a disclosure's row."""

    @abstractmethod
    def list_entries(self, query: FeedQuery) -> FeedPage:
        """A page of rows matching the query, newest first."""


class DisclosureFeed(ViewProjection):
    """Keeps the disclosure feed: a row per disclosure, changed by each of its events."""

    name = "disclosure_feed"

    @property
    def feed(self) -> DisclosureFeedView:
        """The view, typed."""
        return self.view_as(DisclosureFeedView)  # type: ignore[type-abstract]

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events of other aggregates."""
        self.ignore(tracking)

    @process_event.register
    def _(self, event: Disclosure.Proposed, tracking: Tracking) -> None:
        self.feed.add_entry(
            EntryProposed(
                id=event.originator_id,
                subject_type=event.subject_type,
                subject=event.subject,
                departments=tuple(event.departments),
                title=event.title,
                body=event.body,
                proposed_by=event.actor_id,
                at=event.timestamp,
            ),
            tracking,
        )

    @process_event.register
    def _(self, event: Disclosure.Event, tracking: Tracking) -> None:
        status = DISCLOSURE_STATES.status_after(event)  # the aggregate's own state table
        if status is None:
            self.ignore(tracking)
            return
        details: dict[str, Any] = {}
        if isinstance(event, Disclosure.Approved):
            details = {
                "approved_by": event.actor_id,
                "chain_position": event.chain_position,
                "chain_link": event.chain_link,
            }
        elif isinstance(event, Disclosure.Returned | Disclosure.Withdrawn):
            details = {"reason": event.reason}
        elif isinstance(event, Disclosure.Revised):
            details = {
                "departments": tuple(event.departments),
                "title": event.title,
                "body": event.body,
            }
        elif isinstance(event, Disclosure.Published):
            details = {
                "chain_position": getattr(event, "chain_position", None),
                "chain_link": getattr(event, "chain_link", None),
            }
        change = EntryChanged(
            id=event.originator_id,
            version=event.originator_version,
            at=event.timestamp,
            status=status,
            **details,
        )
        self.feed.change_entry(change, tracking)
