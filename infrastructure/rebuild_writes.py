"""How a view's rebuild writes: into one transaction that empties the view first, its
statements sent in pipelined `executemany` runs and its rows by binary COPY, from a writer
thread of their own, and the planner's statistics brought up to date after.

`RebuildWrites` is the rebuild half of `infrastructure.views.PostgresView` (the live half,
reads and waiting are there).
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Cursor, postgres
from psycopg.adapt import Dumper
from psycopg.pq import Format
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Identifier

from infrastructure.view_commits import PROGRESS
from projections.view import APPLICATION_NAME

if TYPE_CHECKING:
    from infrastructure.views import Statement

#: Statements gathered during a rebuild before they are sent (grouped into executemany).
REBUILD_FLUSH = 2000

#: Writes (a flush of statements, a COPY) a rebuild may have queued before it waits.
WRITES_AHEAD = 3


class _Writer:
    """Runs a rebuild's writes on its connection in a thread of their own, in order.

    PostgreSQL inserting rows and maintaining indexes takes as long as the Python that
    produces them; with the writes in their own thread (waiting on the socket releases the
    GIL), the server works on one batch while the next is produced. At most `WRITES_AHEAD`
    are queued; the first error is raised in the rebuilding thread at its next write or at
    the end, and every later write fails with it (the transaction is aborted).
    """

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rebuild-write")
        self._queued: deque[Future[None]] = deque()

    def submit(self, write: Callable[[], None]) -> None:
        """Queues a write after the ones before it; waits while too many are queued."""
        while self._queued and (self._queued[0].done() or len(self._queued) >= WRITES_AHEAD):
            self._queued.popleft().result()
        self._queued.append(self._executor.submit(write))

    def finish(self) -> None:
        """Waits for every queued write; raises the first error."""
        while self._queued:
            self._queued.popleft().result()

    def close(self) -> None:
        """Drops writes not started and waits for the one running (after an error)."""
        for queued in self._queued:
            queued.cancel()
        self._queued.clear()
        self._executor.shutdown(wait=True)


class RebuildWrites(PostgresTrackingRecorder):
    """The rebuild of a view: empties it and gathers every write into one transaction."""

    #: Tables (besides the tracking table) that hold the view's rows.
    tables: tuple[str, ...] = ()

    #: The key of the view's committed position in `PROGRESS` (set by the view).
    _progress_key: str

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self._rebuild_cursor: Cursor[DictRow] | None = None
        self._rebuild_writer: _Writer | None = None
        self._rebuild_pending: list[Statement] = []
        self._rebuild_tracking: Tracking | None = None
        self._rebuild_types: dict[str, dict[str, int]] = {}

    def _gathered_for_rebuild(self, tracking: Tracking, statements: Sequence[Statement]) -> bool:
        """Whether a rebuild is under way and took the event's statements (sent later, in
        runs, by its writer thread)."""
        if self._rebuild_cursor is None:
            return False
        self._rebuild_pending.extend(statements)
        self._rebuild_tracking = tracking
        if len(self._rebuild_pending) >= REBUILD_FLUSH:
            self._flush_rebuild()
        return True

    def _flush_rebuild(self) -> None:
        """Sends the gathered statements, each run of the same statement as one executemany.

        Runs keep their order, so every statement still sees the ones before it. They are
        pipelined (one round trip for the whole flush, not one per run) and sent by the
        rebuild's writer thread while the rebuild goes on.
        """
        cursor, writer = self._rebuild_cursor, self._rebuild_writer
        pending, self._rebuild_pending = self._rebuild_pending, []
        if cursor is None or writer is None or not pending:
            return
        writer.submit(lambda: _execute_runs(cursor, pending))

    # -- rebuilding in memory (for views that opt in) ------------------------------------

    def rebuild_applied(self, tracking: Tracking) -> None:
        """Notes an event a rebuild applied in memory (its rows are written later)."""
        self._rebuild_tracking = tracking

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Appends rows to one of the view's tables with COPY, inside the rebuild.

        The statements gathered so far are sent first, so the order of writes is kept. The
        COPY runs in the rebuild's writer thread: the caller must not change the rows after.
        """
        cursor, writer = self._rebuild_cursor, self._rebuild_writer
        if cursor is None or writer is None:
            raise RuntimeError("copy_rows is for rebuilds only")
        self._flush_rebuild()
        # Binary, with each column's type given: half the client's time of text COPY, where
        # each value's dumper is looked up by its Python type. FREEZE: the table was emptied
        # by this transaction, so its rows can be written frozen and their pages marked
        # all-visible at once (no VACUUM needed for the visibility map that index-only
        # scans read).
        statement = SQL("COPY {0}.{1} ({2}) FROM STDIN (FORMAT BINARY, FREEZE)").format(
            Identifier(self.datastore.schema),
            Identifier(table),
            SQL(", ").join(Identifier(column) for column in columns),
        )

        def copy() -> None:
            types = self._column_types(cursor, table)
            with cursor.copy(statement) as copying:
                copying.set_types([types[column] for column in columns])
                for row in rows:
                    copying.write_row(row)

        writer.submit(copy)

    def _column_types(self, cursor: Cursor[DictRow], table: str) -> dict[str, int]:
        """The type (oid) of each column of one of the view's tables, looked up once."""
        types = self._rebuild_types.get(table)
        if types is None:
            cursor.execute(
                "SELECT a.attname, a.atttypid::int AS oid FROM pg_attribute a"
                " WHERE a.attrelid = (SELECT c.oid FROM pg_class c"
                "   JOIN pg_namespace n ON n.oid = c.relnamespace"
                "   WHERE n.nspname = %s AND c.relname = %s)"
                " AND a.attnum > 0 AND NOT a.attisdropped",
                (self.datastore.schema, table),
            )
            types = self._rebuild_types[table] = {
                row["attname"]: row["oid"] for row in cursor.fetchall()
            }
        return types

    def _rebuild_started(self) -> None:
        """Called when a rebuild begins (the tables are empty): set up in-memory rows."""

    def _rebuild_finishing(self) -> None:
        """Called after the last event of a rebuild: write what is still held in memory."""

    def _rebuild_ended(self) -> None:
        """Called when a rebuild ends, committed or not: drop what is held in memory."""

    @contextlib.contextmanager
    def rebuilding(self) -> Iterator[None]:
        """Empties the view and gathers every write into one transaction (pipelined)."""
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            # Rows held in memory reach the database only at the end (or in COPY batches):
            # the transaction is idle meanwhile, which must not end it.
            curs.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
            counted = self._row_estimates(curs)  # before TRUNCATE resets them
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
            # COPY takes a jsonb column's documents as JSON text, already serialised.
            curs.adapters.register_dumper(None, _JsonText)
            self._rebuild_cursor = curs
            self._rebuild_types = {}
            self._rebuild_writer = writer = _Writer()
            self._rebuild_tracking = None
            self._rebuild_pending = []
            try:
                self._rebuild_started()
                yield
                self._rebuild_finishing()
                self._flush_rebuild()
                writer.finish()
                if self._rebuild_tracking is not None:
                    self._insert_tracking(curs, self._rebuild_tracking)
            finally:
                writer.close()  # before the transaction ends, also after an error
                self._rebuild_cursor = None
                self._rebuild_writer = None
                self._rebuild_pending = []
                self._rebuild_ended()
        self._after_refill(counted)
        PROGRESS.forget(self._progress_key)
        if self._rebuild_tracking is not None:
            PROGRESS.advanced(self._progress_key, self._rebuild_tracking.notification_id)

    def _row_estimates(self, curs: Cursor[DictRow]) -> dict[str, float]:
        """The planner's row count of each of the view's tables (-1 if never counted)."""
        curs.execute(
            "SELECT c.relname, c.reltuples FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relname = ANY(%s)",
            (self.datastore.schema, list(self.tables)),
        )
        return {row["relname"]: float(row["reltuples"]) for row in curs.fetchall()}

    def _after_refill(self, before: dict[str, float]) -> None:
        """Brings the planner's view of the refilled tables up to date.

        TRUNCATE reset each table's row count and visibility map. VACUUM counts the rows
        again (every page: DISABLE_PAGE_SKIPPING, or pages written frozen would be skipped
        and left uncounted) and marks the pages not written by COPY FREEZE all-visible
        (index-only scans of a table just filled visit every row otherwise: the metrics
        roll-ups read 2x slower). Column statistics survive TRUNCATE; a rebuild writes the
        rows the view held, so they are recomputed (ANALYZE, the costliest step of a
        small rebuild) only where the row count moved as much as makes autovacuum
        analyze a table (10%, plus 50 rows), or was never known.
        """
        with self.datastore.get_connection() as conn:
            conn.execute(SQL("VACUUM (DISABLE_PAGE_SKIPPING) {0}").format(self._names(self.tables)))
            with conn.cursor() as curs:
                after = self._row_estimates(curs)
            stale = [
                table
                for table in self.tables
                if before.get(table, -1.0) < 0
                or abs(after.get(table, 0.0) - before[table]) > 50 + 0.1 * before[table]
            ]
            if stale:
                conn.execute(SQL("ANALYZE {0}").format(self._names(stale)))

    def _names(self, tables: Iterable[str]) -> Composable:
        """Tables of the view's schema, as a list for one statement."""
        schema = Identifier(self.datastore.schema)
        return SQL(", ").join(SQL("{0}.{1}").format(schema, Identifier(t)) for t in tables)


class _JsonText(Dumper):
    """A jsonb value in binary COPY from its JSON text, already serialised (str or bytes)."""

    format = Format.BINARY
    oid = postgres.types["jsonb"].oid

    def dump(self, obj: Any) -> bytes:
        text: bytes = obj if isinstance(obj, bytes) else obj.encode()
        return b"\x01" + text  # jsonb's binary format: version 1, then the text


def _execute_runs(cursor: Cursor[DictRow], statements: list[Statement]) -> None:
    """Executes statements in order, each run of the same statement as one executemany,
    all in one pipeline."""
    with cursor.connection.pipeline():
        index = 0
        while index < len(statements):
            query = statements[index][0]
            end = index + 1
            while end < len(statements) and (
                statements[end][0] is query or statements[end][0] == query
            ):
                end += 1
            rows = [params for _, params in statements[index:end]]
            cursor.executemany(query, rows)  # type: ignore[arg-type]
            index = end
