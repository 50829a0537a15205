"""Response body of the hash-chain verification (tamper evidence)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from infrastructure.chain_links import ChainHead
from infrastructure.chain_report import (
    Mismatch,
    PrintedCheck,
    PrintedVerdict,
    Tampering,
    VerifyReport,
)


class ChainHeadRead(BaseModel):
    """The chain's last link: what a published disclosure carries."""

    position: int = Field(examples=[1234], description="notification id of the last event")
    link: str = Field(description="SHA-256 link, hex", examples=["ecca81e3" + "0" * 56])

    @classmethod
    def of(cls, head: ChainHead) -> ChainHeadRead:
        """The schema of a chain head."""
        return cls(position=head.position, link=head.link)


class MismatchRead(BaseModel):
    """The first event whose stored bytes no longer match the chain."""

    position: int = Field(examples=[17])
    kind: Tampering = Field(examples=[Tampering.CHANGED])
    originator_id: UUID
    originator_version: int = Field(examples=[3])
    expected: str | None = Field(description="the link stored in the chain, hex")
    found: str | None = Field(description="the link recomputed from the event stored now, hex")
    detail: str

    @classmethod
    def of(cls, mismatch: Mismatch) -> MismatchRead:
        """The schema of a mismatch."""
        return cls(
            position=mismatch.position,
            kind=mismatch.kind,
            originator_id=mismatch.originator_id,
            originator_version=mismatch.originator_version,
            expected=mismatch.expected,
            found=mismatch.found,
            detail=mismatch.detail,
        )


class PrintedRead(BaseModel):
    """A chain head printed earlier (on a published disclosure), checked against the store."""

    position: int = Field(examples=[1234])
    link: str = Field(description="the printed link, hex (lower case)")
    stored: str | None = Field(description="the link the chain holds at that position now, hex")
    verdict: PrintedVerdict = Field(examples=[PrintedVerdict.CONFIRMED])
    confirmed: bool = Field(description="the store holds this head, every event up to it intact")
    detail: str

    @classmethod
    def of(cls, check: PrintedCheck) -> PrintedRead:
        """The schema of a printed head's check."""
        return cls(
            position=check.position,
            link=check.link,
            stored=check.stored,
            verdict=check.verdict,
            confirmed=check.confirmed,
            detail=check.detail,
        )


class VerifyRead(BaseModel):
    """Whether every chained event is stored exactly as it was chained."""

    intact: bool
    checked: int = Field(description="links recomputed and found equal", examples=[1234])
    head: ChainHeadRead
    first_mismatch: MismatchRead | None
    unchained: int = Field(
        description="newer events not chained yet (information, not a failure)", examples=[0]
    )
    printed: PrintedRead | None = Field(
        default=None, description="the printed head asked about (`position` and `link`), checked"
    )

    @classmethod
    def of(cls, report: VerifyReport) -> VerifyRead:
        """The schema of a verification report."""
        mismatch = report.first_mismatch
        return cls(
            intact=report.intact,
            checked=report.checked,
            head=ChainHeadRead.of(report.head),
            first_mismatch=MismatchRead.of(mismatch) if mismatch else None,
            unchained=report.unchained,
            printed=PrintedRead.of(report.printed) if report.printed else None,
        )
