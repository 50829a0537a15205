"""The demo organisation: every channel, kind and outcome, at historical times, on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from api.bootstrap import Services
from application.casework import Casework
from application.clock import ManualClock
from demo.appeals import DemoSummary, populate
from domain.appeal import FINAL
from domain.terms import Channel, Kind, Outcome, Rating, Status, Tier

END = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def summary(services: Services, session_clock: ManualClock) -> DemoSummary:
    """One demo of 40 appeals over two months, shared by the module's tests."""
    return populate(services.casework, session_clock, appeals=40, months=2, seed=7, end=END)


def test_every_channel_kind_and_tier_appears(summary: DemoSummary) -> None:
    assert summary.appeals == 40
    assert len(summary.cases) == 40
    assert set(summary.by_channel) == set(Channel)
    assert set(summary.by_kind) == set(Kind)
    assert sum(summary.by_channel.values()) == 40
    talks = [c for c in summary.cases if c.channel is Channel.TALK_SESSION]
    assert all(c.tier is not None for c in talks)
    assert sum(summary.by_tier.values()) == len(talks)
    assert set(summary.by_tier) == set(Tier)
    assert all(c.anonymous == (c.channel is Channel.ANONYMOUS_BOX) for c in summary.cases)


def test_every_outcome_appears(summary: DemoSummary) -> None:
    assert {Status.CLOSED, Status.WITHDRAWN} <= set(summary.by_status)
    waiting = {
        Status.RAISED,
        Status.TRANSFERRED,
        Status.ACKNOWLEDGED,
        Status.PUBLISHED,
        Status.ADOPTED,
    }
    assert waiting <= set(summary.by_status)
    assert set(summary.by_outcome) == set(Outcome)
    assert set(summary.ratings) == set(Rating)
    assert summary.closed + summary.withdrawn + summary.open == summary.appeals
    assert summary.overdue_open >= 1
    assert summary.open > summary.overdue_open
    for count in (
        summary.answered_on_spot,
        summary.reopened,
        summary.retransferred,
        summary.extended,
        summary.adopted,
        summary.declined,
        summary.anonymous,
    ):
        assert count >= 1
    assert len(summary.lines()) >= 6


def test_events_carry_historical_times_in_office_hours(
    summary: DemoSummary, casework: Casework, clock: ManualClock
) -> None:
    start = END - timedelta(days=61)
    calendar = casework.calendar
    for case in summary.cases:
        for event in casework.history(case.id):
            moment = event.timestamp
            assert moment.tzinfo is not None
            assert start < moment < END
            local = moment.astimezone(calendar.tz)
            assert calendar.is_working_day(local.date())
            assert time(8, 30) <= local.time() <= time(20, 0)
    assert abs(clock() - datetime.now(UTC)) < timedelta(minutes=1)  # follows real time again


def test_the_store_holds_what_the_summary_says(summary: DemoSummary, casework: Casework) -> None:
    statuses: dict[Status, int] = {}
    for case in summary.cases:
        appeal = casework.get_appeal(case.id)
        statuses[appeal.status] = statuses.get(appeal.status, 0) + 1
        assert appeal.status is case.status
        assert appeal.version == case.events
        assert appeal.case_number == case.case_number
        assert (appeal.channel, appeal.kind, appeal.tier) == (case.channel, case.kind, case.tier)
        assert appeal.anonymous == case.anonymous
        assert len(appeal.transfers) == case.transfers
        assert appeal.reopen_count == case.reopened
        assert appeal.extensions == case.extensions
        assert appeal.outcome == case.outcome
        assert appeal.rating == (case.ratings[-1] if case.ratings else None)
        overdue = (
            appeal.status not in FINAL
            and appeal.reply_deadline is not None
            and appeal.status in {Status.TRANSFERRED, Status.ACKNOWLEDGED}
            and appeal.reply_deadline.due < END
        )
        assert overdue == case.overdue
    assert statuses == dict(summary.by_status)
    assert sum(len(casework.history(c.id)) for c in summary.cases) == summary.events


def test_anonymous_appeals_are_followed_by_receipt_and_record_no_identity(
    summary: DemoSummary, casework: Casework
) -> None:
    anonymous = [c for c in summary.cases if c.anonymous]
    for case in anonymous:
        assert case.receipt_code is not None
        appeal = casework.find_by_receipt(case.receipt_code)
        assert appeal.id == case.id
        assert appeal.appellant is None
        assert casework.history(case.id)[0].actor_id == "anonymous"
    rated = [c for c in anonymous if c.ratings]
    assert rated
    for case in rated:
        raters = {
            e.actor_id
            for e in casework.history(case.id)
            if type(e).__name__ in {"Rated", "Reopened", "Withdrawn"}
        }
        assert raters == {"anonymous"}


def test_the_same_seed_tells_the_same_story(casework: Casework, clock: ManualClock) -> None:
    first = populate(casework, clock, appeals=12, months=1, seed=11, end=END)
    second = populate(casework, clock, appeals=12, months=1, seed=11, end=END)
    assert [(c.scenario, c.channel, c.raised_at, c.events) for c in first.cases] == [
        (c.scenario, c.channel, c.raised_at, c.events) for c in second.cases
    ]
    assert first.by_status == second.by_status


def test_the_demo_ends_now_by_default(casework: Casework, clock: ManualClock) -> None:
    before = datetime.now(UTC)
    summary = populate(casework, clock, appeals=12, months=1, seed=3)
    assert before <= summary.end <= datetime.now(UTC)
    assert all(c.last_event_at < before for c in summary.cases)
    assert summary.start < min(c.raised_at for c in summary.cases)


def test_the_tier_leads_supervise_talk_session_appeals(
    summary: DemoSummary, casework: Casework
) -> None:
    transferred = [c for c in summary.cases if c.tier is not None and c.transfers]
    assert transferred
    leads = {casework.get_appeal(c.id).supervisor for c in transferred}
    assert len(leads) == len({c.tier for c in transferred})
