"""The hash chain checked for the public board: the same walk as `GET /audit/verify`
(`ChainKeeper.verify`) and the same verdict on a printed head (`printed_check`), shared.

Anyone may open the check, and a walk reads every stored event (about 90,000 a second), so
the public pages never start two at once: one walk at a time, its report reused for a
minute by every reader. A printed head newer than that report's head gets a fresh walk; one
past the chain's head now is `missing` without one (the chain holds no link there).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from infrastructure.chain import ChainKeeper
from infrastructure.chain_links import ChainHead
from infrastructure.chain_report import PrintedCheck, VerifyReport, printed_check

#: How long one walk's report answers every public check (seconds).
REUSED_FOR = 60.0


@dataclass(frozen=True)
class PublicCheck:
    """The chain's report, when it was walked, and the verdict on a printed head if given."""

    report: VerifyReport
    walked_seconds_ago: float
    printed: PrintedCheck | None


class SharedWalk:
    """One chain's latest walk, shared by the public pages."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._report: VerifyReport | None = None
        self._walked_at = 0.0

    def check(self, chain: ChainKeeper, printed: ChainHead | None = None) -> PublicCheck:
        """The chain's report (fresh enough), and the verdict on `printed`."""
        with self._lock:
            report = self._report
            stale = report is None or self.clock() - self._walked_at > REUSED_FOR
            newer = (
                printed is not None
                and report is not None
                and report.head.position < printed.position <= chain.head().position
            )
            if report is None or stale or newer:
                report = self._report = chain.verify()
                self._walked_at = self.clock()
            age = self.clock() - self._walked_at
        verdict = None
        if printed is not None:
            held = (
                chain.link_at(printed.position)
                if printed.position <= report.head.position
                else None
            )
            verdict = printed_check(printed, held, report.first_mismatch)
        return PublicCheck(report, age, verdict)


_WALKS: weakref.WeakKeyDictionary[ChainKeeper, SharedWalk] = weakref.WeakKeyDictionary()
_WALKS_LOCK = threading.Lock()


def public_check(chain: ChainKeeper, printed: ChainHead | None = None) -> PublicCheck:
    """The chain checked for a public page (its walk shared with every other reader)."""
    with _WALKS_LOCK:
        walk = _WALKS.get(chain)
        if walk is None:
            walk = _WALKS[chain] = SharedWalk()
    return walk.check(chain, printed)
