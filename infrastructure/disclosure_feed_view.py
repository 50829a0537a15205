"""The disclosure feed in PostgreSQL: table `disclosure_feed`, keyset-paginated newest first."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Tracking
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from domain.disclosure import DisclosureStatus
from infrastructure.views import PostgresView, Statement
from projections.disclosure_feed import (
    DisclosureFeedView,
    EntryChanged,
    EntryProposed,
    FeedEntry,
    FeedPage,
    FeedQuery,
)

COLUMNS = (
    "id, version, status, subject_type, subject, departments, title, body, proposed_by,"
    " proposed_at, updated_at, returned_reason, approved_by, approved_at, chain_position,"
    " chain_link, published_at, withdrawn_at, withdrawal_reason"
)


class PostgresDisclosureFeedView(PostgresView, DisclosureFeedView):
    """One row per disclosure; the public lists read published and withdrawn rows only."""

    tables = ("disclosure_feed",)
    create_statements = (
        "CREATE TABLE IF NOT EXISTS {schema}.disclosure_feed ("
        " id uuid PRIMARY KEY,"
        " version integer NOT NULL,"
        " status text NOT NULL,"
        " subject_type text NOT NULL,"
        " subject text NOT NULL,"
        " departments text[] NOT NULL,"
        " title text NOT NULL,"
        " body text NOT NULL,"
        " proposed_by text NOT NULL,"
        " proposed_at timestamptz NOT NULL,"
        " updated_at timestamptz NOT NULL,"
        " returned_reason text,"
        " approved_by text,"
        " approved_at timestamptz,"
        " chain_position bigint,"
        " chain_link text,"
        " published_at timestamptz,"
        " withdrawn_at timestamptz,"
        " withdrawal_reason text)",
        "CREATE INDEX IF NOT EXISTS disclosure_feed_published"
        " ON {schema}.disclosure_feed (published_at DESC, id DESC) WHERE published_at IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS disclosure_feed_queue"
        " ON {schema}.disclosure_feed (status, proposed_at DESC, id DESC)",
        "CREATE INDEX IF NOT EXISTS disclosure_feed_departments"
        " ON {schema}.disclosure_feed USING gin (departments)",
    )

    def _schema(self) -> Identifier:
        return Identifier(self.datastore.schema)

    def add_entry(self, entry: EntryProposed, tracking: Tracking) -> None:
        statement: Statement = (
            SQL(
                "INSERT INTO {0}.disclosure_feed (id, version, status, subject_type, subject,"
                " departments, title, body, proposed_by, proposed_at, updated_at)"
                " VALUES (%(id)s, 1, %(status)s, %(subject_type)s, %(subject)s, %(departments)s,"
                " %(title)s, %(body)s, %(proposed_by)s, %(at)s, %(at)s)"
            ).format(self._schema()),
            {
                "id": entry.id,
                "status": DisclosureStatus.PROPOSED.value,
                "subject_type": entry.subject_type,
                "subject": entry.subject,
                "departments": list(entry.departments),
                "title": entry.title,
                "body": entry.body,
                "proposed_by": entry.proposed_by,
                "at": entry.at,
            },
        )
        self.write(tracking, (statement,))

    def change_entry(self, change: EntryChanged, tracking: Tracking) -> None:
        status = change.status
        statement: Statement = (
            SQL(
                "UPDATE {0}.disclosure_feed SET version = %(version)s, updated_at = %(at)s,"
                " status = %(status)s,"
                " departments = COALESCE(%(departments)s::text[], departments),"
                " title = COALESCE(%(title)s::text, title),"
                " body = COALESCE(%(body)s::text, body),"
                " returned_reason = CASE WHEN %(returned)s THEN %(reason)s::text"
                "   WHEN %(revised)s THEN NULL ELSE returned_reason END,"
                " approved_by = COALESCE(%(approved_by)s::text, approved_by),"
                " approved_at = COALESCE(%(approved_at)s::timestamptz, approved_at),"
                " chain_position = COALESCE(%(chain_position)s::bigint, chain_position),"
                " chain_link = COALESCE(%(chain_link)s::text, chain_link),"
                " published_at = COALESCE(%(published_at)s::timestamptz, published_at),"
                " withdrawn_at = COALESCE(%(withdrawn_at)s::timestamptz, withdrawn_at),"
                " withdrawal_reason = CASE WHEN %(withdrawn)s THEN %(reason)s::text"
                "   ELSE withdrawal_reason END"
                " WHERE id = %(id)s"
            ).format(self._schema()),
            {
                "id": change.id,
                "version": change.version,
                "at": change.at,
                "status": status.value,
                "departments": list(change.departments) if change.departments else None,
                "title": change.title,
                "body": change.body,
                "reason": change.reason,
                "returned": status is DisclosureStatus.RETURNED,
                "revised": status is DisclosureStatus.PROPOSED,
                "withdrawn": status is DisclosureStatus.WITHDRAWN,
                "approved_by": change.approved_by,
                "approved_at": change.at if status is DisclosureStatus.APPROVED else None,
                "chain_position": change.chain_position,
                "chain_link": change.chain_link,
                "published_at": change.at if status is DisclosureStatus.PUBLISHED else None,
                "withdrawn_at": change.at if status is DisclosureStatus.WITHDRAWN else None,
            },
        )
        self.write(tracking, (statement,))

    def list_entries(self, query: FeedQuery) -> FeedPage:
        order = "published_at" if query.public else "proposed_at"
        where = ["status = ANY(%(statuses)s::text[])"]
        params: dict[str, Any] = {
            "statuses": [s.value for s in query.statuses],
            "limit": query.limit + 1,
        }
        if query.public:
            where.append("published_at IS NOT NULL")
        if query.department is not None:
            where.append("departments @> ARRAY[%(department)s]::text[]")
            params["department"] = query.department
        if query.subject_type is not None:
            where.append("subject_type = %(subject_type)s")
            params["subject_type"] = query.subject_type
        if query.after is not None:
            where.append(f"({order}, id) < (%(after_at)s, %(after_id)s)")
            params["after_at"], params["after_id"] = query.after
        # Every fragment in `where` and `order` is a constant above; values are parameters.
        sql = SQL(
            "SELECT "  # noqa: S608
            + COLUMNS
            + " FROM {0}.disclosure_feed WHERE "
            + " AND ".join(where)
            + f" ORDER BY {order} DESC, id DESC LIMIT %(limit)s"
        ).format(self._schema())
        entries = [_entry(row) for row in self.query(sql, params)]
        more = len(entries) > query.limit
        entries = entries[: query.limit]
        last = entries[-1] if more and entries else None
        key = (last.sort_key if query.public else last.proposed_at) if last else None
        next_after = (key, last.id) if key is not None and last is not None else None
        return FeedPage(entries=entries, next_after=next_after)


def _entry(row: DictRow) -> FeedEntry:
    return FeedEntry(
        id=row["id"],
        version=row["version"],
        status=DisclosureStatus(row["status"]),
        subject_type=row["subject_type"],
        subject=row["subject"],
        departments=list(row["departments"]),
        title=row["title"],
        body=row["body"],
        proposed_by=row["proposed_by"],
        proposed_at=row["proposed_at"],
        updated_at=row["updated_at"],
        returned_reason=row["returned_reason"],
        approved_by=row["approved_by"],
        approved_at=row["approved_at"],
        chain_position=row["chain_position"],
        chain_link=row["chain_link"],
        published_at=row["published_at"],
        withdrawn_at=row["withdrawn_at"],
        withdrawal_reason=row["withdrawal_reason"],
    )
