"""Whom the application withholds when text goes public: the appellants of appeals raised at
a talk (read from the store, since the domain does no I/O) and of a review's ideas."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from application.casework import AppealDraft, Casework
from application.clock import ManualClock
from application.meetings import Meetings
from application.reviews import Reviews
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.errors import InvalidInput
from domain.meeting_records import Attendee
from domain.meeting_terms import MeetingKind, MeetingStatus
from domain.publication import personal_data_in
from domain.terms import Channel, Kind, Tier
from tests.application.test_reviews import _QUARTERS, REVIEWERS, suggestion

CLERK = Actor("U-publication", Role.UNION_STAFF)
APPELLANT = Appellant("王建国", "E10234", "13655554444")


@pytest.fixture
def meetings(casework: Casework) -> Meetings:
    """The meeting use cases over the test database's Casework."""
    return Meetings(casework)


@pytest.fixture
def reviews(casework: Casework) -> Reviews:
    """The review use cases over the test database's Casework."""
    return Reviews(casework)


def held_talk(meetings: Meetings, clock: ManualClock) -> UUID:
    """A workers' talk held an hour from now by two people no other test invites."""
    who = [f"P{uuid4().hex[:6]}-{i}" for i in range(2)]
    meeting_id = meetings.schedule(
        kind=MeetingKind.TIER_TALK,
        tier=Tier.WORKERS,
        topic="夜班供餐",
        scheduled_for=clock() + timedelta(hours=1),
        place="工会活动室",
        actor=CLERK,
    ).id
    meetings.invite(meeting_id, participants=who, actor=CLERK)
    clock.advance(timedelta(hours=1))
    meetings.hold(meeting_id, attendance=[Attendee(p, "Works") for p in who], actor=CLERK)
    return meeting_id


def raise_at(meetings: Meetings, meeting_id: UUID, appellant: Appellant | None) -> UUID:
    """A complaint raised at the talk, named by `appellant` (anonymous without one)."""
    return meetings.raise_appeal(
        meeting_id,
        kind=Kind.COMPLAINT,
        category="canteen",
        title="夜班食堂供餐时间太短",
        text="夜班下井前食堂只开放20分钟。",
        appellant=appellant,
        actor=CLERK,
    ).id


def test_minutes_naming_an_appellant_raised_at_the_talk_are_refused(
    meetings: Meetings, clock: ManualClock
) -> None:
    meeting_id = held_talk(meetings, clock)
    raise_at(meetings, meeting_id, APPELLANT)

    with pytest.raises(InvalidInput, match="an appellant's contact") as refused:
        meetings.record_minutes(
            meeting_id, minutes="职工反映夜班供餐问题，电话136-5555-4444。", actor=CLERK
        )

    assert refused.value.field == "minutes"
    assert meetings.get_meeting(meeting_id).status is MeetingStatus.HELD


def test_publishing_is_refused_when_an_appeal_raised_after_the_minutes_names_them(
    meetings: Meetings, clock: ManualClock
) -> None:
    meeting_id = held_talk(meetings, clock)
    meetings.record_minutes(meeting_id, minutes="王 建 国反映夜班供餐问题。", actor=CLERK)
    raise_at(meetings, meeting_id, APPELLANT)

    with pytest.raises(InvalidInput, match="an appellant's name") as refused:
        meetings.publish(meeting_id, actor=CLERK)

    assert refused.value.field == "minutes"
    assert meetings.get_meeting(meeting_id).published_at is None


def test_an_appeal_naming_its_meeting_when_raised_directly_is_withheld_too(
    meetings: Meetings, casework: Casework, clock: ManualClock
) -> None:
    meeting_id, other = held_talk(meetings, clock), held_talk(meetings, clock)
    raise_at(meetings, meeting_id, None)  # anonymous: no identity to withhold
    draft = AppealDraft(
        Channel.TALK_SESSION,
        Kind.QUESTION,
        "pay",
        "夜班补贴",
        "夜班补贴何时发放？",
        tier=Tier.WORKERS,
        appellant=Appellant("李秀英", "E20001", "0512-6888 1234"),
        meeting_id=meeting_id,
    )
    casework.raise_appeal(draft, CLERK)
    raise_at(meetings, other, APPELLANT)

    withheld = meetings.appellants_at(meeting_id)

    assert {i.value for i in withheld.identities} == {"李秀英", "E20001", "0512-6888 1234"}
    assert personal_data_in("请致电(0512)68881234", withheld) == "an appellant's contact"
    assert personal_data_in("王建国", withheld) is None  # raised at the other talk


def test_clean_minutes_of_a_talk_with_appeals_are_published(
    meetings: Meetings, clock: ManualClock
) -> None:
    meeting_id = held_talk(meetings, clock)
    raise_at(meetings, meeting_id, APPELLANT)
    meetings.record_minutes(
        meeting_id, minutes="职工反映夜班供餐时间短，已按程序转办后勤服务中心。", actor=CLERK
    )

    meetings.publish(meeting_id, actor=CLERK)

    assert meetings.get_meeting(meeting_id).status is MeetingStatus.PUBLISHED


def test_an_idea_is_published_by_a_title_of_its_own_when_the_appeals_names_its_appellant(
    reviews: Reviews, casework: Casework
) -> None:
    review_id = reviews.open_idea_review(
        quarter=next(_QUARTERS), reviewers=[r.id for r in REVIEWERS], actor=CLERK
    ).id
    appeal_id = suggestion(casework, title="王建国：井口增设照明")

    with pytest.raises(InvalidInput, match="the appellant's name") as refused:
        reviews.add_idea(review_id, appeal_id=appeal_id, actor=CLERK)
    reviews.add_idea(review_id, appeal_id=appeal_id, title="井口增设照明", actor=CLERK)

    assert refused.value.field == "title"
    review = reviews.get_idea_review(review_id)
    assert review.ideas[appeal_id].title == "井口增设照明"
    assert [i.value for i in reviews.appellants_of(review).identities] == ["王建国", "E10234"]
