"""The deadline board in PostgreSQL: table `deadline_board`, one row per (case, act)."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.persistence import Tracking
from psycopg.sql import SQL, Identifier

from infrastructure.views import PostgresView, Statement
from projections.deadlines import BoardChange, DeadlineBoardView, DueCase


class PostgresDeadlineBoardView(PostgresView, DeadlineBoardView):
    """Owed acts with their due times; a partial index finds the overdue ones fast."""

    tables = ("deadline_board",)
    create_statements = (
        "CREATE TABLE IF NOT EXISTS {schema}.deadline_board ("
        " case_id uuid NOT NULL,"
        " act text NOT NULL,"
        " case_type text NOT NULL,"
        " due_at timestamptz NOT NULL,"
        " owed boolean NOT NULL,"
        " missed_due timestamptz,"
        " PRIMARY KEY (case_id, act))",
        "CREATE INDEX IF NOT EXISTS deadline_board_owed"
        " ON {schema}.deadline_board (due_at) WHERE owed",
    )

    def change(self, change: BoardChange, tracking: Tracking) -> None:
        schema = Identifier(self.datastore.schema)
        statements: list[Statement] = []
        if change.settle_all or change.settle:
            statements.append(
                (
                    SQL(
                        "UPDATE {0}.deadline_board SET owed = false WHERE case_id = %(id)s"
                        " AND (%(all)s OR act = ANY(%(acts)s))"
                    ).format(schema),
                    {"id": change.case_id, "all": change.settle_all, "acts": list(change.settle)},
                )
            )
        for act, due in change.owe:
            statements.append(
                (
                    SQL(
                        "INSERT INTO {0}.deadline_board (case_id, act, case_type, due_at, owed)"
                        " VALUES (%(id)s, %(act)s, %(type)s, %(due)s, true)"
                        " ON CONFLICT (case_id, act) DO UPDATE"
                        " SET due_at = EXCLUDED.due_at, owed = true"
                    ).format(schema),
                    {"id": change.case_id, "act": act, "type": change.case_type, "due": due},
                )
            )
        if change.missed is not None:
            act, due = change.missed
            statements.append(
                (
                    SQL(
                        "UPDATE {0}.deadline_board SET missed_due = %(due)s"
                        " WHERE case_id = %(id)s AND act = %(act)s"
                    ).format(schema),
                    {"id": change.case_id, "act": act, "due": due},
                )
            )
        self.write(tracking, statements)

    def due_before(self, moment: datetime, limit: int) -> list[DueCase]:
        rows = self.query(
            SQL(
                "SELECT case_id, case_type, act, due_at FROM {0}.deadline_board"
                " WHERE owed AND due_at < %s AND missed_due IS DISTINCT FROM due_at"
                " ORDER BY due_at LIMIT %s"
            ).format(Identifier(self.datastore.schema)),
            (moment, limit),
        )
        return [DueCase(r["case_id"], r["case_type"], r["act"], r["due_at"]) for r in rows]
