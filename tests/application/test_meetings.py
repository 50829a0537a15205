"""Meetings, action items and proposals through the application, on real PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from application.casework import Casework
from application.clock import ManualClock
from application.meetings import Meetings
from domain.action_item import ActionItem
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.calendar import CHINA_TZ
from domain.errors import (
    ActionNotAllowed,
    ConcurrentWrite,
    InvalidInput,
    NotFound,
    NotPermitted,
    RepeatParticipants,
    StaleVersion,
)
from domain.meeting import Meeting
from domain.meeting_policy import Quarter
from domain.meeting_records import Attendee
from domain.meeting_terms import ActionItemStatus, MeetingKind, MeetingStatus, ProposalStatus
from domain.policy import Forbidden
from domain.terms import Channel, Kind, Status, Tier
from tests.organisation import LEADS

CLERK = Actor("U-meetings", Role.UNION_STAFF)
HR = Actor("HR-zhang", Role.HR)
#: The handler of Logistics, where the action item and the proposal below are sent.
LOGISTICS = Actor("D-logistics", Role.DEPARTMENT, departments=frozenset({"Logistics"}))
#: A handler of another department: none of Logistics' work is theirs to do.
WORKS = Actor("D-works", Role.DEPARTMENT, departments=frozenset({"Works"}))
WATCHER = Actor("watcher", Role.SYSTEM)

#: Monday 2 March 2026, 09:00 in China.
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=CHINA_TZ)


@pytest.fixture
def meetings(casework: Casework) -> Meetings:
    """The meeting use cases over the test database's Casework."""
    return Meetings(casework)


def people(n: int) -> list[str]:
    """`n` person ids no other test uses."""
    run = uuid4().hex[:6]
    return [f"P{run}-{i}" for i in range(n)]


def tier_talk(
    meetings: Meetings, clock: ManualClock, who: list[str], *, tier: Tier = Tier.WORKERS
) -> UUID:
    """A tier talk scheduled now for an hour later, with `who` invited."""
    meeting_id = meetings.schedule(
        kind=MeetingKind.TIER_TALK,
        tier=tier,
        topic="Shift pay",
        scheduled_for=clock() + timedelta(hours=1),
        place="Union hall",
        actor=CLERK,
    ).id
    meetings.invite(meeting_id, participants=who, actor=CLERK)
    return meeting_id


def held_talk(
    meetings: Meetings, clock: ManualClock, who: list[str], *, tier: Tier = Tier.WORKERS
) -> UUID:
    """A tier talk held an hour after now, everyone invited attending."""
    meeting_id = tier_talk(meetings, clock, who, tier=tier)
    clock.advance(timedelta(hours=1))
    meetings.hold(meeting_id, attendance=[Attendee(p, "Works") for p in who], actor=CLERK)
    return meeting_id


def joint_meeting(meetings: Meetings, clock: ManualClock, quarter: Quarter) -> UUID:
    """A joint meeting for `quarter`, scheduled now for an hour later, HR and union invited."""
    meeting_id = meetings.schedule(
        kind=MeetingKind.JOINT_MEETING,
        quarter=quarter,
        topic="Quarterly HR-union items",
        scheduled_for=clock() + timedelta(hours=1),
        place="Meeting room 1",
        actor=HR,
    ).id
    meetings.invite(
        meeting_id, participants=["HR-zhang", "U-li"], departments=["HR", "Union"], actor=HR
    )
    return meeting_id


# -- a talk from scheduling to publishing ------------------------------------------------


def test_a_tier_talk_goes_from_scheduling_to_publishing(
    meetings: Meetings, clock: ManualClock
) -> None:
    clock.set(MONDAY)
    who = people(3)
    scheduled = meetings.schedule(
        kind=MeetingKind.TIER_TALK,
        tier=Tier.WORKERS,
        topic="Night-shift allowances",
        scheduled_for=MONDAY + timedelta(days=1),
        place="Union hall",
        actor=CLERK,
    )
    meeting_id = scheduled.id
    assert scheduled.version == 1
    assert scheduled.position > 0
    meetings.invite(meeting_id, participants=who, departments=["Works", "Finance"], actor=CLERK)
    clock.set(MONDAY + timedelta(days=1))
    meetings.hold(
        meeting_id, attendance=[Attendee(p, "Works") for p in who], actor=CLERK, expected_version=2
    )
    meetings.record_minutes(meeting_id, minutes="Allowances discussed.", actor=CLERK)
    meetings.record_decisions(meeting_id, decisions=["Pay arrears in March"], actor=CLERK)
    published = meetings.publish(meeting_id, actor=CLERK, expected_version=5)

    meeting = meetings.get_meeting(meeting_id)
    assert published.version == meeting.version == 6
    assert meeting.status is MeetingStatus.PUBLISHED
    assert meeting.lead == LEADS.lead_for(Tier.WORKERS).actor_id
    assert meeting.absent_departments == ["Finance"]
    assert meeting.decisions[0].ref == "D1"
    assert meeting.scheduled_for == MONDAY + timedelta(days=1)
    assert [type(e).__name__ for e in meetings.history(meeting_id)] == [
        "Scheduled",
        "Invited",
        "Held",
        "MinutesRecorded",
        "DecisionsRecorded",
        "Published",
    ]
    assert meetings.get_meeting(meeting_id, version=2).status is MeetingStatus.INVITED
    as_of = meetings.meeting_as_of(meeting_id, MONDAY + timedelta(hours=12))
    assert as_of.status is MeetingStatus.INVITED
    with pytest.raises(NotFound):
        meetings.meeting_as_of(meeting_id, MONDAY - timedelta(days=1))


def test_a_stale_version_or_a_concurrent_write_is_refused(
    meetings: Meetings, casework: Casework, clock: ManualClock
) -> None:
    clock.set(MONDAY)
    meeting_id = tier_talk(meetings, clock, people(2))

    with pytest.raises(StaleVersion, match="the meeting is at version 2"):
        meetings.record_minutes(meeting_id, minutes="x", actor=CLERK, expected_version=1)

    first, second = meetings.get_meeting(meeting_id), meetings.get_meeting(meeting_id)
    for meeting in (first, second):
        meeting.invite(
            participants=people(1),
            departments=(),
            recent=meetings.recent_attendees(Tier.WORKERS),
            override_reason=None,
            actor=CLERK,
            at=clock(),
        )
    casework.save(first)
    with pytest.raises(ConcurrentWrite, match=r"meeting .* was changed by another request"):
        meetings._save(second)  # the save path every command takes


def test_unknown_ids_and_wrong_kinds_are_not_found(meetings: Meetings, clock: ManualClock) -> None:
    clock.set(MONDAY)
    meeting_id = tier_talk(meetings, clock, people(1))

    with pytest.raises(NotFound, match="no meeting"):
        meetings.get_meeting(uuid4())
    with pytest.raises(NotFound, match="no action item"):
        meetings.get_action_item(meeting_id)
    with pytest.raises(NotFound, match="no version 9"):
        meetings.get_meeting(meeting_id, version=9)
    with pytest.raises(NotFound):
        meetings.history(uuid4())


# -- participants and coverage (全覆盖) ---------------------------------------------------


def test_a_talk_refuses_an_eleventh_participant(meetings: Meetings, clock: ManualClock) -> None:
    clock.set(MONDAY)
    meeting_id = tier_talk(meetings, clock, people(10))

    with pytest.raises(InvalidInput, match="at most 10 participants"):
        meetings.invite(meeting_id, participants=people(1), actor=CLERK)

    assert meetings.get_meeting(meeting_id).version == 2


def test_someone_who_attended_a_talk_of_the_tier_this_year_is_not_invited_again(
    meetings: Meetings, clock: ManualClock
) -> None:
    clock.set(MONDAY)
    first = people(3)
    held_talk(meetings, clock, first)
    clock.advance(timedelta(days=30))
    second = tier_talk(meetings, clock, people(2))

    with pytest.raises(RepeatParticipants) as refused:
        meetings.invite(second, participants=[first[0], "P-new"], actor=CLERK)

    assert refused.value.people == [first[0]]
    assert meetings.get_meeting(second).version == 2
    # Another tier's talk does not count against this one.
    other = tier_talk(meetings, clock, [first[1]], tier=Tier.PARTY_MEMBERS)
    assert meetings.get_meeting(other).participants == [first[1]]


def test_the_organiser_may_override_coverage_with_a_recorded_reason(
    meetings: Meetings, clock: ManualClock
) -> None:
    clock.set(MONDAY)
    first = people(2)
    held_talk(meetings, clock, first)
    second = tier_talk(meetings, clock, people(1))

    with pytest.raises(NotPermitted):
        meetings.invite(second, participants=[first[0]], override_reason="Follow-up", actor=HR)
    meetings.invite(second, participants=[first[0]], override_reason="Follow-up", actor=CLERK)

    [override] = meetings.get_meeting(second).coverage_overrides
    assert (override.people, override.reason, override.by) == ((first[0],), "Follow-up", CLERK.id)


def test_after_the_coverage_window_people_may_attend_again(
    meetings: Meetings, casework: Casework, clock: ManualClock
) -> None:
    clock.set(MONDAY)
    first = people(2)
    held_talk(meetings, clock, first)
    monthly = Meetings(casework, coverage_window_days=30)

    clock.advance(timedelta(days=31))
    assert first[0] in meetings.recent_attendees(Tier.WORKERS).people
    assert first[0] not in monthly.recent_attendees(Tier.WORKERS).people
    assert monthly.get_meeting(tier_talk(monthly, clock, first)).participants == first

    clock.advance(timedelta(days=335))
    assert meetings.get_meeting(tier_talk(meetings, clock, first)).participants == first


def test_coverage_is_distinct_people_reached_over_the_tiers_population(
    meetings: Meetings, clock: ManualClock
) -> None:
    start = datetime(2031, 1, 6, 9, tzinfo=CHINA_TZ)
    clock.set(start)
    who = people(6)
    held_talk(meetings, clock, who[:4], tier=Tier.SAFETY_INSPECTORS)
    clock.advance(timedelta(days=7))
    talk = tier_talk(meetings, clock, who[4:], tier=Tier.SAFETY_INSPECTORS)
    meetings.invite(talk, participants=[who[0]], override_reason="Witness", actor=CLERK)
    clock.advance(timedelta(hours=1))
    meetings.hold(talk, attendance=[Attendee(p) for p in [*who[4:], who[0]]], actor=CLERK)

    coverage = meetings.coverage(Tier.SAFETY_INSPECTORS, population=24, since=start, actor=CLERK)

    assert coverage.reached == 6
    assert coverage.ratio == Decimal("0.2500")
    assert not coverage.complete
    assert meetings.coverage(Tier.SAFETY_INSPECTORS, 24, since=clock(), actor=CLERK).reached == 3


# -- joint meetings and working days -----------------------------------------------------


def test_a_joint_meeting_before_the_national_day_owes_its_item_list_on_the_make_up_saturday(
    meetings: Meetings, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 9, 29, 9, tzinfo=CHINA_TZ))
    meeting_id = joint_meeting(meetings, clock, Quarter(2026, 4))
    clock.set(datetime(2026, 9, 30, 15, tzinfo=CHINA_TZ))
    meetings.hold(meeting_id, attendance=[Attendee("HR-zhang", "HR")], actor=HR)

    meeting = meetings.get_meeting(meeting_id)
    assert not meeting.held_late
    assert meeting.absent_departments == ["Union"]
    assert meeting.publication_deadline is not None
    # 1–7 October are holidays; Thursday 8, Friday 9 and the make-up Saturday 10 count.
    assert meeting.publication_deadline.due == datetime(2026, 10, 10, 23, 59, 59, tzinfo=CHINA_TZ)

    clock.set(datetime(2026, 10, 10, 17, tzinfo=CHINA_TZ))
    meetings.record_minutes(meeting_id, minutes="Items agreed.", actor=HR)
    meetings.record_decisions(meeting_id, decisions=["Canteen hours", "Bus route"], actor=HR)
    meetings.publish(meeting_id, actor=HR)
    assert not meetings.get_meeting(meeting_id).published_late


def test_an_item_list_published_after_the_qingming_holiday_and_three_working_days_is_late(
    meetings: Meetings, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 4, 2, 9, tzinfo=CHINA_TZ))
    meeting_id = joint_meeting(meetings, clock, Quarter(2026, 2))
    clock.set(datetime(2026, 4, 3, 10, tzinfo=CHINA_TZ))  # a Friday, before the holiday
    meetings.hold(meeting_id, attendance=[Attendee("U-li", "Union")], actor=HR)
    meetings.record_minutes(meeting_id, minutes="Items agreed.", actor=HR)
    meetings.record_decisions(meeting_id, decisions=["Canteen hours"], actor=HR)

    clock.set(datetime(2026, 4, 10, 9, tzinfo=CHINA_TZ))
    meeting = meetings.get_meeting(meeting_id)
    assert meeting.publication_deadline is not None
    assert meeting.publication_deadline.due == datetime(2026, 4, 9, 23, 59, 59, tzinfo=CHINA_TZ)
    assert meeting.publication_overdue(clock())
    meetings.publish(meeting_id, actor=HR)

    assert meetings.get_meeting(meeting_id).published_late


def test_a_joint_meeting_held_after_the_4th_of_its_quarter_is_late(
    meetings: Meetings, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 7, 1, 9, tzinfo=CHINA_TZ))
    meeting_id = joint_meeting(meetings, clock, Quarter(2026, 3))
    clock.set(datetime(2026, 7, 6, 9, tzinfo=CHINA_TZ))

    assert meetings.get_meeting(meeting_id).holding_overdue(clock())
    meetings.hold(meeting_id, attendance=[Attendee("U-li", "Union")], actor=HR)

    meeting = meetings.get_meeting(meeting_id)
    assert meeting.held_late
    assert meeting.holding_deadline is not None
    assert meeting.holding_deadline.due == datetime(2026, 7, 4, 23, 59, 59, tzinfo=CHINA_TZ)


# -- appeals raised at a talk ------------------------------------------------------------


def test_an_appeal_raised_at_a_talk_is_supervised_by_the_tier_lead(
    meetings: Meetings, casework: Casework, clock: ManualClock
) -> None:
    lead = LEADS.lead_for(Tier.TEAM_LEADERS).actor_id  # the directory's, for the session
    clock.set(MONDAY)
    meeting_id = held_talk(meetings, clock, people(2), tier=Tier.TEAM_LEADERS)

    raised = meetings.raise_appeal(
        meeting_id,
        kind=Kind.COMPLAINT,
        category="safety",
        title="Helmet lamps",
        text="The helmet lamps fail after four hours.",
        appellant=Appellant("王强", "E50001"),
        actor=CLERK,
    )
    casework.transfer(raised.id, department="Equipment", actor=CLERK)  # no supervisor named

    appeal = casework.get_appeal(raised.id)
    assert appeal.channel is Channel.TALK_SESSION
    assert appeal.meeting_id == meeting_id
    assert appeal.tier is Tier.TEAM_LEADERS
    assert appeal.status is Status.TRANSFERRED
    assert appeal.supervisor == lead
    assert meetings.get_meeting(meeting_id).lead == lead


def test_appeals_are_not_raised_at_a_joint_meeting_nor_transferred_by_meeting_without_one(
    meetings: Meetings, casework: Casework, clock: ManualClock
) -> None:
    clock.set(MONDAY)
    meeting_id = joint_meeting(meetings, clock, Quarter(2026, 2))

    with pytest.raises(ActionNotAllowed, match="name their tier"):
        meetings.raise_appeal(
            meeting_id, kind=Kind.QUESTION, category="c", title="t", text="x", actor=CLERK
        )
    talk = held_talk(meetings, clock, people(1))
    raised = meetings.raise_appeal(
        talk, kind=Kind.QUESTION, category="c", title="t", text="x", actor=CLERK
    )
    assert raised.receipt_code is not None  # anonymous at a talk: a receipt code, no identity
    # An appeal not raised at a talk has no tier lead to be supervised by: its transfer
    # must name a supervisor.
    with pytest.raises(InvalidInput, match="name the appeal's supervisor") as refused:
        casework.transfer(_appeal_elsewhere(casework), department="Works", actor=CLERK)
    assert refused.value.field == "supervisor"


def _appeal_elsewhere(casework: Casework) -> UUID:
    from application.casework import AppealDraft

    draft = AppealDraft(
        Channel.RECEPTION_DAY,
        Kind.COMPLAINT,
        "housing",
        "Leak",
        "Roof leaks",
        appellant=Appellant("李梅", "E30001"),
    )
    return casework.raise_appeal(draft, CLERK).id


# -- action items ------------------------------------------------------------------------


def decided_joint_meeting(meetings: Meetings, clock: ManualClock) -> UUID:
    """A joint meeting held on Monday with two decisions recorded."""
    clock.set(MONDAY - timedelta(hours=2))
    meeting_id = joint_meeting(meetings, clock, Quarter(2026, 2))
    clock.set(MONDAY)
    meetings.hold(meeting_id, attendance=[Attendee("HR-zhang", "HR")], actor=HR)
    meetings.record_minutes(meeting_id, minutes="Two items.", actor=HR)
    meetings.record_decisions(meeting_id, decisions=["Canteen hours", "Bus route"], actor=HR)
    return meeting_id


def new_item(meetings: Meetings, meeting_id: UUID, clock: ManualClock) -> UUID:
    """An item from decision D2, due a week from now."""
    return meetings.create_action_item(
        meeting_id,
        decision_ref="D2",
        task="Add a bus stop at the east gate",
        department="Logistics",
        deadline=clock() + timedelta(days=7),
        acceptance_criteria="Stop in the timetable and signposted",
        actor=HR,
    ).id


def test_an_action_item_is_rejected_then_accepted(meetings: Meetings, clock: ManualClock) -> None:
    meeting_id = decided_joint_meeting(meetings, clock)
    item_id = new_item(meetings, meeting_id, clock)
    clock.advance(timedelta(hours=1))

    with pytest.raises(Forbidden):
        meetings.report_progress(item_id, note="Not ours", actor=WORKS)
    meetings.report_progress(item_id, note="Route surveyed", actor=LOGISTICS)
    meetings.submit_for_acceptance(item_id, note="Stop added", actor=LOGISTICS)
    meetings.reject_item(item_id, reason="No sign yet", actor=HR, expected_version=3)
    meetings.submit_for_acceptance(item_id, note="Sign up", actor=LOGISTICS)
    result = meetings.accept_item(item_id, note="Seen on site", actor=HR)

    item = meetings.get_action_item(item_id)
    assert result.version == item.version == 6
    assert item.status is ActionItemStatus.ACCEPTED
    assert item.meeting_id == meeting_id
    assert item.decision_ref == "D2"
    assert item.rejections[0].text == "No sign yet"
    assert [type(e).__name__ for e in meetings.history(item_id)][-2:] == [
        "SubmittedForAcceptance",
        "Accepted",
    ]
    assert meetings.action_item_as_of(item_id, MONDAY).status is ActionItemStatus.IN_PROGRESS


def test_an_action_item_needs_a_recorded_decision(meetings: Meetings, clock: ManualClock) -> None:
    meeting_id = decided_joint_meeting(meetings, clock)

    with pytest.raises(InvalidInput, match="no decision 'D9'"):
        meetings.create_action_item(
            meeting_id,
            decision_ref="D9",
            task="t",
            department="d",
            deadline=clock() + timedelta(days=1),
            acceptance_criteria="c",
            actor=HR,
        )
    talk = tier_talk(meetings, clock, people(1))
    with pytest.raises(ActionNotAllowed, match="create action items from a meeting"):
        meetings.create_action_item(
            talk,
            decision_ref="D1",
            task="t",
            department="d",
            deadline=clock() + timedelta(days=1),
            acceptance_criteria="c",
            actor=HR,
        )


def test_an_action_item_is_marked_overdue_only_after_its_deadline(
    meetings: Meetings, clock: ManualClock
) -> None:
    meeting_id = decided_joint_meeting(meetings, clock)
    item_id = new_item(meetings, meeting_id, clock)

    with pytest.raises(ActionNotAllowed, match="has not passed"):
        meetings.mark_item_overdue(item_id, actor=WATCHER)
    clock.advance(timedelta(days=8))
    meetings.mark_item_overdue(item_id, actor=WATCHER)

    item = meetings.get_action_item(item_id)
    assert item.overdue
    assert item.overdue_at == clock()
    assert isinstance(meetings.history(item_id)[-1], ActionItem.MarkedOverdue)


# -- congress proposals ------------------------------------------------------------------


def test_a_congress_proposal_is_assigned_late_and_its_completion_reported(
    meetings: Meetings, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 3, 5, 9, tzinfo=CHINA_TZ))
    congress = meetings.schedule(
        kind=MeetingKind.CONGRESS,
        topic="Annual workers' congress",
        scheduled_for=clock() + timedelta(hours=1),
        place="Auditorium",
        actor=CLERK,
    ).id
    meetings.invite(congress, participants=["R1", "R2"], actor=CLERK)
    clock.advance(timedelta(hours=1))
    meetings.hold(congress, attendance=[Attendee("R1"), Attendee("R2")], actor=CLERK)
    proposal_id = meetings.register_proposal(
        congress,
        problem="The bath house closes early.",
        solution="Open until 07:00.",
        department="Logistics",
        deadline=clock() + timedelta(days=60),
        proposer="R1",
        actor=CLERK,
    ).id

    # Thursday 5 March: seven working days end on Monday 16 March.
    proposal = meetings.get_proposal(proposal_id)
    assert proposal.assignment_deadline.due == datetime(2026, 3, 16, 23, 59, 59, tzinfo=CHINA_TZ)
    assert proposal.assignment_deadline == meetings.get_meeting(congress).publication_deadline
    clock.set(datetime(2026, 3, 17, 9, tzinfo=CHINA_TZ))
    meetings.publish_assignment(proposal_id, result="Logistics, by May", actor=CLERK)
    clock.advance(timedelta(days=20))
    meetings.report_completion(
        proposal_id,
        text="Open until 07:00 since April.",
        evidence_links=["https://oa.example.com/notice/77"],
        actor=LOGISTICS,
        expected_version=2,
    )

    proposal = meetings.get_proposal(proposal_id)
    assert proposal.status is ProposalStatus.COMPLETED
    assert proposal.assignment_late
    assert proposal.assignment_published_at == datetime(2026, 3, 17, 9, tzinfo=CHINA_TZ)
    assert not proposal.completed_late
    assert proposal.evidence_links == ["https://oa.example.com/notice/77"]


def test_proposals_belong_to_a_held_congress(meetings: Meetings, clock: ManualClock) -> None:
    clock.set(MONDAY)
    talk = held_talk(meetings, clock, people(1))

    with pytest.raises(ActionNotAllowed, match="workers' congress"):
        meetings.register_proposal(
            talk,
            problem="p",
            solution="s",
            department="d",
            deadline=clock() + timedelta(days=3),
            actor=CLERK,
        )
    assert isinstance(meetings.get_meeting(talk), Meeting)
