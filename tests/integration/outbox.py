"""Helpers for tests of the outbox: endpoints written straight into their table (their
registry is tested on its own), what the outbox holds for a case, and the notice decider's
progress."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg
from psycopg.rows import dict_row

from api.bootstrap import Services
from api.notice_work import reminder_sweep
from application.casework import Casework
from application.clock import ManualClock
from application.reminders import ReminderSweep
from domain.calendar import WorkingCalendar
from domain.reminders import LeadUnit, ReminderLead, remind_at
from infrastructure.database import conninfo
from infrastructure.notice_outbox import PostgresNoticeOutbox, notices_spec
from infrastructure.view_registry import ViewStore
from infrastructure.webhook_tables import seal
from projections.view import APPLICATION_NAME
from tests.application.test_deadline_watch import handler

CALENDAR = WorkingCalendar()
TWO_DAYS = ReminderLead(2, LeadUnit.WORKING_DAYS)
FOUR_HOURS = ReminderLead(4, LeadUnit.HOURS)


def connect(services: Services) -> psycopg.Connection[Any]:
    """A connection of the test's own to the session's database."""
    return psycopg.connect(conninfo(services.database_url), autocommit=True)


class Endpoints:
    """Endpoints a test adds (`add`), removed (softly, as the registry does) after it."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.added: list[UUID] = []

    def add(
        self,
        kinds: Sequence[str],
        *,
        departments: Sequence[str] = (),
        tiers: Sequence[str] = (),
        active: bool = True,
    ) -> UUID:
        """An endpoint row as the registry would write it (see `add_endpoint`)."""
        endpoint = add_endpoint(
            self.services, kinds, departments=departments, tiers=tiers, active=active
        )
        self.added.append(endpoint)
        return endpoint

    def remove_all(self) -> None:
        """Removes the endpoints added: later tests' notices do not go to them."""
        with connect(self.services) as conn:
            conn.execute(
                "UPDATE huiyin_webhook_endpoints SET removed_at = clock_timestamp()"
                " WHERE id = ANY(%s)",
                (self.added,),
            )


def add_endpoint(
    services: Services,
    kinds: Sequence[str],
    *,
    departments: Sequence[str] = (),
    tiers: Sequence[str] = (),
    active: bool = True,
) -> UUID:
    """An endpoint row as the registry would write it (a standard-format URL)."""
    endpoint = uuid4()
    key = services.keyring.store_key
    now = datetime.now(UTC)
    with connect(services) as conn:
        conn.execute(
            "INSERT INTO huiyin_webhook_endpoints (id, name, format, target_sealed,"
            " target_shown, kinds, departments, tiers, audience, active, created_at,"
            " created_by, changed_at, changed_by) VALUES (%s, 'test', 'standard', %s,"
            " 'http://127.0.0.1/hook', %s, %s, %s, 'union_staff', %s, %s, 'test', %s, 'test')",
            (
                endpoint,
                seal(key, endpoint, "http://127.0.0.1/hook"),
                list(kinds),
                list(departments),
                list(tiers),
                active,
                now,
                now,
            ),
        )
    return endpoint


@dataclass(frozen=True)
class Told:
    """A notice in the outbox and the recipients of its deliveries."""

    key: str
    kind: str
    department: str | None
    payload: dict[str, Any]
    endpoints: frozenset[UUID]
    appellant: bool


def told(services: Services, case_id: UUID, kind: str | None = None) -> list[Told]:
    """The notices recorded about a case (of `kind`), oldest first, with their deliveries to
    the endpoints tests add here (`add_endpoint`): endpoints other modules register through
    the registry in the session's one database are left out."""
    with connect(services) as conn, conn.cursor(row_factory=dict_row) as curs:
        curs.execute(
            "SELECT n.key, n.kind, n.department, n.payload,"
            " coalesce(array_agg(d.endpoint_id) FILTER (WHERE e.created_by = 'test'), '{}')"
            " AS endpoints, coalesce(bool_or(d.recipient = 'appellant'), false) AS appellant"
            " FROM huiyin_notices n LEFT JOIN huiyin_webhook_deliveries d ON d.notice_id = n.id"
            " LEFT JOIN huiyin_webhook_endpoints e ON e.id = d.endpoint_id"
            " WHERE n.case_id = %s AND (%s::text IS NULL OR n.kind = %s)"
            " GROUP BY n.id ORDER BY n.decided_at, n.key",
            (case_id, kind, kind),
        )
        return [
            Told(
                row["key"],
                row["kind"],
                row["department"],
                row["payload"],
                frozenset(row["endpoints"]),
                bool(row["appellant"]),
            )
            for row in curs.fetchall()
        ]


@contextmanager
def decider_view(services: Services) -> Iterator[PostgresNoticeOutbox]:
    """The notice decider's view (its tracking table), to wait on."""
    store = ViewStore(services.views.env)
    try:
        view = store.view(notices_spec())
        assert isinstance(view, PostgresNoticeOutbox)
        yield view
    finally:
        store.close()


def decided(services: Services, position: int) -> None:
    """Waits until the session's notice decider has passed `position`."""
    with decider_view(services) as view:
        view.wait(APPLICATION_NAME, position, timeout=15)


def added_endpoints(services: Services) -> Iterator[Endpoints]:
    """Endpoints of a test's own, removed after it (what its `endpoints` fixture yields)."""
    added = Endpoints(services)
    yield added
    added.remove_all()


def sweep_of(services: Services, clock: ManualClock) -> ReminderSweep:
    """A reminder sweep as background work builds it ("2wd,4h"), on the test's clock."""
    sweep, _ = reminder_sweep(
        services.settings, conninfo(services.database_url), CALENDAR, clock.__call__
    )
    return sweep


class ReminderTimes:
    """A deadline's due time and its leads' times."""

    def __init__(self, due: datetime) -> None:
        self.due = due
        self.two_days = remind_at(due, TWO_DAYS, CALENDAR)
        self.four_hours = remind_at(due, FOUR_HOURS, CALENDAR)


def reply_due(casework: Casework, appeal_id: UUID) -> ReminderTimes:
    """The appeal's reply deadline and when its reminders go out."""
    deadline = casework.get_appeal(appeal_id).reply_deadline
    assert deadline is not None
    return ReminderTimes(deadline.due)


def reply(casework: Casework, appeal_id: UUID, department: str) -> None:
    """The department takes the appeal on and replies."""
    casework.acknowledge(appeal_id, note="on it", actor=handler(department))
    replier = handler(department)
    casework.reply(appeal_id, answer="Extended", basis="Canteen rules §3", actor=replier)
