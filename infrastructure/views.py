"""Views in PostgreSQL: rows and tracking position committed in one transaction.

`PostgresView` extends eventsourcing's `PostgresTrackingRecorder` (single-row tracking table
`<view>_tracking`) with what Huiyin's runner needs: writing a view's statements and the
tracking row together, skipping events cheaply, rebuilding inside one transaction, and a
`wait` that wakes within milliseconds instead of the library's 100 ms polling steps.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Sequence
from threading import Event
from typing import Any

from eventsourcing.persistence import Tracking, WaitInterruptedError
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Identifier

from projections.view import APPLICATION_NAME, View

Statement = tuple[Composable | str, dict[str, Any] | Sequence[Any]]


class _Together(threading.local):
    """The transaction this thread's views write one event into together, if any."""

    cursor: Cursor[DictRow] | None = None
    committed: list[tuple[str, int]]


_TOGETHER = _Together()


@contextlib.contextmanager
def applied_together(datastore: PostgresDatastore) -> Iterator[None]:
    """Every view of `datastore` written in this block commits in one transaction.

    A runner feeds one event to all its views inside this block: their rows and tracking
    rows commit together (still each view's own tracking row, so still exactly once per
    view), in one round of commit instead of one per view.
    """
    _TOGETHER.committed = []
    with datastore.transaction(commit=True) as curs:
        _TOGETHER.cursor = curs
        try:
            yield
        finally:
            _TOGETHER.cursor = None
    for key, position in _TOGETHER.committed:
        PROGRESS.advanced(key, position)


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

#: Statements gathered during a rebuild before they are sent (grouped into executemany).
REBUILD_FLUSH = 2000


class PostgresView(PostgresTrackingRecorder, View):
    """A view whose rows live in PostgreSQL tables next to its tracking table."""

    #: CREATE statements for the view's tables and indexes; `{schema}` is filled in.
    create_statements: tuple[str, ...] = ()

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        for statement in self.create_statements:
            self.sql_create_statements.append(
                SQL(statement).format(schema=Identifier(self.datastore.schema))
            )
        # Progress is shared per database and table: tests run several databases at once.
        self._progress_key = f"{self.datastore.pool.conninfo}#{self.tracking_table_name}"
        self._rebuild_cursor: Cursor[DictRow] | None = None
        self._rebuild_pending: list[Statement] = []
        self._rebuild_tracking: Tracking | None = None

    # -- writing -------------------------------------------------------------------------

    def write(self, tracking: Tracking, statements: Sequence[Statement]) -> None:
        """Applies one event: its statements and the tracking row, in one transaction."""
        if self._rebuild_cursor is not None:
            self._rebuild_pending.extend(statements)
            self._rebuild_tracking = tracking
            if len(self._rebuild_pending) >= REBUILD_FLUSH:
                self._flush_rebuild()
            return
        shared = _TOGETHER.cursor
        if shared is not None:
            for query, params in statements:
                shared.execute(query, params, prepare=True)  # type: ignore[arg-type]
            self._insert_tracking(shared, tracking)
            _TOGETHER.committed.append((self._progress_key, tracking.notification_id))
            return
        with self.datastore.transaction(commit=True) as curs:
            for query, params in statements:
                curs.execute(query, params, prepare=True)  # type: ignore[arg-type]
            self._insert_tracking(curs, tracking)
        PROGRESS.advanced(self._progress_key, tracking.notification_id)

    def _flush_rebuild(self) -> None:
        """Sends the gathered statements, each run of the same statement as one executemany.

        Runs keep their order, so every statement still sees the ones before it.
        """
        cursor = self._rebuild_cursor
        pending, self._rebuild_pending = self._rebuild_pending, []
        if cursor is None:
            return
        index = 0
        while index < len(pending):
            query = pending[index][0]
            end = index + 1
            while end < len(pending) and pending[end][0] == query:
                end += 1
            rows = [params for _, params in pending[index:end]]
            cursor.executemany(query, rows)  # type: ignore[arg-type]
            index = end

    def skip(self, tracking: Tracking) -> None:
        """Moves past an event this view ignores (only the tracking row changes)."""
        self.write(tracking, ())

    @contextlib.contextmanager
    def rebuilding(self) -> Iterator[None]:
        """Empties the view and gathers every write into one transaction (pipelined)."""
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            for table in self.tables:
                curs.execute(
                    SQL("TRUNCATE {0}.{1}").format(
                        Identifier(self.datastore.schema), Identifier(table)
                    )
                )
            curs.execute(
                SQL("DELETE FROM {0}.{1} WHERE application_name = %s").format(
                    Identifier(self.datastore.schema), Identifier(self.tracking_table_name)
                ),
                (APPLICATION_NAME,),
            )
            self._rebuild_cursor = curs
            self._rebuild_tracking = None
            self._rebuild_pending = []
            try:
                with conn.pipeline():
                    yield
                    self._flush_rebuild()
                if self._rebuild_tracking is not None:
                    self._insert_tracking(curs, self._rebuild_tracking)
            finally:
                self._rebuild_cursor = None
        # Fresh statistics: a table refilled in one transaction would otherwise be planned
        # from its old (often empty) statistics until autovacuum gets to it.
        with self.datastore.get_connection() as conn:
            for table in self.tables:
                conn.execute(
                    SQL("ANALYZE {0}.{1}").format(
                        Identifier(self.datastore.schema), Identifier(table)
                    )
                )
        PROGRESS.forget(self._progress_key)
        if self._rebuild_tracking is not None:
            PROGRESS.advanced(self._progress_key, self._rebuild_tracking.notification_id)

    def close(self) -> None:
        """Closes the view's connections."""
        self.datastore.close()

    # -- reading -------------------------------------------------------------------------

    def position(self) -> int:
        """The position of the last event applied (0 before the first)."""
        return self.max_tracking_id(APPLICATION_NAME) or 0

    def wait(
        self,
        application_name: str,
        notification_id: int | None,
        timeout: float = 1.0,
        interrupt: Event | None = None,
    ) -> None:
        """Returns once the view has applied `notification_id`; TimeoutError after `timeout`.

        Wakes as soon as a runner in this process commits; polls every few milliseconds
        (backing off to 50 ms) for a runner in another process.
        """
        if notification_id is None:
            return
        deadline = time.monotonic() + timeout
        interval = 0.002
        table = self.tracking_table_name
        while True:
            if PROGRESS.reached(self._progress_key, notification_id) or self.has_tracking_id(
                application_name, notification_id
            ):
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                msg = f"view {table.removesuffix('_tracking')} has not reached {notification_id}"
                raise TimeoutError(msg)
            if interrupt is not None and interrupt.is_set():
                raise WaitInterruptedError
            PROGRESS.wait(min(interval, remaining))
            interval = min(interval * 2, 0.05)

    def query(
        self, sql: Composable | str, params: dict[str, Any] | Sequence[Any] = ()
    ) -> list[DictRow]:
        """Rows of a read-only query on the view."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(sql, params)  # type: ignore[arg-type]
            return curs.fetchall()
