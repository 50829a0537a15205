"""The appeal's lifecycle, from raising to closing, as the rules allow it."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from domain.actors import ANONYMOUS_ACTOR_ID, Role
from domain.appeal import Appeal
from domain.appeal_records import Transfer
from domain.deadlines import Deadline, DeadlineAct
from domain.terms import Channel, Kind, Outcome, Rating, Status, Tier, Urgency
from tests.unit.builders import (
    ANONYMOUS,
    APPELLANT,
    APPELLANT_ACTOR,
    DEPARTMENT,
    SUPERVISOR,
    T0,
    UNION_STAFF,
    acknowledge,
    answer_on_spot,
    at,
    close_as_resolved,
    publish,
    raise_anonymous,
    raise_named,
    rate,
    reply,
    reply_deadline,
    transfer,
)


def event_names(appeal: Appeal) -> list[str]:
    """The class names of the appeal's pending events, in order."""
    return [type(event).__name__ for event in appeal.collect_events()]


def replay(appeal: Appeal) -> Appeal:
    """The appeal rebuilt from nothing but its pending events."""
    rebuilt: Appeal | None = None
    for event in appeal.collect_events():
        rebuilt = event.mutate(rebuilt)
    assert rebuilt is not None
    return rebuilt


def state_of(appeal: Appeal) -> dict[str, Any]:
    """Everything the appeal holds, pending events aside."""
    return {name: value for name, value in vars(appeal).items() if name != "_pending_events"}


# -- raising -----------------------------------------------------------------------------


def test_named_appeal_is_raised_with_its_appellant_and_details() -> None:
    appeal = raise_named()

    assert appeal.status is Status.RAISED
    assert appeal.channel is Channel.TALK_SESSION
    assert appeal.kind is Kind.COMPLAINT
    assert appeal.tier is Tier.WORKERS
    assert appeal.appellant == APPELLANT
    assert not appeal.anonymous
    assert appeal.raised_at == T0
    assert appeal.raised_by == UNION_STAFF.id
    [raised] = appeal.collect_events()
    assert isinstance(raised, Appeal.Raised)
    assert raised.appellant == APPELLANT.to_record()
    assert raised.actor_id == UNION_STAFF.id
    assert raised.actor_role == Role.UNION_STAFF.value


def test_raised_text_is_trimmed() -> None:
    appeal = Appeal.raise_appeal(
        id=uuid4(),
        case_number="HY-2026-0003",
        channel=Channel.URGENT,
        kind=Kind.HARDSHIP,
        category="  family  ",
        title="  Flood damaged my house  ",
        text="\n Need help with repairs. \n",
        department="",
        tier=None,
        urgency=Urgency.CRITICAL,
        appellant=APPELLANT,
        receipt_hash=None,
        actor=UNION_STAFF,
        at=T0,
    )

    assert (appeal.category, appeal.title, appeal.text) == (
        "family",
        "Flood damaged my house",
        "Need help with repairs.",
    )


def test_anonymous_appeal_raised_by_an_employee_records_no_identity_at_all() -> None:
    appeal = raise_anonymous(actor=APPELLANT_ACTOR)

    [raised] = appeal.collect_events()
    assert isinstance(raised, Appeal.Raised)
    assert raised.appellant is None
    assert raised.actor_id == ANONYMOUS_ACTOR_ID
    assert raised.actor_role == Role.EMPLOYEE.value
    assert appeal.anonymous
    assert appeal.raised_by == ANONYMOUS_ACTOR_ID
    assert appeal.receipt_hash == "sha256:receipt"


def test_anonymous_appeal_registered_by_union_staff_records_the_staff_member() -> None:
    appeal = raise_anonymous(actor=UNION_STAFF)

    [raised] = appeal.collect_events()
    assert isinstance(raised, Appeal.Raised)
    assert raised.appellant is None
    assert raised.actor_id == UNION_STAFF.id


# -- answering on the spot ---------------------------------------------------------------


def test_answer_on_the_spot_without_close_leaves_the_appeal_answered() -> None:
    appeal = raise_named()

    answer_on_spot(appeal, close=False)

    assert appeal.status is Status.ANSWERED
    assert appeal.on_spot_answer == "The allowance is paid one month late by rule."
    assert appeal.on_spot_basis == "Pay rules 2025, article 12"
    assert appeal.first_response_at == at(0.5)
    assert event_names(appeal) == ["Raised", "AnsweredOnSpot"]


def test_answer_on_the_spot_with_close_closes_the_appeal_as_resolved() -> None:
    appeal = raise_named()

    answer_on_spot(appeal, close=True)

    assert appeal.status is Status.CLOSED
    assert appeal.outcome is Outcome.RESOLVED
    assert appeal.closed_at == at(0.5)
    assert event_names(appeal) == ["Raised", "AnsweredOnSpot", "Closed"]


def test_answer_on_the_spot_may_omit_the_basis() -> None:
    appeal = raise_named(channel=Channel.RECEPTION_DAY)

    appeal.answer_on_spot(answer="Yes.", basis="  ", close=False, actor=UNION_STAFF, at=at(1))

    assert appeal.on_spot_basis == ""


def test_satisfied_rating_of_an_on_the_spot_answer_then_closing() -> None:
    appeal = raise_named()
    answer_on_spot(appeal)

    rate(appeal, Rating.SATISFIED)
    close_as_resolved(appeal)

    assert appeal.rating is Rating.SATISFIED
    assert appeal.status is Status.CLOSED


def test_dissatisfied_rating_of_an_on_the_spot_answer_sends_it_back_to_be_raised() -> None:
    appeal = raise_named()
    answer_on_spot(appeal)

    appeal.rate(
        rating=Rating.DISSATISFIED,
        comment="Not an answer",
        reopen_deadline=None,
        actor=APPELLANT_ACTOR,
        at=at(1),
    )

    assert appeal.status is Status.RAISED
    assert appeal.reopen_count == 1
    assert appeal.reply_deadline is None
    assert event_names(appeal)[-2:] == ["Rated", "Reopened"]


# -- transferring ------------------------------------------------------------------------


def test_transfer_records_department_supervisor_and_the_reply_deadline_with_its_rule() -> None:
    response = Deadline(
        due=at(48),
        act=DeadlineAct.FIRST_RESPONSE,
        rule="response.urgent-48h",
        basis="first response within 48 hours of being raised",
    )
    appeal = raise_named(channel=Channel.URGENT, response_deadline=response)

    appeal.transfer(
        department="Finance",
        supervisor=SUPERVISOR,
        reply_deadline=reply_deadline(7),
        actor=UNION_STAFF,
        at=at(1),
    )

    assert appeal.status is Status.TRANSFERRED
    assert appeal.responsible_department == "Finance"
    assert appeal.supervisor == SUPERVISOR
    assert appeal.reply_deadline == reply_deadline(7)
    assert appeal.reply_deadline.rule == "reply.default"
    assert appeal.response_deadline == response
    assert appeal.transfers == [Transfer("Finance", SUPERVISOR, at(1), UNION_STAFF.id, "")]
    transferred = appeal.collect_events()[-1]
    assert isinstance(transferred, Appeal.Transferred)
    assert transferred.reply_deadline["rule"] == "reply.default"
    assert transferred.reply_deadline["basis"] == reply_deadline(7).basis
    assert transferred.response_deadline is None  # it runs on from raising


def test_an_appeal_answered_on_the_spot_can_still_be_transferred() -> None:
    appeal = raise_named()
    answer_on_spot(appeal)

    transfer(appeal)

    assert appeal.status is Status.TRANSFERRED


def test_acknowledging_is_the_first_response() -> None:
    appeal = raise_named()
    transfer(appeal)

    acknowledge(appeal)

    assert appeal.status is Status.ACKNOWLEDGED
    assert appeal.first_response_at == at(2)


def test_retransfer_keeps_every_transfer_with_its_reason() -> None:
    appeal = raise_named()
    transfer(appeal, department="Finance")
    acknowledge(appeal)

    appeal.retransfer(
        department="HR",
        reason="Allowances are set by HR",
        reply_deadline=reply_deadline(10),
        supervisor=None,
        actor=UNION_STAFF,
        at=at(3),
    )

    assert appeal.status is Status.TRANSFERRED
    assert appeal.responsible_department == "HR"
    assert appeal.supervisor == SUPERVISOR
    assert appeal.reply_deadline == reply_deadline(10)
    assert [(t.department, t.reason) for t in appeal.transfers] == [
        ("Finance", ""),
        ("HR", "Allowances are set by HR"),
    ]
    assert event_names(appeal)[-1] == "Retransferred"


def test_retransfer_may_name_a_new_supervisor() -> None:
    appeal = raise_named()
    transfer(appeal)

    appeal.retransfer(
        department="HR",
        reason="HR's matter",
        reply_deadline=reply_deadline(10),
        supervisor="S-qian",
        actor=UNION_STAFF,
        at=at(3),
    )

    assert appeal.supervisor == "S-qian"
    assert appeal.transfers[-1].supervisor == "S-qian"


def test_deadline_extension_moves_the_reply_deadline_later() -> None:
    appeal = raise_named()
    transfer(appeal)

    appeal.extend_deadline(
        reply_deadline=reply_deadline(14, rule="reply.extended"),
        reason="Records are archived off site",
        approved_by=SUPERVISOR,
        actor=DEPARTMENT,
        at=at(5),
    )

    assert appeal.reply_deadline == reply_deadline(14, rule="reply.extended")
    assert appeal.extensions == 1


# -- replying, publishing, rating --------------------------------------------------------


def test_reply_records_answer_basis_and_department() -> None:
    appeal = raise_named()
    transfer(appeal, department="Finance")

    reply(appeal)

    assert appeal.status is Status.REPLIED
    assert appeal.reply is not None
    assert appeal.reply.basis == "Pay rules 2025, article 12"
    assert appeal.reply.department == "Finance"
    assert appeal.reply.by == DEPARTMENT.id
    assert appeal.reply.at == at(3)
    assert appeal.first_response_at == at(3)


def test_publishing_makes_the_reply_public() -> None:
    appeal = raise_named()
    transfer(appeal)
    reply(appeal)

    publish(appeal)

    assert appeal.status is Status.PUBLISHED
    assert appeal.public_text is not None
    assert appeal.published_at == at(4)


def test_satisfied_rating_leaves_the_appeal_rated() -> None:
    appeal = raise_named()
    transfer(appeal)
    reply(appeal)
    publish(appeal)

    rate(appeal, Rating.SATISFIED)

    assert appeal.status is Status.RATED
    assert appeal.rating is Rating.SATISFIED
    assert event_names(appeal)[-1] == "Rated"


def test_basically_satisfied_rating_leaves_the_appeal_rated_and_closable() -> None:
    appeal = raise_named()
    transfer(appeal)
    reply(appeal)
    publish(appeal)

    rate(appeal, Rating.BASICALLY_SATISFIED)
    close_as_resolved(appeal)

    assert appeal.rating is Rating.BASICALLY_SATISFIED
    assert appeal.status is Status.CLOSED


def test_dissatisfied_rating_reopens_the_appeal_with_a_new_deadline() -> None:
    appeal = raise_named()
    transfer(appeal, department="Finance")
    reply(appeal)
    publish(appeal)

    rate(appeal, Rating.DISSATISFIED)

    assert appeal.status is Status.TRANSFERRED
    assert appeal.rating is Rating.DISSATISFIED
    assert appeal.reopen_count == 1
    assert appeal.responsible_department == "Finance"
    assert appeal.reply_deadline == reply_deadline(14, rule="reply.reopened")
    assert appeal.reply is None
    assert appeal.public_text is None
    assert event_names(appeal)[-2:] == ["Rated", "Reopened"]


def test_a_reopened_appeal_goes_round_again() -> None:
    appeal = raise_named()
    transfer(appeal)
    reply(appeal)
    publish(appeal)
    rate(appeal, Rating.DISSATISFIED)

    acknowledge(appeal)
    reply(appeal)
    publish(appeal)
    rate(appeal, Rating.SATISFIED)

    assert appeal.status is Status.RATED
    assert appeal.rating is Rating.SATISFIED
    assert appeal.reopen_count == 1


def test_union_staff_may_rate_on_behalf_of_the_appellant() -> None:
    appeal = raise_named()
    transfer(appeal)
    reply(appeal)
    publish(appeal)

    rate(appeal, Rating.SATISFIED, actor=UNION_STAFF)

    assert appeal.rating is Rating.SATISFIED


def test_the_anonymous_appellant_rates_an_anonymous_appeal() -> None:
    appeal = raise_anonymous()
    transfer(appeal)
    reply(appeal)
    publish(appeal)

    rate(appeal, Rating.SATISFIED, actor=ANONYMOUS)

    assert appeal.rating is Rating.SATISFIED
    rated = appeal.collect_events()[-1]
    assert isinstance(rated, Appeal.Rated)
    assert rated.actor_id == ANONYMOUS_ACTOR_ID


# -- suggestions -------------------------------------------------------------------------


def test_adopted_suggestion_is_handed_to_a_department_and_later_closed() -> None:
    appeal = raise_named(kind=Kind.SUGGESTION)

    appeal.adopt(department="Safety", plan="Trial in district 2", actor=UNION_STAFF, at=at(1))

    assert appeal.status is Status.ADOPTED
    assert appeal.implementing_department == "Safety"
    assert appeal.adoption_plan == "Trial in district 2"
    close_as_resolved(appeal)
    assert appeal.outcome is Outcome.RESOLVED
    assert appeal.closed_at == at(6)


def test_declined_suggestion_is_closed_with_its_explanation() -> None:
    appeal = raise_named(kind=Kind.SUGGESTION)

    appeal.decline(explanation="Costs exceed the budget", actor=UNION_STAFF, at=at(1))

    assert appeal.status is Status.CLOSED
    assert appeal.outcome is Outcome.DECLINED
    assert appeal.closing_note == "Costs exceed the budget"
    assert appeal.closed_at == at(1)


# -- closing and withdrawing -------------------------------------------------------------


def test_rated_appeal_closes_as_explained() -> None:
    appeal = raise_named()
    transfer(appeal)
    reply(appeal)
    publish(appeal)
    rate(appeal, Rating.SATISFIED)

    appeal.close(outcome=Outcome.EXPLAINED, note="Policy explained", actor=UNION_STAFF, at=at(9))

    assert appeal.status is Status.CLOSED
    assert appeal.outcome is Outcome.EXPLAINED
    assert appeal.closing_note == "Policy explained"
    assert appeal.closed_at == at(9)


def test_appellant_withdraws_an_open_appeal() -> None:
    appeal = raise_named()
    transfer(appeal)

    appeal.withdraw(reason="Paid meanwhile", actor=APPELLANT_ACTOR, at=at(2))

    assert appeal.status is Status.WITHDRAWN
    assert appeal.closing_note == "Paid meanwhile"
    assert appeal.closed_at == at(2)


def test_anonymous_appellant_withdraws_an_anonymous_appeal() -> None:
    appeal = raise_anonymous()

    appeal.withdraw(reason="", actor=ANONYMOUS, at=at(1))

    assert appeal.status is Status.WITHDRAWN


# -- replay ------------------------------------------------------------------------------


def test_replaying_the_events_of_a_full_lifecycle_rebuilds_the_same_appeal() -> None:
    appeal = raise_named()
    transfer(appeal, department="Finance")
    acknowledge(appeal)
    appeal.retransfer(
        department="HR",
        reason="HR's matter",
        reply_deadline=reply_deadline(10),
        supervisor=None,
        actor=UNION_STAFF,
        at=at(2.5),
    )
    appeal.extend_deadline(
        reply_deadline=reply_deadline(12),
        reason="Waiting for the bank",
        approved_by=SUPERVISOR,
        actor=DEPARTMENT,
        at=at(2.7),
    )
    reply(appeal)
    publish(appeal)
    rate(appeal, Rating.DISSATISFIED)
    reply(appeal)
    publish(appeal)
    rate(appeal, Rating.SATISFIED)
    close_as_resolved(appeal)
    original = state_of(appeal)

    rebuilt = replay(appeal)

    assert state_of(rebuilt) == original
    assert rebuilt.status is Status.CLOSED
    assert rebuilt.version == appeal.version == 13
    assert len(rebuilt.transfers) == 2


def test_replaying_an_anonymous_suggestion_rebuilds_the_same_appeal() -> None:
    appeal = raise_anonymous(kind=Kind.SUGGESTION)
    appeal.adopt(department="Safety", plan="Fit new fans", actor=UNION_STAFF, at=at(1))
    appeal.extend_deadline(
        reply_deadline=reply_deadline(30),
        reason="Fans on order",
        approved_by=SUPERVISOR,
        actor=UNION_STAFF,
        at=at(2),
    )
    original = state_of(appeal)

    rebuilt = replay(appeal)

    assert state_of(rebuilt) == original
    assert rebuilt.anonymous
    assert rebuilt.status is Status.ADOPTED
