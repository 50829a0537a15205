"""Request and response bodies for erasures (个人信息删除)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from api.personal_data import shown_id
from api.schemas.bodies import Body, text_field
from domain import limits
from domain.erasure import Erasure, ErasureStatus, LegalBasis
from domain.personal_data import is_erased


class ErasureIn(Body):
    """Why the person's data must go, and on what legal basis (PIPL art. 47)."""

    reason: str = text_field(limits.REASON, "职工本人申请：已调离本单位，诉求均已办结")
    legal_basis: LegalBasis = Field(
        examples=[LegalBasis.PURPOSE_FULFILLED],
        description="purpose_fulfilled (处理目的已实现或不再必要), retention_ended, "
        "consent_withdrawn, unlawful_processing, other_law",
    )


class CancelIn(Body):
    """Why the request is withdrawn."""

    reason: str = text_field(limits.REASON, "本人撤回申请")


class ErasureRead(BaseModel):
    """An erasure and what became of it. Once completed, the person and the reason read
    as erased: the record names nobody."""

    id: UUID
    version: int
    status: ErasureStatus
    subject: str = Field(description="the person; (hidden) for those who may not see who")
    subject_erased: bool
    reason: str
    legal_basis: LegalBasis
    requested_by: str
    requested_at: datetime
    confirmed_by: str | None
    completed_at: datetime | None
    keys_destroyed: int
    tokens_deleted: int
    cancel_reason: str | None
    position: int | None = Field(
        default=None, description="the command's position in the global event sequence"
    )

    @classmethod
    def of(cls, erasure: Erasure, identity: bool, position: int | None = None) -> ErasureRead:
        """The read model of an erasure (after a command, with its position)."""
        return cls(
            position=position,
            id=erasure.id,
            version=erasure.version,
            status=erasure.status,
            subject=shown_id(erasure.subject, identity),
            subject_erased=is_erased(erasure.subject),
            reason=erasure.reason,
            legal_basis=erasure.legal_basis,
            requested_by=erasure.requested_by,
            requested_at=erasure.requested_at,
            confirmed_by=erasure.confirmed_by,
            completed_at=erasure.completed_at,
            keys_destroyed=erasure.keys_destroyed,
            tokens_deleted=erasure.tokens_deleted,
            cancel_reason=erasure.cancel_reason,
        )
