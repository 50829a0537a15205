"""The case index in PostgreSQL: table `case_index`, keyset-paginated newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from infrastructure.read_scope import case_index_scope
from infrastructure.view_people import ViewPeople
from infrastructure.views import HeldRowsView, Statement
from projections.case_index import (
    NO_DEADLINE,
    CaseChanged,
    CaseIndexView,
    CaseOpened,
    CaseOrder,
    CasePage,
    CaseQuery,
    CaseRow,
    CaseType,
)

COLUMNS = (
    "id, case_type, ref, title, kind, status, opened_at, updated_at, version, channel, tier, "
    "category, department, departments, deadline_at, overdue, transfers, meeting_id, "
    "people, raised_by, handled, leads, response_due, sealed_title"
)

#: Each order's key (a row's, and its cursor's) and its direction; ids break ties.
ORDER_KEYS = {
    CaseOrder.NEWEST: ("opened_at", "DESC", "<"),
    CaseOrder.DEADLINE: ("COALESCE(deadline_at, %(no_deadline)s)", "ASC", ">"),
}

#: The columns in the order a rebuild's rows hold them (and COPY sends them).
ROW_COLUMNS = tuple(COLUMNS.split(", "))
(
    _ID,
    _CASE_TYPE,
    _REF,
    _TITLE,
    _KIND,
    _STATUS,
    _OPENED_AT,
    _UPDATED_AT,
    _VERSION,
    _CHANNEL,
    _TIER,
    _CATEGORY,
    _DEPARTMENT,
    _DEPARTMENTS,
    _DEADLINE_AT,
    _OVERDUE,
    _TRANSFERS,
    _MEETING_ID,
    _PEOPLE,
    _RAISED_BY,
    _HANDLED,
    _LEADS,
    _RESPONSE_DUE,
    _SEALED_TITLE,
) = range(len(ROW_COLUMNS))

#: A rebuild's row: the columns, in `ROW_COLUMNS` order.
_Row = list[Any]

OPEN_CASE = (
    "INSERT INTO {0}.case_index (id, case_type, ref, title, kind, status, opened_at,"
    " updated_at, version, channel, tier, category, department, departments,"
    " deadline_at, meeting_id, people, raised_by, handled, leads, response_due, sealed_title)"
    " VALUES (%(id)s, %(case_type)s, %(ref)s, %(title)s, %(kind)s, %(status)s, %(opened_at)s,"
    " %(at)s, 1, %(channel)s, %(tier)s, %(category)s, %(department)s, %(departments)s,"
    " %(deadline_at)s, %(meeting_id)s, %(people)s, %(raised_by)s, %(handled)s, %(leads)s,"
    " %(response_due)s, %(sealed_title)s)"
)

#: Appends the values of a text[] parameter the column does not hold yet, in the order they
#: are first named (`_append` does the same to a rebuild's rows in memory).
_APPEND = (
    "{0} || ARRAY(SELECT a.d FROM unnest(%({1})s::text[]) WITH ORDINALITY AS a(d, n)"
    " WHERE a.d <> ALL({0}) GROUP BY a.d ORDER BY min(a.n))"
)

# Every piece is a constant; values travel as parameters.
CHANGE_CASE = (
    "UPDATE {0}.case_index SET version = %(version)s, updated_at = %(at)s,"  # noqa: S608
    " status = COALESCE(%(status)s, status),"
    " department = COALESCE(%(department)s, department),"
    # The departments the case has been with, in the order it first came to each: the
    # ones added that it has not been with yet, appended in their first-named order
    # (`_append` does the same to a rebuild's rows in memory).
    " departments = " + _APPEND.format("departments", "add") + ","
    " people = " + _APPEND.format("people", "add_people") + ","
    " handled = " + _APPEND.format("handled", "add_handled") + ","
    " leads = COALESCE(%(leads)s, leads),"
    " response_due = CASE WHEN %(responded)s THEN NULL ELSE response_due END,"
    " deadline_at = CASE WHEN %(clear)s THEN NULL"
    "   ELSE COALESCE(%(deadline_at)s, deadline_at) END,"
    " overdue = COALESCE(%(overdue)s, overdue),"
    " transfers = transfers + %(transferred)s"
    " WHERE id = %(id)s"
)


class PostgresCaseIndexView(HeldRowsView[UUID, _Row], CaseIndexView):
    """One row per case; indexes serve the list filters and the newest-first order.

    A rebuild keeps every case's row in memory (`RebuildRows`), applies each change the way
    CHANGE_CASE does, and copies the final rows; live, each event is one statement.
    """

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
        # Whom each case concerns, for scoped reads (`infrastructure.read_scope`); people
        # as references (`projections.sealed`), never their ids. Added after the table:
        # stores made before need `huiyin rebuild case_index` to fill them.
        "ALTER TABLE {schema}.case_index"
        " ADD COLUMN IF NOT EXISTS people text[] NOT NULL DEFAULT '{{}}',"
        " ADD COLUMN IF NOT EXISTS raised_by text,"
        " ADD COLUMN IF NOT EXISTS handled text[] NOT NULL DEFAULT '{{}}',"
        " ADD COLUMN IF NOT EXISTS leads text[] NOT NULL DEFAULT '{{}}',"
        # An appeal's first response, owed from raising until answered (`FIRST_RESPONSES`).
        " ADD COLUMN IF NOT EXISTS response_due timestamptz,"
        # A title that is an appellant's own words: sealed, opened as a list is read.
        " ADD COLUMN IF NOT EXISTS sealed_title text",
        "CREATE INDEX IF NOT EXISTS case_index_response_due"
        " ON {schema}.case_index (response_due) WHERE response_due IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS case_index_people ON {schema}.case_index USING gin (people)",
        "CREATE INDEX IF NOT EXISTS case_index_handled ON {schema}.case_index USING gin (handled)",
        "CREATE INDEX IF NOT EXISTS case_index_type_opened"
        " ON {schema}.case_index (case_type, opened_at DESC, id DESC)",
        # A list by state (the workbench's appeals to transfer: a few among many closed).
        "CREATE INDEX IF NOT EXISTS case_index_type_status_opened"
        " ON {schema}.case_index (case_type, status, opened_at DESC, id DESC)",
        "CREATE INDEX IF NOT EXISTS case_index_departments"
        " ON {schema}.case_index USING gin (departments)",
        "CREATE INDEX IF NOT EXISTS case_index_deadline"
        " ON {schema}.case_index (deadline_at) WHERE deadline_at IS NOT NULL",
        # Finding a case by its number (the auditor's search).
        "CREATE INDEX IF NOT EXISTS case_index_ref ON {schema}.case_index (ref)",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schema = self._table()
        # Composed once: formatting a statement per event cost as much as running it.
        self._open_sql = SQL(OPEN_CASE).format(schema)
        self._change_sql = SQL(CHANGE_CASE).format(schema)

    def _table(self) -> Identifier:
        return Identifier(self.datastore.schema)

    # -- writing -------------------------------------------------------------------------

    def open_case(self, case: CaseOpened, tracking: Tracking) -> None:
        held = self._held
        if held is not None and held.is_new(case.id):
            held.add(
                case.id,
                [
                    case.id,
                    case.case_type.value,
                    case.ref,
                    case.title,
                    case.kind,
                    case.status,
                    case.opened_at,
                    case.at,
                    1,
                    case.channel,
                    case.tier,
                    case.category,
                    case.department,
                    list(case.departments),
                    case.deadline_at,
                    False,
                    0,
                    case.meeting_id,
                    list(case.people),
                    case.raised_by,
                    list(case.handled),
                    list(case.leads),
                    case.response_due,
                    case.sealed_title,
                ],
            )
            self.rebuild_applied(tracking)
            return
        statement: Statement = (
            self._open_sql,
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
                "people": list(case.people),
                "raised_by": case.raised_by,
                "handled": list(case.handled),
                "leads": list(case.leads),
                "response_due": case.response_due,
                "sealed_title": case.sealed_title,
            },
        )
        self.write(tracking, (statement,))

    def change_case(self, change: CaseChanged, tracking: Tracking) -> None:
        held = self._held
        if held is not None and not held.written(change.id):
            row = held.rows.get(change.id)
            if row is not None:
                _apply(row, change, list(change.add_people))
            # else: no row anywhere, and the live UPDATE would change nothing either.
            self.rebuild_applied(tracking)
            return
        statement: Statement = (
            self._change_sql,
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
                "add_people": list(change.add_people),
                "add_handled": list(change.add_handled),
                "leads": list(change.leads) if change.leads is not None else None,
                "responded": change.responded,
            },
        )
        self.write(tracking, (statement,))

    def _copy_held(self, rows: list[_Row]) -> None:
        """Copies rows held by a rebuild."""
        self.copy_rows("case_index", ROW_COLUMNS, rows)

    def list_cases(self, query: CaseQuery) -> CasePage:
        where = ["case_type = %(case_type)s"]
        params: dict[str, Any] = {"case_type": query.case_type.value, "limit": query.limit + 1}
        for column in ("ref", "status", "kind", "channel", "tier", "category", "meeting_id"):
            value = getattr(query, column)
            if value is not None:
                where.append(f"{column} = %({column})s")
                params[column] = value
        if query.statuses is not None:
            where.append("status = ANY(%(statuses)s::text[])")
            params["statuses"] = sorted(query.statuses)
        if query.department is not None:
            where.append("departments @> ARRAY[%(department)s]::text[]")
            params["department"] = query.department
        if query.overdue is not None:
            params["now"] = query.now
            overdue = (
                "(overdue OR (deadline_at IS NOT NULL AND deadline_at < %(now)s)"
                " OR (response_due IS NOT NULL AND response_due < %(now)s))"
            )
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
        key, direction, beyond = ORDER_KEYS[query.order]
        params["no_deadline"] = NO_DEADLINE
        if query.after is not None:
            where.append(f"({key}, id) {beyond} (%(after_at)s, %(after_id)s)")
            params["after_at"], params["after_id"] = query.after
        if query.scope is not None and not query.scope.everything:
            condition, values = case_index_scope(query.scope, self.people())
            where.append(condition)
            params.update(values)
        # Every fragment in `where` is a constant above; values travel as parameters.
        conditions = " AND ".join(where)
        text = f"SELECT {COLUMNS} FROM {{0}}.case_index WHERE {conditions}"  # noqa: S608
        order = f" ORDER BY {key} {direction}, id {direction} LIMIT %(limit)s"
        sql = SQL(text + order).format(self._table())
        rows = [self._row(r, query, self.people()) for r in self.query(sql, params)]
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        next_after = _key_of(rows[-1], query.order) if more and rows else None
        return CasePage(rows=rows, next_after=next_after)

    @staticmethod
    def _row(row: DictRow, query: CaseQuery, people: ViewPeople) -> CaseRow:
        deadline, response_due, now = row["deadline_at"], row["response_due"], query.now
        overdue = bool(row["overdue"]) or (
            now is not None and any(d is not None and d < now for d in (deadline, response_due))
        )
        return CaseRow(
            id=row["id"],
            case_type=CaseType(row["case_type"]),
            ref=row["ref"],
            title=people.opened(row["sealed_title"]) if row["sealed_title"] else row["title"],
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
            response_due=response_due,
        )


def _key_of(row: CaseRow, order: CaseOrder) -> tuple[datetime, UUID]:
    """The row's key in `order`, which the next page's cursor continues after."""
    if order is CaseOrder.DEADLINE:
        return (row.deadline_at or NO_DEADLINE, row.id)
    return (row.opened_at, row.id)


def _apply(row: _Row, change: CaseChanged, people: list[str]) -> None:
    """Applies a change to a rebuild's row exactly as CHANGE_CASE would (`people`: the
    references of `change.add_people`)."""
    row[_VERSION] = change.version
    row[_UPDATED_AT] = change.at
    if change.status is not None:
        row[_STATUS] = change.status
    if change.department is not None:
        row[_DEPARTMENT] = change.department
    if change.add_departments:
        _append(row[_DEPARTMENTS], change.add_departments)
    if people:
        _append(row[_PEOPLE], people)
    if change.add_handled:
        _append(row[_HANDLED], change.add_handled)
    if change.leads is not None:
        row[_LEADS] = list(change.leads)
    if change.responded:
        row[_RESPONSE_DUE] = None
    if change.clear_deadline:
        row[_DEADLINE_AT] = None
    elif change.deadline_at is not None:
        row[_DEADLINE_AT] = change.deadline_at
    if change.overdue is not None:
        row[_OVERDUE] = change.overdue
    if change.transferred:
        row[_TRANSFERS] += 1


def _append(held: list[str], add: Sequence[str]) -> None:
    """CHANGE_CASE's `_APPEND`: the values in `add` not held yet, appended in the order they
    are first named."""
    for value in add:
        if value not in held:
            held.append(value)
