"""The notice decider on real PostgreSQL: each event it tells of makes its notice once,
delivered to the endpoints whose filters match; its first start is at the log's head."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from api.bootstrap import Services
from api.notice_work import deciding_notices, note_where_notices_start
from application.accountability import AUTOMATIC
from application.casework import Casework
from application.clock import ManualClock
from domain.accountability_rules import CaseRef, CaseType, RuleCode
from domain.card import CardColour, PenaltyRecord, card_id
from domain.notices import APPELLANT, delivery_id, notice_id
from domain.reminders import remind_at
from infrastructure.database import conninfo
from projections.penalty_ledger import PenaltyLedgerView
from projections.view import APPLICATION_NAME
from tests.application.test_deadline_watch import (
    BEFORE_GOLDEN_WEEK,
    CLERK,
    action_item_due_in_ten_days,
    handler,
    transferred_appeal,
)
from tests.application.watching import board_has_seen, watcher
from tests.conftest import open_department
from tests.integration.outbox import (
    CALENDAR,
    TWO_DAYS,
    Endpoints,
    added_endpoints,
    connect,
    decided,
    decider_view,
    reply,
    reply_due,
    sweep_of,
    told,
)


def issue_yellow_card(services: Services, casework: Casework, department: str) -> UUID:
    """Penalties over the yellow card's threshold, and the card they bring; its id."""
    for n in range(services.settings.yellow_card_penalty_points):
        services.accountability.record_automatic(
            RuleCode.ABSENT_FROM_TALK,
            department=department,
            case=CaseRef(CaseType.MEETING, uuid4(), f"talk {n}"),
            occurrence_key=department,
        )
    ledger = services.views.typed("penalty_ledger", PenaltyLedgerView)  # type: ignore[type-abstract]
    ledger.wait(APPLICATION_NAME, casework.head_position(), timeout=10)
    period = services.accountability.current_period()
    records = [
        PenaltyRecord(e.id, RuleCode(e.rule), e.points, e.reversed)
        for e in ledger.entries(period.start, period.end, department)
    ]
    issued = services.accountability.evaluate_cards(
        department, period, records, actor=AUTOMATIC
    ).issued
    assert issued is not None
    return card_id(department, CardColour.YELLOW, period.start)


@pytest.fixture(scope="module", autouse=True)
def decider(services: Services) -> Iterator[None]:
    """The notice decider, running as background work runs it (the session's services run
    none: `notices` is off for the tests, whose senders are their own)."""
    url = conninfo(services.database_url)
    note_where_notices_start(services.views.env)  # as start-up does, before any command
    with deciding_notices(services.settings, services.views.env, url):
        yield


@pytest.fixture
def endpoints(services: Services) -> Iterator[Endpoints]:
    """Endpoints of this test's own, removed after it."""
    yield from added_endpoints(services)


def test_a_missed_deadline_is_told_once_to_the_endpoints_that_want_it_paused_ones_held(
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
    assert notice.endpoints == {overdue, paused}  # held for the paused one until it resumes
    assert reminders_only not in notice.endpoints
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


def test_an_issued_card_is_told_to_its_departments_subscribers(
    services: Services, casework: Casework, clock: ManualClock, endpoints: Endpoints
) -> None:
    department = open_department(casework, "Card")
    cards = endpoints.add(["card"], departments=[department])
    elsewhere = endpoints.add(["card"], departments=["Elsewhere"])
    card = issue_yellow_card(services, casework, department)
    decided(services, casework.head_position())

    [notice] = told(services, card, "card")
    assert notice.department == department
    assert notice.endpoints == {cards}
    assert elsewhere not in notice.endpoints
    assert notice.payload["colour"] == CardColour.YELLOW.value


def test_an_action_item_marked_overdue_is_told_once(
    services: Services, casework: Casework, clock: ManualClock, endpoints: Endpoints
) -> None:
    everyone = endpoints.add(["overdue"])
    _, item_id = action_item_due_in_ten_days(services.meetings, clock, absent=[])
    board_has_seen(services, casework.head_position())
    clock.advance(timedelta(days=11))
    watcher(services, item_id).sweep()
    watcher(services, item_id).sweep()
    decided(services, casework.head_position())

    [notice] = told(services, item_id, "overdue")
    assert everyone in notice.endpoints
    assert notice.payload["act"] == "accept"


def test_the_deciders_deliveries_wake_the_sender_when_they_commit(
    services: Services, casework: Casework, clock: ManualClock, endpoints: Endpoints
) -> None:
    appeal_id, department = transferred_appeal(casework, clock, BEFORE_GOLDEN_WEEK)
    endpoints.add(["published"], departments=[department])
    reply(casework, appeal_id, department)

    with connect(services) as listener:
        listener.execute("LISTEN huiyin_outbox")
        casework.publish_reply(appeal_id, public_text="Extended", actor=CLERK)
        woken = list(listener.notifies(timeout=15, stop_after=1))

    assert [note.channel for note in woken] == ["huiyin_outbox"]


def test_a_cards_rectification_is_reminded_to_its_department(
    services: Services, casework: Casework, clock: ManualClock, endpoints: Endpoints
) -> None:
    department = open_department(casework, "Card")
    reminded = endpoints.add(["reminder"], departments=[department])
    card = issue_yellow_card(services, casework, department)
    due = services.accountability.get_card(card).rectification_deadline
    board_has_seen(services, casework.head_position())
    decided(services, casework.head_position())

    clock.set(remind_at(due, TWO_DAYS, CALENDAR) + timedelta(minutes=1))
    sweep_of(services, clock).sweep()

    [notice] = told(services, card, "reminder")
    assert notice.department == department  # from the card's own notice
    assert notice.endpoints == {reminded}
