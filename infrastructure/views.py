"""Views in PostgreSQL: rows and tracking position committed in one transaction.

`PostgresView` extends eventsourcing's `PostgresTrackingRecorder` (single-row tracking table
`<view>_tracking`) with what Huiyin's runner needs: writing a view's statements and the
tracking row together, skipping events cheaply, rebuilding inside one transaction, and a
`wait` that wakes within milliseconds instead of the library's 100 ms polling steps.

A rebuild (`infrastructure.rebuild_writes`) sends a view's statements in pipelined
`executemany` runs. A view whose rows are keyed per case can do better (`RebuildRows`): keep
each case's row in memory while the log is replayed and write it once, in its final state,
with COPY. Views written together in one transaction, and the positions they reach, are in
`infrastructure.view_commits`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from itertools import islice
from threading import Event
from typing import Any, Generic, TypeVar

from eventsourcing.persistence import Tracking, WaitInterruptedError
from eventsourcing.postgres import PostgresDatastore
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Identifier
from psycopg.types.json import set_json_loads

from infrastructure import jsontext
from infrastructure.rebuild_writes import RebuildWrites
from infrastructure.schema_digest import RecordedSchema
from infrastructure.view_commits import PROGRESS, TOGETHER
from infrastructure.view_people import ViewPeople
from projections.view import APPLICATION_NAME, View

Statement = tuple[Composable | str, dict[str, Any] | Sequence[Any]]

K = TypeVar("K")
R = TypeVar("R")

#: Keys (cases) a `RebuildRows` holds in memory before it writes out the oldest half.
REBUILD_ROWS_LIMIT = 50_000


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


class PostgresView(RecordedSchema, RebuildWrites, View):
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

    # -- making the tables (only when the statements changed: RecordedSchema) ----------

    def schema_name(self) -> str:
        return self.tracking_table_name

    def schema_relations(self) -> Sequence[str]:
        return (*self.tables, self.tracking_table_name)

    # -- writing -------------------------------------------------------------------------

    def write(self, tracking: Tracking, statements: Sequence[Statement]) -> None:
        """Applies one event: its statements and the tracking row, in one transaction."""
        if self._gathered_for_rebuild(tracking, statements):
            return
        shared = TOGETHER.cursor
        if shared is not None:
            key = self._progress_key
            if statements:  # sent when the block ends, runs of one statement together
                TOGETHER.pending.setdefault(key, []).extend(statements)
            if key in TOGETHER.tracked:  # its row is written (and locked) in this block
                TOGETHER.tracked[key] = (self, tracking, False)
            else:
                self._insert_tracking(shared, tracking)
                TOGETHER.tracked[key] = (self, tracking, True)
            return
        with self.datastore.transaction(commit=True) as curs:
            for query, params in statements:
                curs.execute(query, params, prepare=True)  # type: ignore[arg-type]
            self._insert_tracking(curs, tracking)
        PROGRESS.advanced(self._progress_key, tracking.notification_id)

    def skip(self, tracking: Tracking) -> None:
        """Moves past an event this view ignores (only the tracking row changes)."""
        self.write(tracking, ())

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
