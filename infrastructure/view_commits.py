"""Views written together: every view of a store written in one block commits in one
transaction, and the positions views committed in this process, so that waiters wake at once."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow

if TYPE_CHECKING:
    from infrastructure.views import PostgresView, Statement


class _Together(threading.local):
    """The transaction this thread's views write events into together, if any."""

    cursor: Cursor[DictRow] | None = None
    #: Per view (its progress key): the view, the last event it applied in the block, and
    #: whether that event's tracking row is written yet.
    tracked: dict[str, tuple[PostgresView, Tracking, bool]]
    #: Per view: its statements of the block, in order, sent when the block ends.
    pending: dict[str, list[Statement]]


TOGETHER = _Together()

#: Views commit without waiting for the WAL flush (see `applied_together`).
DERIVED_COMMIT = "SET LOCAL synchronous_commit TO off"


@contextlib.contextmanager
def applied_together(datastore: PostgresDatastore) -> Iterator[None]:
    """Every view of `datastore` written in this block commits in one transaction.

    A runner feeds events to all its views inside this block (one, or a batch when it is
    behind): their rows and tracking rows commit together (still each view's own tracking
    row, so still exactly once per view), in one commit instead of one per view and event.

    Each view's tracking row is written at its first event in the block, as the library
    writes it (refused if the view is already there or past it: exactly once), which also
    locks the row until the commit; it is set to the view's last event of the block just
    before the commit, instead of once per event.

    Each view's statements are kept until the block ends and then sent view by view, in
    their order, each run of the same statement as one `executemany` (a view writes only
    its own tables, so the order between views does not matter): a batch's inserts of
    audit rows, say, go as one call instead of one per event, which halves the Python
    work of sending them.

    The commit does not wait for the disk (`synchronous_commit` off for this transaction
    only): a view's rows are derived from events that are durable already. A crash of the
    server can lose the last few view commits, never half of one — the rows and the tracking
    row go together — so the runner resumes from the position that survived and applies the
    lost events again. Waiting for the flush made each one-event transaction of a runner
    that keeps up cost a WAL fsync, and under a sustained load the views fell behind.
    """
    TOGETHER.tracked = {}
    TOGETHER.pending = {}
    with datastore.transaction(commit=True) as curs, curs.connection.pipeline():
        curs.execute(DERIVED_COMMIT)
        TOGETHER.cursor = curs
        try:
            yield
            for statements in TOGETHER.pending.values():
                _send(curs, statements)
            for view, tracking, written in TOGETHER.tracked.values():
                if not written:
                    view._insert_tracking(curs, tracking)
        finally:
            TOGETHER.cursor = None
            TOGETHER.pending = {}
    for key, (_, tracking, _) in TOGETHER.tracked.items():
        PROGRESS.advanced(key, tracking.notification_id)


def _send(curs: Cursor[DictRow], statements: list[Statement]) -> None:
    """Sends a view's statements in order, each run of the same query as one executemany."""
    start = 0
    while start < len(statements):
        query = statements[start][0]
        end = start + 1
        while end < len(statements) and (
            statements[end][0] is query or statements[end][0] == query
        ):
            end += 1
        if end - start == 1:
            curs.execute(query, statements[start][1], prepare=True)  # type: ignore[arg-type]
        else:
            curs.executemany(query, [params for _, params in statements[start:end]])  # type: ignore[arg-type]
        start = end


class _Progress:
    """Positions committed by views in this process, so waiters wake at once."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._positions: dict[str, int] = {}

    def advanced(self, key: str, position: int) -> None:
        with self._changed:
            if position > self._positions.get(key, 0):
                self._positions[key] = position
            self._changed.notify_all()

    def forget(self, key: str) -> None:
        with self._changed:
            self._positions.pop(key, None)

    def reached(self, key: str, position: int) -> bool:
        return self._positions.get(key, 0) >= position

    def wait(self, timeout: float) -> None:
        with self._changed:
            self._changed.wait(timeout)


PROGRESS = _Progress()
