"""Penalty and card commands (one POST each) and reads (current, at a version, history)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response, status

from api.auth import require
from api.deps import AccountabilityDep, ExpectedVersionDep, IdempotencyKeyDep, etag
from api.routes.meetings import done
from api.schemas.accountability import (
    AppealAccountabilityRead,
    CardEvaluateIn,
    CardEvaluationRead,
    CardRead,
    PenaltyCreate,
    PenaltyRead,
    ReasonIn,
    RectifyIn,
)
from api.schemas.meetings import ItemCommandRead, ItemHistoryRead, event_read
from domain import limits
from domain.actors import Actor
from domain.card import Card, Period
from domain.errors import InvalidInput
from domain.penalty import Penalty
from domain.policy import Permission

router = APIRouter(tags=["accountability"])

PenaltyId = Annotated[UUID, "the penalty's id"]
CardId = Annotated[UUID, "the card's id"]
VersionQuery = Annotated[int | None, Query(ge=1, description="as it stood at this version")]


# -- penalties -----------------------------------------------------------------------------


@router.post("/penalties", status_code=status.HTTP_201_CREATED)
def record_penalty(
    body: PenaltyCreate,
    actor: Annotated[Actor, require(Permission.PENALTY_RECORD)],
    accountability: AccountabilityDep,
    response: Response,
    key: IdempotencyKeyDep,
) -> ItemCommandRead:
    """Record perfunctory handling (搪塞应付、推诿扯皮, −1): only the appeal's supervisor."""
    result = accountability.record_perfunctory_handling(
        body.appeal_id, reason=body.reason, head_id=body.head_id, actor=actor, key=key
    )
    response.headers["Location"] = f"/penalties/{result.id}"
    return done(result, response)


@router.post("/penalties/{penalty_id}/contest")
def contest(
    penalty_id: PenaltyId,
    body: ReasonIn,
    actor: Annotated[Actor, require(Permission.PENALTY_CONTEST)],
    accountability: AccountabilityDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """The penalised department contests the penalty, saying why."""
    result = accountability.contest(
        penalty_id, reason=body.reason, actor=actor, expected_version=version
    )
    return done(result, response)


@router.post("/penalties/{penalty_id}/reverse")
def reverse(
    penalty_id: PenaltyId,
    body: ReasonIn,
    actor: Annotated[Actor, require(Permission.PENALTY_DECIDE)],
    accountability: AccountabilityDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """The committee reverses the penalty, saying why; the original stays in history."""
    result = accountability.reverse(
        penalty_id, reason=body.reason, actor=actor, expected_version=version
    )
    return done(result, response)


@router.post("/penalties/{penalty_id}/reject-contest")
def reject_contest(
    penalty_id: PenaltyId,
    body: ReasonIn,
    actor: Annotated[Actor, require(Permission.PENALTY_DECIDE)],
    accountability: AccountabilityDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """The committee keeps a contested penalty, saying why."""
    result = accountability.reject_contest(
        penalty_id, reason=body.reason, actor=actor, expected_version=version
    )
    return done(result, response)


@router.get("/penalties/{penalty_id}")
def get_penalty(
    penalty_id: PenaltyId,
    actor: Annotated[Actor, require(Permission.PENALTY_READ)],
    accountability: AccountabilityDep,
    response: Response,
    version: VersionQuery = None,
) -> PenaltyRead:
    """The penalty now or at a version; ETag is its version."""
    penalty = accountability.read_penalty(penalty_id, actor, version)
    response.headers["ETag"] = etag(penalty.version)
    return PenaltyRead.of(penalty)


@router.get("/penalties/{penalty_id}/history")
def penalty_history(
    penalty_id: PenaltyId,
    actor: Annotated[Actor, require(Permission.PENALTY_READ)],
    accountability: AccountabilityDep,
) -> ItemHistoryRead:
    """Every event of the penalty in order: recorded, contested, reversed..."""
    history = accountability.read_history(Penalty, penalty_id, actor)
    return ItemHistoryRead(id=penalty_id, events=[event_read(e) for e in history])


# -- cards ---------------------------------------------------------------------------------


@router.post("/departments/{department}/cards/evaluate")
def evaluate_cards(
    department: Annotated[str, Path(min_length=1, max_length=limits.DEPARTMENT)],
    body: CardEvaluateIn,
    actor: Annotated[Actor, require(Permission.CARD_ISSUE)],
    accountability: AccountabilityDep,
) -> CardEvaluationRead:
    """Count the department's penalties over the period and issue the card they call for."""
    if (body.period_start is None) != (body.period_end is None):
        raise InvalidInput("period_end", "give both period_start and period_end, or neither")
    if body.period_start is not None and body.period_end is not None:
        period = Period(body.period_start, body.period_end)
    else:
        period = accountability.current_period()
    records = accountability.penalty_records(department, period, body.penalty_ids)
    evaluation = accountability.evaluate_cards(department, period, records, actor=actor)
    return CardEvaluationRead.of(evaluation)


@router.post("/cards/{card_id}/rectify")
def rectify(
    card_id: CardId,
    body: RectifyIn,
    actor: Annotated[Actor, require(Permission.CARD_RECTIFY)],
    accountability: AccountabilityDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Record the department's rectification (整改), by the deadline; the card is cleared."""
    result = accountability.rectify_card(
        card_id, note=body.note, actor=actor, expected_version=version
    )
    return done(result, response)


@router.post("/cards/{card_id}/escalate")
def escalate(
    card_id: CardId,
    actor: Annotated[Actor, require(Permission.CARD_ISSUE)],
    accountability: AccountabilityDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ItemCommandRead:
    """Escalate an unrectified card past its deadline: yellow → red card, red → committee."""
    result = accountability.escalate_card(card_id, actor=actor, expected_version=version)
    return done(result, response)


@router.get("/cards/{card_id}")
def get_card(
    card_id: CardId,
    actor: Annotated[Actor, require(Permission.PENALTY_READ)],
    accountability: AccountabilityDep,
    response: Response,
    version: VersionQuery = None,
) -> CardRead:
    """The card now or at a version; ETag is its version."""
    card = accountability.read_card(card_id, actor, version)
    response.headers["ETag"] = etag(card.version)
    return CardRead.of(card)


@router.get("/cards/{card_id}/history")
def card_history(
    card_id: CardId,
    actor: Annotated[Actor, require(Permission.PENALTY_READ)],
    accountability: AccountabilityDep,
) -> ItemHistoryRead:
    """Every event of the card in order: issued, rectified or escalated."""
    history = accountability.read_history(Card, card_id, actor)
    return ItemHistoryRead(id=card_id, events=[event_read(e) for e in history])


# -- appeals -------------------------------------------------------------------------------


@router.get("/appeals/{appeal_id}/accountability")
def appeal_accountability(
    appeal_id: Annotated[UUID, "the appeal's id"],
    actor: Annotated[Actor, require(Permission.APPEAL_READ)],
    accountability: AccountabilityDep,
) -> AppealAccountabilityRead:
    """How often the appeal was transferred; three or more is flagged (推诿扯皮) to judge."""
    return AppealAccountabilityRead.of(accountability.buck_check(appeal_id, actor))
