"""The outbox's writing side: notices and their deliveries in one statement, and the view
the notice decider (`projections.notices`) writes through.

`INSERT_NOTICES` is the one place that says which endpoints a notice goes to (not removed,
subscribed to its kind, and either unfiltered or matching its department or its tier; a
notice addressed to one endpoint — an admin's test — to that one alone, if not removed).
Both deciders — the events' (`PostgresNoticeOutbox`) and the time's (the reminder sweep) —
and an admin's test (`WebhookDeliveries.send_test`) insert through it. Notices are inserted
`ON CONFLICT (key) DO NOTHING`: a notice decided again (a restart, a second instance) adds
nothing. Each new notice gets a delivery per matching endpoint (id uuid3(notice id,
endpoint id)) and, when it is to tell the appellant, one for them (uuid3(notice id,
"appellant"), the sender decides whether it can be sent). When a delivery was made the
statement NOTIFYs `huiyin_outbox`, which PostgreSQL delivers to the sender when the
transaction commits.

A notice's department and tier, when its decider does not know them, are the case index's;
for a case the index does not hold (a card), the department an earlier notice of the case
named (the card's issue); else the notice's fallback (the union office, for a first
response).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import orjson
import psycopg
from eventsourcing.persistence import Tracking
from psycopg.sql import SQL, Composed, Identifier, Literal

from domain.notices import APPELLANT, NOTICE_NAMESPACE, Notice, delivery_id, notice_id
from infrastructure.view_registry import ViewSpec
from infrastructure.views import PostgresView
from projections.notices import NoticeOutboxView, Notices
from projections.view import APPLICATION_NAME

__all__ = [
    "APPELLANT",
    "NOTICE_NAMESPACE",
    "OUTBOX_CHANNEL",
    "delivery_id",
    "insert_notices",
    "notice_id",
    "notices_spec",
]

#: The channel the deciders NOTIFY when they made deliveries (the sender LISTENs).
OUTBOX_CHANNEL = "huiyin_outbox"

#: An endpoint's row matches notice `n` (the one matching rule). A paused endpoint matches:
#: its deliveries are held (the sender skips them) and go out when it resumes.
ENDPOINT_MATCHES = (
    "e.removed_at IS NULL AND n.kind = ANY(e.kinds)"
    " AND ((e.departments = '{}' AND e.tiers = '{}')"
    " OR n.department = ANY(e.departments) OR n.tier = ANY(e.tiers))"
)

#: uuid3(namespace, name) in SQL, as Python's `uuid.uuid3` makes it (PostgreSQL has md5
#: built in, not sha1: so a delivery's id is a version-3 uuid, a notice's a version-5 one).
_UUID3 = (
    "encode(set_byte(set_byte(h.h, 6, (get_byte(h.h, 6) & 15) | 48),"
    " 8, (get_byte(h.h, 8) & 63) | 128), 'hex')::uuid"
)

INSERT_NOTICES = (
    "WITH input AS ("
    " SELECT * FROM unnest(%(ids)s::uuid[], %(keys)s::text[], %(kinds)s::text[],"
    " %(case_ids)s::uuid[], %(case_types)s::text[], %(departments)s::text[],"
    " %(tiers)s::text[], %(fallbacks)s::text[], %(positions)s::bigint[],"
    " %(occurred)s::timestamptz[], %(payloads)s::jsonb[], %(appellant)s::boolean[],"
    " %(endpoints)s::uuid[])"
    " AS t(id, key, kind, case_id, case_type, department, tier, fallback, position,"
    " occurred_at, payload, appellant, endpoint)"
    "), filled AS ("
    " SELECT i.id, i.key, i.kind, i.case_id, i.case_type,"
    " COALESCE(i.department, c.department, (SELECT p.department FROM huiyin_notices p"
    " WHERE p.case_id = i.case_id AND p.department IS NOT NULL LIMIT 1), i.fallback)"
    " AS department,"
    " COALESCE(i.tier, c.tier) AS tier, i.position, i.occurred_at, i.payload, c.ref"
    " FROM input i LEFT JOIN {schema}.case_index c ON c.id = i.case_id"
    "), n AS ("
    " INSERT INTO huiyin_notices (id, key, kind, case_id, case_type, department, tier,"
    " position, occurred_at, payload)"
    " SELECT id, key, kind, case_id, case_type, department, tier, position, occurred_at,"
    " CASE WHEN case_id IS NULL THEN payload ELSE payload || jsonb_build_object('case',"
    " jsonb_build_object('id', case_id, 'type', case_type, 'number', ref,"
    " 'department', department, 'tier', tier)) END"
    " FROM filled ORDER BY key ON CONFLICT (key) DO NOTHING"
    " RETURNING id, key, kind, department, tier"
    "), recipients AS ("
    " SELECT n.id AS notice_id, e.id AS endpoint_id, e.id::text AS name,"
    " 'endpoint' AS recipient"
    " FROM n JOIN input i ON i.key = n.key JOIN huiyin_webhook_endpoints e"
    " ON (i.endpoint IS NULL AND {matches}) OR (e.id = i.endpoint AND e.removed_at IS NULL)"
    " UNION ALL"
    " SELECT n.id, NULL::uuid, {appellant}, {appellant}"
    " FROM n JOIN input i ON i.key = n.key WHERE i.appellant"
    "), d AS ("
    " INSERT INTO huiyin_webhook_deliveries (id, notice_id, endpoint_id, recipient)"
    " SELECT {uuid3}, r.notice_id, r.endpoint_id, r.recipient FROM recipients r,"
    " LATERAL (SELECT decode(md5(uuid_send(r.notice_id) || convert_to(r.name, 'UTF8')),"
    " 'hex') AS h) h"
    " ON CONFLICT (id) DO NOTHING RETURNING notice_id"
    "), woken AS MATERIALIZED ("
    " SELECT pg_notify({channel}, '') WHERE EXISTS (SELECT 1 FROM d)"
    ") SELECT n.id, count(d.notice_id) AS deliveries, (SELECT count(*) FROM woken) AS woken"
    " FROM n LEFT JOIN d ON d.notice_id = n.id GROUP BY n.id"
)


def insert_statement(schema: str) -> Composed:
    """`INSERT_NOTICES` for the views' schema (where the case index is)."""
    return SQL(INSERT_NOTICES).format(
        schema=Identifier(schema),
        matches=SQL(ENDPOINT_MATCHES),
        uuid3=SQL(_UUID3),
        appellant=Literal(APPELLANT),
        channel=Literal(OUTBOX_CHANNEL),
    )


def notice_params(notices: Sequence[Notice]) -> dict[str, list[Any]]:
    """The statement's parameters: one array per column (one row per notice)."""

    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    return {
        "ids": [str(notice.id) for notice in notices],
        "keys": [notice.key for notice in notices],
        "kinds": [notice.kind.value for notice in notices],
        "case_ids": [text(notice.case_id) for notice in notices],
        "case_types": [notice.case_type for notice in notices],
        "departments": [notice.department for notice in notices],
        "tiers": [notice.tier for notice in notices],
        "fallbacks": [notice.fallback_department for notice in notices],
        "positions": [text(notice.position) for notice in notices],
        "occurred": [notice.occurred_at.isoformat() for notice in notices],
        "payloads": [orjson.dumps(notice.payload).decode() for notice in notices],
        "appellant": [notice.to_appellant for notice in notices],
        "endpoints": [text(notice.endpoint_id) for notice in notices],
    }


def insert_notices(
    conn: psycopg.Connection[Any], notices: Sequence[Notice], *, schema: str = "public"
) -> list[tuple[UUID, int]]:
    """Records `notices` not recorded before, with their deliveries, in the connection's
    current transaction; returns each new notice's id and how many deliveries it got."""
    if not notices:
        return []
    # In the order of their keys (as the statement inserts them): two instances inserting
    # the same notices wait for each other's keys in one order, never deadlock.
    ordered = sorted(notices, key=lambda notice: notice.key)
    with conn.cursor() as curs:
        curs.execute(insert_statement(schema), notice_params(ordered))
        return [(row[0], int(row[1])) for row in curs.fetchall()]


class PostgresNoticeOutbox(PostgresView, NoticeOutboxView):
    """The notice decider's view: its rows are the outbox's (not its own tables: nothing
    here is dropped or rebuilt); only its tracking table is its own."""

    tables = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._insert = insert_statement(self.datastore.schema)

    def decide(self, notices: Sequence[Notice], tracking: Tracking) -> None:
        self.write(tracking, [(self._insert, notice_params(notices))] if notices else [])

    def position(self) -> int:
        """The last event decided; on the first start, the head of the log (recorded, so the
        events before it are never told)."""
        current = self.max_tracking_id(APPLICATION_NAME)
        if current is not None:
            return int(current)
        events = Identifier(self.datastore.schema, f"{APPLICATION_NAME.lower()}_events")
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("SELECT max(notification_id) AS head FROM {0}").format(events))
            row = curs.fetchone()
            head = int(row["head"]) if row and row["head"] is not None else 0
            self._insert_tracking(curs, Tracking(APPLICATION_NAME, head))
        return head


def notices_spec(union_office: str | None = None) -> ViewSpec:
    """The decider as a runner takes it (a `ViewSpec` not in the registry of views)."""
    # The name set again: the library names a projection class without one after the class.
    attributes = {"name": Notices.name, "union_office": union_office}
    projection = type("Notices", (Notices,), attributes)
    return ViewSpec(projection, PostgresNoticeOutbox)
