"""Appeal commands (one POST each). The reads (the list, one appeal now, at a version or as of
a time, its history) are in `api.routes.appeal_reads`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Response, status

from api.auth import require
from api.deps import (
    CaseworkDep,
    ExpectedVersionDep,
    IdempotencyKeyDep,
    etag,
    replayed,
)
from api.schemas.appeals import (
    AcknowledgeIn,
    AdoptIn,
    AnswerOnSpot,
    AppealCloseIn,
    AppealCreate,
    AppealWithdrawIn,
    CommandRead,
    ContactIn,
    DeclineIn,
    ExtendDeadlineIn,
    PublishIn,
    RateIn,
    ReplyIn,
    RetransferIn,
    TransferIn,
)
from application.casework import CommandResult
from domain.actors import Actor
from domain.policy import Permission

router = APIRouter(prefix="/appeals", tags=["appeals"])

AppealId = Annotated[UUID, "the appeal's id"]


def _done(result: CommandResult, response: Response) -> CommandRead:
    response.headers["ETag"] = etag(result.version)
    return CommandRead(**result.__dict__)


@router.post("", status_code=status.HTTP_201_CREATED, response_model_exclude_none=True)
def raise_appeal(
    body: AppealCreate,
    actor: Annotated[Actor, require(Permission.APPEAL_RAISE)],
    casework: CaseworkDep,
    response: Response,
    key: IdempotencyKeyDep,
) -> CommandRead:
    """Raise an appeal (诉求). Anonymous when `appellant` is left out: keep the receipt code.

    Send an `Idempotency-Key` to make a retry safe: the same request with the same key
    answers with the appeal (and receipt code) the first created, marked
    `Idempotent-Replayed: true`."""
    result = casework.raise_appeal(body.draft(), actor, key=key)
    response.headers["Location"] = f"/appeals/{result.id}"
    replayed(response, result.replayed)
    return _done(result, response)


@router.post("/{appeal_id}/answer-on-spot")
def answer_on_spot(
    appeal_id: AppealId,
    body: AnswerOnSpot,
    actor: Annotated[Actor, require(Permission.APPEAL_ANSWER_ON_SPOT)],
    casework: CaseworkDep,
    version: ExpectedVersionDep,
    response: Response,
) -> CommandRead:
    """Record an answer given on the spot (现场答复), optionally closing the appeal."""
    result = casework.answer_on_spot(
        appeal_id,
        answer=body.answer,
        basis=body.basis,
        close=body.close,
        actor=actor,
        expected_version=version,
    )
    return _done(result, response)


@router.post("/{appeal_id}/transfer")
def transfer(
    appeal_id: AppealId,
    body: TransferIn,
    actor: Annotated[Actor, require(Permission.APPEAL_TRANSFER)],
    casework: CaseworkDep,
    version: ExpectedVersionDep,
    response: Response,
) -> CommandRead:
    """Transfer to the responsible department (转办) with a working-day deadline."""
    result = casework.transfer(
        appeal_id,
        department=body.department,
        supervisor=body.supervisor,
        supervisor_reason=body.supervisor_reason,
        deadline=body.deadline,
        actor=actor,
        expected_version=version,
    )
    return _done(result, response)


@router.post("/{appeal_id}/retransfer")
def retransfer(
    appeal_id: AppealId,
    body: RetransferIn,
    actor: Annotated[Actor, require(Permission.APPEAL_TRANSFER)],
    casework: CaseworkDep,
    version: ExpectedVersionDep,
    response: Response,
) -> CommandRead:
    """Hand the appeal on to another department, with a reason."""
    result = casework.retransfer(
        appeal_id,
        department=body.department,
        reason=body.reason,
        supervisor=body.supervisor,
        supervisor_reason=body.supervisor_reason,
        deadline=body.deadline,
        actor=actor,
        expected_version=version,
    )
    return _done(result, response)


@router.post("/{appeal_id}/contact")
def contact(
    appeal_id: AppealId,
    body: ContactIn,
    actor: Annotated[Actor, require(Permission.APPEAL_CONTACT)],
    casework: CaseworkDep,
    version: ExpectedVersionDep,
    response: Response,
) -> CommandRead:
    """Record that the appellant was reached, and how: the first response (首次响应) if
    nothing answered them before, stopping the first-response clock."""
    result = casework.contact(appeal_id, note=body.note, actor=actor, expected_version=version)
    return _done(result, response)


@router.post("/{appeal_id}/acknowledge")
def acknowledge(
    appeal_id: AppealId,
    body: AcknowledgeIn,
    actor: Annotated[Actor, require(Permission.APPEAL_RESPOND)],
    casework: CaseworkDep,
    version: ExpectedVersionDep,
    response: Response,
) -> CommandRead:
    """Record the department's first response."""
    result = casework.acknowledge(appeal_id, note=body.note, actor=actor, expected_version=version)
    return _done(result, response)


@router.post("/{appeal_id}/extend-deadline")
def extend_deadline(
    appeal_id: AppealId,
    body: ExtendDeadlineIn,
    actor: Annotated[Actor, require(Permission.APPEAL_EXTEND_DEADLINE)],
    casework: CaseworkDep,
    version: ExpectedVersionDep,
    response: Response,
) -> CommandRead:
    """Extend the reply deadline, with the reason and who approved it."""
    result = casework.extend_deadline(
        appeal_id,
        deadline=body.deadline,
        reason=body.reason,
        approved_by=body.approved_by,
        actor=actor,
        expected_version=version,
    )
    return _done(result, response)


@router.post("/{appeal_id}/reply")
def reply(
    appeal_id: AppealId,
    body: ReplyIn,
    actor: Annotated[Actor, require(Permission.APPEAL_RESPOND)],
    casework: CaseworkDep,
    version: ExpectedVersionDep,
    response: Response,
) -> CommandRead:
    """Record the department's reply and its basis (依据)."""
    result = casework.reply(
        appeal_id, answer=body.answer, basis=body.basis, actor=actor, expected_version=version
    )
    return _done(result, response)


@router.post("/{appeal_id}/publish")
def publish_answer(
    appeal_id: AppealId,
    body: PublishIn,
    actor: Annotated[Actor, require(Permission.APPEAL_PUBLISH)],
    casework: CaseworkDep,
    version: ExpectedVersionDep,
    response: Response,
) -> CommandRead:
    """Publish the answer (公示); refused if the text carries the appellant's personal data."""
    result = casework.publish_reply(
        appeal_id, public_text=body.public_text, actor=actor, expected_version=version
    )
    return _done(result, response)


@router.post("/{appeal_id}/rate")
def rate_answer(
    appeal_id: AppealId,
    body: RateIn,
    actor: Annotated[Actor, require(Permission.APPEAL_RATE)],
    casework: CaseworkDep,
    version: ExpectedVersionDep,
    response: Response,
) -> CommandRead:
    """The appellant rates the answer; dissatisfied reopens the appeal."""
    result = casework.rate(
        appeal_id, rating=body.rating, comment=body.comment, actor=actor, expected_version=version
    )
    return _done(result, response)


@router.post("/{appeal_id}/adopt")
def adopt(
    appeal_id: AppealId,
    body: AdoptIn,
    actor: Annotated[Actor, require(Permission.APPEAL_DECIDE)],
    casework: CaseworkDep,
    version: ExpectedVersionDep,
    response: Response,
) -> CommandRead:
    """Adopt a suggestion and hand it to a department to implement."""
    result = casework.adopt(
        appeal_id, department=body.department, plan=body.plan, actor=actor, expected_version=version
    )
    return _done(result, response)


@router.post("/{appeal_id}/decline")
def decline(
    appeal_id: AppealId,
    body: DeclineIn,
    actor: Annotated[Actor, require(Permission.APPEAL_DECIDE)],
    casework: CaseworkDep,
    version: ExpectedVersionDep,
    response: Response,
) -> CommandRead:
    """Decline a suggestion with a reasoned explanation (论证说明)."""
    result = casework.decline(
        appeal_id, explanation=body.explanation, actor=actor, expected_version=version
    )
    return _done(result, response)


@router.post("/{appeal_id}/close")
def close(
    appeal_id: AppealId,
    body: AppealCloseIn,
    actor: Annotated[Actor, require(Permission.APPEAL_CLOSE)],
    casework: CaseworkDep,
    version: ExpectedVersionDep,
    response: Response,
) -> CommandRead:
    """Close the appeal (办结) as resolved or explained."""
    result = casework.close_appeal(
        appeal_id, outcome=body.outcome, note=body.note, actor=actor, expected_version=version
    )
    return _done(result, response)


@router.post("/{appeal_id}/withdraw")
def withdraw_appeal(
    appeal_id: AppealId,
    body: AppealWithdrawIn,
    actor: Annotated[Actor, require(Permission.APPEAL_WITHDRAW)],
    casework: CaseworkDep,
    version: ExpectedVersionDep,
    response: Response,
) -> CommandRead:
    """The appellant withdraws the appeal."""
    result = casework.withdraw(appeal_id, reason=body.reason, actor=actor, expected_version=version)
    return _done(result, response)
