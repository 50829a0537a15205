"""The audit trail in PostgreSQL: table `audit_trail`, one row per event, keyed by position.

A small side table `audit_trail_cases` remembers each case's reference (an appeal's case
number) and the department it is with, so rows of later events carry them too; live, the row
reads it in SQL. A rebuild holds the cases in memory instead (`RebuildRows`), fills the rows
from there and sends them with COPY, in batches.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Tracking
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier
from psycopg.types.json import Jsonb

from infrastructure.read_scope import AUDIT_TRAIL, scope_clause
from infrastructure.views import PostgresView, RebuildRows, Statement
from projections.audit_entries import AuditEntry
from projections.audit_trail import EXPORT_CHUNK, AuditPage, AuditQuery, AuditRow, AuditTrailView
from projections.scope import ReadScope

COLUMNS = (
    "position, case_id, case_type, case_ref, version, event_type, occurred_at, actor_id,"
    " actor_role, department, summary, data, held_by, actor_token"
)

#: Query fields compared for equality, and their columns.
EQUALS = {
    "case_id": "case_id",
    "case_type": "case_type",
    "event_type": "event_type",
    "department": "department",
}

_standard_dumps = partial(json.dumps, ensure_ascii=False)


def _dumps(data: Any) -> bytes:
    """An entry's data as JSON: by orjson (half the standard library's time, which was a
    quarter of a rebuild's work per event), by the standard library for what orjson refuses
    (keys that are not strings, integers past 64 bits)."""
    try:
        return orjson.dumps(data)
    except orjson.JSONEncodeError:
        return _standard_dumps(data).encode()


#: The columns of `audit_trail` in the order a rebuild's rows hold them (and COPY sends them).
ROW_COLUMNS = tuple(COLUMNS.split(", "))
CASE_COLUMNS = ("case_id", "case_type", "ref", "department", "held_by")
_REF, _DEPARTMENT, _HELD_BY = 2, 3, 4

#: Rows a rebuild gathers before one COPY sends them.
COPY_ROWS = 5_000

OPEN_CASE = (
    "INSERT INTO {0}.audit_trail_cases (case_id, case_type, ref, department, held_by)"
    " VALUES (%(case_id)s, %(case_type)s, %(ref)s, %(department)s, %(holding)s)"
    " ON CONFLICT (case_id) DO NOTHING"
)
MOVE_CASE = (
    "UPDATE {0}.audit_trail_cases SET department = %(department)s, held_by = %(holding)s"
    " WHERE case_id = %(case_id)s"
)
RECORD = (
    "INSERT INTO {0}.audit_trail (position, case_id, case_type, case_ref,"
    " version, event_type, occurred_at, actor_id, actor_role, department,"
    " summary, data, held_by, actor_token)"
    " SELECT %(position)s, %(case_id)s, %(case_type)s, c.ref, %(version)s,"
    " %(event_type)s, %(at)s, %(actor_id)s, %(actor_role)s,"
    " COALESCE(%(department)s, c.department), %(summary)s, %(data)s,"
    " COALESCE(%(holding)s, c.held_by), %(actor_token)s"
    " FROM (SELECT 1) AS one"
    " LEFT JOIN {0}.audit_trail_cases AS c ON c.case_id = %(case_id)s"
)


class PostgresAuditTrailView(PostgresView, AuditTrailView):
    """One row per event; an index per filter, each ending in position for the cursor."""

    tables = ("audit_trail", "audit_trail_cases")
    create_statements = (
        "CREATE TABLE IF NOT EXISTS {schema}.audit_trail_cases ("
        " case_id uuid PRIMARY KEY,"
        " case_type text NOT NULL,"
        " ref text,"
        " department text)",
        "CREATE TABLE IF NOT EXISTS {schema}.audit_trail ("
        " position bigint PRIMARY KEY,"
        " case_id uuid NOT NULL,"
        " case_type text NOT NULL,"
        " case_ref text,"
        " version integer NOT NULL,"
        " event_type text NOT NULL,"
        " occurred_at timestamptz NOT NULL,"
        " actor_id text NOT NULL,"
        " actor_role text NOT NULL,"
        " department text,"
        " summary text NOT NULL,"
        " data jsonb NOT NULL)",
        "CREATE INDEX IF NOT EXISTS audit_trail_case ON {schema}.audit_trail (case_id, position)",
        "CREATE INDEX IF NOT EXISTS audit_trail_actor ON {schema}.audit_trail (actor_id, position)",
        "CREATE INDEX IF NOT EXISTS audit_trail_department"
        " ON {schema}.audit_trail (department, position) WHERE department IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS audit_trail_event_type"
        " ON {schema}.audit_trail (event_type, position)",
        "CREATE INDEX IF NOT EXISTS audit_trail_case_type"
        " ON {schema}.audit_trail (case_type, position)",
        "CREATE INDEX IF NOT EXISTS audit_trail_occurred ON {schema}.audit_trail (occurred_at)",
        # The department each event leaves its case with, for a department's scoped reads
        # (`infrastructure.read_scope`). Stores made before: `huiyin rebuild audit_trail`.
        "ALTER TABLE {schema}.audit_trail_cases ADD COLUMN IF NOT EXISTS held_by text",
        "ALTER TABLE {schema}.audit_trail ADD COLUMN IF NOT EXISTS held_by text",
        "CREATE INDEX IF NOT EXISTS audit_trail_held_by"
        " ON {schema}.audit_trail (held_by, position) WHERE held_by IS NOT NULL",
        # An employee acting in person: their id sealed (`actor_id` holds their reference).
        "ALTER TABLE {schema}.audit_trail ADD COLUMN IF NOT EXISTS actor_token text",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schema = self._schema()
        # Composed once: formatting a statement per event cost as much as running it.
        self._open_sql = SQL(OPEN_CASE).format(schema)
        self._move_sql = SQL(MOVE_CASE).format(schema)
        self._record_sql = SQL(RECORD).format(schema)
        self._cases: RebuildRows[UUID, list[Any]] | None = None
        self._rows: list[tuple[Any, ...]] = []

    def _schema(self) -> Identifier:
        return Identifier(self.datastore.schema)

    # -- writing -------------------------------------------------------------------------

    def record(self, entry: AuditEntry, tracking: Tracking) -> None:
        cases = self._cases
        if cases is not None and not cases.written(entry.case_id):
            self._record_held(cases, entry, tracking)
            return
        params: dict[str, Any] = {
            "position": tracking.notification_id,
            "case_id": entry.case_id,
            "case_type": entry.case_type,
            "ref": entry.ref,
            "version": entry.version,
            "event_type": entry.event_type,
            "at": entry.at,
            "actor_id": entry.actor_id,
            "actor_role": entry.actor_role,
            "department": entry.department,
            "holding": entry.holding,
            "summary": entry.summary,
            "data": Jsonb(entry.data, dumps=_dumps),
            "actor_token": entry.actor_token,
        }
        statements: list[Statement] = []
        if entry.opens_case:
            statements.append((self._open_sql, params))
        if entry.moves_case and entry.department is not None:
            statements.append((self._move_sql, params))
        statements.append((self._record_sql, params))
        self.write(tracking, statements)

    def _record_held(
        self, cases: RebuildRows[UUID, list[Any]], entry: AuditEntry, tracking: Tracking
    ) -> None:
        """A rebuild's row, filled from the cases in memory as RECORD fills it in SQL."""
        case = cases.rows.get(entry.case_id)
        if entry.opens_case and case is None:  # ON CONFLICT DO NOTHING: the first one counts
            case = [entry.case_id, entry.case_type, entry.ref, entry.department, entry.holding]
            cases.add(entry.case_id, case)
        if case is not None and entry.moves_case and entry.department is not None:
            case[_DEPARTMENT] = entry.department
            case[_HELD_BY] = entry.holding
        ref, department, held_by = (
            (None, None, None) if case is None else (case[_REF], case[_DEPARTMENT], case[_HELD_BY])
        )
        self._rows.append(
            (
                tracking.notification_id,
                entry.case_id,
                entry.case_type,
                ref,
                entry.version,
                entry.event_type,
                entry.at,
                entry.actor_id,
                entry.actor_role,
                department if entry.department is None else entry.department,
                entry.summary,
                _dumps(entry.data),  # COPY takes the jsonb column's JSON text
                held_by if entry.holding is None else entry.holding,
                entry.actor_token,
            )
        )
        self.rebuild_applied(tracking)
        if len(self._rows) >= COPY_ROWS:
            self._copy_rows()

    def _copy_rows(self) -> None:
        rows, self._rows = self._rows, []
        if rows:
            self.copy_rows("audit_trail", ROW_COLUMNS, rows)

    def _copy_cases(self, cases: list[list[Any]]) -> None:
        self.copy_rows("audit_trail_cases", CASE_COLUMNS, cases)

    def _rebuild_started(self) -> None:
        self._cases = RebuildRows(self._copy_cases)
        self._rows = []

    def _rebuild_finishing(self) -> None:
        self._copy_rows()
        if self._cases is not None:
            self._cases.drain()

    def _rebuild_ended(self) -> None:
        self._cases = None
        self._rows = []

    # -- reading -------------------------------------------------------------------------

    def find(self, query: AuditQuery) -> AuditPage:
        rows = self._select(query, query.limit + 1, up_to=None)
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        return AuditPage(rows=rows, next_after=rows[-1].position if more and rows else None)

    def case_trail(self, case_id: UUID, scope: ReadScope | None = None) -> list[AuditRow]:
        condition, params = _scoped(scope)
        sql = SQL(
            "SELECT " + COLUMNS + " FROM {0}.audit_trail"  # noqa: S608
            " WHERE case_id = %(case_id)s AND " + condition + " ORDER BY position"
        ).format(self._schema())
        return [_row(r) for r in self.query(sql, {**params, "case_id": case_id})]

    def export_rows(self, query: AuditQuery) -> Iterator[AuditRow]:
        # Chunks by position rather than one server-side cursor: no connection or
        # transaction is held while a slow client reads (the pool is small and idle
        # transactions are ended after a few seconds), and memory stays at one chunk.
        up_to = self.position()
        after = query.after
        while True:
            rows = self._select(replace(query, after=after), EXPORT_CHUNK, up_to=up_to)
            yield from rows
            if len(rows) < EXPORT_CHUNK:
                return
            after = rows[-1].position

    def _select(self, query: AuditQuery, limit: int, *, up_to: int | None) -> list[AuditRow]:
        where = ["TRUE"]
        params: dict[str, Any] = {"limit": limit}
        for field, column in EQUALS.items():
            value = getattr(query, field)
            if value is not None:
                where.append(f"{column} = %({field})s")
                params[field] = value
        if query.actor_id is not None:
            where.append("actor_id = ANY(%(actor_ids)s)")
            params["actor_ids"] = [query.actor_id, query.actor_ref or query.actor_id]
        if query.occurred_from is not None:
            where.append("occurred_at >= %(occurred_from)s")
            params["occurred_from"] = query.occurred_from
        if query.occurred_before is not None:
            where.append("occurred_at < %(occurred_before)s")
            params["occurred_before"] = query.occurred_before
        if query.after is not None:
            where.append("position > %(after)s")
            params["after"] = query.after
        if up_to is not None:
            where.append("position <= %(up_to)s")
            params["up_to"] = up_to
        condition, values = _scoped(query.scope)
        where.append(condition)
        params.update(values)
        # Every fragment in `where` is a constant above; values travel as parameters.
        sql = SQL(
            "SELECT "  # noqa: S608
            + COLUMNS
            + " FROM {0}.audit_trail WHERE "
            + " AND ".join(where)
            + " ORDER BY position LIMIT %(limit)s"
        ).format(self._schema())
        return [_row(r) for r in self.query(sql, params)]


def _scoped(scope: ReadScope | None) -> tuple[str, dict[str, Any]]:
    """The condition keeping a reader to the rows their scope reaches."""
    return ("TRUE", {}) if scope is None else scope_clause(scope, AUDIT_TRAIL)


def _row(row: DictRow) -> AuditRow:
    return AuditRow(
        position=row["position"],
        case_id=row["case_id"],
        case_type=row["case_type"],
        case_ref=row["case_ref"],
        version=row["version"],
        event_type=row["event_type"],
        at=row["occurred_at"],
        actor_id=row["actor_id"],
        actor_role=row["actor_role"],
        department=row["department"],
        summary=row["summary"],
        data=row["data"],
        actor_token=row["actor_token"],
    )
