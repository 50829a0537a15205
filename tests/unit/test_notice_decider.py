"""The notice decider's rules: which events are told, as which kind, with which references."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Tracking

from domain.actors import Actor, Role
from domain.deadlines import Deadline, DeadlineAct
from domain.meeting_terms import MeetingStatus
from domain.notices import Notice, NoticeKind
from infrastructure.notice_outbox import notices_spec
from projections.notices import Notices
from tests.unit import builders
from tests.unit import meeting_builders as mb
from tests.unit.test_disclosure import approved

SYSTEM = Actor("system", Role.SYSTEM)
UNION_STAFF = Actor("U1", Role.UNION_STAFF)


class Recorded:
    """What the decider handed its view: notices per event, and events skipped."""

    def __init__(self) -> None:
        self.notices: list[Notice] = []
        self.skipped: list[int] = []

    def decide(self, notices: Sequence[Notice], tracking: Tracking) -> None:
        self.notices.extend(notices)


class Probe(Notices):
    """The decider writing to `Recorded` (the view's SQL is tested on PostgreSQL)."""

    union_office = "union-office"

    def __init__(self, recorded: Recorded) -> None:
        super().__init__(view=recorded)
        self.__dict__["outbox"] = recorded
        self.recorded = recorded

    def ignore(self, tracking: Tracking) -> None:
        self.recorded.skipped.append(tracking.notification_id)


def decided(aggregate: Aggregate, *, last: int = 1) -> list[Notice]:
    """The notices decided from the aggregate's last `last` new events."""
    recorded = Recorded()
    probe = Probe(recorded)
    for n, event in enumerate(aggregate.collect_events()[-last:], start=100):
        probe.process_event(event, Tracking("Huiyin", n))
    return recorded.notices


def one(notices: list[Notice]) -> Notice:
    [notice] = notices
    return notice


def test_a_published_answer_is_told_and_its_appellant_too() -> None:
    appeal = builders.raise_named()
    builders.transfer(appeal)
    builders.acknowledge(appeal)
    builders.reply(appeal)
    builders.publish(appeal)

    notice = one(decided(appeal))

    assert notice.kind is NoticeKind.PUBLISHED
    assert notice.to_appellant
    assert notice.key == "event:100:published"
    assert (notice.case_id, notice.case_type, notice.position) == (appeal.id, "appeal", 100)


def test_a_missed_first_response_falls_to_the_union_office_when_nobody_holds_it() -> None:
    due = Deadline(builders.at(24), DeadlineAct.FIRST_RESPONSE, "response.default", "24 h")
    appeal = builders.raise_named(response_deadline=due)
    appeal.collect_events()
    appeal.record_missed_deadline(act=DeadlineAct.FIRST_RESPONSE, actor=SYSTEM, at=builders.at(25))

    notice = one(decided(appeal))

    assert notice.kind is NoticeKind.OVERDUE
    assert notice.fallback_department == "union-office"
    assert notice.payload["act"] == "first_response"
    assert notice.payload["due_at"] == due.due.isoformat()
    assert not notice.to_appellant


def test_a_meeting_published_is_told() -> None:
    meeting = mb.in_status(MeetingStatus.DECISIONS_RECORDED)
    mb.publish(meeting)

    assert one(decided(meeting)).kind is NoticeKind.MEETING_PUBLISHED


def test_a_disclosure_published_is_told() -> None:
    disclosure = approved()
    disclosure.publish(actor=UNION_STAFF, at=builders.at(2))

    notice = one(decided(disclosure))

    assert (notice.kind, notice.case_type) == (NoticeKind.DISCLOSURE, "disclosure")


def test_an_action_item_and_a_proposal_past_their_deadlines_are_told_overdue() -> None:
    item = mb.action_item()
    item.collect_events()
    item.mark_overdue(actor=SYSTEM, at=builders.at(24 * 8))
    proposal = mb.proposal()
    proposal.collect_events()
    proposal.record_missed_assignment(actor=SYSTEM, at=builders.at(24 * 60))

    told: list[Any] = [one(decided(item)), one(decided(proposal))]

    assert [(n.kind, n.case_type) for n in told] == [
        (NoticeKind.OVERDUE, "action_item"),
        (NoticeKind.OVERDUE, "proposal"),
    ]


def test_events_nobody_is_told_of_are_skipped() -> None:
    appeal = builders.raise_named()
    recorded = Recorded()
    probe = Probe(recorded)
    for n, event in enumerate(appeal.collect_events(), start=1):
        probe.process_event(event, Tracking("Huiyin", n))

    assert recorded.notices == []
    assert recorded.skipped == [1]


def test_the_deciders_runner_knows_it_by_its_name() -> None:
    # Its tracking table and its advisory lock are named after it.
    assert notices_spec("union-office").name == "notices"
