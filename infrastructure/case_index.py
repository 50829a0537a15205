"""The case index in PostgreSQL: table `case_index`, keyset-paginated newest first."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Tracking
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from infrastructure.views import PostgresView, Statement
from projections.cases import (
    CaseChanged,
    CaseIndexView,
    CaseOpened,
    CasePage,
    CaseQuery,
    CaseRow,
    CaseType,
)

COLUMNS = (
    "id, case_type, ref, title, kind, status, opened_at, updated_at, version, channel, tier, "
    "category, department, departments, deadline_at, overdue, transfers, meeting_id"
)


class PostgresCaseIndexView(PostgresView, CaseIndexView):
    """One row per case; indexes serve the list filters and the newest-first order."""

    tables = ("case_index",)
    create_statements = (
        "CREATE TABLE IF NOT EXISTS {schema}.case_index ("
        " id uuid PRIMARY KEY,"
        " case_type text NOT NULL,"
        " ref text NOT NULL,"
        " title text NOT NULL,"
        " kind text NOT NULL,"
        " status text NOT NULL,"
        " opened_at timestamptz NOT NULL,"
        " updated_at timestamptz NOT NULL,"
        " version integer NOT NULL,"
        " channel text, tier text, category text, department text,"
        " departments text[] NOT NULL DEFAULT '{{}}',"
        " deadline_at timestamptz,"
        " overdue boolean NOT NULL DEFAULT false,"
        " transfers integer NOT NULL DEFAULT 0,"
        " meeting_id uuid)",
        "CREATE INDEX IF NOT EXISTS case_index_type_opened"
        " ON {schema}.case_index (case_type, opened_at DESC, id DESC)",
        "CREATE INDEX IF NOT EXISTS case_index_departments"
        " ON {schema}.case_index USING gin (departments)",
        "CREATE INDEX IF NOT EXISTS case_index_deadline"
        " ON {schema}.case_index (deadline_at) WHERE deadline_at IS NOT NULL",
    )

    def _table(self) -> Identifier:
        return Identifier(self.datastore.schema)

    def open_case(self, case: CaseOpened, tracking: Tracking) -> None:
        statement: Statement = (
            SQL(
                "INSERT INTO {0}.case_index (id, case_type, ref, title, kind, status, opened_at,"
                " updated_at, version, channel, tier, category, department, departments,"
                " deadline_at, meeting_id) VALUES (%(id)s, %(case_type)s, %(ref)s, %(title)s,"
                " %(kind)s, %(status)s, %(opened_at)s, %(at)s, 1, %(channel)s, %(tier)s,"
                " %(category)s, %(department)s, %(departments)s, %(deadline_at)s, %(meeting_id)s)"
            ).format(self._table()),
            {
                "id": case.id,
                "case_type": case.case_type.value,
                "ref": case.ref,
                "title": case.title,
                "kind": case.kind,
                "status": case.status,
                "opened_at": case.opened_at,
                "at": case.at,
                "channel": case.channel,
                "tier": case.tier,
                "category": case.category,
                "department": case.department,
                "departments": list(case.departments),
                "deadline_at": case.deadline_at,
                "meeting_id": case.meeting_id,
            },
        )
        self.write(tracking, (statement,))

    def change_case(self, change: CaseChanged, tracking: Tracking) -> None:
        statement: Statement = (
            SQL(
                "UPDATE {0}.case_index SET version = %(version)s, updated_at = %(at)s,"
                " status = COALESCE(%(status)s, status),"
                " department = COALESCE(%(department)s, department),"
                " departments = CASE WHEN cardinality(%(add)s::text[]) = 0 THEN departments"
                "   ELSE ARRAY(SELECT DISTINCT unnest(departments || %(add)s::text[])) END,"
                " deadline_at = CASE WHEN %(clear)s THEN NULL"
                "   ELSE COALESCE(%(deadline_at)s, deadline_at) END,"
                " overdue = COALESCE(%(overdue)s, overdue),"
                " transfers = transfers + %(transferred)s"
                " WHERE id = %(id)s"
            ).format(self._table()),
            {
                "id": change.id,
                "version": change.version,
                "at": change.at,
                "status": change.status,
                "department": change.department,
                "add": list(change.add_departments),
                "clear": change.clear_deadline,
                "deadline_at": change.deadline_at,
                "overdue": change.overdue,
                "transferred": 1 if change.transferred else 0,
            },
        )
        self.write(tracking, (statement,))

    def list_cases(self, query: CaseQuery) -> CasePage:
        where = ["case_type = %(case_type)s"]
        params: dict[str, Any] = {"case_type": query.case_type.value, "limit": query.limit + 1}
        for column in ("status", "kind", "channel", "tier", "category", "meeting_id"):
            value = getattr(query, column)
            if value is not None:
                where.append(f"{column} = %({column})s")
                params[column] = value
        if query.department is not None:
            where.append("departments @> ARRAY[%(department)s]::text[]")
            params["department"] = query.department
        if query.overdue is not None:
            params["now"] = query.now
            overdue = "(overdue OR (deadline_at IS NOT NULL AND deadline_at < %(now)s))"
            where.append(overdue if query.overdue else f"NOT {overdue}")
        if query.min_transfers is not None:
            where.append("transfers >= %(min_transfers)s")
            params["min_transfers"] = query.min_transfers
        if query.opened_from is not None:
            where.append("opened_at >= %(opened_from)s")
            params["opened_from"] = query.opened_from
        if query.opened_before is not None:
            where.append("opened_at < %(opened_before)s")
            params["opened_before"] = query.opened_before
        if query.after is not None:
            where.append("(opened_at, id) < (%(after_at)s, %(after_id)s)")
            params["after_at"], params["after_id"] = query.after
        # Every fragment in `where` is a constant above; values travel as parameters.
        conditions = " AND ".join(where)
        text = f"SELECT {COLUMNS} FROM {{0}}.case_index WHERE {conditions}"  # noqa: S608
        sql = SQL(text + " ORDER BY opened_at DESC, id DESC LIMIT %(limit)s").format(self._table())
        rows = [self._row(r, query) for r in self.query(sql, params)]
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        next_after = (rows[-1].opened_at, rows[-1].id) if more and rows else None
        return CasePage(rows=rows, next_after=next_after)

    @staticmethod
    def _row(row: DictRow, query: CaseQuery) -> CaseRow:
        deadline = row["deadline_at"]
        overdue = bool(row["overdue"]) or (
            deadline is not None and query.now is not None and deadline < query.now
        )
        return CaseRow(
            id=row["id"],
            case_type=CaseType(row["case_type"]),
            ref=row["ref"],
            title=row["title"],
            kind=row["kind"],
            status=row["status"],
            opened_at=row["opened_at"],
            updated_at=row["updated_at"],
            version=row["version"],
            channel=row["channel"],
            tier=row["tier"],
            category=row["category"],
            department=row["department"],
            departments=list(row["departments"]),
            deadline_at=deadline,
            overdue=overdue,
            transfers=row["transfers"],
            meeting_id=row["meeting_id"],
        )
