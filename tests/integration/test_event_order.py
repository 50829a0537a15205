"""Notification ids are committed in the order they are issued, on the fast insert path too:
a view runner following the log must never pass over an id that commits later."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import psycopg
from psycopg.sql import SQL, Identifier

from api.bootstrap import Services
from application.casework import Casework
from infrastructure.database import conninfo
from tests.unit.builders import raise_named


def _waiting_on_a_lock(url: str, application_name: str, timeout: float) -> bool:
    """Whether the session named `application_name` comes to wait on a lock in time."""
    deadline = time.monotonic() + timeout
    stop = threading.Event()
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE application_name = %s",
                (application_name,),
            ).fetchone()
            if row is not None and row[0] == "Lock":
                return True
            stop.wait(0.01)
    return False


def _raised(casework: Casework) -> tuple[Any, str, bytes]:
    """A new appeal's first event as stored (id, topic, state): the views apply it too."""
    stored = casework.mapper.to_stored_event(raise_named().collect_events()[0])
    return stored.originator_id, stored.topic, stored.state


def test_an_insert_waits_for_an_earlier_uncommitted_one_on_the_database_function_path(
    services: Services, casework: Casework
) -> None:
    """Two commands saved at once: the second insert waits until the first has committed,
    so its id (higher) can never be visible while the first's (lower) is not."""
    recorder = casework.recorder
    assert services.settings.db_functions  # the service's default, the path under test
    url = conninfo(services.database_url)
    function = SQL("SELECT * FROM {0}.{1}(ARRAY[ROW(%s, 1, %s, %s)]::{0}.{2}[])").format(
        Identifier(recorder.datastore.schema),  # type: ignore[attr-defined]
        Identifier(recorder.pg_function_name_insert_events),  # type: ignore[attr-defined]
        Identifier(recorder.stored_event_type_name),  # type: ignore[attr-defined]
    )
    second: list[int] = []
    name = f"second-insert-{uuid.uuid4().hex[:8]}"

    def insert_second() -> None:
        with psycopg.connect(url, autocommit=True, application_name=name) as conn:
            row = conn.execute(function, _raised(casework)).fetchone()
            assert row is not None
            second.append(int(row[0]))

    with psycopg.connect(url) as first:  # a transaction, left open
        (first_id,) = first.execute(function, _raised(casework)).fetchone()  # type: ignore[misc]
        thread = threading.Thread(target=insert_second)
        thread.start()
        try:
            assert _waiting_on_a_lock(url, name, timeout=5)
            assert not second
        finally:
            first.commit()
            thread.join(10)

    assert second, "the second insert did not finish once the first committed"
    assert second[0] > first_id
