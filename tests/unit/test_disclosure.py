"""Disclosures (公示): committee review before publication, withdrawal, and every refusal."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.actors import Actor, Role
from domain.appeal import Appeal
from domain.disclosure import (
    ChainMark,
    Disclosure,
    DisclosureStatus,
    Source,
    SubjectType,
    appeal_source,
    meeting_source,
)
from domain.errors import ActionNotAllowed, InvalidInput, NotPermitted
from domain.meeting_terms import MeetingStatus
from domain.publication import NO_ONE
from domain.terms import Status
from tests.unit import builders
from tests.unit import meeting_builders as meetings
from tests.unit.builders import APPELLANT, T0, UNION_STAFF, at
from tests.unit.meeting_builders import assert_refused, replay

MEMBER_A = Actor("C-zhou", Role.COMMITTEE)
MEMBER_B = Actor("C-wu", Role.COMMITTEE)
HEAD = ChainMark(1234, "ab" * 32)


def proposed(source: Source | None = None, actor: Actor = UNION_STAFF) -> Disclosure:
    """A monthly report proposed at T0 by union staff."""
    disclosure = Disclosure.propose(
        id=uuid4(),
        subject_type=SubjectType.MONTHLY_REPORT,
        subject="2026-02",
        departments=["Mining district 2"],
        title="February thought-dynamics report",
        source=source or Source("12 talks held; sentiment steady."),
        actor=actor,
        at=T0,
    )
    disclosure.collect_events()
    return disclosure


def approved() -> Disclosure:
    """Approved an hour after T0 by a committee member."""
    disclosure = proposed()
    disclosure.approve(chain_head=HEAD, actor=MEMBER_A, at=at(1))
    disclosure.collect_events()
    return disclosure


def published() -> Disclosure:
    """Published two hours after T0."""
    disclosure = approved()
    disclosure.publish(actor=UNION_STAFF, at=at(2))
    disclosure.collect_events()
    return disclosure


def returned() -> Disclosure:
    """Returned with a reason an hour after T0."""
    disclosure = proposed()
    disclosure.return_(reason="Name the measures taken", actor=MEMBER_A, at=at(1))
    disclosure.collect_events()
    return disclosure


# -- proposing ---------------------------------------------------------------------------


def test_a_proposal_records_subject_departments_text_and_who_proposed_it() -> None:
    disclosure = Disclosure.propose(
        id=uuid4(),
        subject_type=SubjectType.PENALTIES_AND_CARDS,
        subject="2026-02",
        departments=[" Logistics ", "Finance"],
        title="February penalties",
        source=Source("Logistics: -2 (reply overdue)"),
        actor=UNION_STAFF,
        at=T0,
    )

    assert disclosure.status is DisclosureStatus.PROPOSED
    assert disclosure.departments == ["Logistics", "Finance"]
    assert not disclosure.public
    [event] = disclosure.collect_events()
    assert isinstance(event, Disclosure.Proposed)
    assert (event.actor_id, event.actor_role, event.timestamp) == ("U-li", "union_staff", T0)


def test_an_appeal_answer_discloses_the_published_reply_and_the_responsible_department() -> None:
    appeal = builders.in_status(Status.PUBLISHED)

    source = appeal_source(appeal)

    assert source.body == appeal.public_text
    assert source.departments == (appeal.responsible_department,)
    assert source.withheld == APPELLANT.withheld()


def test_an_appeal_whose_reply_is_not_published_cannot_be_disclosed() -> None:
    appeal = builders.in_status(Status.REPLIED)

    with pytest.raises(ActionNotAllowed, match="reply has not been published"):
        appeal_source(appeal)


def test_a_disclosure_naming_the_appellant_is_refused() -> None:
    source = Source(
        f"Answer to {APPELLANT.name}: paid in March.", ("Finance",), APPELLANT.withheld()
    )

    with pytest.raises(InvalidInput, match="appellant's name") as refused:
        proposed(source)
    assert refused.value.field == "body"


def test_a_title_carrying_the_appellants_employee_number_is_refused() -> None:
    source = Source("Paid in March.", ("Finance",), APPELLANT.withheld())

    with pytest.raises(InvalidInput, match="appellant's employee number") as refused:
        Disclosure.propose(
            id=uuid4(),
            subject_type=SubjectType.APPEAL_ANSWER,
            subject=str(uuid4()),
            departments=[],
            title=f"Answer for {APPELLANT.employee_no}",
            source=source,
            actor=UNION_STAFF,
            at=T0,
        )
    assert refused.value.field == "title"


def test_an_anonymous_appeals_answer_withholds_nobody_because_no_identity_exists() -> None:
    appeal = builders.raise_anonymous()
    appeal.public_text = "The ventilation will be fixed."  # as a ReplyPublished would set

    source = appeal_source(appeal)

    assert source.withheld == NO_ONE
    assert isinstance(appeal, Appeal)
    assert appeal.anonymous


def test_meeting_minutes_are_disclosed_only_once_the_meeting_published_them() -> None:
    meeting = meetings.in_status(MeetingStatus.PUBLISHED)
    meeting.invited_departments.append("Logistics")

    source = meeting_source(meeting, NO_ONE)

    assert source.body == "Discussed night shifts.\n\nD1: Open the canteen at 05:00."
    assert source.departments == ("Logistics",)
    with pytest.raises(ActionNotAllowed, match="not been published"):
        meeting_source(meetings.in_status(MeetingStatus.DECISIONS_RECORDED), NO_ONE)


def test_a_disclosure_names_at_least_one_department() -> None:
    with pytest.raises(InvalidInput, match="at least one department"):
        Disclosure.propose(
            id=uuid4(),
            subject_type=SubjectType.GOLDEN_IDEA_AWARDS,
            subject="2026-Q1",
            departments=[],
            title="Golden ideas, first quarter",
            source=Source("Three ideas awarded 300 yuan each."),
            actor=UNION_STAFF,
            at=T0,
        )


def test_empty_public_text_is_refused() -> None:
    with pytest.raises(InvalidInput, match="body"):
        proposed(Source("   "))


# -- review ------------------------------------------------------------------------------


def test_a_committee_member_approves_and_the_chain_head_is_recorded() -> None:
    disclosure = proposed()

    disclosure.approve(chain_head=HEAD, actor=MEMBER_A, at=at(1))

    assert disclosure.status is DisclosureStatus.APPROVED
    assert disclosure.chain_head == HEAD
    assert (disclosure.approved_by, disclosure.approved_at) == (MEMBER_A.id, at(1))
    [event] = disclosure.collect_events()
    assert isinstance(event, Disclosure.Approved)
    assert (event.chain_position, event.chain_link) == (1234, "ab" * 32)
    assert event.actor_role == "committee"


def test_a_committee_member_cannot_approve_their_own_proposal() -> None:
    disclosure = proposed(actor=MEMBER_A)

    error = assert_refused(
        disclosure,
        lambda: disclosure.approve(chain_head=HEAD, actor=MEMBER_A, at=at(1)),
        NotPermitted,
    )
    assert "they proposed" in error.message


def test_a_malformed_chain_head_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"chain_head\.link"):
        ChainMark(5, "not-a-hash")
    with pytest.raises(InvalidInput, match=r"chain_head\.position"):
        ChainMark(-1, "ab" * 32)


def test_a_committee_member_returns_with_a_reason() -> None:
    disclosure = returned()

    assert disclosure.status is DisclosureStatus.RETURNED
    assert disclosure.returned_reason == "Name the measures taken"


def test_returning_needs_a_reason_and_a_committee_member() -> None:
    disclosure = proposed()

    assert_refused(
        disclosure,
        lambda: disclosure.return_(reason="  ", actor=MEMBER_A, at=at(1)),
        InvalidInput,
    )
    assert_refused(
        disclosure,
        lambda: disclosure.return_(reason="Too long", actor=UNION_STAFF, at=at(1)),
        NotPermitted,
    )


def test_a_returned_disclosure_is_revised_and_reviewed_again() -> None:
    disclosure = returned()

    disclosure.revise(
        title="February report (revised)",
        source=Source("12 talks; canteen hours extended."),
        departments=["Logistics"],
        actor=UNION_STAFF,
        at=at(2),
    )
    disclosure.approve(chain_head=HEAD, actor=MEMBER_B, at=at(3))

    assert disclosure.status is DisclosureStatus.APPROVED
    assert disclosure.title == "February report (revised)"
    assert disclosure.departments == ["Logistics"]
    events = disclosure.collect_events()
    assert [type(e) for e in events] == [Disclosure.Revised, Disclosure.Approved]


def test_a_committee_member_who_revised_it_cannot_approve_it() -> None:
    disclosure = returned()
    disclosure.revise(
        title="Revised", source=Source("Text"), departments=["Logistics"], actor=MEMBER_B, at=at(2)
    )

    assert_refused(
        disclosure,
        lambda: disclosure.approve(chain_head=HEAD, actor=MEMBER_B, at=at(3)),
        NotPermitted,
    )


def test_only_a_returned_disclosure_can_be_revised() -> None:
    disclosure = proposed()

    assert_refused(
        disclosure,
        lambda: disclosure.revise(
            title="T", source=Source("B"), departments=["X"], actor=UNION_STAFF, at=at(1)
        ),
        ActionNotAllowed,
    )


# -- publication and withdrawal ----------------------------------------------------------


def test_publication_is_its_own_recorded_act_with_a_time() -> None:
    disclosure = approved()

    disclosure.publish(actor=UNION_STAFF, at=at(2))

    assert disclosure.status is DisclosureStatus.PUBLISHED
    assert disclosure.published_at == at(2)
    assert disclosure.public
    [event] = disclosure.collect_events()
    assert isinstance(event, Disclosure.Published)
    assert event.timestamp == at(2)


def test_publication_records_the_chain_head_at_that_moment() -> None:
    disclosure = approved()
    later_head = ChainMark(HEAD.position + 7, "cd" * 32)

    disclosure.publish(actor=UNION_STAFF, at=at(2), chain_head=later_head)

    assert disclosure.chain_head == HEAD  # as approved
    assert disclosure.published_chain_head == later_head  # as printed on the notice
    [event] = disclosure.collect_events()
    assert isinstance(event, Disclosure.Published)
    assert (event.chain_position, event.chain_link) == (later_head.position, later_head.link)


@pytest.mark.parametrize("state", [proposed, returned])
def test_nothing_is_published_before_approval(state: object) -> None:
    disclosure = state()  # type: ignore[operator]

    assert_refused(
        disclosure, lambda: disclosure.publish(actor=UNION_STAFF, at=at(2)), ActionNotAllowed
    )


def test_publishing_twice_is_refused() -> None:
    disclosure = published()

    assert_refused(
        disclosure, lambda: disclosure.publish(actor=UNION_STAFF, at=at(3)), ActionNotAllowed
    )


def test_a_published_disclosure_is_withdrawn_with_a_reason_and_stays_public() -> None:
    disclosure = published()

    disclosure.withdraw(reason="Wrong figures", actor=MEMBER_B, at=at(5))

    assert disclosure.status is DisclosureStatus.WITHDRAWN
    assert (disclosure.withdrawn_at, disclosure.withdrawal_reason) == (at(5), "Wrong figures")
    assert disclosure.public


def test_withdrawing_twice_is_refused() -> None:
    disclosure = published()
    disclosure.withdraw(reason="Wrong figures", actor=MEMBER_B, at=at(5))
    disclosure.collect_events()

    error = assert_refused(
        disclosure,
        lambda: disclosure.withdraw(reason="Again", actor=MEMBER_B, at=at(6)),
        ActionNotAllowed,
    )
    assert "withdrawn" in error.message


def test_withdrawing_needs_a_reason_and_a_published_disclosure() -> None:
    disclosure = published()

    assert_refused(
        disclosure, lambda: disclosure.withdraw(reason="", actor=MEMBER_B, at=at(5)), InvalidInput
    )
    draft = approved()
    assert_refused(
        draft, lambda: draft.withdraw(reason="Oops", actor=MEMBER_B, at=at(5)), ActionNotAllowed
    )


def test_a_time_without_zone_is_refused() -> None:
    disclosure = approved()

    assert_refused(
        disclosure,
        lambda: disclosure.publish(actor=UNION_STAFF, at=at(2).replace(tzinfo=None)),
        InvalidInput,
    )


def test_replaying_the_events_gives_the_same_disclosure() -> None:
    disclosure = Disclosure.propose(
        id=uuid4(),
        subject_type=SubjectType.ACTION_ITEMS,
        subject=str(uuid4()),
        departments=["Logistics"],
        title="Q1 item list",
        source=Source("D1: canteen at 05:00 — accepted"),
        actor=UNION_STAFF,
        at=T0,
    )
    disclosure.return_(reason="Add deadlines", actor=MEMBER_A, at=at(1))
    disclosure.revise(
        title="Q1 item list", source=Source("Text"), departments=[], actor=UNION_STAFF, at=at(2)
    )
    disclosure.approve(chain_head=HEAD, actor=MEMBER_A, at=at(3))
    disclosure.publish(actor=MEMBER_B, at=at(4))
    disclosure.withdraw(reason="Superseded", actor=MEMBER_A, at=at(5))

    rebuilt = replay(disclosure, disclosure.collect_events())

    assert rebuilt.status is DisclosureStatus.WITHDRAWN
    assert rebuilt.chain_head == HEAD
    assert rebuilt.published_at == at(4)
    assert rebuilt.departments == ["Logistics"]
    assert rebuilt.version == disclosure.version
