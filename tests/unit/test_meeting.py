"""The meeting's lifecycle and rules, and that every refused command records nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import uuid4

import pytest

from domain.calendar import CHINA_TZ
from domain.deadlines import DeadlineAct
from domain.errors import ActionNotAllowed, InvalidInput, NotPermitted, RepeatParticipants
from domain.meeting import Meeting
from domain.meeting_policy import Quarter
from domain.meeting_records import Attendee, CoverageOverride
from domain.meeting_terms import MeetingKind, MeetingStatus
from domain.publication import NO_ONE
from domain.terms import Tier
from domain.tier_leads import TierLead, TierLeads
from tests.organisation import LEADS
from tests.unit.builders import T0, UNION_STAFF, at
from tests.unit.meeting_builders import (
    CALENDAR,
    HR_CLERK,
    ORGANISER,
    PEOPLE,
    POLICY,
    WORKERS_LEAD,
    assert_refused,
    decide,
    hold,
    in_status,
    invite,
    minutes,
    nobody_recent,
    publish,
    replay,
    schedule,
)

# -- scheduling --------------------------------------------------------------------------


def test_a_tier_talk_is_led_by_its_tiers_lead() -> None:
    meeting = schedule(MeetingKind.TIER_TALK, tier=Tier.WORKERS)

    assert meeting.status is MeetingStatus.SCHEDULED
    assert meeting.lead == WORKERS_LEAD.actor_id
    assert meeting.lead_position == "工会副主席"
    assert meeting.organiser == ORGANISER.id
    assert meeting.scheduled_for == at(24)
    [scheduled] = meeting.collect_events()
    assert isinstance(scheduled, Meeting.Scheduled)
    assert (scheduled.actor_id, scheduled.actor_role) == (ORGANISER.id, ORGANISER.role.value)


def test_the_functional_offices_tier_is_led_by_the_hr_head() -> None:
    meeting = schedule(tier=Tier.FUNCTIONAL_OFFICES)

    assert meeting.lead_position == "人力资源部部长"


def test_a_tier_without_a_lead_in_the_directory_is_named_in_the_refusal() -> None:
    leads = LEADS.override({Tier.WORKERS: TierLead("union vice-chair", "U-wang")})

    assert leads.lead_for(Tier.WORKERS).actor_id == "U-wang"
    assert leads.lead_for(Tier.FUNCTIONAL_OFFICES) == LEADS.lead_for(Tier.FUNCTIONAL_OFFICES)
    with pytest.raises(InvalidInput, match="workers tier has no lead"):
        TierLeads({}).lead_for(Tier.WORKERS)


def test_naming_the_tiers_own_lead_explicitly_is_accepted() -> None:
    assert schedule(lead=WORKERS_LEAD.actor_id).lead == WORKERS_LEAD.actor_id


def test_a_special_talk_with_a_tier_is_led_by_that_tiers_lead() -> None:
    meeting = schedule(MeetingKind.TOPICAL_TALK, tier=Tier.TEAM_LEADERS)

    assert meeting.lead == LEADS.lead_for(Tier.TEAM_LEADERS).actor_id


def test_a_meeting_without_a_tier_is_led_by_the_named_lead_or_else_its_organiser() -> None:
    assert schedule(MeetingKind.COUNCIL).lead == ORGANISER.id
    assert schedule(MeetingKind.COUNCIL).lead_position == "organiser"
    assert schedule(MeetingKind.CONGRESS, lead="chair-zhou").lead == "chair-zhou"


def test_a_remote_talk_is_held_by_video_link_alone() -> None:
    meeting = schedule(
        MeetingKind.REMOTE_TALK, place="", video_link="https://meet.example.com/talk-7"
    )

    assert meeting.video_link == "https://meet.example.com/talk-7"
    assert meeting.place == ""


def test_a_joint_meeting_is_due_before_the_5th_of_its_quarters_first_month() -> None:
    meeting = schedule(MeetingKind.JOINT_MEETING, quarter=Quarter(2026, 2))

    assert meeting.quarter == Quarter(2026, 2)
    assert meeting.holding_deadline is not None
    assert meeting.holding_deadline.due == datetime(2026, 4, 4, 23, 59, 59, tzinfo=CHINA_TZ)
    assert meeting.holding_deadline.act is DeadlineAct.HOLD


def test_quarters_are_written_like_2026_q2() -> None:
    assert Quarter.parse("2026-Q2") == Quarter.parse("2026q2") == Quarter(2026, 2)
    assert str(Quarter(2026, 4)) == "2026-Q4"
    assert Quarter.of(T0.date()) == Quarter(2026, 1)
    with pytest.raises(InvalidInput, match="quarter"):
        Quarter.parse("2026-Q5")


SCHEDULE_REFUSALS: list[tuple[str, Callable[[], Meeting], str]] = [
    ("tier talk without tier", lambda: schedule(tier=None), "tier"),
    ("tier on a council", lambda: _schedule_raw(MeetingKind.COUNCIL, tier=Tier.WORKERS), "tier"),
    (
        "joint meeting without quarter",
        lambda: _schedule_raw(MeetingKind.JOINT_MEETING, quarter=None),
        "quarter",
    ),
    ("quarter on a talk", lambda: schedule(quarter=Quarter(2026, 2)), "quarter"),
    (
        "remote talk without link",
        lambda: schedule(MeetingKind.REMOTE_TALK, video_link=""),
        "video_link",
    ),
    ("no place or link", lambda: schedule(MeetingKind.COUNCIL, place=" "), "place"),
    ("not a link", lambda: schedule(video_link="meet.example.com/x"), "video_link"),
    ("in the past", lambda: schedule(scheduled_for=T0 - timedelta(hours=1)), "scheduled_for"),
    ("no time zone", lambda: schedule(scheduled_for=datetime(2026, 3, 3, 9)), "scheduled_for"),
    ("another lead for a tier talk", lambda: schedule(lead="someone-else"), "lead"),
    ("empty topic", lambda: _schedule_raw(MeetingKind.COUNCIL, topic="  "), "topic"),
]


def _schedule_raw(
    kind: MeetingKind,
    *,
    tier: Tier | None = None,
    quarter: Quarter | None = None,
    topic: str = "Canteen",
) -> Meeting:
    return Meeting.schedule(
        id=uuid4(),
        kind=kind,
        topic=topic,
        scheduled_for=at(24),
        place="Hall",
        video_link="",
        tier=tier,
        quarter=quarter,
        holding_deadline=None,
        organiser=ORGANISER.id,
        lead=None,
        leads=LEADS,
        actor=ORGANISER,
        at=T0,
    )


@pytest.mark.parametrize(
    ("case", "command", "field"), SCHEDULE_REFUSALS, ids=[c[0] for c in SCHEDULE_REFUSALS]
)
def test_scheduling_refuses_invalid_input_naming_the_field(
    case: str, command: Callable[[], Meeting], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        command()

    assert refused.value.field == field


# -- inviting ----------------------------------------------------------------------------


def test_a_talk_takes_ten_participants() -> None:
    meeting = schedule()

    invite(meeting, PEOPLE)

    assert meeting.status is MeetingStatus.INVITED
    assert meeting.participants == PEOPLE


def test_an_eleventh_participant_is_refused_with_a_clear_error() -> None:
    meeting = schedule()

    error = assert_refused(meeting, lambda: invite(meeting, [*PEOPLE, "E0011"]), InvalidInput)

    assert "at most 10 participants" in error.message


def test_the_participant_limit_counts_earlier_invitations_too() -> None:
    meeting = schedule(MeetingKind.REMOTE_TALK, video_link="https://meet.example.com/a")
    invite(meeting, PEOPLE[:6])

    error = assert_refused(
        meeting, lambda: invite(meeting, [*PEOPLE[6:], "E0011"], at=at(2)), InvalidInput
    )

    assert "6 are invited and 5 more" in error.message


def test_a_congress_is_not_limited_to_ten() -> None:
    meeting = schedule(MeetingKind.CONGRESS)

    invite(meeting, [f"R{n:03d}" for n in range(120)])

    assert len(meeting.participants) == 120


def test_inviting_departments_asks_them_to_attend() -> None:
    meeting = schedule(MeetingKind.COUNCIL)

    invite(meeting, [], departments=["Works", "Logistics"])

    assert meeting.invited_departments == ["Works", "Logistics"]


INVITE_REFUSALS: list[tuple[str, list[str], list[str], str]] = [
    ("nobody", [], [], "participants"),
    ("a person twice", ["E0001", "E0001"], [], "participants"),
    ("an empty id", ["E0001", " "], [], "participants"),
    ("a department twice", [], ["Works", "Works"], "departments"),
]


@pytest.mark.parametrize(
    ("case", "people", "departments", "field"), INVITE_REFUSALS, ids=[c[0] for c in INVITE_REFUSALS]
)
def test_inviting_refuses_invalid_lists(
    case: str, people: list[str], departments: list[str], field: str
) -> None:
    meeting = schedule()

    error = assert_refused(
        meeting, lambda: invite(meeting, people, departments=departments), InvalidInput
    )

    assert isinstance(error, InvalidInput)
    assert error.field == field


def test_inviting_someone_already_invited_is_refused() -> None:
    meeting = schedule(MeetingKind.COUNCIL)
    invite(meeting, ["E0001"], departments=["Works"])

    assert_refused(meeting, lambda: invite(meeting, ["E0001"]), InvalidInput)
    assert_refused(meeting, lambda: invite(meeting, [], departments=["Works"]), InvalidInput)


# -- full coverage (全覆盖) ---------------------------------------------------------------


def test_inviting_a_recent_attendee_of_the_same_tier_is_refused() -> None:
    meeting = schedule()
    recent = nobody_recent(people=["E0002", "E0003"])

    error = assert_refused(
        meeting, lambda: invite(meeting, PEOPLE[:3], recent=recent), RepeatParticipants
    )

    assert isinstance(error, RepeatParticipants)
    assert error.people == ["E0002", "E0003"]
    assert error.field == "participants"
    assert "override reason" in error.message


def test_the_organiser_may_invite_a_recent_attendee_again_with_a_reason_that_is_recorded() -> None:
    meeting = schedule()
    recent = nobody_recent(people=["E0002"])
    meeting.collect_events()

    invite(meeting, PEOPLE[:3], recent=recent, override_reason="Raised the matter last time")

    assert meeting.participants == PEOPLE[:3]
    assert meeting.coverage_overrides == [
        CoverageOverride(("E0002",), "Raised the matter last time", ORGANISER.id, at(1))
    ]
    [invited] = meeting.collect_events()
    assert isinstance(invited, Meeting.Invited)
    assert invited.repeat_participants == ["E0002"]
    assert invited.override_reason == "Raised the matter last time"


def test_the_tier_lead_may_override_too_but_nobody_else() -> None:
    meeting = schedule()
    recent = nobody_recent(people=["E0002"])
    lead = type(ORGANISER)(WORKERS_LEAD.actor_id, ORGANISER.role)

    assert_refused(
        meeting,
        lambda: invite(meeting, recent=recent, override_reason="Needed", actor=HR_CLERK),
        NotPermitted,
    )
    invite(meeting, recent=recent, override_reason="Needed", actor=lead)

    assert meeting.coverage_overrides[0].by == lead.id


def test_an_override_reason_without_repeats_is_not_recorded() -> None:
    meeting = schedule()
    meeting.collect_events()

    invite(meeting, override_reason="Just in case")

    assert meeting.coverage_overrides == []
    [invited] = meeting.collect_events()
    assert isinstance(invited, Meeting.Invited)
    assert invited.override_reason is None


def test_special_talks_do_not_check_coverage() -> None:
    meeting = schedule(MeetingKind.TOPICAL_TALK)

    invite(meeting, recent=nobody_recent(people=PEOPLE))

    assert meeting.participants == PEOPLE[:3]


def test_a_tier_talk_cannot_be_checked_against_another_tiers_attendance() -> None:
    meeting = schedule()

    with pytest.raises(ValueError, match="recent attendees"):
        invite(meeting, recent=nobody_recent(Tier.PARTY_MEMBERS))
    with pytest.raises(ValueError, match="recent attendees"):
        invite(meeting, recent=None)


# -- holding -----------------------------------------------------------------------------


def test_holding_records_attendance_and_the_departments_that_sent_nobody() -> None:
    meeting = schedule(MeetingKind.COUNCIL)
    invite(meeting, [], departments=["Works", "Logistics", "Finance"])

    meeting.hold(
        attendance=[Attendee("E0001", "Works"), Attendee("E0009", "Finance")],
        publication_deadline=None,
        actor=ORGANISER,
        at=at(25),
    )

    assert meeting.status is MeetingStatus.HELD
    assert meeting.held_at == at(25)
    assert meeting.attendance == [Attendee("E0001", "Works"), Attendee("E0009", "Finance")]
    assert meeting.absent_departments == ["Logistics"]


def test_only_invited_people_attend_a_talk() -> None:
    meeting = in_status(MeetingStatus.INVITED)

    error = assert_refused(meeting, lambda: hold(meeting, ["E0001", "E0099"]), InvalidInput)

    assert "E0099" in error.message


def test_holding_refuses_no_attendance_and_repeated_attendees() -> None:
    meeting = in_status(MeetingStatus.INVITED)

    assert_refused(meeting, lambda: hold(meeting, []), InvalidInput)
    assert_refused(meeting, lambda: hold(meeting, ["E0001", "E0001"]), InvalidInput)


def test_a_joint_meeting_is_held_with_its_item_list_due_in_three_working_days() -> None:
    meeting = in_status(MeetingStatus.HELD, MeetingKind.JOINT_MEETING)

    assert meeting.publication_deadline is not None
    # Held on Tuesday 3 March 2026: Wed, Thu, Fri.
    assert meeting.publication_deadline.due == datetime(2026, 3, 6, 23, 59, 59, tzinfo=CHINA_TZ)
    assert meeting.publication_deadline.act is DeadlineAct.PUBLISH


def test_a_congress_owes_its_assignment_results_in_seven_working_days() -> None:
    meeting = in_status(MeetingStatus.HELD, MeetingKind.CONGRESS)

    assert meeting.publication_deadline is not None
    assert meeting.publication_deadline.due == datetime(2026, 3, 12, 23, 59, 59, tzinfo=CHINA_TZ)


def test_a_joint_meeting_needs_its_publication_deadline_and_a_talk_has_none() -> None:
    joint = in_status(MeetingStatus.INVITED, MeetingKind.JOINT_MEETING)
    talk = in_status(MeetingStatus.INVITED)
    deadline = POLICY.publication_deadline(MeetingKind.JOINT_MEETING, at(25), CALENDAR)
    people = [Attendee("E0001")]

    assert_refused(
        joint,
        lambda: joint.hold(
            attendance=people, publication_deadline=None, actor=ORGANISER, at=at(25)
        ),
        InvalidInput,
    )
    assert_refused(
        talk,
        lambda: talk.hold(
            attendance=people, publication_deadline=deadline, actor=ORGANISER, at=at(25)
        ),
        InvalidInput,
    )


# -- minutes, decisions, publishing ------------------------------------------------------


def test_a_talk_goes_from_scheduled_to_published() -> None:
    meeting = schedule()
    invite(meeting)
    hold(meeting)
    minutes(meeting)
    decide(meeting, "Open the canteen at 05:00.", "Post the shift rota a week ahead.")
    publish(meeting)

    assert meeting.status is MeetingStatus.PUBLISHED
    assert meeting.minutes == "Discussed night shifts."
    assert meeting.minutes_recorded_at == at(26)
    assert [d.ref for d in meeting.decisions] == ["D1", "D2"]
    assert meeting.published_at == at(28)
    assert not meeting.published_late
    events = meeting.collect_events()
    assert [type(e).__name__ for e in events] == [
        "Scheduled",
        "Invited",
        "Held",
        "MinutesRecorded",
        "DecisionsRecorded",
        "Published",
    ]
    rebuilt = replay(meeting, events)
    assert rebuilt.decisions == meeting.decisions
    assert rebuilt.attendance == meeting.attendance


def test_later_decisions_continue_the_numbering() -> None:
    meeting = in_status(MeetingStatus.DECISIONS_RECORDED)

    decide(meeting, "Second", "Third")

    assert [d.ref for d in meeting.decisions] == ["D1", "D2", "D3"]
    assert meeting.decision("D3").text == "Third"


def test_decisions_must_say_something() -> None:
    meeting = in_status(MeetingStatus.MINUTES_RECORDED)

    assert_refused(
        meeting,
        lambda: meeting.record_decisions(
            decisions=[], appellants=NO_ONE, actor=ORGANISER, at=at(27)
        ),
        InvalidInput,
    )
    assert_refused(meeting, lambda: decide(meeting, "Fine", " "), InvalidInput)


def test_minutes_must_say_something() -> None:
    meeting = in_status(MeetingStatus.HELD)

    assert_refused(
        meeting,
        lambda: meeting.record_minutes(minutes="  ", appellants=NO_ONE, actor=ORGANISER, at=at(26)),
        InvalidInput,
    )


def test_a_talk_may_publish_its_minutes_without_decisions() -> None:
    meeting = in_status(MeetingStatus.MINUTES_RECORDED)

    publish(meeting)

    assert meeting.status is MeetingStatus.PUBLISHED


def test_a_joint_meeting_publishes_only_with_its_item_list_decided() -> None:
    meeting = in_status(MeetingStatus.MINUTES_RECORDED, MeetingKind.JOINT_MEETING)

    error = assert_refused(meeting, lambda: publish(meeting), ActionNotAllowed)

    assert "record them first" in error.message


#: Each command, and the statuses that allow it.
COMMANDS: dict[str, tuple[str, Callable[[Meeting], None], set[MeetingStatus]]] = {
    "invite": (
        "invite participants to",
        lambda m: invite(m, ["E0077"], at=at(30)),
        {MeetingStatus.SCHEDULED, MeetingStatus.INVITED},
    ),
    "hold": ("hold", hold, {MeetingStatus.INVITED}),
    "record_minutes": ("record the minutes of", minutes, {MeetingStatus.HELD}),
    "record_decisions": (
        "record decisions of",
        decide,
        {MeetingStatus.MINUTES_RECORDED, MeetingStatus.DECISIONS_RECORDED},
    ),
    "publish": (
        "publish",
        publish,
        {MeetingStatus.MINUTES_RECORDED, MeetingStatus.DECISIONS_RECORDED},
    ),
}


@pytest.mark.parametrize(
    ("command", "status"),
    [(c, s) for c in COMMANDS for s in MeetingStatus if s not in COMMANDS[c][2]],
)
def test_commands_out_of_order_are_refused_naming_action_and_state(
    command: str, status: MeetingStatus
) -> None:
    action, call, _ = COMMANDS[command]
    meeting = in_status(status)

    error = assert_refused(meeting, lambda: call(meeting))

    if isinstance(error, ActionNotAllowed):
        assert error.message.startswith(f"cannot {action} a meeting that is {status.value}")
    else:  # holding a talk nobody was invited to: nobody can attend it
        assert (command, status) == ("hold", MeetingStatus.SCHEDULED)


# -- lateness ----------------------------------------------------------------------------


def test_a_joint_meeting_held_after_the_4th_is_late() -> None:
    meeting = schedule(MeetingKind.JOINT_MEETING, quarter=Quarter(2026, 1))
    invite(meeting)
    assert meeting.holding_deadline is not None

    assert meeting.holding_overdue(datetime(2026, 3, 2, 9, tzinfo=CHINA_TZ))
    hold(meeting)

    assert meeting.held_late
    assert not meeting.holding_overdue(at(48))


def test_a_joint_meeting_held_on_the_4th_is_on_time() -> None:
    meeting = schedule(MeetingKind.JOINT_MEETING, quarter=Quarter(2026, 2))
    invite(meeting)

    hold(meeting, when=datetime(2026, 4, 4, 20, tzinfo=CHINA_TZ))

    assert not meeting.held_late


def test_an_item_list_published_after_three_working_days_is_late() -> None:
    meeting = in_status(MeetingStatus.DECISIONS_RECORDED, MeetingKind.JOINT_MEETING)
    assert meeting.publication_deadline is not None
    due = meeting.publication_deadline.due

    assert not meeting.publication_overdue(due)
    assert meeting.publication_overdue(due + timedelta(seconds=1))
    meeting.publish(appellants=NO_ONE, actor=ORGANISER, at=due + timedelta(hours=9))

    assert meeting.published_late
    assert not meeting.publication_overdue(due + timedelta(days=9))


def test_a_talk_is_never_late() -> None:
    meeting = in_status(MeetingStatus.PUBLISHED)

    assert not meeting.held_late
    assert not meeting.published_late
    assert not meeting.holding_overdue(at(10_000))


# -- what other aggregates ask of a meeting ----------------------------------------------


def test_appeals_are_raised_at_talks_with_a_tier_until_publication() -> None:
    assert in_status(MeetingStatus.HELD).check_accepts_appeals() is Tier.WORKERS
    assert schedule().check_accepts_appeals() is Tier.WORKERS
    with pytest.raises(ActionNotAllowed, match="raise an appeal at a meeting that is published"):
        in_status(MeetingStatus.PUBLISHED).check_accepts_appeals()
    with pytest.raises(ActionNotAllowed, match="name their tier"):
        schedule(MeetingKind.JOINT_MEETING).check_accepts_appeals()
    with pytest.raises(ActionNotAllowed, match="name their tier"):
        schedule(MeetingKind.MILESTONE_TALK, tier=None).check_accepts_appeals()


def test_action_items_come_from_recorded_decisions() -> None:
    meeting = in_status(MeetingStatus.DECISIONS_RECORDED)

    assert meeting.check_takes_action_items("D1").ref == "D1"
    with pytest.raises(InvalidInput, match="no decision 'D7'"):
        meeting.check_takes_action_items("D7")
    with pytest.raises(ActionNotAllowed, match="create action items from a meeting that is held"):
        in_status(MeetingStatus.HELD).check_takes_action_items("D1")


def test_proposals_belong_to_a_held_congress() -> None:
    congress = in_status(MeetingStatus.HELD, MeetingKind.CONGRESS)

    assert congress.check_takes_proposals() == congress.publication_deadline
    with pytest.raises(ActionNotAllowed, match="workers' congress"):
        in_status(MeetingStatus.HELD, MeetingKind.COUNCIL).check_takes_proposals()
    with pytest.raises(ActionNotAllowed, match="that is invited"):
        in_status(MeetingStatus.INVITED, MeetingKind.CONGRESS).check_takes_proposals()


def test_commands_need_time_zone_aware_times() -> None:
    meeting = in_status(MeetingStatus.HELD)

    assert_refused(
        meeting,
        lambda: meeting.record_minutes(
            minutes="x", appellants=NO_ONE, actor=UNION_STAFF, at=datetime(2026, 3, 3, 12)
        ),
        InvalidInput,
    )
