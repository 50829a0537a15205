"""The reminder sweep on real PostgreSQL: once per deadline and lead, the most urgent lead
only, again for an extended deadline, never for a met one; the sender woken on commit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID

import pytest

from api.bootstrap import Services
from api.notice_work import reminding
from application.casework import Casework
from application.clock import ManualClock
from domain.deadlines import DeadlineAct
from domain.notices import delivery_id, notice_id
from domain.reminders import remind_at
from infrastructure.database import conninfo
from tests.application.test_deadline_watch import (
    BEFORE_GOLDEN_WEEK,
    CLERK,
    SUPERVISOR,
    handler,
    transferred_appeal,
)
from tests.application.watching import board_has_seen
from tests.integration.outbox import (
    CALENDAR,
    TWO_DAYS,
    Endpoints,
    added_endpoints,
    connect,
    reply_due,
    sweep_of,
    told,
)
from tests.polling import until


def reply_reminders(services: Services, appeal_id: UUID) -> list[str]:
    """The leads the appeal's reply deadline was reminded at, in order."""
    return [
        t.payload["lead"]
        for t in told(services, appeal_id, "reminder")
        if t.payload["act"] == DeadlineAct.REPLY.value
    ]


@pytest.fixture
def endpoints(services: Services) -> Iterator[Endpoints]:
    """Endpoints of this test's own, removed after it."""
    yield from added_endpoints(services)


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
            " ON n.id = d.notice_id WHERE n.key = %s AND d.endpoint_id = %s",
            (notice.key, everyone),
        ).fetchone()
    assert row is not None
    assert row[0] == delivery_id(notice_id(notice.key), everyone)  # SQL's uuid3 is Python's


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


def test_new_deliveries_wake_the_sender_when_they_commit(
    services: Services, casework: Casework, clock: ManualClock, endpoints: Endpoints
) -> None:
    appeal_id, department = transferred_appeal(casework, clock, BEFORE_GOLDEN_WEEK)
    endpoints.add(["reminder"], departments=[department])
    times = reply_due(casework, appeal_id)
    board_has_seen(services, casework.head_position())

    with connect(services) as listener:
        listener.execute("LISTEN huiyin_outbox")
        clock.set(times.two_days + timedelta(minutes=1))
        sweep_of(services, clock).sweep()
        woken = list(listener.notifies(timeout=10, stop_after=1))

    assert [note.channel for note in woken] == ["huiyin_outbox"]


def test_background_work_sweeps_for_reminders_by_itself(
    services: Services, casework: Casework, clock: ManualClock
) -> None:
    appeal_id, _ = transferred_appeal(casework, clock, BEFORE_GOLDEN_WEEK)
    times = reply_due(casework, appeal_id)
    board_has_seen(services, casework.head_position())
    clock.set(times.two_days + timedelta(minutes=1))
    often = services.settings.model_copy(update={"watch_interval_seconds": 0.05})

    with reminding(often, conninfo(services.database_url), CALENDAR, clock.__call__):
        until("the background sweep's reminder", lambda: reply_reminders(services, appeal_id))

    assert reply_reminders(services, appeal_id) == ["2wd"]
