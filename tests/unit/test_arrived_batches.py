"""A runner takes its events in batches of whatever has arrived (no database here)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from eventsourcing.persistence import Tracking

from infrastructure.projection_runner import Arrived

Item = tuple[Any, Tracking]


def _item(position: int) -> Item:
    return f"event-{position}", Tracking("Huiyin", position)


def _positions(batch: list[Item]) -> list[int]:
    return [tracking.notification_id for _, tracking in batch]


def test_events_waiting_are_taken_together_up_to_the_limit() -> None:
    queued = threading.Event()

    def log() -> Iterator[Item]:
        for position in range(1, 13):
            if position == 11:  # ten are queued (twice the limit): the reader waits now
                queued.set()
            yield _item(position)

    arrived = Arrived(log(), limit=5)
    try:
        assert queued.wait(5)
        batches = [_positions(batch) for batch in arrived.batches()]
    finally:
        arrived.close()

    assert batches[:2] == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]
    assert [p for batch in batches[2:] for p in batch] == [11, 12]


def test_a_runner_keeping_up_gets_each_event_as_it_comes() -> None:
    more = threading.Event()

    def log() -> Iterator[Item]:
        yield _item(1)
        assert more.wait(5)  # the next event is only recorded after the first is applied
        yield _item(2)

    arrived = Arrived(log(), limit=500)
    try:
        batches = arrived.batches()
        first = next(batches)
        more.set()
        rest = list(batches)
    finally:
        arrived.close()

    assert _positions(first) == [1]
    assert [_positions(batch) for batch in rest] == [[2]]


def test_the_subscriptions_error_comes_after_the_events_before_it() -> None:
    def log() -> Iterator[Item]:
        yield _item(1)
        yield _item(2)
        raise ConnectionError("the database went away")

    arrived = Arrived(log(), limit=500)
    seen: list[int] = []

    def apply_all() -> None:
        for batch in arrived.batches():
            seen.extend(_positions(batch))

    try:
        with pytest.raises(ConnectionError, match="went away"):
            apply_all()
    finally:
        arrived.close()

    assert seen == [1, 2]


def test_closing_stops_a_reader_waiting_to_hand_over() -> None:
    def endless() -> Iterator[Item]:
        position = 0
        while True:
            position += 1
            yield _item(position)

    arrived = Arrived(endless(), limit=3)
    first = next(arrived.batches())
    closing = threading.Thread(target=arrived.close)  # the reader waits on a full queue
    closing.start()
    closing.join(5)

    assert not closing.is_alive()
    assert _positions(first) == list(range(1, len(first) + 1))
    assert 1 <= len(first) <= 3
