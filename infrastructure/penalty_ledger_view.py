"""The penalty ledger in PostgreSQL: table `penalty_ledger`."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.persistence import Tracking
from psycopg.sql import SQL, Identifier

from infrastructure.views import PostgresView
from projections.penalty_ledger import LedgerEntry, PenaltyLedgerView


class PostgresPenaltyLedgerView(PostgresView, PenaltyLedgerView):
    """One row per penalty, indexed by day and department."""

    tables = ("penalty_ledger",)
    create_statements = (
        "CREATE TABLE IF NOT EXISTS {schema}.penalty_ledger ("
        " id uuid PRIMARY KEY,"
        " department text NOT NULL,"
        " rule text NOT NULL,"
        " points integer NOT NULL,"
        " day date NOT NULL,"
        " reversed boolean NOT NULL DEFAULT false)",
        "CREATE INDEX IF NOT EXISTS penalty_ledger_day"
        " ON {schema}.penalty_ledger (day, department)",
    )

    def record(self, entry: LedgerEntry, tracking: Tracking) -> None:
        statement = SQL(
            "INSERT INTO {0}.penalty_ledger (id, department, rule, points, day)"
            " VALUES (%s, %s, %s, %s, %s)"
        ).format(Identifier(self.datastore.schema))
        params = (entry.id, entry.department, entry.rule, entry.points, entry.day)
        self.write(tracking, ((statement, params),))

    def reverse(self, penalty_id: UUID, tracking: Tracking) -> None:
        statement = SQL("UPDATE {0}.penalty_ledger SET reversed = true WHERE id = %s").format(
            Identifier(self.datastore.schema)
        )
        self.write(tracking, ((statement, (penalty_id,)),))

    def entries(self, start: date, end: date, department: str | None = None) -> list[LedgerEntry]:
        rows = self.query(
            SQL(
                "SELECT id, department, rule, points, day, reversed FROM {0}.penalty_ledger"
                " WHERE day BETWEEN %(start)s AND %(end)s"
                " AND (%(department)s::text IS NULL OR department = %(department)s)"
                " ORDER BY day, id"
            ).format(Identifier(self.datastore.schema)),
            {"start": start, "end": end, "department": department},
        )
        return [
            LedgerEntry(r["id"], r["department"], r["rule"], r["points"], r["day"], r["reversed"])
            for r in rows
        ]
