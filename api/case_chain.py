"""One case's events against the hash chain: the walk `GET /audit/verify` makes
(`ChainKeeper.verify`), read for the positions of the case's events.

The chain is one sequence over every stored event, and the walk stops at the first event that
no longer matches its link. So each of the case's events is intact (chained, and its link and
every one before it recomputed equal), the break itself, beyond the break (the walk never
reached it: it can be neither confirmed nor denied), or not chained yet (stored after the
chain's head: information, not a failure).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from infrastructure.chain_report import Mismatch, VerifyReport


class Standing(StrEnum):
    """Where one event stands against the chain."""

    INTACT = "intact"
    BROKEN = "broken"
    BEYOND_BREAK = "beyond-break"
    UNCHAINED = "unchained"


@dataclass(frozen=True)
class CaseChainCheck:
    """The chain's walk, and where each of the case's events (by position) stands."""

    case_id: UUID
    report: VerifyReport
    standings: dict[int, Standing]

    @property
    def mismatch(self) -> Mismatch | None:
        """The first event that no longer matches the chain, anywhere in the store."""
        return self.report.first_mismatch

    @property
    def intact(self) -> bool:
        """Every event of the case that is chained was recomputed equal."""
        return all(s in (Standing.INTACT, Standing.UNCHAINED) for s in self.standings.values())

    @property
    def broken_here(self) -> bool:
        """The chain breaks at one of this case's events."""
        return Standing.BROKEN in self.standings.values()


def standing(position: int, report: VerifyReport) -> Standing:
    """Where the event at `position` stands in the walk `report` describes."""
    mismatch = report.first_mismatch
    if mismatch is not None and position == mismatch.position:
        return Standing.BROKEN
    if mismatch is not None and position > mismatch.position:
        return Standing.BEYOND_BREAK
    if position > report.head.position:
        return Standing.UNCHAINED
    return Standing.INTACT


def check_case(case_id: UUID, positions: Sequence[int], report: VerifyReport) -> CaseChainCheck:
    """The case's events (their positions) read against the chain's walk."""
    return CaseChainCheck(case_id, report, {p: standing(p, report) for p in positions})
