"""The reminder sweep's SQL: owed deadlines from the deadline board (on the primary, so a
reminder never waits for a replica or a view rebuild elsewhere) and recording reminders
through the outbox's one insert (`infrastructure.notice_outbox.insert_notices`)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import dict_row
from psycopg.sql import SQL, Identifier

from application.reminders import OwedDeadline
from domain.deadlines import DeadlineAct
from domain.notices import Notice
from infrastructure.notice_outbox import insert_notices

#: The department owing an appeal's first response while nobody took it on: the union's.
OWED = (
    "SELECT b.case_id, b.case_type, b.act, b.due_at,"
    " CASE WHEN b.case_type = 'appeal' AND b.act = %(first)s"
    " THEN COALESCE(c.department, %(union)s) ELSE c.department END AS department, c.tier"
    " FROM {schema}.deadline_board b LEFT JOIN {schema}.case_index c ON c.id = b.case_id"
    " WHERE b.owed AND b.due_at > %(now)s AND b.due_at <= %(until)s"
    " AND b.missed_due IS DISTINCT FROM b.due_at"
    " AND (%(after_due)s::timestamptz IS NULL"
    " OR (b.due_at, b.case_id, b.act) > (%(after_due)s, %(after_id)s::uuid, %(after_act)s))"
    " ORDER BY b.due_at, b.case_id, b.act LIMIT %(limit)s"
)


class PostgresReminderStore:
    """The sweep's reads and writes on one connection of its own (reopened after errors)."""

    def __init__(self, conninfo: str, *, union_office: str, schema: str = "public") -> None:
        self._conninfo = conninfo
        self._union_office = union_office
        self._schema = schema
        self._owed = SQL(OWED).format(schema=Identifier(schema))
        self._conn: psycopg.Connection[Any] | None = None
        self._lock = threading.Lock()

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self._conninfo, autocommit=True)
        return self._conn

    def owed(
        self, now: datetime, until: datetime, after: tuple[datetime, UUID, str] | None, limit: int
    ) -> Sequence[OwedDeadline]:
        """Owed deadlines due in (now, until], in order, after `after`."""
        params = {
            "first": DeadlineAct.FIRST_RESPONSE.value,
            "union": self._union_office,
            "now": now,
            "until": until,
            "after_due": after[0] if after else None,
            "after_id": after[1] if after else None,
            "after_act": after[2] if after else None,
            "limit": limit,
        }
        with self._lock, self._guarded() as conn, conn.cursor(row_factory=dict_row) as curs:
            curs.execute(self._owed, params)
            return [OwedDeadline(**row) for row in curs.fetchall()]

    def record(self, reminders: Sequence[Notice]) -> int:
        """Records the new reminders and their deliveries in one transaction."""
        with self._lock, self._guarded() as conn, conn.transaction():
            return len(insert_notices(conn, reminders, schema=self._schema))

    def _guarded(self) -> _Guard:
        return _Guard(self)

    def close(self) -> None:
        """Closes the connection."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class _Guard:
    """The store's connection for one call; dropped if the call failed on it."""

    def __init__(self, store: PostgresReminderStore) -> None:
        self._store = store

    def __enter__(self) -> psycopg.Connection[Any]:
        return self._store._connection()

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is not None and isinstance(error, psycopg.OperationalError):
            conn, self._store._conn = self._store._conn, None
            if conn is not None:
                conn.close()
