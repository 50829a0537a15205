"""Helpers for tests of the deadline watcher: a watcher of chosen cases, and waiting for
the deadline board to catch up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from api.bootstrap import Services
from application.casework import Casework
from application.deadline_watch import DeadlineWatch, DueCase
from domain.appeal import Appeal
from projections.deadline_board import DeadlineBoardView
from projections.view import APPLICATION_NAME


class OnlyTheseCases:
    """The real board, narrowed to this test's cases (the session's store holds others')."""

    def __init__(self, board: DeadlineBoardView, ids: set[UUID]) -> None:
        self.board = board
        self.ids = ids

    def due_before(self, moment: datetime, limit: int) -> Sequence[DueCase]:
        return [due for due in self.board.due_before(moment, 100_000) if due.case_id in self.ids]


def watcher(services: Services, *ids: UUID) -> DeadlineWatch:
    """A watcher of these cases, reading the session's deadline board."""
    board = services.views.typed("deadline_board", DeadlineBoardView)  # type: ignore[type-abstract]
    return DeadlineWatch(
        services.casework,
        services.meetings,
        services.accountability,
        OnlyTheseCases(board, set(ids)),
    )


def board_has_seen(services: Services, position: int) -> None:
    """Waits until the deadline board has applied `position`."""
    services.views.get("deadline_board").wait(APPLICATION_NAME, position, timeout=10)


def missed(casework: Casework, appeal_id: UUID) -> list[Appeal.DeadlineMissed]:
    """The misses recorded on an appeal."""
    return [
        event for event in casework.history(appeal_id) if isinstance(event, Appeal.DeadlineMissed)
    ]
