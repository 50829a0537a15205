"""Erasure (个人信息删除, PIPL art. 47): a committee member asks, another confirms, and the
person's data keys are destroyed; their data then reads as erased everywhere."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response, status

from api.auth import require
from api.deps import ExpectedVersionDep, ServicesDep, etag
from api.personal_data import sees_identity
from api.schemas.erasures import CancelIn, ErasureIn, ErasureRead
from api.schemas.meetings import ItemHistoryRead, event_read
from domain.actors import Actor
from domain.policy import Permission

router = APIRouter(tags=["personal data"])

Subject = Annotated[str, Path(max_length=100, description="the person's id (employee number)")]


def _read(
    services: ServicesDep,
    erasure_id: UUID,
    actor: Actor,
    response: Response,
    position: int | None = None,
) -> ErasureRead:
    erasure = services.erasures.read(erasure_id, actor)
    response.headers["ETag"] = etag(erasure.version)
    return ErasureRead.of(erasure, sees_identity(actor, erasure), position)


@router.post(
    "/people/{subject}/erasure",
    status_code=status.HTTP_201_CREATED,
    summary="Ask for a person's data to be erased",
)
def request_erasure(
    subject: Subject,
    body: ErasureIn,
    actor: Annotated[Actor, require(Permission.ERASURE_REQUEST)],
    services: ServicesDep,
    response: Response,
) -> ErasureRead:
    """A committee member asks, with the reason and the legal basis; another member must
    confirm it (`POST /erasures/{id}/confirm`). Someone holding a role in the directory is
    refused (409): revoke their roles first."""
    result = services.erasures.request(
        subject, reason=body.reason, legal_basis=body.legal_basis, actor=actor
    )
    response.headers["Location"] = f"/erasures/{result.id}"
    return _read(services, result.id, actor, response, result.position)


@router.post("/erasures/{erasure_id}/confirm", summary="Confirm an erasure: destroy the keys")
def confirm_erasure(
    erasure_id: UUID,
    actor: Annotated[Actor, require(Permission.ERASURE_CONFIRM)],
    services: ServicesDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ErasureRead:
    """Another committee member than the one who asked confirms: the person's data keys
    are destroyed and their API tokens deleted. Sent again after an interruption, it
    finishes the erasure."""
    done = services.erasures.confirm(erasure_id, actor=actor, expected_version=version)
    return _read(services, erasure_id, actor, response, done.result.position)


@router.post("/erasures/{erasure_id}/cancel", summary="Withdraw an erasure request")
def cancel_erasure(
    erasure_id: UUID,
    body: CancelIn,
    actor: Annotated[Actor, require(Permission.ERASURE_REQUEST)],
    services: ServicesDep,
    version: ExpectedVersionDep,
    response: Response,
) -> ErasureRead:
    """Withdraws a request not yet confirmed, with the reason."""
    result = services.erasures.cancel(
        erasure_id, reason=body.reason, actor=actor, expected_version=version
    )
    return _read(services, erasure_id, actor, response, result.position)


@router.get("/erasures/{erasure_id}", summary="An erasure and what became of it")
def read_erasure(
    erasure_id: UUID,
    actor: Annotated[Actor, require(Permission.ERASURE_READ)],
    services: ServicesDep,
    response: Response,
) -> ErasureRead:
    """Who asked, who confirmed, why, on what basis, how many keys were destroyed."""
    return _read(services, erasure_id, actor, response)


@router.get("/erasures/{erasure_id}/history", summary="An erasure's events")
def erasure_history(
    erasure_id: UUID,
    actor: Annotated[Actor, require(Permission.ERASURE_READ)],
    services: ServicesDep,
) -> ItemHistoryRead:
    """Every event of the erasure in order (the person only for those who may see who)."""
    identity = sees_identity(actor, services.erasures.read(erasure_id, actor))
    events = [event_read(e, identity) for e in services.erasures.history(erasure_id)]
    return ItemHistoryRead(id=erasure_id, events=events)
