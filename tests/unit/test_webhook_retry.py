"""The back-off and give-up rule of deliveries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.webhook_retry import Attempt, Outcome, after_failure, given_up, next_wait

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_each_wait_doubles_the_one_before() -> None:
    waits = [next_wait(n, 10) for n in (1, 2, 3, 4)]
    assert waits == [timedelta(seconds=s) for s in (10, 20, 40, 80)]


def test_no_wait_is_longer_than_an_hour() -> None:
    assert next_wait(30, 10) == timedelta(hours=1)


def test_jitter_strays_at_most_a_fifth_either_way() -> None:
    assert next_wait(1, 10, jitter=1.0) == timedelta(seconds=12)
    assert next_wait(1, 10, jitter=-1.0) == timedelta(seconds=8)
    assert next_wait(1, 10, jitter=5.0) == timedelta(seconds=12)


def test_a_delivery_failing_past_the_give_up_time_is_given_up() -> None:
    assert given_up(NOW - timedelta(hours=25), NOW, 24)
    assert not given_up(NOW - timedelta(hours=23), NOW, 24)


def test_a_failure_within_the_window_is_retried_after_the_wait() -> None:
    failed = Attempt(Outcome.FAILED, 500)
    after = after_failure(failed, 2, since=NOW, now=NOW, retry_seconds=10, give_up_hours=24)
    assert not after.dead
    assert after.retry_at == NOW + timedelta(seconds=20)


def test_a_failure_past_the_window_is_dead() -> None:
    failed = Attempt(Outcome.TIMEOUT)
    since = NOW - timedelta(hours=2)
    assert after_failure(failed, 9, since=since, now=NOW, retry_seconds=10, give_up_hours=1).dead


def test_gone_is_dead_at_once() -> None:
    gone = Attempt(Outcome.GONE, 410)
    assert after_failure(gone, 1, since=NOW, now=NOW, retry_seconds=10, give_up_hours=24).dead
