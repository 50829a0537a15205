"""Every command that makes text public refuses personal data, with its subject's people
withheld (the rule itself: test_publication.py)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.disclosure import Disclosure, Source, SubjectType, meeting_source
from domain.errors import DomainError, InvalidInput
from domain.golden_idea_records import AdoptedSuggestion
from domain.meeting import Meeting
from domain.meeting_records import Attendee, Decision
from domain.meeting_terms import MeetingStatus
from domain.publication import NO_ONE, Withheld
from domain.terms import Status
from tests.unit import builders
from tests.unit import meeting_builders as meetings
from tests.unit.builders import APPELLANT, UNION_STAFF, at
from tests.unit.meeting_builders import ORGANISER, assert_refused
from tests.unit.test_disclosure import returned
from tests.unit.test_golden_ideas import decided, opened

#: The appellant of a named appeal raised at the talk, as the application reads them.
RAISED_THERE = Withheld.appellant("王建国", "E10234", "13655554444", whose="an appellant")


def refusal(error: DomainError) -> InvalidInput:
    """The refusal `assert_refused` caught (which checked nothing was recorded), as the
    InvalidInput it must be."""
    assert isinstance(error, InvalidInput)
    return error


# -- meetings: minutes and decisions are checked when recorded and when published ----------


def test_minutes_naming_an_appellant_raised_at_the_talk_are_refused_when_recorded() -> None:
    meeting = meetings.in_status(MeetingStatus.HELD)

    error = assert_refused(
        meeting,
        lambda: meeting.record_minutes(
            minutes="职工王 建 国反映夜班供餐问题，联系电话136-5555-4444。",
            appellants=RAISED_THERE,
            actor=ORGANISER,
            at=at(26),
        ),
        InvalidInput,
    )

    assert refusal(error).field == "minutes"
    assert refusal(error).reason.startswith("contains an appellant's name;")


def test_minutes_naming_a_participant_by_person_id_are_refused() -> None:
    meeting = meetings.in_status(MeetingStatus.HELD)
    participant = meeting.participants[0]

    error = assert_refused(
        meeting,
        lambda: meeting.record_minutes(
            minutes=f"{participant}发言：夜班食堂开放时间太短。",
            appellants=NO_ONE,
            actor=ORGANISER,
            at=at(26),
        ),
        InvalidInput,
    )

    assert refusal(error).reason.startswith("contains a participant's person id;")


def test_a_decision_carrying_anyones_phone_number_is_refused_naming_which() -> None:
    meeting = meetings.in_status(MeetingStatus.MINUTES_RECORDED)

    error = assert_refused(
        meeting,
        lambda: meeting.record_decisions(
            decisions=["食堂提前至05:00开放", "联系人：食堂管理员，电话139 1234 5678"],
            appellants=NO_ONE,
            actor=ORGANISER,
            at=at(27),
        ),
        InvalidInput,
    )

    assert refusal(error).field == "decisions.1"
    assert refusal(error).reason.startswith("contains a mobile phone number;")


def test_publishing_checks_again_for_appellants_raised_after_the_minutes() -> None:
    meeting = meetings.schedule()
    meetings.invite(meeting)
    meetings.hold(meeting)
    meeting.record_minutes(
        minutes="王建国反映夜班供餐问题，现场答复。", appellants=NO_ONE, actor=ORGANISER, at=at(26)
    )

    error = assert_refused(
        meeting,
        lambda: meeting.publish(appellants=RAISED_THERE, actor=ORGANISER, at=at(28)),
        InvalidInput,
    )

    assert refusal(error).field == "minutes"
    assert meeting.status is MeetingStatus.MINUTES_RECORDED


def test_publishing_checks_each_decision_by_its_reference() -> None:
    meeting = meetings.in_status(MeetingStatus.DECISIONS_RECORDED)
    meeting.decisions[0] = Decision("D1", "E10234的夜班补贴三月发放", at(27))  # recorded before

    error = assert_refused(
        meeting,
        lambda: meeting.publish(appellants=RAISED_THERE, actor=ORGANISER, at=at(28)),
        InvalidInput,
    )

    assert refusal(error).field == "decisions.D1"
    assert refusal(error).reason.startswith("contains an appellant's employee number;")


def test_a_meeting_withholds_its_participants_attendees_and_the_appellants_given() -> None:
    meeting = meetings.schedule()
    meetings.invite(meeting, ["E0001", "E0002"])
    meeting.hold(
        attendance=[Attendee("E0001", "Works")],
        publication_deadline=None,
        actor=ORGANISER,
        at=at(25),
    )
    meeting.attendance.append(Attendee("E0099", "Works"))  # as a congress records who came

    withheld = meeting.withheld(RAISED_THERE)

    assert [(i.whose, i.value) for i in withheld.identities[:3]] == [
        ("a participant", "E0001"),
        ("a participant", "E0002"),
        ("an attendee", "E0099"),
    ]
    assert withheld.identities[3:] == RAISED_THERE.identities


def test_clean_minutes_and_decisions_are_published_as_one_text() -> None:
    meeting = meetings.in_status(MeetingStatus.DECISIONS_RECORDED)

    meeting.publish(appellants=RAISED_THERE, actor=ORGANISER, at=at(28))

    assert isinstance(meeting.collect_events()[-1], Meeting.Published)
    assert meeting.public_text == "Discussed night shifts.\n\nD1: Open the canteen at 05:00."


# -- congress proposals: the assignment result and the completion report -------------------


def test_an_assignment_result_naming_the_proposer_is_refused() -> None:
    item = meetings.proposal()

    error = assert_refused(
        item,
        lambda: item.publish_assignment(
            result="提案人E0042的提案交后勤服务中心办理。", actor=ORGANISER, at=at(24)
        ),
        InvalidInput,
    )

    assert refusal(error).field == "result"
    assert refusal(error).reason.startswith("contains the proposer's person id;")


def test_a_completion_report_with_a_phone_number_is_refused() -> None:
    item = meetings.proposal()
    item.publish_assignment(result="交后勤服务中心办理。", actor=ORGANISER, at=at(24))

    error = assert_refused(
        item,
        lambda: item.report_completion(
            text="浴室已延长开放，咨询电话 0512-6888 1234。",
            evidence_links=["https://oa.example.com/notices/2026-031"],
            actor=meetings.DEPARTMENT,
            at=at(48),
        ),
        InvalidInput,
    )

    assert refusal(error).field == "text"
    assert refusal(error).reason.startswith("contains a landline phone number;")


# -- golden ideas: titles are published with the awards ------------------------------------


def test_an_idea_whose_title_names_its_appellant_is_refused_until_given_another() -> None:
    review = opened()
    appeal = builders.in_status(Status.ADOPTED)
    appeal.title = f"{APPELLANT.name}建议井下通风改进"  # as typed when it was raised

    error = assert_refused(
        review,
        lambda: review.add_idea(
            idea=AdoptedSuggestion.of(appeal, at(1)), actor=UNION_STAFF, at=at(24)
        ),
        InvalidInput,
    )
    review.add_idea(
        idea=AdoptedSuggestion.of(appeal, at(1), "井下通风改进建议"), actor=UNION_STAFF, at=at(24)
    )

    assert refusal(error).field == "title"
    assert refusal(error).reason.startswith("contains the appellant's name;")
    assert review.ideas[appeal.id].title == "井下通风改进建议"


def test_publishing_awards_checks_every_title_against_the_ideas_appellants() -> None:
    review, _ = decided()
    [idea] = review.ideas.values()
    idea.title = "张伟的建议"  # as recorded before the rule existed

    error = assert_refused(
        review,
        lambda: review.publish(
            appellants=APPELLANT.withheld("an appellant"), actor=UNION_STAFF, at=at(96)
        ),
        InvalidInput,
    )

    assert refusal(error).field == f"ideas.{idea.case_number}.title"
    assert refusal(error).reason.startswith("contains an appellant's name;")


# -- disclosures: title and body, with the subject's people withheld -----------------------


def test_disclosed_minutes_withhold_the_meetings_people_and_its_appellants() -> None:
    meeting = meetings.in_status(MeetingStatus.PUBLISHED)

    source = meeting_source(meeting, RAISED_THERE)

    assert source.withheld == meeting.withheld(RAISED_THERE)
    assert {i.whose for i in source.withheld.identities} == {"a participant", "an appellant"}


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("夜班供餐答复", "请与E0001联系。", "body"),
        ("E0001等职工的诉求答复", "夜班供餐时间延长至40分钟。", "title"),
    ],
)
def test_a_disclosure_of_a_meetings_item_list_withholds_the_meetings_people(
    title: str, body: str, field: str
) -> None:
    meeting = meetings.in_status(MeetingStatus.PUBLISHED)

    with pytest.raises(InvalidInput, match="a participant's person id") as refused:
        Disclosure.propose(
            id=uuid4(),
            subject_type=SubjectType.ACTION_ITEMS,
            subject=str(uuid4()),
            departments=["Works"],
            title=title,
            source=Source(body, withheld=meeting.withheld(NO_ONE)),
            actor=UNION_STAFF,
            at=at(30),
        )
    assert refused.value.field == field


def test_a_returned_disclosure_revised_with_an_id_number_is_refused() -> None:
    disclosure = returned()

    error = assert_refused(
        disclosure,
        lambda: disclosure.revise(
            title="二月思想动态报告",
            source=Source("困难职工身份证号11010519491231002X已登记。"),
            departments=[],
            actor=UNION_STAFF,
            at=at(2),
        ),
        InvalidInput,
    )

    assert refusal(error).field == "body"
    assert refusal(error).reason.startswith("contains a resident ID number (身份证号);")
