"""The reminder sweep's SQL: owed deadlines from the deadline board (on the primary, so a
reminder never waits for a replica or a view rebuild elsewhere) and recording reminders
through the outbox's one insert (`infrastructure.notice_outbox.insert_notices`).

The deadlines are read in one pass (a server-side cursor, `batch` rows at a time) on one
connection while each batch's reminders are recorded, in a transaction of its own, on
another: paging by key instead would sort the window again for every page.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

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
    # One order for every sweeper: two instances record the same reminders in the same order.
    " ORDER BY b.due_at, b.case_id, b.act"
)


class PostgresReminderStore:
    """The sweep's reads and writes, on two connections of its own (reopened after a
    connection failed)."""

    def __init__(self, conninfo: str, *, union_office: str, schema: str = "public") -> None:
        self._conninfo = conninfo
        self._union_office = union_office
        self._schema = schema
        self._owed = SQL(OWED).format(schema=Identifier(schema))
        self._reader: psycopg.Connection[Any] | None = None
        self._writer: psycopg.Connection[Any] | None = None

    def owed(self, now: datetime, until: datetime, batch: int) -> Iterator[Sequence[OwedDeadline]]:
        """Owed deadlines due in (now, until], `batch` at a time, in one pass."""
        params = {
            "first": DeadlineAct.FIRST_RESPONSE.value,
            "union": self._union_office,
            "now": now,
            "until": until,
        }
        if self._reader is None or self._reader.closed:
            self._reader = psycopg.connect(self._conninfo)
        conn = self._reader
        try:
            with conn.transaction(), conn.cursor("owed_deadlines", row_factory=dict_row) as curs:
                curs.execute(self._owed, params)
                while rows := curs.fetchmany(batch):
                    yield [OwedDeadline(**row) for row in rows]
        except psycopg.OperationalError:
            self._reader = None
            conn.close()
            raise

    def record(self, reminders: Sequence[Notice]) -> int:
        """Records the new reminders and their deliveries in one transaction; how many."""
        if self._writer is None or self._writer.closed:
            self._writer = psycopg.connect(self._conninfo, autocommit=True)
        conn = self._writer
        try:
            with conn.transaction():
                return len(insert_notices(conn, reminders, schema=self._schema))
        except psycopg.OperationalError:
            self._writer = None
            conn.close()
            raise

    def close(self) -> None:
        """Closes the connections."""
        for conn in (self._reader, self._writer):
            if conn is not None:
                conn.close()
        self._reader = self._writer = None
