"""The deadline board in PostgreSQL: table `deadline_board`, one row per (case, act)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from psycopg.sql import SQL, Identifier

from infrastructure.views import HeldRowsView, Statement
from projections.deadline_board import BoardChange, DeadlineBoardView, DueCase

#: The columns in the order a rebuild's rows hold them (and COPY sends them).
ROW_COLUMNS = ("case_id", "act", "case_type", "due_at", "owed", "missed_due")
_DUE_AT, _OWED, _MISSED_DUE = 3, 4, 5

SETTLE = (
    "UPDATE {0}.deadline_board SET owed = false WHERE case_id = %(id)s"
    " AND (%(all)s OR act = ANY(%(acts)s))"
)
OWE = (
    "INSERT INTO {0}.deadline_board (case_id, act, case_type, due_at, owed)"
    " VALUES (%(id)s, %(act)s, %(type)s, %(due)s, true)"
    " ON CONFLICT (case_id, act) DO UPDATE"
    " SET due_at = EXCLUDED.due_at, owed = true"
)
MISSED = (
    "UPDATE {0}.deadline_board SET missed_due = %(due)s WHERE case_id = %(id)s AND act = %(act)s"
)


class PostgresDeadlineBoardView(HeldRowsView[UUID, dict[str, list[Any]]], DeadlineBoardView):
    """Owed acts with their due times; a partial index finds the overdue ones fast.

    A rebuild keeps each case's rows in memory (`RebuildRows`, keyed by case), applies each
    change as the statements would, and copies the final rows once.
    """

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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schema = Identifier(self.datastore.schema)
        # Composed once: formatting a statement per event cost as much as running it.
        self._settle_sql = SQL(SETTLE).format(schema)
        self._owe_sql = SQL(OWE).format(schema)
        self._missed_sql = SQL(MISSED).format(schema)

    def change(self, change: BoardChange, tracking: Tracking) -> None:
        held = self._held
        if held is not None and not held.written(change.case_id):
            acts = held.rows.get(change.case_id)
            if acts is None:
                acts = {}
                held.add(change.case_id, acts)
            _apply(acts, change)
            self.rebuild_applied(tracking)
            return
        statements: list[Statement] = []
        if change.settle_all or change.settle:
            statements.append(
                (
                    self._settle_sql,
                    {"id": change.case_id, "all": change.settle_all, "acts": list(change.settle)},
                )
            )
        for act, due in change.owe:
            statements.append(
                (
                    self._owe_sql,
                    {"id": change.case_id, "act": act, "type": change.case_type, "due": due},
                )
            )
        if change.missed is not None:
            act, due = change.missed
            statements.append((self._missed_sql, {"id": change.case_id, "act": act, "due": due}))
        self.write(tracking, statements)

    def _copy_held(self, cases: list[dict[str, list[Any]]]) -> None:
        rows = (row for acts in cases for row in acts.values())
        self.copy_rows("deadline_board", ROW_COLUMNS, rows)

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


def _apply(acts: dict[str, list[Any]], change: BoardChange) -> None:
    """Applies one event's change to a case's rows held by a rebuild, as the statements
    SETTLE, OWE (per act, in order) and MISSED would."""
    if change.settle_all:
        for row in acts.values():
            row[_OWED] = False
    else:
        for act in change.settle:
            settled = acts.get(act)
            if settled is not None:
                settled[_OWED] = False
    for act, due in change.owe:
        owed = acts.get(act)
        if owed is None:
            acts[act] = [change.case_id, act, change.case_type, due, True, None]
        else:
            owed[_DUE_AT] = due
            owed[_OWED] = True
    if change.missed is not None:
        act, due = change.missed
        missed = acts.get(act)
        if missed is not None:
            missed[_MISSED_DUE] = due
