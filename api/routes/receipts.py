"""The anonymous appellant's door: follow, read and rate an appeal with the receipt code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.deps import CaseworkDep, etag
from api.schemas.appeal_reads import PublicAppealRead
from api.schemas.appeals import AppealWithdrawIn, CommandRead, RateIn

router = APIRouter(prefix="/receipts", tags=["anonymous appellants"])

ReceiptCode = Annotated[
    str,
    Path(
        min_length=16,
        max_length=32,
        examples=["K7QF-M2XD-9HPA-RT4C"],
        description="the receipt code given when the anonymous appeal was raised",
    ),
]


@router.get("/{code}")
def follow(code: ReceiptCode, casework: CaseworkDep, response: Response) -> PublicAppealRead:
    """The anonymous appeal behind a receipt code: its state and its answer. No token needed."""
    appeal = casework.find_by_receipt(code)
    response.headers["ETag"] = etag(appeal.version)
    return PublicAppealRead.of(appeal)


@router.post("/{code}/rate")
def rate_by_receipt(
    code: ReceiptCode, body: RateIn, casework: CaseworkDep, response: Response
) -> CommandRead:
    """Rate the answer to your anonymous appeal; nothing about you is recorded."""
    result = casework.rate_by_receipt(code, rating=body.rating, comment=body.comment)
    response.headers["ETag"] = etag(result.version)
    return CommandRead(**{**result.__dict__, "receipt_code": None})


@router.post("/{code}/withdraw")
def withdraw_by_receipt(
    code: ReceiptCode, body: AppealWithdrawIn, casework: CaseworkDep, response: Response
) -> CommandRead:
    """Withdraw your anonymous appeal."""
    result = casework.withdraw_by_receipt(code, reason=body.reason)
    response.headers["ETag"] = etag(result.version)
    return CommandRead(**{**result.__dict__, "receipt_code": None})
