"""Tamper evidence: walk the hash chain over the event sequence, check a printed head."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import require
from api.deps import ChainDep
from api.errors import ApiProblem
from api.schemas.audit_verify import VerifyRead
from domain.actors import Actor
from domain.policy import Permission
from infrastructure.chain_links import ChainHead, parse_link

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("/verify")
def verify_chain(
    actor: Annotated[Actor, require(Permission.AUDIT_VERIFY)],
    chain: ChainDep,
    position: Annotated[
        int | None,
        Query(ge=0, le=2**63 - 1, description="a printed chain head's position (with `link`)"),
    ] = None,
    link: Annotated[
        str | None,
        Query(max_length=200, description="a printed chain head's link, 64 hex digits"),
    ] = None,
) -> VerifyRead:
    """Recomputes every link from the stored events; names the first event that changed.
    Given a chain head printed earlier (a published disclosure's `position` and `link`),
    also says whether the store still holds it with every event up to it intact."""
    printed = None
    if (position is None) != (link is None):
        raise ApiProblem(
            422,
            "invalid-printed-head",
            "A printed head needs its position and its link",
            "query.position, query.link: give both, or neither",
        )
    if position is not None and link is not None:
        try:
            printed = ChainHead(position, parse_link(link).hex())
        except ValueError as error:
            raise ApiProblem(
                422, "invalid-printed-head", "Not a chain link", f"query.link: {error}"
            ) from error
    return VerifyRead.of(chain.verify(printed=printed))
