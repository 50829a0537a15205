"""Notices on real PostgreSQL: decided from events once, reminders once per deadline and
lead, and delivered to the endpoints whose filters match."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from uuid import UUID

import pytest

from api.bootstrap import Services
from api.notice_work import reminder_sweep
from application.casework import Casework
from application.clock import ManualClock
from application.reminders import ReminderSweep
from domain.calendar import WorkingCalendar
from domain.deadlines import DeadlineAct
from domain.notices import APPELLANT, delivery_id, notice_id
from domain.reminders import LeadUnit, ReminderLead, remind_at
from infrastructure.database import conninfo
from projections.view import APPLICATION_NAME
from tests.application.test_deadline_watch import (
    BEFORE_GOLDEN_WEEK,
    CLERK,
    SUPERVISOR,
    handler,
    transferred_appeal,
)
from tests.application.watching import board_has_seen, watcher
from tests.integration.outbox import Endpoints, connect, decided, decider_view, told

CALENDAR = WorkingCalendar()
TWO_DAYS = ReminderLead(2, LeadUnit.WORKING_DAYS)
FOUR_HOURS = ReminderLead(4, LeadUnit.HOURS)


@pytest.fixture
def endpoints(services: Services) -> Iterator[Endpoints]:
    """Endpoints of this test's own, removed after it."""
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


def reply_reminders(services: Services, appeal_id: UUID) -> list[str]:
    """The leads the appeal's reply deadline was reminded at, in order."""
    return [
        t.payload["lead"]
        for t in told(services, appeal_id, "reminder")
        if t.payload["act"] == DeadlineAct.REPLY.value
    ]


def test_a_reply_deadline_is_reminded_once_per_lead_at_its_time(
    services: Services, casework: Casework, clock: ManualClock, endpoints: Endpoints
) -> None:
    appeal_id, department = transferred_appeal(casework, clock, BEFORE_GOLDEN_WEEK)
    mine = endpoints.add(["reminder"], departments=[department])
    others = endpoints.add(["reminder"], departments=["Elsewhere"])
    times = reply_due(casework, appeal_id)
    board_has_seen(services, casework.head_position())

    clock.set(times.two_days - timedelta(minutes=1))
    sweep_of(services, clock).sweep()
    assert reply_reminders(services, appeal_id) == []

    clock.set(times.two_days + timedelta(minutes=1))
    sweep_of(services, clock).sweep()
    sweep_of(services, clock).sweep()  # again, or after a restart: nothing more
    assert reply_reminders(services, appeal_id) == ["2wd"]

    clock.set(times.four_hours + timedelta(minutes=1))
    sweep_of(services, clock).sweep()
    assert reply_reminders(services, appeal_id) == ["2wd", "4h"]
    for notice in told(services, appeal_id, "reminder"):
        assert notice.department == department
        assert notice.endpoints == {mine}  # the endpoint for another department gets none
        assert others not in notice.endpoints
        assert notice.payload["case"]["id"] == str(appeal_id)


def test_two_sweepers_at_once_record_one_reminder(
    services: Services, casework: Casework, clock: ManualClock, endpoints: Endpoints
) -> None:
    appeal_id, _ = transferred_appeal(casework, clock, BEFORE_GOLDEN_WEEK)
    everyone = endpoints.add(["reminder", "overdue"])
    times = reply_due(casework, appeal_id)
    board_has_seen(services, casework.head_position())
    clock.set(times.two_days + timedelta(hours=1))

    start = threading.Barrier(2)

    def sweep() -> None:
        start.wait()
        sweep_of(services, clock).sweep()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    [notice] = [t for t in told(services, appeal_id, "reminder") if t.payload["act"] == "reply"]
    assert notice.endpoints == {everyone}
    with connect(services) as conn:
        row = conn.execute(
            "SELECT d.id FROM huiyin_webhook_deliveries d JOIN huiyin_notices n"
            " ON n.id = d.notice_id WHERE n.key = %s",
            (notice.key,),
        ).fetchone()
    assert row is not None
    assert row[0] == delivery_id(notice_id(notice.key), everyone)  # SQL's uuid5 is Python's


def test_a_deadline_set_inside_the_window_gets_only_the_most_urgent_reminder(
    services: Services, casework: Casework, clock: ManualClock, endpoints: Endpoints
) -> None:
    appeal_id, _ = transferred_appeal(casework, clock, BEFORE_GOLDEN_WEEK)
    times = reply_due(casework, appeal_id)
    board_has_seen(services, casework.head_position())

    clock.set(times.due - timedelta(hours=1))  # the sweep was down until now
    sweep_of(services, clock).sweep()

    assert reply_reminders(services, appeal_id) == ["4h"]


def test_an_extended_deadline_is_reminded_again(
    services: Services, casework: Casework, clock: ManualClock, endpoints: Endpoints
) -> None:
    appeal_id, _ = transferred_appeal(casework, clock, BEFORE_GOLDEN_WEEK)
    times = reply_due(casework, appeal_id)
    board_has_seen(services, casework.head_position())
    clock.set(times.two_days + timedelta(minutes=1))
    sweep_of(services, clock).sweep()
    assert reply_reminders(services, appeal_id) == ["2wd"]

    later = CALENDAR.add_working_days(times.due, 5)
    casework.extend_deadline(
        appeal_id,
        deadline=later,
        reason="Records are archived off site",
        approved_by=SUPERVISOR,
        actor=CLERK,
    )
    board_has_seen(services, casework.head_position())
    clock.set(remind_at(later, TWO_DAYS, CALENDAR) + timedelta(minutes=1))
    sweep_of(services, clock).sweep()

    keys = [t.key for t in told(services, appeal_id, "reminder") if ":reply:" in t.key]
    assert reply_reminders(services, appeal_id) == ["2wd", "2wd"]
    assert len(set(keys)) == 2  # one per due time


def test_a_deadline_met_is_not_reminded(
    services: Services, casework: Casework, clock: ManualClock, endpoints: Endpoints
) -> None:
    appeal_id, department = transferred_appeal(casework, clock, BEFORE_GOLDEN_WEEK)
    times = reply_due(casework, appeal_id)
    casework.acknowledge(appeal_id, note="on it", actor=handler(department))
    casework.reply(
        appeal_id, answer="Extended", basis="Canteen rules §3", actor=handler(department)
    )
    board_has_seen(services, casework.head_position())

    clock.set(times.four_hours + timedelta(minutes=1))
    sweep_of(services, clock).sweep()

    assert reply_reminders(services, appeal_id) == []


def test_a_missed_deadline_is_told_once_to_the_endpoints_that_want_it(
    services: Services, casework: Casework, clock: ManualClock, endpoints: Endpoints
) -> None:
    appeal_id, department = transferred_appeal(casework, clock, BEFORE_GOLDEN_WEEK)
    overdue = endpoints.add(["overdue"], departments=[department])
    paused = endpoints.add(["overdue"], active=False)
    reminders_only = endpoints.add(["reminder"])
    times = reply_due(casework, appeal_id)
    board_has_seen(services, casework.head_position())

    clock.set(times.due + timedelta(minutes=1))
    watcher(services, appeal_id).sweep()
    decided(services, casework.head_position())

    [notice] = [t for t in told(services, appeal_id, "overdue") if t.payload["act"] == "reply"]
    assert notice.endpoints == {overdue}
    assert not notice.endpoints & {paused, reminders_only}
    assert notice.department == department
    assert notice.payload["due_at"] == times.due.isoformat()
    assert notice.key.startswith("event:")
    assert notice.key.endswith(":overdue")


def test_a_published_answer_is_told_to_subscribers_and_the_appellant(
    services: Services, casework: Casework, clock: ManualClock, endpoints: Endpoints
) -> None:
    appeal_id, department = transferred_appeal(casework, clock, BEFORE_GOLDEN_WEEK)
    published = endpoints.add(["published"])
    casework.acknowledge(appeal_id, note="on it", actor=handler(department))
    casework.reply(
        appeal_id, answer="Extended", basis="Canteen rules §3", actor=handler(department)
    )
    position = casework.publish_reply(appeal_id, public_text="Extended", actor=CLERK).position
    assert position is not None
    decided(services, position)

    [notice] = told(services, appeal_id, "published")
    assert published in notice.endpoints
    assert notice.appellant
    assert notice.payload["case"]["number"]  # the case's reference, never its words
    assert "Extended" not in str(notice.payload)
    with connect(services) as conn:
        row = conn.execute(
            "SELECT id, status FROM huiyin_webhook_deliveries WHERE endpoint_id IS NULL"
            " AND notice_id = %s",
            (notice_id(notice.key),),
        ).fetchone()
    assert row == (delivery_id(notice_id(notice.key), APPELLANT), "pending")


def test_the_decider_starts_at_the_head_of_the_log_on_its_first_start(
    services: Services, casework: Casework, clock: ManualClock, endpoints: Endpoints
) -> None:
    transferred_appeal(casework, clock, BEFORE_GOLDEN_WEEK)
    head = casework.head_position()
    with decider_view(services) as running:
        spec_view = type(running)(
            datastore=running.datastore, tracking_table_name="notices_fresh_tracking"
        )
        try:
            spec_view.create_table()
            assert spec_view.position() == head  # not 0: the past is not told
            assert spec_view.max_tracking_id(APPLICATION_NAME) == head  # and remembered
            transferred_appeal(casework, clock, BEFORE_GOLDEN_WEEK)
            assert spec_view.position() == head
        finally:
            with connect(services) as conn:
                conn.execute("DROP TABLE IF EXISTS notices_fresh_tracking")
