"""Views in PostgreSQL: rows and tracking position committed in one transaction.

`PostgresView` extends eventsourcing's `PostgresTrackingRecorder` (single-row tracking table
`<view>_tracking`) with what Huiyin's runner needs: writing a view's statements and the
tracking row together, skipping events cheaply, rebuilding inside one transaction, and a
`wait` that wakes within milliseconds instead of the library's 100 ms polling steps.

A rebuild sends a view's statements in pipelined `executemany` runs. A view whose rows are
keyed per case can do better (`RebuildRows`): keep each case's row in memory while the log
is replayed and write it once, in its final state, with COPY.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from threading import Event
from typing import Any, Generic, TypeVar

from eventsourcing.persistence import Tracking, WaitInterruptedError
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Cursor, postgres
from psycopg.adapt import Dumper
from psycopg.pq import Format
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Identifier
from psycopg.types.json import set_json_loads

from infrastructure import jsontext
from infrastructure.schema_digest import RecordedSchema
from infrastructure.view_people import ViewPeople
from projections.view import APPLICATION_NAME, View

Statement = tuple[Composable | str, dict[str, Any] | Sequence[Any]]

K = TypeVar("K")
R = TypeVar("R")


class _Together(threading.local):
    """The transaction this thread's views write events into together, if any."""

    cursor: Cursor[DictRow] | None = None
    #: Per view (its progress key): the view, the last event it applied in the block, and
    #: whether that event's tracking row is written yet.
    tracked: dict[str, tuple[PostgresView, Tracking, bool]]


_TOGETHER = _Together()


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
    """
    _TOGETHER.tracked = {}
    with datastore.transaction(commit=True) as curs, curs.connection.pipeline():
        _TOGETHER.cursor = curs
        try:
            yield
            for view, tracking, written in _TOGETHER.tracked.values():
                if not written:
                    view._insert_tracking(curs, tracking)
        finally:
            _TOGETHER.cursor = None
    for key, (_, tracking, _) in _TOGETHER.tracked.items():
        PROGRESS.advanced(key, tracking.notification_id)


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

#: Keys (cases) a `RebuildRows` holds in memory before it writes out the oldest half.
REBUILD_ROWS_LIMIT = 50_000

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


class RebuildRows(Generic[K, R]):
    """A rebuild's rows held in memory per key (a case) and written once, by COPY.

    Replaying the log, a case's row is inserted and then changed by most of the case's later
    events; held here, each change is a few assignments in Python and the row reaches the
    table once, in its final state, instead of as an INSERT and a run of UPDATEs.

    The table is empty when a rebuild starts, so a key never seen here has no row yet and
    can start in memory (`is_new`). Memory is bounded: past `limit` keys the oldest half —
    the cases opened longest ago, the least likely to change again — is written out, and
    from then on their changes go to the database as the live statements (`written`).
    """

    def __init__(self, write: Callable[[list[R]], None], *, limit: int | None = None) -> None:
        self._write = write
        self._limit = REBUILD_ROWS_LIMIT if limit is None else limit
        self.rows: dict[K, R] = {}
        self._written: set[K] = set()

    def is_new(self, key: K) -> bool:
        """Whether the key has no row anywhere yet (neither here nor in the table)."""
        return key not in self.rows and key not in self._written

    def written(self, key: K) -> bool:
        """Whether the key's rows were written out already (changes go as statements)."""
        return key in self._written

    def add(self, key: K, row: R) -> None:
        """Holds a new key's row; writes out the oldest half when past the limit."""
        self.rows[key] = row
        if len(self.rows) > self._limit:
            oldest = list(islice(self.rows, max(len(self.rows) // 2, 1)))
            self._write([self.rows.pop(old) for old in oldest])
            self._written.update(oldest)

    def drain(self) -> None:
        """Writes every row still held (the end of the rebuild)."""
        rows, self.rows = list(self.rows.values()), {}
        self._written.clear()
        if rows:
            self._write(rows)


class PostgresView(RecordedSchema, PostgresTrackingRecorder, View):
    """A view whose rows live in PostgreSQL tables next to its tracking table."""

    #: CREATE statements for the view's tables and indexes; `{schema}` is filled in.
    create_statements: tuple[str, ...] = ()

    #: What the view knows of people (set by the store that opens it; None: no key).
    view_people: ViewPeople | None = None

    def people(self) -> ViewPeople:
        """People's references and sealed values (a view that keeps them needs the key)."""
        if self.view_people is None:
            raise RuntimeError(f"{type(self).__name__} keeps people and needs the store key")
        return self.view_people

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        for statement in self.create_statements:
            self.sql_create_statements.append(
                SQL(statement).format(schema=Identifier(self.datastore.schema))
            )
        # Progress is shared per database and table: tests run several databases at once.
        # The library's pool connects with keyword arguments, its `conninfo` empty: the key
        # names the server, database and schema from those.
        self._progress_key = f"{_database_of(self.datastore)}#{self.tracking_table_name}"
        self._rebuild_cursor: Cursor[DictRow] | None = None
        self._rebuild_writer: _Writer | None = None
        self._rebuild_pending: list[Statement] = []
        self._rebuild_tracking: Tracking | None = None
        self._rebuild_types: dict[str, dict[str, int]] = {}

    # -- making the tables (only when the statements changed: RecordedSchema) ----------

    def schema_name(self) -> str:
        return self.tracking_table_name

    def schema_relations(self) -> Sequence[str]:
        return (*self.tables, self.tracking_table_name)

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
            key = self._progress_key
            if key in _TOGETHER.tracked:  # its row is written (and locked) in this block
                _TOGETHER.tracked[key] = (self, tracking, False)
            else:
                self._insert_tracking(shared, tracking)
                _TOGETHER.tracked[key] = (self, tracking, True)
            return
        with self.datastore.transaction(commit=True) as curs:
            for query, params in statements:
                curs.execute(query, params, prepare=True)  # type: ignore[arg-type]
            self._insert_tracking(curs, tracking)
        PROGRESS.advanced(self._progress_key, tracking.notification_id)

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

    def skip(self, tracking: Tracking) -> None:
        """Moves past an event this view ignores (only the tracking row changes)."""
        self.write(tracking, ())

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
        """Rows of a read-only query on the view. JSON columns are parsed by orjson where
        that gives the same values (an audit-trail export spent half its time in the
        standard library's parser)."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            set_json_loads(jsontext.loads, curs)
            curs.execute(sql, params)  # type: ignore[arg-type]
            return curs.fetchall()


def _database_of(datastore: PostgresDatastore) -> str:
    """Which server, database and schema a datastore's connections reach."""
    kwargs = datastore.pool.kwargs if isinstance(datastore.pool.kwargs, dict) else {}
    where = (kwargs.get("host"), kwargs.get("port"), kwargs.get("dbname"), datastore.schema)
    return f"{datastore.pool.conninfo}|{'/'.join(str(part) for part in where)}"


class HeldRowsView(PostgresView, Generic[K, R]):
    """A view whose rebuild holds its rows per case in memory (`RebuildRows`) and writes
    them with `_copy_held` when the limit is passed and at the end."""

    _held: RebuildRows[K, R] | None = None

    def _copy_held(self, rows: list[R]) -> None:
        """Writes rows the rebuild held (by `copy_rows`)."""
        raise NotImplementedError

    def _rebuild_started(self) -> None:
        self._held = RebuildRows(self._copy_held)

    def _rebuild_finishing(self) -> None:
        if self._held is not None:
            self._held.drain()

    def _rebuild_ended(self) -> None:
        self._held = None


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
