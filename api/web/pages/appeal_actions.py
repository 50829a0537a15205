"""What can be done to an appeal from its case page: each command of `POST /appeals/{id}/…`
with the permission its route names, the body it takes (`api.schemas.appeals`), the use
case it calls, and the message the page shows after it.

A form is offered only when it could succeed for this reader on this case now: the state
table allows the command (`domain.appeal_states`), the policy lets the reader's role use it
on this case (`domain.policy.may`, on the case's parties), and the case is of the kind the
command is for (the conditions `domain.appeal.Appeal` checks beyond the state, read from
the same domain values). The use case checks all of it again when the form is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from api.schemas.appeals import (
    AcknowledgeIn,
    AdoptIn,
    AnswerOnSpot,
    AppealCloseIn,
    AppealWithdrawIn,
    ContactIn,
    DeclineIn,
    ExtendDeadlineIn,
    PublishIn,
    RateIn,
    ReplyIn,
    RetransferIn,
    TransferIn,
)
from api.schemas.bodies import Body
from application.aggregates import parties_of
from application.casework import Casework, CommandResult
from domain.actors import Actor
from domain.appeal import Appeal
from domain.appeal_states import APPEAL_STATES, AppealCommand
from domain.policy import Permission, may
from domain.terms import FACE_TO_FACE, Kind

#: A use case called with the appeal's id, the checked body, the actor and the version the
#: page showed (If-Match, as the form sends it).
Run = Callable[[Casework, UUID, Any, Actor, int], CommandResult]


@dataclass(frozen=True)
class Action:
    """One command as the case page offers it."""

    command: AppealCommand
    permission: Permission  # the one its JSON route names
    schema: type[Body]  # the body its JSON route takes
    label: str  # what the form is called (Chinese; the catalogue translates)
    done: str  # the message after it
    run: Run
    #: The case's own condition beyond its state (the domain's, by the same values).
    offered: Callable[[Appeal], bool] = lambda appeal: True
    #: Confirmed on a preview page first (the transfers: the deadline they give).
    previewed: bool = False


def _named(appeal: Appeal) -> bool:
    """A named appeal: someone can reach its appellant, and act for them; an anonymous
    one is rated and withdrawn only by the holder of its receipt code."""
    return not appeal.anonymous


def _suggestion(appeal: Appeal) -> bool:
    return appeal.kind is Kind.SUGGESTION


def _face_to_face(appeal: Appeal) -> bool:
    return appeal.channel in FACE_TO_FACE


#: The forms, in the order the page shows them.
ACTIONS: tuple[Action, ...] = (
    Action(
        AppealCommand.ACKNOWLEDGE,
        Permission.APPEAL_RESPOND,
        AcknowledgeIn,
        "响应（已收到，正在办理）",
        "已响应",
        lambda cw, id, b, a, v: cw.acknowledge(id, note=b.note, actor=a, expected_version=v),
    ),
    Action(
        AppealCommand.REPLY,
        Permission.APPEAL_RESPOND,
        ReplyIn,
        "答复（附依据）",
        "已答复",
        lambda cw, id, b, a, v: cw.reply(
            id, answer=b.answer, basis=b.basis, actor=a, expected_version=v
        ),
    ),
    Action(
        AppealCommand.TRANSFER,
        Permission.APPEAL_TRANSFER,
        TransferIn,
        "转办到责任部门",
        "已转办",
        lambda cw, id, b, a, v: cw.transfer(
            id,
            department=b.department,
            supervisor=b.supervisor,
            supervisor_reason=b.supervisor_reason,
            deadline=b.deadline,
            actor=a,
            expected_version=v,
        ),
        previewed=True,
    ),
    Action(
        AppealCommand.RETRANSFER,
        Permission.APPEAL_TRANSFER,
        RetransferIn,
        "改派到其他部门",
        "已改派",
        lambda cw, id, b, a, v: cw.retransfer(
            id,
            department=b.department,
            reason=b.reason,
            supervisor=b.supervisor,
            supervisor_reason=b.supervisor_reason,
            deadline=b.deadline,
            actor=a,
            expected_version=v,
        ),
        previewed=True,
    ),
    Action(
        AppealCommand.ANSWER_ON_SPOT,
        Permission.APPEAL_ANSWER_ON_SPOT,
        AnswerOnSpot,
        "现场答复并记录",
        "已记录现场答复",
        lambda cw, id, b, a, v: cw.answer_on_spot(
            id, answer=b.answer, basis=b.basis, close=b.close, actor=a, expected_version=v
        ),
        offered=_face_to_face,
    ),
    Action(
        AppealCommand.CONTACT,
        Permission.APPEAL_CONTACT,
        ContactIn,
        "记录已联系诉求人",
        "已记录联系情况",
        lambda cw, id, b, a, v: cw.contact(id, note=b.note, actor=a, expected_version=v),
        offered=_named,
    ),
    Action(
        AppealCommand.EXTEND_DEADLINE,
        Permission.APPEAL_EXTEND_DEADLINE,
        ExtendDeadlineIn,
        "延长答复时限",
        "已延长答复时限",
        lambda cw, id, b, a, v: cw.extend_deadline(
            id,
            deadline=b.deadline,
            reason=b.reason,
            approved_by=b.approved_by,
            actor=a,
            expected_version=v,
        ),
    ),
    Action(
        AppealCommand.PUBLISH,
        Permission.APPEAL_PUBLISH,
        PublishIn,
        "公示答复",
        "已公示",
        lambda cw, id, b, a, v: cw.publish_reply(
            id, public_text=b.public_text, actor=a, expected_version=v
        ),
    ),
    Action(
        AppealCommand.ADOPT,
        Permission.APPEAL_DECIDE,
        AdoptIn,
        "采纳建议",
        "已采纳",
        lambda cw, id, b, a, v: cw.adopt(
            id, department=b.department, plan=b.plan, actor=a, expected_version=v
        ),
        offered=_suggestion,
    ),
    Action(
        AppealCommand.DECLINE,
        Permission.APPEAL_DECIDE,
        DeclineIn,
        "不予采纳（附论证说明）",
        "已答复不予采纳",
        lambda cw, id, b, a, v: cw.decline(
            id, explanation=b.explanation, actor=a, expected_version=v
        ),
        offered=_suggestion,
    ),
    Action(
        AppealCommand.CLOSE,
        Permission.APPEAL_CLOSE,
        AppealCloseIn,
        "办结",
        "已办结",
        lambda cw, id, b, a, v: cw.close_appeal(
            id, outcome=b.outcome, note=b.note, actor=a, expected_version=v
        ),
    ),
    Action(
        AppealCommand.RATE,
        Permission.APPEAL_RATE,
        RateIn,
        "评价答复",
        "感谢你的评价",
        lambda cw, id, b, a, v: cw.rate(
            id, rating=b.rating, comment=b.comment, actor=a, expected_version=v
        ),
        offered=_named,
    ),
    Action(
        AppealCommand.WITHDRAW,
        Permission.APPEAL_WITHDRAW,
        AppealWithdrawIn,
        "撤回诉求",
        "诉求已撤回",
        lambda cw, id, b, a, v: cw.withdraw(id, reason=b.reason, actor=a, expected_version=v),
        offered=_named,
    ),
)

BY_COMMAND = {action.command: action for action in ACTIONS}


def offered(appeal: Appeal, actor: Actor) -> list[Action]:
    """The forms `actor` may use on `appeal` as it stands."""
    parties = parties_of(appeal)
    return [
        action
        for action in ACTIONS
        if APPEAL_STATES.allows(action.command, appeal.status)
        and may(actor, action.permission, parties)
        and action.offered(appeal)
    ]
