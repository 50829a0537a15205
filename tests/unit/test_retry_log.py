"""A background loop's failures during an outage: logged once, summarised, then recovered."""

from __future__ import annotations

import logging

import pytest

from infrastructure.retry_log import RetryLog

LOG = logging.getLogger("huiyin.test.retry")


class Clock:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def fail(failures: RetryLog, message: str = "connection refused") -> None:
    try:
        raise ConnectionError(f"{message}\nsecond line of detail")
    except ConnectionError as error:
        failures.failed(error)


def test_the_first_failure_is_logged_in_full_and_its_repeats_are_not(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    failures = RetryLog(LOG, "views case_index", clock=clock)
    with caplog.at_level(logging.INFO, logger=LOG.name):
        for _ in range(30):  # a retry every two seconds for a minute, less a step
            fail(failures)
            clock.now += 1.9
    assert len(caplog.records) == 1
    first = caplog.records[0]
    assert first.levelno == logging.ERROR
    assert first.getMessage() == "views case_index failed; retrying"
    assert first.exc_info is not None  # the traceback, once
    assert failures.failing


def test_a_long_outage_gets_one_line_a_minute_saying_for_how_long(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    failures = RetryLog(LOG, "hash chain: catching up", clock=clock)
    with caplog.at_level(logging.INFO, logger=LOG.name):
        for _ in range(61):  # every two seconds for two minutes
            fail(failures)
            clock.now += 2.0
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        "hash chain: catching up failed; retrying",
        "hash chain: catching up still failing after 60 s (31 attempts): "
        "ConnectionError: connection refused",
        "hash chain: catching up still failing after 120 s (61 attempts): "
        "ConnectionError: connection refused",
    ]
    assert all(record.exc_info is None for record in caplog.records[1:])


def test_recovery_is_logged_once_with_how_long_it_took(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    failures = RetryLog(LOG, "views metrics", clock=clock)
    with caplog.at_level(logging.INFO, logger=LOG.name):
        failures.succeeded()  # all well: nothing to say
        for _ in range(3):
            fail(failures)
            clock.now += 2.5
        failures.succeeded()
        failures.succeeded()
    assert [r.getMessage() for r in caplog.records] == [
        "views metrics failed; retrying",
        "views metrics resumed after 7.5 s (3 failed attempts)",
    ]
    assert caplog.records[1].levelno == logging.WARNING
    assert not failures.failing


def test_the_next_outage_is_logged_in_full_again(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    failures = RetryLog(LOG, "views audit_trail", clock=clock)
    with caplog.at_level(logging.INFO, logger=LOG.name):
        fail(failures, "first outage")
        failures.succeeded()
        clock.now += 3600
        fail(failures, "second outage")
    assert [r.getMessage() for r in caplog.records] == [
        "views audit_trail failed; retrying",
        "views audit_trail resumed after 0.0 s (1 failed attempt)",
        "views audit_trail failed; retrying",
    ]
    assert caplog.records[2].exc_info is not None
