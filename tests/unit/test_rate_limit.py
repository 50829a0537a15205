"""The token bucket behind the rate limit: a minute's allowance at once, then the rate."""

from __future__ import annotations

import pytest

from api.rate_limit import MAX_BUCKETS, Buckets


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_may_burst_a_minutes_allowance_then_waits_for_the_rate() -> None:
    clock = Clock()
    buckets = Buckets(60, clock=clock)

    assert [buckets.take("a") for _ in range(60)] == [0.0] * 60
    assert buckets.take("a") == pytest.approx(1.0)  # one a second refills

    clock.now += 1.0
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0


def test_each_key_has_its_own_bucket() -> None:
    buckets = Buckets(1, clock=Clock())

    assert buckets.take("a") == 0.0
    assert buckets.take("a") == pytest.approx(60.0)
    assert buckets.take("b") == 0.0


def test_a_refused_request_does_not_count_against_the_wait() -> None:
    clock = Clock()
    buckets = Buckets(60, clock=clock)
    for _ in range(60):
        buckets.take("a")

    waits = [buckets.take("a") for _ in range(5)]

    assert waits == [pytest.approx(1.0)] * 5


def test_a_flood_of_keys_cannot_grow_the_table_without_bound() -> None:
    clock = Clock()
    buckets = Buckets(10, clock=clock)

    for n in range(MAX_BUCKETS + 10):
        buckets.take(f"k{n}")
    clock.now += 60.0  # everyone's bucket refilled: nothing left worth remembering
    buckets.take("late")

    assert len(buckets._levels) <= MAX_BUCKETS
