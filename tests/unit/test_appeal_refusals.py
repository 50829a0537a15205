"""What the appeal refuses, and that a refused command records nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from domain import limits
from domain.actors import Actor
from domain.appeal import Appeal, Appellant
from domain.appeal_states import APPEAL_STATES, AppealCommand
from domain.deadlines import Deadline, DeadlineAct
from domain.errors import ActionNotAllowed, DomainError, InvalidInput, NotPermitted
from domain.terms import Channel, Kind, Outcome, Rating, Status, Tier, Urgency
from domain.values import NUL_REFUSED
from tests.unit.builders import (
    APPELLANT,
    APPELLANT_ACTOR,
    DEPARTMENT,
    OTHER_EMPLOYEE,
    SUPERVISOR,
    T0,
    UNION_STAFF,
    acknowledge,
    at,
    in_status,
    publish,
    raise_anonymous,
    raise_named,
    reply,
    reply_deadline,
    transfer,
)

Command = Callable[[Appeal], None]

#: A moment after every builder step, when the command under test is given.
LATER = at(24)


def assert_refused(
    appeal: Appeal, command: Command, error: type[DomainError] = DomainError
) -> DomainError:
    """The command raises `error` and leaves the appeal without a new event or version."""
    appeal.collect_events()
    version = appeal.version
    with pytest.raises(error) as refused:
        command(appeal)
    assert appeal.collect_events() == []
    assert appeal.version == version
    return refused.value


def assert_invalid(appeal: Appeal, command: Command, field: str) -> None:
    """The command is refused as invalid input naming `field`, and records nothing."""
    error = assert_refused(appeal, command, InvalidInput)
    assert isinstance(error, InvalidInput)
    assert error.field == field
    assert error.message.startswith(f"{field}: ")


# -- the state machine -------------------------------------------------------------------

#: Each command with the name it gives in refusals (the 409's `action`); the states that
#: allow it are the state table's (`domain.appeal_states`).
COMMANDS: dict[AppealCommand, tuple[str, Command]] = {
    AppealCommand.ANSWER_ON_SPOT: (
        "answer on the spot",
        lambda a: a.answer_on_spot(
            answer="On the spot", basis="", close=False, actor=UNION_STAFF, at=LATER
        ),
    ),
    AppealCommand.TRANSFER: (
        "transfer",
        lambda a: a.transfer(
            department="Works",
            supervisor=SUPERVISOR,
            reply_deadline=reply_deadline(8),
            actor=UNION_STAFF,
            at=LATER,
        ),
    ),
    AppealCommand.RETRANSFER: (
        "re-transfer",
        lambda a: a.retransfer(
            department="Works",
            reason="Not ours",
            reply_deadline=reply_deadline(8),
            supervisor=None,
            actor=DEPARTMENT,
            at=LATER,
        ),
    ),
    AppealCommand.CONTACT: (
        "record contact with the appellant of",
        lambda a: a.contact(note="By phone", actor=UNION_STAFF, at=LATER),
    ),
    AppealCommand.ACKNOWLEDGE: (
        "acknowledge",
        lambda a: a.acknowledge(note="", actor=DEPARTMENT, at=LATER),
    ),
    AppealCommand.EXTEND_DEADLINE: (
        "extend the deadline of",
        lambda a: a.extend_deadline(
            reply_deadline=reply_deadline(20),
            reason="More time",
            approved_by=SUPERVISOR,
            actor=DEPARTMENT,
            at=LATER,
        ),
    ),
    AppealCommand.REPLY: (
        "reply to",
        lambda a: a.reply_with(answer="Answer", basis="Rule 1", actor=DEPARTMENT, at=LATER),
    ),
    AppealCommand.PUBLISH: (
        "publish the reply of",
        lambda a: a.publish_reply(public_text="Public answer", actor=UNION_STAFF, at=LATER),
    ),
    AppealCommand.RATE: (
        "rate",
        lambda a: a.rate(
            rating=Rating.SATISFIED,
            comment="",
            reopen_deadline=None,
            actor=APPELLANT_ACTOR,
            at=LATER,
        ),
    ),
    AppealCommand.ADOPT: (
        "adopt",
        lambda a: a.adopt(department="Works", plan="Do it", actor=UNION_STAFF, at=LATER),
    ),
    AppealCommand.DECLINE: (
        "decline",
        lambda a: a.decline(explanation="Too costly", actor=UNION_STAFF, at=LATER),
    ),
    AppealCommand.CLOSE: (
        "close",
        lambda a: a.close(outcome=Outcome.RESOLVED, note="", actor=UNION_STAFF, at=LATER),
    ),
    AppealCommand.WITHDRAW: (
        "withdraw",
        lambda a: a.withdraw(reason="", actor=APPELLANT_ACTOR, at=LATER),
    ),
}

CASES = [(command, status) for command in COMMANDS for status in Status]


def allows(command: AppealCommand, status: Status) -> bool:
    """Whether the appeal's state table allows `command` in `status`."""
    return status in APPEAL_STATES.commands[command].allowed


def test_every_command_of_the_state_table_is_tried_in_every_state() -> None:
    assert set(COMMANDS) == set(APPEAL_STATES.commands) == set(AppealCommand)


@pytest.mark.parametrize(
    ("command", "status"),
    [(c, s) for c, s in CASES if not allows(c, s)],
)
def test_action_not_allowed_in_the_current_state_is_refused_naming_both(
    command: AppealCommand, status: Status
) -> None:
    action, call = COMMANDS[command]
    appeal = in_status(status)

    error = assert_refused(appeal, call, ActionNotAllowed)

    assert isinstance(error, ActionNotAllowed)
    assert error.action == action
    assert error.state == status.value
    assert f"cannot {action} an appeal that is {status.value}" in error.message
    assert appeal.status is status


@pytest.mark.parametrize(
    ("command", "status"),
    [(c, s) for c, s in CASES if allows(c, s)],
)
def test_action_allowed_in_the_current_state_records_events(
    command: AppealCommand, status: Status
) -> None:
    _, call = COMMANDS[command]
    appeal = in_status(status)
    version = appeal.version

    call(appeal)

    assert appeal.collect_events()
    assert appeal.version > version


@pytest.mark.parametrize(
    ("command", "status"),
    [(c, s) for c, s in CASES if allows(c, s)],
)
def test_allowed_action_records_its_events_and_leads_where_the_table_says(
    command: AppealCommand, status: Status
) -> None:
    _, call = COMMANDS[command]
    appeal = in_status(status)

    call(appeal)

    recorded = [type(event).__name__ for event in appeal.collect_events()]
    assert set(recorded) <= set(APPEAL_STATES.commands[command].events)
    assert appeal.status in (APPEAL_STATES.leads_to(command) or {status})


# -- raising -----------------------------------------------------------------------------


def raise_with(**changes: Any) -> Appeal:
    """A named talk-session appeal raised with some arguments changed."""
    arguments: dict[str, Any] = {
        "id": uuid4(),
        "case_number": "HY-2026-0009",
        "channel": Channel.TALK_SESSION,
        "kind": Kind.QUESTION,
        "category": "leave",
        "title": "Annual leave days",
        "text": "How many days do I get?",
        "department": "",
        "tier": Tier.TEAM_LEADERS,
        "urgency": Urgency.NORMAL,
        "appellant": APPELLANT,
        "receipt_hash": None,
        "actor": UNION_STAFF,
        "at": T0,
    }
    arguments.update(changes)
    return Appeal.raise_appeal(**arguments)


def refuse_raising(field: str, **changes: Any) -> InvalidInput:
    """Raising with these changes is refused as invalid input naming `field`."""
    with pytest.raises(InvalidInput) as refused:
        raise_with(**changes)
    assert refused.value.field == field
    return refused.value


def test_raising_with_valid_arguments_succeeds() -> None:
    assert raise_with().status is Status.RAISED


def test_anonymous_box_appeal_with_an_appellant_is_refused() -> None:
    refuse_raising("appellant", channel=Channel.ANONYMOUS_BOX, tier=None)


def test_anonymous_appeal_without_a_receipt_is_refused() -> None:
    refuse_raising("receipt", appellant=None, receipt_hash=None)


def test_named_appeal_with_a_receipt_is_refused() -> None:
    refuse_raising("receipt", receipt_hash="sha256:x")


def test_talk_session_appeal_without_a_tier_is_refused() -> None:
    refuse_raising("tier", tier=None)


def test_raising_at_a_naive_time_is_refused() -> None:
    refuse_raising("time", at=datetime(2026, 3, 2, 9, 0))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "   "),
        ("title", "x" * (limits.TITLE + 1)),
        ("text", ""),
        ("text", "x" * (limits.TEXT + 1)),
        ("category", "\n"),
        ("category", "x" * (limits.CATEGORY + 1)),
        ("department", "x" * (limits.DEPARTMENT + 1)),
    ],
)
def test_empty_or_oversized_text_is_refused_naming_the_field(field: str, value: str) -> None:
    refuse_raising(field, **{field: value})


@pytest.mark.parametrize("field", ["title", "text", "category", "department"])
def test_text_holding_a_nul_character_is_refused_naming_the_field(field: str) -> None:
    refused = refuse_raising(field, **{field: "夜班\x00食堂"})

    assert refused.reason == NUL_REFUSED


def test_text_at_exactly_its_limit_is_accepted() -> None:
    appeal = raise_with(title="x" * limits.TITLE, text="y" * limits.TEXT)

    assert len(appeal.title) == limits.TITLE


@pytest.mark.parametrize(
    ("field", "name", "employee_no", "contact"),
    [
        ("appellant.name", " ", "E1", ""),
        ("appellant.employee_no", "Li", "", ""),
        ("appellant.name", "x" * (limits.NAME + 1), "E1", ""),
        ("appellant.contact", "Li", "E1", "x" * (limits.CONTACT + 1)),
    ],
)
def test_appellant_without_name_or_number_or_with_oversized_fields_is_refused(
    field: str, name: str, employee_no: str, contact: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        Appellant(name, employee_no, contact)
    assert refused.value.field == field


# -- answering and transferring ----------------------------------------------------------


def test_answer_on_the_spot_is_refused_for_channels_not_face_to_face() -> None:
    appeal = raise_named(channel=Channel.URGENT)

    error = assert_refused(appeal, COMMANDS[AppealCommand.ANSWER_ON_SPOT][1], ActionNotAllowed)

    assert isinstance(error, ActionNotAllowed)
    assert error.state == Status.RAISED.value
    assert "urgent" in error.message


def test_answer_on_the_spot_needs_an_answer() -> None:
    assert_invalid(
        raise_named(),
        lambda a: a.answer_on_spot(answer=" ", basis="", close=True, actor=UNION_STAFF, at=LATER),
        "answer",
    )


def test_transfer_with_a_deadline_in_the_past_is_refused() -> None:
    assert_invalid(
        raise_named(),
        lambda a: a.transfer(
            department="Finance",
            supervisor=SUPERVISOR,
            reply_deadline=reply_deadline(-1),
            actor=UNION_STAFF,
            at=T0,
        ),
        "deadline",
    )


def test_transfer_needs_a_department_and_a_supervisor() -> None:
    def transfer_to(department: str, supervisor: str) -> Command:
        return lambda a: a.transfer(
            department=department,
            supervisor=supervisor,
            reply_deadline=reply_deadline(7),
            actor=UNION_STAFF,
            at=LATER,
        )

    assert_invalid(raise_named(), transfer_to("", SUPERVISOR), "department")
    assert_invalid(raise_named(), transfer_to("Finance", ""), "supervisor")


@pytest.mark.parametrize("status", [Status.TRANSFERRED, Status.ACKNOWLEDGED])
def test_retransfer_to_the_same_department_is_refused(status: Status) -> None:
    appeal = in_status(status)

    assert_invalid(
        appeal,
        lambda a: a.retransfer(
            department=" Finance ",
            reason="Try again",
            reply_deadline=reply_deadline(8),
            supervisor=None,
            actor=UNION_STAFF,
            at=LATER,
        ),
        "department",
    )
    assert len(appeal.transfers) == 1


def test_retransfer_needs_a_reason() -> None:
    assert_invalid(
        in_status(Status.TRANSFERRED),
        lambda a: a.retransfer(
            department="HR",
            reason="",
            reply_deadline=reply_deadline(8),
            supervisor=None,
            actor=UNION_STAFF,
            at=LATER,
        ),
        "reason",
    )


# -- extending the deadline --------------------------------------------------------------


def extend_to(deadline: Deadline, when: datetime = LATER) -> Command:
    """A command extending the reply deadline to `deadline`."""
    return lambda a: a.extend_deadline(
        reply_deadline=deadline,
        reason="More time",
        approved_by=SUPERVISOR,
        actor=DEPARTMENT,
        at=when,
    )


@pytest.mark.parametrize("days", [7, 6, 2])
def test_extension_not_later_than_the_current_deadline_is_refused(days: int) -> None:
    appeal = in_status(Status.TRANSFERRED)

    assert_invalid(appeal, extend_to(reply_deadline(days)), "deadline")
    assert appeal.reply_deadline == reply_deadline(7)


def test_extension_to_a_moment_already_past_is_refused() -> None:
    appeal = in_status(Status.TRANSFERRED)

    assert_invalid(appeal, extend_to(reply_deadline(8), when=at(24 * 9)), "deadline")


def test_extension_needs_a_reason_and_an_approver() -> None:
    appeal = in_status(Status.ACKNOWLEDGED)

    assert_invalid(
        appeal,
        lambda a: a.extend_deadline(
            reply_deadline=reply_deadline(9),
            reason="",
            approved_by=SUPERVISOR,
            actor=DEPARTMENT,
            at=LATER,
        ),
        "reason",
    )
    assert_invalid(
        appeal,
        lambda a: a.extend_deadline(
            reply_deadline=reply_deadline(9),
            reason="Late",
            approved_by=" ",
            actor=DEPARTMENT,
            at=LATER,
        ),
        "approved_by",
    )


# -- replying and publishing -------------------------------------------------------------


@pytest.mark.parametrize("basis", ["", "   "])
def test_reply_without_a_basis_is_refused(basis: str) -> None:
    assert_invalid(
        in_status(Status.ACKNOWLEDGED),
        lambda a: a.reply_with(answer="Paid in March", basis=basis, actor=DEPARTMENT, at=LATER),
        "basis",
    )


def test_reply_without_an_answer_is_refused() -> None:
    assert_invalid(
        in_status(Status.TRANSFERRED),
        lambda a: a.reply_with(answer="", basis="Rule 1", actor=DEPARTMENT, at=LATER),
        "answer",
    )


def test_reply_with_an_oversized_basis_is_refused() -> None:
    assert_invalid(
        in_status(Status.TRANSFERRED),
        lambda a: a.reply_with(
            answer="Yes", basis="x" * (limits.BASIS + 1), actor=DEPARTMENT, at=LATER
        ),
        "basis",
    )


@pytest.mark.parametrize(
    ("public_text", "found"),
    [
        ("Answer to 张伟: paid in March.", "the appellant's name"),
        ("答复张 伟：三月发放。", "the appellant's name"),
        ("Employee e1001 will be paid in March.", "the appellant's employee number"),
        ("工号 E-1001 的补贴三月发放。", "the appellant's employee number"),
        ("Call 13800001111 with questions.", "the appellant's contact"),
        ("如有疑问请致电138-0000-1111。", "the appellant's contact"),
        ("如有疑问请致电１３８ ００００ １１１１。", "the appellant's contact"),
        ("值班电话 139 1234 5678。", "a mobile phone number"),
    ],
)
def test_public_text_carrying_personal_data_is_refused_without_echoing_it(
    public_text: str, found: str
) -> None:
    appeal = in_status(Status.REPLIED)

    error = assert_refused(
        appeal,
        lambda a: a.publish_reply(public_text=public_text, actor=UNION_STAFF, at=LATER),
        InvalidInput,
    )

    assert isinstance(error, InvalidInput)
    assert error.field == "public_text"
    assert error.reason.startswith(f"contains {found};")
    assert not any(value in error.message for value in ("张伟", "1001", "1111", "5678"))
    assert appeal.public_text is None


def test_an_anonymous_appeals_answer_is_still_refused_anyones_phone_number() -> None:
    appeal = raise_anonymous()
    for step in (transfer, acknowledge, reply):
        step(appeal)
    appeal.collect_events()

    assert_invalid(
        appeal,
        lambda a: a.publish_reply(
            public_text="请联系班长，电话 136-5555-4444。", actor=UNION_STAFF, at=LATER
        ),
        "public_text",
    )


def test_public_text_with_case_numbers_dates_and_amounts_is_published() -> None:
    appeal = in_status(Status.REPLIED)
    text = "HY-2026-000123：自2026-12-01起夜班补贴提高至1,380.50元，增幅13.5%，依据第12条。"

    appeal.publish_reply(public_text=text, actor=UNION_STAFF, at=LATER)

    assert appeal.public_text == text


def test_empty_public_text_is_refused() -> None:
    assert_invalid(
        in_status(Status.REPLIED),
        lambda a: a.publish_reply(public_text="  ", actor=UNION_STAFF, at=LATER),
        "public_text",
    )


# -- rating ------------------------------------------------------------------------------


def rate_as(actor: Actor, rating: Rating = Rating.SATISFIED) -> Command:
    """A command rating the answer as `actor`."""
    return lambda a: a.rate(
        rating=rating,
        comment="",
        reopen_deadline=reply_deadline(14),
        actor=actor,
        at=LATER,
    )


@pytest.mark.parametrize("actor", [APPELLANT_ACTOR, UNION_STAFF, OTHER_EMPLOYEE])
def test_only_the_anonymous_actor_may_rate_an_anonymous_appeal(actor: Actor) -> None:
    appeal = raise_anonymous()
    transfer(appeal)
    reply(appeal)
    publish(appeal)

    assert_refused(appeal, rate_as(actor), NotPermitted)


def test_dissatisfied_rating_of_a_transferred_appeal_without_a_new_deadline_is_refused() -> None:
    appeal = in_status(Status.PUBLISHED)

    assert_invalid(
        appeal,
        lambda a: a.rate(
            rating=Rating.DISSATISFIED,
            comment="",
            reopen_deadline=None,
            actor=APPELLANT_ACTOR,
            at=LATER,
        ),
        "deadline",
    )
    assert appeal.status is Status.PUBLISHED
    assert appeal.rating is None


def test_dissatisfied_rating_with_a_new_deadline_in_the_past_is_refused() -> None:
    appeal = in_status(Status.PUBLISHED)

    assert_invalid(
        appeal,
        lambda a: a.rate(
            rating=Rating.DISSATISFIED,
            comment="",
            reopen_deadline=reply_deadline(0.5),
            actor=APPELLANT_ACTOR,
            at=LATER,
        ),
        "deadline",
    )


def test_oversized_rating_comment_is_refused() -> None:
    assert_invalid(
        in_status(Status.PUBLISHED),
        lambda a: a.rate(
            rating=Rating.SATISFIED,
            comment="x" * (limits.COMMENT + 1),
            reopen_deadline=None,
            actor=APPELLANT_ACTOR,
            at=LATER,
        ),
        "comment",
    )


# -- suggestions, closing, withdrawing ---------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.QUESTION, Kind.COMPLAINT, Kind.HARDSHIP])
@pytest.mark.parametrize("command", [AppealCommand.ADOPT, AppealCommand.DECLINE])
def test_only_suggestions_can_be_adopted_or_declined(kind: Kind, command: AppealCommand) -> None:
    appeal = in_status(Status.RAISED, kind=kind)

    error = assert_refused(appeal, COMMANDS[command][1], ActionNotAllowed)

    assert isinstance(error, ActionNotAllowed)
    assert error.action == command
    assert kind.value in error.message


def test_declining_a_suggestion_needs_an_explanation() -> None:
    assert_invalid(
        in_status(Status.RAISED),
        lambda a: a.decline(explanation="", actor=UNION_STAFF, at=LATER),
        "explanation",
    )


def test_adopting_a_suggestion_needs_a_department_and_a_plan() -> None:
    appeal = in_status(Status.RAISED)

    assert_invalid(
        appeal,
        lambda a: a.adopt(department="", plan="Do", actor=UNION_STAFF, at=LATER),
        "department",
    )
    assert_invalid(
        appeal, lambda a: a.adopt(department="Works", plan="", actor=UNION_STAFF, at=LATER), "plan"
    )


@pytest.mark.parametrize("status", [Status.ANSWERED, Status.RATED, Status.ADOPTED])
def test_closing_with_outcome_declined_is_refused(status: Status) -> None:
    assert_invalid(
        in_status(status),
        lambda a: a.close(outcome=Outcome.DECLINED, note="", actor=UNION_STAFF, at=LATER),
        "outcome",
    )


def test_only_the_anonymous_actor_may_withdraw_an_anonymous_appeal() -> None:
    assert_refused(
        raise_anonymous(),
        lambda a: a.withdraw(reason="", actor=APPELLANT_ACTOR, at=LATER),
        NotPermitted,
    )


# -- naive datetimes ---------------------------------------------------------------------

NAIVE = datetime(2026, 3, 3, 9, 0)


def naive_deadline() -> Deadline:
    """A deadline whose due time has no time zone."""
    return Deadline(
        due=NAIVE + timedelta(days=7), act=DeadlineAct.REPLY, rule="reply.default", basis="b"
    )


def answer_on_spot_at(appeal: Appeal, when: datetime) -> None:
    """Answers on the spot at `when`."""
    appeal.answer_on_spot(answer="Yes", basis="", close=True, actor=UNION_STAFF, at=when)


@pytest.mark.parametrize(
    ("status", "command"),
    [
        (Status.RAISED, lambda a: answer_on_spot_at(a, NAIVE)),
        (
            Status.RAISED,
            lambda a: a.transfer(
                department="Finance",
                supervisor=SUPERVISOR,
                reply_deadline=reply_deadline(7),
                actor=UNION_STAFF,
                at=NAIVE,
            ),
        ),
        (
            Status.TRANSFERRED,
            lambda a: a.retransfer(
                department="HR",
                reason="HR's",
                reply_deadline=reply_deadline(8),
                supervisor=None,
                actor=UNION_STAFF,
                at=NAIVE,
            ),
        ),
        (Status.TRANSFERRED, lambda a: a.acknowledge(note="", actor=DEPARTMENT, at=NAIVE)),
        (Status.TRANSFERRED, extend_to(reply_deadline(9), when=NAIVE)),
        (
            Status.TRANSFERRED,
            lambda a: a.reply_with(answer="A", basis="B", actor=DEPARTMENT, at=NAIVE),
        ),
        (
            Status.REPLIED,
            lambda a: a.publish_reply(public_text="Public", actor=UNION_STAFF, at=NAIVE),
        ),
        (
            Status.PUBLISHED,
            lambda a: a.rate(
                rating=Rating.SATISFIED,
                comment="",
                reopen_deadline=None,
                actor=APPELLANT_ACTOR,
                at=NAIVE,
            ),
        ),
        (
            Status.RAISED,
            lambda a: a.adopt(department="Works", plan="Do", actor=UNION_STAFF, at=NAIVE),
        ),
        (Status.RAISED, lambda a: a.decline(explanation="No", actor=UNION_STAFF, at=NAIVE)),
        (
            Status.ANSWERED,
            lambda a: a.close(outcome=Outcome.RESOLVED, note="", actor=UNION_STAFF, at=NAIVE),
        ),
        (Status.RAISED, lambda a: a.withdraw(reason="", actor=APPELLANT_ACTOR, at=NAIVE)),
    ],
)
def test_commands_at_a_naive_time_are_refused(status: Status, command: Command) -> None:
    assert_invalid(in_status(status), command, "time")


@pytest.mark.parametrize(
    ("status", "command"),
    [
        (
            Status.RAISED,
            lambda a: a.transfer(
                department="Finance",
                supervisor=SUPERVISOR,
                reply_deadline=naive_deadline(),
                actor=UNION_STAFF,
                at=LATER,
            ),
        ),
        (Status.TRANSFERRED, extend_to(naive_deadline())),
    ],
)
def test_deadlines_without_a_time_zone_are_refused(status: Status, command: Command) -> None:
    assert_invalid(in_status(status), command, "time")
