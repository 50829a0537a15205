"""The case index: one row per appeal, meeting, action item and congress proposal.

It answers the list endpoints (filters plus cursor pagination) that API clients such as the
OA system and dashboards page through. Each row holds what lists filter and sort on, not the
whole case: the case itself is read from its aggregate.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property, singledispatchmethod
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.persistence import Tracking

from domain.action_item import ActionItem
from domain.action_item_states import ACTION_ITEM_STATES
from domain.actors import ANONYMOUS_ACTOR_ID
from domain.appeal import FIRST_RESPONSES, Appeal
from domain.appeal_states import APPEAL_STATES, FINAL
from domain.meeting import Meeting
from domain.meeting_states import MEETING_STATES
from domain.meeting_terms import ActionItemStatus, MeetingStatus, ProposalStatus
from domain.proposal import Proposal
from domain.proposal_states import PROPOSAL_STATES
from domain.terms import Status
from projections.scope import ReadScope
from projections.sealed import is_sealed, ref_of, refs_of, token_of
from projections.view import View, ViewProjection


class CaseOrder(StrEnum):
    """The order a list is read in (its cursor follows the same key)."""

    NEWEST = "newest"  # opened, newest first
    DEADLINE = "deadline"  # what is due next, soonest first; cases with none last


#: Where a case with no deadline sorts in `CaseOrder.DEADLINE` (and its cursor's key).
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)


class CaseType(StrEnum):
    """The kinds of case the index lists."""

    APPEAL = "appeal"
    MEETING = "meeting"
    ACTION_ITEM = "action_item"
    PROPOSAL = "proposal"


# A named tuple: immutable, and made for every event of a rebuild in a quarter of the
# time of a frozen dataclass, which sets each field through `object.__setattr__`.
class CaseOpened(NamedTuple):
    """A new row: what the case's first event says."""

    id: UUID
    case_type: CaseType
    ref: str
    title: str
    kind: str
    status: str
    opened_at: datetime
    at: datetime
    channel: str | None = None
    tier: str | None = None
    category: str | None = None
    department: str | None = None
    departments: tuple[str, ...] = ()
    deadline_at: datetime | None = None
    meeting_id: UUID | None = None
    # Whom the case concerns, for scoped reads (see `Parties` of each aggregate): the
    # people it is about (their references, `projections.sealed`), who raised it for them
    # (an office holder's id, or an employee's reference), the departments it was sent to,
    # its supervisor or lead and organiser.
    people: tuple[str, ...] = ()
    raised_by: str | None = None
    handled: tuple[str, ...] = ()
    leads: tuple[str, ...] = ()
    response_due: datetime | None = None  # an appeal's first response, owed from raising
    #: A title that is an appellant's own words, still sealed (`title` is then empty).
    sealed_title: str | None = None


# A named tuple: immutable, and made for every event of a rebuild in a quarter of the
# time of a frozen dataclass, which sets each field through `object.__setattr__`.
class CaseChanged(NamedTuple):
    """What a later event changes on a row; None leaves a column as it is."""

    id: UUID
    version: int
    at: datetime
    status: str | None = None
    department: str | None = None
    add_departments: tuple[str, ...] = ()
    deadline_at: datetime | None = None
    clear_deadline: bool = False
    overdue: bool | None = None
    transferred: bool = False
    add_people: tuple[str, ...] = ()
    add_handled: tuple[str, ...] = ()
    leads: tuple[str, ...] | None = None  # replaces the row's, when given
    responded: bool = False  # the first response is owed no more


@dataclass(frozen=True)
class CaseQuery:
    """Which rows a list asks for, newest first (or by `order`), one page at a time."""

    case_type: CaseType
    ref: str | None = None  # an appeal's case number, a meeting's quarter or date, …
    status: str | None = None
    statuses: frozenset[str] | None = None  # any of these (with `status`: both must hold)
    kind: str | None = None
    channel: str | None = None
    tier: str | None = None
    category: str | None = None
    department: str | None = None
    meeting_id: UUID | None = None
    overdue: bool | None = None
    min_transfers: int | None = None
    opened_from: datetime | None = None
    opened_before: datetime | None = None
    now: datetime | None = None
    after: tuple[datetime, UUID] | None = None  # the order's key of the last row read
    limit: int = 50
    scope: ReadScope | None = None  # None: every row (the use cases' own reads)
    order: CaseOrder = CaseOrder.NEWEST


@dataclass(frozen=True)
class CaseRow:
    """One case as lists show it."""

    id: UUID
    case_type: CaseType
    ref: str
    title: str
    kind: str
    status: str
    opened_at: datetime
    updated_at: datetime
    version: int
    channel: str | None
    tier: str | None
    category: str | None
    department: str | None
    departments: list[str]
    deadline_at: datetime | None
    overdue: bool
    transfers: int
    meeting_id: UUID | None
    response_due: datetime | None = None


@dataclass(frozen=True)
class CasePage:
    """A page of rows and, when more follow, the key of the last one to continue after."""

    rows: list[CaseRow]
    next_after: tuple[datetime, UUID] | None
    position: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class CaseIndexView(View):
    """Where the case index is kept and queried."""

    @abstractmethod
    def open_case(self, case: CaseOpened, tracking: Tracking) -> None:
        """Adds a case's row."""

    @abstractmethod
    def change_case(self, change: CaseChanged, tracking: Tracking) -> None:
        """Updates a case's row."""

    @abstractmethod
    def list_cases(self, query: CaseQuery) -> CasePage:
        """A page of rows matching the query, in its order (newest first by default)."""


def _due(record: dict[str, Any] | None) -> datetime | None:
    return datetime.fromisoformat(record["due"]) if record else None


class CaseIndex(ViewProjection):
    """Keeps the case index: a row per case, updated by every event that changes a column."""

    name = "case_index"

    @cached_property
    def cases(self) -> CaseIndexView:
        """The view, typed (checked once: it is used for every event)."""
        return self.view_as(CaseIndexView)  # type: ignore[type-abstract]

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events that change nothing a list shows."""
        self.ignore(tracking)

    # -- appeals ------------------------------------------------------------------------

    @process_event.register
    def _(self, event: Appeal.Raised, tracking: Tracking) -> None:
        self.cases.open_case(
            CaseOpened(
                id=event.originator_id,
                case_type=CaseType.APPEAL,
                ref=event.case_number,
                title="" if is_sealed(event.title) else event.title,
                sealed_title=token_of(event.title),
                kind=event.kind,
                status=Status.RAISED,
                opened_at=event.timestamp,
                at=event.timestamp,
                channel=event.channel,
                tier=event.tier,
                category=event.category,
                department=event.department or None,
                departments=(event.department,) if event.department else (),
                meeting_id=event.meeting_id,
                people=refs_of([event.appellant["employee_no"]]) if event.appellant else (),
                raised_by=_raised_by(event.actor_id),
                response_due=_due(event.response_deadline),
            ),
            tracking,
        )

    @process_event.register
    def _(self, event: Appeal.Event, tracking: Tracking) -> None:
        status = APPEAL_STATES.status_after(event)
        department: str | None = None
        deadline: datetime | None = None
        transferred = False
        clear_deadline = False
        leads: tuple[str, ...] | None = None
        if isinstance(event, Appeal.Transferred):
            department = event.department
            deadline = _due(event.reply_deadline)
            transferred = True
            leads = (event.supervisor,)
        elif isinstance(event, Appeal.DeadlineExtended):
            deadline = _due(event.reply_deadline)
        elif isinstance(event, Appeal.Reopened):
            status = event.reopened_as
            deadline = _due(event.reply_deadline)
            clear_deadline = deadline is None
        elif isinstance(event, Appeal.Adopted):
            department = event.department
        elif status in (Status.ANSWERED, Status.REPLIED, Status.CLOSED, Status.WITHDRAWN):
            clear_deadline = True  # nothing is due from the department any more
        self.cases.change_case(
            CaseChanged(
                id=event.originator_id,
                version=event.originator_version,
                at=event.timestamp,
                status=status,
                department=department,
                add_departments=(department,) if department else (),
                deadline_at=deadline,
                clear_deadline=clear_deadline,
                overdue=False if deadline is not None else None,
                transferred=transferred,
                add_handled=(department,) if department else (),
                leads=leads,
                responded=isinstance(event, FIRST_RESPONSES) or status in FINAL,
            ),
            tracking,
        )

    # -- meetings -----------------------------------------------------------------------

    @process_event.register
    def _(self, event: Meeting.Scheduled, tracking: Tracking) -> None:
        self.cases.open_case(
            CaseOpened(
                id=event.originator_id,
                case_type=CaseType.MEETING,
                ref=event.quarter or event.scheduled_for.date().isoformat(),
                title=event.topic,
                kind=event.kind,
                status=MeetingStatus.SCHEDULED,
                opened_at=event.scheduled_for,
                at=event.timestamp,
                tier=event.tier,
                deadline_at=_due(event.holding_deadline),
                leads=tuple(dict.fromkeys((event.lead, event.organiser))),
            ),
            tracking,
        )

    @process_event.register
    def _(self, event: Meeting.Event, tracking: Tracking) -> None:
        departments: Sequence[str] = ()
        people: Sequence[str] = ()
        deadline: datetime | None = None
        clear = False
        if isinstance(event, Meeting.Invited):
            departments = event.departments
            people = refs_of(event.participants)
        elif isinstance(event, Meeting.Held):
            deadline = _due(event.publication_deadline)
            clear = deadline is None
            people = refs_of(attendee["person_id"] for attendee in event.attendees)
        elif isinstance(event, Meeting.Published):
            clear = True
        self.cases.change_case(
            CaseChanged(
                id=event.originator_id,
                version=event.originator_version,
                at=event.timestamp,
                status=MEETING_STATES.status_after(event),
                add_departments=tuple(departments),
                deadline_at=deadline,
                clear_deadline=clear,
                add_people=tuple(people),
                add_handled=tuple(departments),
            ),
            tracking,
        )

    # -- action items -------------------------------------------------------------------

    @process_event.register
    def _(self, event: ActionItem.Created, tracking: Tracking) -> None:
        self.cases.open_case(
            CaseOpened(
                id=event.originator_id,
                case_type=CaseType.ACTION_ITEM,
                ref=event.decision_ref,
                title=event.task,
                kind="action_item",
                status=ActionItemStatus.IN_PROGRESS,
                opened_at=event.timestamp,
                at=event.timestamp,
                department=event.department,
                departments=(event.department,),
                deadline_at=event.deadline,
                meeting_id=event.meeting_id,
                handled=(event.department,),
            ),
            tracking,
        )

    @process_event.register
    def _(self, event: ActionItem.Event, tracking: Tracking) -> None:
        self.cases.change_case(
            CaseChanged(
                id=event.originator_id,
                version=event.originator_version,
                at=event.timestamp,
                status=ACTION_ITEM_STATES.status_after(event),
                overdue=True if isinstance(event, ActionItem.MarkedOverdue) else None,
            ),
            tracking,
        )

    # -- congress proposals -------------------------------------------------------------

    @process_event.register
    def _(self, event: Proposal.Registered, tracking: Tracking) -> None:
        self.cases.open_case(
            CaseOpened(
                id=event.originator_id,
                case_type=CaseType.PROPOSAL,
                ref="",
                title=event.problem,
                kind="proposal",
                status=ProposalStatus.REGISTERED,
                opened_at=event.timestamp,
                at=event.timestamp,
                department=event.department,
                departments=(event.department,),
                deadline_at=event.deadline,
                meeting_id=event.meeting_id,
                people=refs_of([event.proposer]) if event.proposer else (),
                handled=(event.department,),
            ),
            tracking,
        )

    @process_event.register
    def _(self, event: Proposal.Event, tracking: Tracking) -> None:
        status = PROPOSAL_STATES.status_after(event)
        self.cases.change_case(
            CaseChanged(
                id=event.originator_id,
                version=event.originator_version,
                at=event.timestamp,
                status=status,
                clear_deadline=status is ProposalStatus.COMPLETED,
            ),
            tracking,
        )


def _raised_by(actor_id: Any) -> str | None:
    """Who raised a case for the scoped reads: an office holder's id (a liaison, union
    staff), an employee's reference when they raised it in person, nobody if anonymous."""
    if is_sealed(actor_id):
        return ref_of(actor_id)
    return None if actor_id == ANONYMOUS_ACTOR_ID else str(actor_id)
