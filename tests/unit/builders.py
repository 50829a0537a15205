"""Builders for appeals in the domain unit tests: one place that knows how to reach each state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import uuid4

from domain.actors import Actor, Role
from domain.appeal import Appeal, Appellant
from domain.calendar import CHINA_TZ
from domain.deadlines import Deadline, DeadlineAct
from domain.terms import Channel, Kind, Outcome, Rating, Status, Tier, Urgency

#: A Monday morning in an ordinary week: every step of a test happens shortly after it.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CHINA_TZ)

APPELLANT = Appellant(name="张伟", employee_no="E1001", contact="13800001111")
APPELLANT_ACTOR = Actor("E1001", Role.EMPLOYEE)
OTHER_EMPLOYEE = Actor("E2002", Role.EMPLOYEE)
UNION_STAFF = Actor("U-li", Role.UNION_STAFF)
DEPARTMENT = Actor("D-safety-wang", Role.DEPARTMENT)
SUPERVISOR = "S-zhao"
ANONYMOUS = Actor.anonymous_appellant()


def at(hours: float) -> datetime:
    """A moment `hours` after T0."""
    return T0 + timedelta(hours=hours)


def reply_deadline(days: float, rule: str = "reply.default") -> Deadline:
    """A reply deadline `days` after T0."""
    return Deadline(
        due=T0 + timedelta(days=days),
        act=DeadlineAct.REPLY,
        rule=rule,
        basis="reply within 5 working days of being transferred",
    )


def raise_named(
    *,
    channel: Channel = Channel.TALK_SESSION,
    kind: Kind = Kind.COMPLAINT,
    appellant: Appellant = APPELLANT,
    actor: Actor = UNION_STAFF,
    response_deadline: Deadline | None = None,
) -> Appeal:
    """A named appeal raised at T0 at a workers' talk session (by default)."""
    return Appeal.raise_appeal(
        id=uuid4(),
        case_number="HY-2026-0001",
        channel=channel,
        kind=kind,
        category="wages",
        title="Night-shift allowance not paid",
        text="The night-shift allowance for February is missing from my pay slip.",
        department="Mining district 2",
        tier=Tier.WORKERS if channel is Channel.TALK_SESSION else None,
        urgency=Urgency.NORMAL,
        appellant=appellant,
        receipt_hash=None,
        actor=actor,
        at=T0,
        response_deadline=response_deadline,
    )


def raise_anonymous(
    *,
    channel: Channel = Channel.ANONYMOUS_BOX,
    kind: Kind = Kind.COMPLAINT,
    actor: Actor = APPELLANT_ACTOR,
) -> Appeal:
    """An anonymous appeal raised at T0 through the anonymous box (by default)."""
    return Appeal.raise_appeal(
        id=uuid4(),
        case_number="HY-2026-0002",
        channel=channel,
        kind=kind,
        category="safety",
        title="Ventilation in tunnel 3",
        text="The ventilation in tunnel 3 has been weak for two weeks.",
        department="",
        tier=Tier.WORKERS if channel is Channel.TALK_SESSION else None,
        urgency=Urgency.HIGH,
        appellant=None,
        receipt_hash="sha256:receipt",
        actor=actor,
        at=T0,
    )


def transfer(appeal: Appeal, department: str = "Finance") -> None:
    """Transfers the appeal one hour after T0, due a week after T0."""
    appeal.transfer(
        department=department,
        supervisor=SUPERVISOR,
        reply_deadline=reply_deadline(7),
        actor=UNION_STAFF,
        at=at(1),
    )


def acknowledge(appeal: Appeal) -> None:
    """The department takes the case on."""
    appeal.acknowledge(note="We are checking the pay records.", actor=DEPARTMENT, at=at(2))


def reply(appeal: Appeal) -> None:
    """The department replies with its basis."""
    appeal.reply_with(
        answer="The allowance will be paid with the March salary.",
        basis="Pay rules 2025, article 12",
        actor=DEPARTMENT,
        at=at(3),
    )


def publish(appeal: Appeal) -> None:
    """Union staff publish the reply."""
    appeal.publish_reply(
        public_text="Missing night-shift allowances will be paid with the March salary.",
        actor=UNION_STAFF,
        at=at(4),
    )


def rate(appeal: Appeal, rating: Rating, actor: Actor = APPELLANT_ACTOR) -> None:
    """The appellant rates the answer; a dissatisfied rating sets a new deadline."""
    appeal.rate(
        rating=rating,
        comment="",
        reopen_deadline=reply_deadline(14, rule="reply.reopened"),
        actor=actor,
        at=at(5),
    )


def answer_on_spot(appeal: Appeal, *, close: bool = False) -> None:
    """Answered at the talk session itself."""
    appeal.answer_on_spot(
        answer="The allowance is paid one month late by rule.",
        basis="Pay rules 2025, article 12",
        close=close,
        actor=UNION_STAFF,
        at=at(0.5),
    )


def in_status(status: Status, *, kind: Kind = Kind.SUGGESTION) -> Appeal:
    """A named talk-session appeal brought to `status` by real commands, events collected."""
    appeal = raise_named(kind=kind)
    steps: dict[Status, list[Callable[[Appeal], None]]] = {
        Status.RAISED: [],
        Status.ANSWERED: [answer_on_spot],
        Status.TRANSFERRED: [transfer],
        Status.ACKNOWLEDGED: [transfer, acknowledge],
        Status.REPLIED: [transfer, acknowledge, reply],
        Status.PUBLISHED: [transfer, acknowledge, reply, publish],
        Status.RATED: [transfer, acknowledge, reply, publish, lambda a: rate(a, Rating.SATISFIED)],
        Status.ADOPTED: [
            lambda a: a.adopt(department="Safety", plan="Trial it", actor=UNION_STAFF, at=at(1))
        ],
        Status.CLOSED: [lambda a: answer_on_spot(a, close=True)],
        Status.WITHDRAWN: [
            lambda a: a.withdraw(reason="Sorted out", actor=APPELLANT_ACTOR, at=at(1))
        ],
    }
    for step in steps[status]:
        step(appeal)
    assert appeal.status is status
    appeal.collect_events()
    return appeal


def close_as_resolved(appeal: Appeal) -> None:
    """Closes the appeal as resolved."""
    appeal.close(outcome=Outcome.RESOLVED, note="Paid.", actor=UNION_STAFF, at=at(6))
