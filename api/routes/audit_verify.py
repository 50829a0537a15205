"""Tamper evidence: walk the hash chain over the event sequence."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ActorDep, ChainDep
from api.schemas.audit_verify import VerifyRead

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("/verify")
def verify_chain(actor: ActorDep, chain: ChainDep) -> VerifyRead:
    """Recomputes every link from the stored events; names the first event that changed."""
    return VerifyRead.of(chain.verify())
