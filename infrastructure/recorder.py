"""The event store's recorder: the library's, with notification ids committed in the order
they are issued, and the inserts of concurrent commands committed together (group commit).

**Order.** A reader following the log (`notification_id > position`: the view runners, the
hash chain) must never pass over an id that another transaction commits later.
eventsourcing's default insert path locks the events table (EXCLUSIVE) before inserting, so
ids are issued and committed by one transaction at a time; its database-function path
(`es_insert_events_uuid`, one round trip) does not, so two commands saved at once could
commit 101 before 100, and a runner that read 101 never applied 100. This recorder installs
that function with the lock taken first (`tests/integration/test_event_order.py`).

**Group commit.** With that lock, every command's insert is a transaction of its own, one
after the other: a commit's wait for the disk (the WAL flush) is most of a command's time in
the database, and concurrent commands queued for the lock one by one (16 HTTP clients made
1.8x the commands of one). So the commands saved at once in a process are committed
together: the first caller becomes the *leader* and runs one statement (`huiyin_insert_group`:
one round trip, its own transaction on the pool's autocommit connection) for itself and
every caller that queued meanwhile, up to `GROUP_LIMIT`; the callers that queue while it
runs are the next group, led by the first of them. The function takes the table lock once,
then inserts each command's events in a block of its own (a subtransaction): a command
whose aggregate version is taken already (optimistic concurrency) fails alone with its
`IntegrityError`, and the others commit. Each caller is answered — its own notification
ids, its conflict, or the group's error — only after the statement returned, that is after
the commit: nothing is acknowledged that a crash could lose. A caller with no one else
waiting goes at once, as a group of one, through the single insert function as before (the
group function's subtransaction cost a lone command ~0.6 ms): nobody waits for company.

- A group that fails as a whole (connection lost, lock timeout) raises in every caller of
  it, and each caller's own retry (the library's, on `OperationalError`) queues it again.
  If the lost statement had in fact committed, the retry finds the versions taken and
  raises `IntegrityError` (a conflict, 409): never a false success, never a second copy
  (the primary key is the aggregate id and version). A group that fails otherwise is run
  again one command at a time, so one command's bad data fails only that command.
- Ids stay gap-free in commit order: the whole group holds the lock from the first id it
  is issued to its commit. Conflicting commands leave gaps in the ids, as before.
- One subtransaction per command: `GROUP_LIMIT` stays under PostgreSQL's cache of 64
  subtransactions per backend, past which every snapshot in the server gets slower.
- Across processes (`serve` with workers, the CLI), groups still take the table lock one
  after the other; each process groups its own commands.

The transaction-id technique (record `pg_current_xact_id()` with each event, let readers
take only events of transactions older than their snapshot's `xmin`) needs no lock at all,
but a reader's position then has two parts (transaction, id), where the library's trackers
and every view's tracking row hold one integer, and the hash chain's horizon would change
with it; group commit keeps every reader as it is.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

from infrastructure.schema_digest import RecordedSchema

#: The environment setting that has the library build this recorder.
RECORDER_TOPIC = "infrastructure.recorder:OrderedApplicationRecorder"

#: The most commands one group commits (one subtransaction each: see the module's notes).
GROUP_LIMIT = 48

#: The name of the group insert function (beside the library's `es_insert_events_uuid`).
GROUP_FUNCTION = "huiyin_insert_group"

#: How many recent group sizes a recorder remembers (`group_sizes`: tests, the benchmark).
SIZES_KEPT = 10_000


@dataclass(eq=False)
class _Waiting:
    """One caller's command in the queue: its events, and its answer once committed."""

    events: list[Any]
    answered: threading.Event = field(default_factory=threading.Event)
    #: Set when this caller is to lead the next group.
    leads: bool = False
    ids: list[int] | None = None
    error: BaseException | None = None


class OrderedApplicationRecorder(RecordedSchema, PostgresApplicationRecorder):
    """`PostgresApplicationRecorder` whose insert function locks the table first, whose
    concurrent inserts commit in groups, and whose statements run only when they changed
    (`RecordedSchema`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = {
            "lock_timeout": self.datastore.lock_timeout,
            "channel": Identifier(self.channel_name),
            "event": Identifier(self.stored_event_type_name),
            "schema": Identifier(self.datastore.schema),
            "table": Identifier(self.events_table_name),
        }
        self.sql_create_pg_function_insert_events = SQL(
            "CREATE OR REPLACE FUNCTION "
            "{schema}.{insert_events}(events {schema}.{event}[]) "
            "RETURNS SETOF bigint "
            "LANGUAGE plpgsql "
            "AS "
            "$BODY$"
            "BEGIN"
            "    SET LOCAL lock_timeout = '{lock_timeout}s';"
            # Held until the calling statement's transaction commits: ids are issued and
            # committed by one transaction at a time. Reads are not blocked.
            "    LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE;"
            "    NOTIFY {channel};"
            "    RETURN QUERY"
            "    INSERT INTO {schema}.{table} AS t ("
            "    originator_id, originator_version, topic, state)"
            "    SELECT originator_id, originator_version, topic, state"
            "    FROM unnest(events)"
            "    RETURNING notification_id;"
            "END;"
            "$BODY$"
        ).format(insert_events=Identifier(self.pg_function_name_insert_events), **names)
        index = self.create_insert_function_statement_index
        self.sql_create_statements[index] = self.sql_create_pg_function_insert_events
        # Each command's events are `sizes[i]` consecutive elements of `events`. A command
        # whose insert breaks a unique constraint (its aggregate version is taken) returns
        # one row with a NULL id; the ids of one that committed are returned in order.
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION "
                "{schema}.{group}(events {schema}.{event}[], sizes integer[]) "
                "RETURNS TABLE (command integer, notification_id bigint) "
                "LANGUAGE plpgsql "
                "AS "
                "$BODY$"
                "DECLARE"
                "    first integer := 1;"
                "    ids bigint[];"
                "BEGIN"
                "    SET LOCAL lock_timeout = '{lock_timeout}s';"
                "    LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE;"
                "    NOTIFY {channel};"
                "    FOR i IN 1 .. coalesce(array_length(sizes, 1), 0) LOOP"
                "        BEGIN"
                "            WITH inserted AS ("
                "                INSERT INTO {schema}.{table} AS t ("
                "                originator_id, originator_version, topic, state)"
                "                SELECT e.originator_id, e.originator_version, e.topic, e.state"
                "                FROM unnest(events[first:first + sizes[i] - 1]) AS e"
                "                RETURNING t.notification_id AS id)"
                "            SELECT array_agg(inserted.id ORDER BY inserted.id) INTO ids"
                "            FROM inserted;"
                "            RETURN QUERY SELECT i, unnest(ids);"
                "        EXCEPTION WHEN unique_violation THEN"
                "            RETURN QUERY SELECT i, NULL::bigint;"
                "        END;"
                "        first := first + sizes[i];"
                "    END LOOP;"
                "END;"
                "$BODY$"
            ).format(group=Identifier(GROUP_FUNCTION), **names)
        )
        self.sql_insert_group = SQL("SELECT command, notification_id FROM {0}.{1}(%s, %s)").format(
            Identifier(self.datastore.schema), Identifier(GROUP_FUNCTION)
        )
        self._queue: list[_Waiting] = []
        self._queue_lock = threading.Lock()
        self._leading = False
        #: The sizes of the latest groups committed (how many commands each), newest last.
        self.group_sizes: deque[int] = deque(maxlen=SIZES_KEPT)

    def schema_name(self) -> str:
        return self.events_table_name

    def schema_relations(self) -> Sequence[str]:
        return (self.events_table_name, self.stored_event_type_name)

    def queued(self) -> int:
        """How many commands wait for their group to be committed (the one being committed
        is no longer queued)."""
        with self._queue_lock:
            return len(self._queue)

    # -- inserting -------------------------------------------------------------------------

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Stores one command's events, committed with those of the commands saved at the
        same moment; returns their notification ids once committed. IntegrityError if an
        aggregate version is taken (this command alone fails)."""
        if not self.datastore.enable_db_functions or kwargs.get("tracking") is not None:
            return super().insert_events(stored_events, **kwargs)  # type: ignore[no-any-return]
        if not stored_events:
            return []
        ids: list[int] = self._insert_grouped([self._composite(e) for e in stored_events])
        return ids

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _insert_grouped(self, events: list[Any]) -> list[int]:
        """Queues a command's events and waits for its answer, leading a group if no
        group is being committed (or when the last leader hands over)."""
        waiting = _Waiting(events)
        with self._queue_lock:
            self._queue.append(waiting)
            if not self._leading:
                self._leading = waiting.leads = True
        while not waiting.leads:
            waiting.answered.wait()
            waiting.answered.clear()
            if waiting.ids is not None or waiting.error is not None:
                return self._answer(waiting)
            # Woken to lead: this caller's command is still queued.
        self._lead()
        return self._answer(waiting)

    def _composite(self, event: StoredEvent) -> Any:
        return self.construct_pg_stored_event(
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            topic=event.topic,
            state=event.state,
        )

    @staticmethod
    def _answer(waiting: _Waiting) -> list[int]:
        if waiting.error is not None:
            copy = _own_copy(waiting.error)
            if copy is waiting.error:
                raise copy
            raise copy from waiting.error
        assert waiting.ids is not None  # noqa: S101  # answered: ids or an error
        return waiting.ids

    def _lead(self) -> None:
        """Commits one group (the queue as it is now, the leader's command among it), then
        hands the lead to the first caller queued since, if any."""
        with self._queue_lock:
            group, self._queue = self._queue[:GROUP_LIMIT], self._queue[GROUP_LIMIT:]
        try:
            self._commit(group)
        except BaseException as error:  # every caller gets it, none hangs
            for waiting in group:
                if waiting.ids is None and waiting.error is None:
                    waiting.error = error
        finally:
            with self._queue_lock:
                if self._queue:
                    nxt = self._queue[0]
                    nxt.leads = True
                    nxt.answered.set()
                else:
                    self._leading = False
            for waiting in group:
                waiting.answered.set()

    def _commit(self, group: list[_Waiting]) -> None:
        try:
            results = self._insert_group(group)
        except (InterfaceError, OperationalError):
            raise  # the database or the connection: every caller retries
        except Exception:
            if len(group) == 1:
                raise
            for waiting in group:  # one command's error must not fail the others
                try:
                    self._settle(waiting, self._insert_group([waiting])[0])
                except Exception as error:  # this caller's own error
                    waiting.error = error
            return
        self.group_sizes.append(len(group))
        for waiting, ids in zip(group, results, strict=True):
            self._settle(waiting, ids)

    @staticmethod
    def _settle(waiting: _Waiting, ids: list[int] | None) -> None:
        if ids is None:
            waiting.error = IntegrityError(
                "duplicate key value violates unique constraint: an aggregate version is"
                " taken already"
            )
        else:
            waiting.ids = ids

    def _insert_group(self, group: list[_Waiting]) -> list[list[int] | None]:
        """One statement, one transaction: each command's ids, or None for a conflict."""
        events = [event for waiting in group for event in waiting.events]
        sizes = [len(waiting.events) for waiting in group]
        if len(group) == 1:  # no one else: the single insert (no subtransaction), as before
            with self.datastore.get_connection() as conn, conn.cursor() as curs:
                curs.execute(self.sql_invoke_pg_function_insert_events, (events,), prepare=True)
                return [[int(row[self.pg_function_name_insert_events]) for row in curs]]
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.sql_insert_group, (events, sizes), prepare=True)
            rows = curs.fetchall()
        results: list[list[int] | None] = [[] for _ in group]
        for row in rows:
            index = int(row["command"]) - 1
            found = results[index]
            if row["notification_id"] is None:
                results[index] = None
            elif found is not None:
                found.append(int(row["notification_id"]))
        return results


def _own_copy(error: BaseException) -> BaseException:
    """The group's error anew for one of its callers: several threads raise it at once,
    and each raise would add its own frames to one shared traceback."""
    try:
        return type(error)(*error.args)
    except Exception:  # an error class with another signature
        return error
