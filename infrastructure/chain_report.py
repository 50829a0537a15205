"""What verifying the hash chain finds: the first mismatch and its kind, the verdict on a
printed chain head, and the report `huiyin verify` and `GET /audit/verify` give."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from infrastructure.chain_links import ChainHead


class Tampering(StrEnum):
    """How the stored events and the chain disagree."""

    CHANGED = "changed"  # the event's stored bytes differ from those that were chained
    DELETED = "deleted"  # a link names an event that is no longer stored
    INSERTED = "inserted"  # an event inside the chained range has no link
    LINK_ALTERED = "link-altered"  # the chain row's own link was overwritten


@dataclass(frozen=True)
class Mismatch:
    """The first place where the stored events no longer match the chain."""

    position: int
    kind: Tampering
    originator_id: UUID
    originator_version: int
    expected: str | None  # the link stored in the chain, hex
    found: str | None  # the link recomputed from the event stored now, hex
    detail: str


class PrintedVerdict(StrEnum):
    """What the store says of a chain head printed earlier (on a published disclosure)."""

    CONFIRMED = "confirmed"  # the chain holds it, and every event up to it is as chained
    REWRITTEN = "rewritten"  # the chain holds another link at that position
    MISSING = "missing"  # the chain holds no link at that position
    TAMPERED = "tampered"  # the chain holds it, but an event up to it changed since


#: What each verdict means, in words.
PRINTED_DETAIL = {
    PrintedVerdict.CONFIRMED: "the store holds this head, and every event up to it is stored "
    "exactly as it was when the head was printed",
    PrintedVerdict.REWRITTEN: "the store's chain holds another link at this position: the "
    "events up to it were rewritten and the chain recomputed since (or the head was copied "
    "wrongly)",
    PrintedVerdict.MISSING: "the store's chain holds no link at this position: links (and "
    "events) were removed since, or the head never came from this store",
    PrintedVerdict.TAMPERED: "the store's chain holds this head, but an event at or before it "
    "no longer matches its link (see first_mismatch)",
}


@dataclass(frozen=True)
class PrintedCheck:
    """A printed chain head checked against the store."""

    position: int
    link: str  # as printed, hex (lower case)
    stored: str | None  # the link the chain holds at that position now, hex
    verdict: PrintedVerdict

    @property
    def confirmed(self) -> bool:
        """Whether the store confirms the printed head."""
        return self.verdict is PrintedVerdict.CONFIRMED

    @property
    def detail(self) -> str:
        """The verdict in words."""
        return PRINTED_DETAIL[self.verdict]


def printed_check(
    printed: ChainHead, stored: bytes | None, mismatch: Mismatch | None
) -> PrintedCheck:
    """The verdict on a printed head, from the link stored at its position now and the
    first mismatch the walk found."""
    if stored is None:
        verdict = PrintedVerdict.MISSING
    elif stored.hex() != printed.link:
        verdict = PrintedVerdict.REWRITTEN
    elif mismatch is not None and mismatch.position <= printed.position:
        verdict = PrintedVerdict.TAMPERED
    else:
        verdict = PrintedVerdict.CONFIRMED
    return PrintedCheck(
        printed.position, printed.link, None if stored is None else stored.hex(), verdict
    )


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of walking the chain (and of checking a printed head, when given one)."""

    checked: int
    head: ChainHead
    first_mismatch: Mismatch | None
    unchained: int  # events after the head, not chained yet: information, not a failure
    printed: PrintedCheck | None = None

    @property
    def intact(self) -> bool:
        """Every chained event is stored exactly as it was chained."""
        return self.first_mismatch is None

    @property
    def passed(self) -> bool:
        """Intact, and the printed head (if any) confirmed: `huiyin verify` exits 0."""
        return self.intact and (self.printed is None or self.printed.confirmed)

    def lines(self) -> list[str]:
        """The report in words, for the command line."""
        return self._chain_lines() + self._printed_lines()

    def _printed_lines(self) -> list[str]:
        printed = self.printed
        if printed is None:
            return []
        return [
            f"printed head, position {printed.position}: {printed.verdict.upper()}",
            printed.detail,
            f"printed link: {printed.link}",
            f"stored link:  {printed.stored or '-'}",
        ]

    def _chain_lines(self) -> list[str]:
        head = f"head: position {self.head.position}, link {self.head.link}"
        waiting = f"{self.unchained} newer event(s) not chained yet"
        mismatch = self.first_mismatch
        if mismatch is None:
            return [f"intact: {self.checked} link(s) checked", head, waiting]
        return [
            f"TAMPERED at position {mismatch.position} ({mismatch.kind}): "
            f"event {mismatch.originator_id} version {mismatch.originator_version}",
            mismatch.detail,
            f"expected link: {mismatch.expected or '-'}",
            f"found link:    {mismatch.found or '-'}",
            f"{self.checked} link(s) checked before it",
            head,
            waiting,
        ]
