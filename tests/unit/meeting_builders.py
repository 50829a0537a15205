"""Builders for meetings, action items and proposals in the domain unit tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.domain import Aggregate

from domain.action_item import ActionItem
from domain.actors import Actor, Role
from domain.calendar import WorkingCalendar
from domain.errors import DomainError
from domain.meeting import Meeting
from domain.meeting_policy import MeetingPolicy, Quarter, RecentAttendance
from domain.meeting_records import Attendee
from domain.meeting_terms import MeetingKind, MeetingStatus
from domain.proposal import Proposal
from domain.publication import NO_ONE
from domain.terms import Tier
from tests.organisation import LEADS
from tests.unit.builders import T0, UNION_STAFF, at

ORGANISER = UNION_STAFF
HR_CLERK = Actor("HR-chen", Role.HR)
DEPARTMENT = Actor("D-works-liu", Role.DEPARTMENT)
WORKERS_LEAD = LEADS.lead_for(Tier.WORKERS)
POLICY = MeetingPolicy()
CALENDAR = WorkingCalendar()
PEOPLE = [f"E{n:04d}" for n in range(1, 11)]


def nobody_recent(tier: Tier = Tier.WORKERS, people: Sequence[str] = ()) -> RecentAttendance:
    """Recent attendance of a tier's talks: by default, nobody."""
    return RecentAttendance(tier, T0 - timedelta(days=365), frozenset(people))


def schedule(
    kind: MeetingKind = MeetingKind.TIER_TALK,
    *,
    tier: Tier | None = Tier.WORKERS,
    quarter: Quarter | None = None,
    place: str = "Union hall, room 2",
    video_link: str = "",
    lead: str | None = None,
    scheduled_for: datetime | None = None,
) -> Meeting:
    """A meeting scheduled at T0 for the next day, organised by union staff."""
    if kind is MeetingKind.JOINT_MEETING and quarter is None:
        quarter = Quarter(2026, 2)
    return Meeting.schedule(
        id=uuid4(),
        kind=kind,
        topic="Night shifts and canteen hours",
        scheduled_for=scheduled_for or at(24),
        place=place,
        video_link=video_link,
        tier=tier if kind.is_talk else None,
        quarter=quarter,
        holding_deadline=POLICY.holding_deadline(kind, quarter, CALENDAR),
        organiser=ORGANISER.id,
        lead=lead,
        leads=LEADS,
        actor=ORGANISER,
        at=T0,
    )


def invite(meeting: Meeting, people: Sequence[str] = PEOPLE[:3], **extra: Any) -> None:
    """Invites `people` (and any departments in `extra`) an hour after T0."""
    options: dict[str, Any] = {
        "departments": (),
        "recent": nobody_recent(meeting.tier or Tier.WORKERS),
        "override_reason": None,
        "actor": ORGANISER,
        "at": at(1),
    }
    options.update(extra)
    meeting.invite(participants=people, **options)


def hold(
    meeting: Meeting, people: Sequence[str] | None = None, when: datetime | None = None
) -> None:
    """Records the invited people (or `people`) as attending, from department Works."""
    moment = when or at(25)
    attendance = [
        Attendee(p, "Works") for p in (meeting.participants if people is None else people)
    ]
    meeting.hold(
        attendance=attendance,
        publication_deadline=POLICY.publication_deadline(meeting.kind, moment, CALENDAR),
        actor=ORGANISER,
        at=moment,
    )


def minutes(meeting: Meeting) -> None:
    """Records the minutes."""
    meeting.record_minutes(
        minutes="Discussed night shifts.", appellants=NO_ONE, actor=ORGANISER, at=at(26)
    )


def decide(meeting: Meeting, *texts: str) -> None:
    """Records decisions (by default one)."""
    meeting.record_decisions(
        decisions=list(texts) or ["Open the canteen at 05:00."],
        appellants=NO_ONE,
        actor=ORGANISER,
        at=at(27),
    )


def publish(meeting: Meeting) -> None:
    """Publishes the minutes and decisions."""
    meeting.publish(appellants=NO_ONE, actor=ORGANISER, at=at(28))


def in_status(status: MeetingStatus, kind: MeetingKind = MeetingKind.TIER_TALK) -> Meeting:
    """A meeting of `kind` brought to `status` by real commands, events collected."""
    meeting = schedule(kind)
    steps: list[Callable[[Meeting], None]] = [invite, hold, minutes, decide, publish]
    for step in steps[: list(MeetingStatus).index(status)]:
        step(meeting)
    assert meeting.status is status
    meeting.collect_events()
    return meeting


def action_item(deadline: datetime | None = None) -> ActionItem:
    """An item created at T0 from decision D1, due a week later."""
    return ActionItem.create(
        id=uuid4(),
        meeting_id=uuid4(),
        decision_ref="D1",
        task="Open the canteen at 05:00",
        department="Logistics",
        deadline=deadline or at(24 * 7),
        acceptance_criteria="Canteen open at 05:00 on five consecutive working days",
        actor=HR_CLERK,
        at=T0,
    )


def proposal() -> Proposal:
    """A proposal registered at T0 at a congress held at T0, due in thirty days."""
    return Proposal.register(
        id=uuid4(),
        meeting_id=uuid4(),
        proposer="E0042",
        problem="The bath house closes before the night shift ends.",
        solution="Keep it open until 07:00.",
        department="Logistics",
        deadline=at(24 * 30),
        assignment_deadline=POLICY.publication_deadline(MeetingKind.CONGRESS, T0, CALENDAR)
        or pytest.fail("a congress has an assignment deadline"),
        actor=ORGANISER,
        at=T0,
    )


def assert_refused(
    aggregate: Aggregate, command: Callable[[], object], error: type[DomainError] = DomainError
) -> DomainError:
    """The command raises `error` and leaves the aggregate without a new event or version."""
    aggregate.collect_events()
    version = aggregate.version
    with pytest.raises(error) as refused:
        command()
    assert aggregate.collect_events() == []
    assert aggregate.version == version
    return refused.value


def replay(aggregate: Aggregate, events: Sequence[Any]) -> Any:
    """The aggregate rebuilt from nothing but `events`."""
    rebuilt: Any = None
    for event in events:
        rebuilt = event.mutate(rebuilt)
    assert rebuilt is not None
    assert type(rebuilt) is type(aggregate)
    return rebuilt
