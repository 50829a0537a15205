"""Group commit (`infrastructure.recorder`): the commands saved at once commit together,
each with its own optimistic-concurrency check and its own notification ids, answered only
after the commit; and a reader following the log never passes over an event, whatever
transactions are held open meanwhile."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from psycopg.sql import SQL, Identifier

from api.bootstrap import Services
from application.casework import Casework
from infrastructure.database import conninfo
from infrastructure.recorder import GROUP_FUNCTION, OrderedApplicationRecorder
from infrastructure.settings import Settings
from tests.polling import until
from tests.unit.builders import raise_named

Outcome = list[int] | BaseException


def _raised(casework: Casework) -> StoredEvent:
    """A new appeal's first event as stored: the view runners apply it like any other."""
    return casework.mapper.to_stored_event(raise_named().collect_events()[0])


def _recorder(casework: Casework) -> OrderedApplicationRecorder:
    recorder = casework.recorder
    assert isinstance(recorder, OrderedApplicationRecorder)
    return recorder


def _lock_waiters(url: str) -> list[int]:
    """The backends waiting for a lock on the events table."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_locks WHERE relation = 'huiyin_events'::regclass AND NOT granted"
        ).fetchall()
    return [int(row[0]) for row in rows]


def _insert_in_thread(
    recorder: OrderedApplicationRecorder, events: list[StoredEvent], outcomes: dict[int, Outcome]
) -> threading.Thread:
    key = len(outcomes)
    outcomes[key] = []

    def run() -> None:
        try:
            outcomes[key] = list(recorder.insert_events(events) or [])
        except BaseException as error:  # the outcome under test
            outcomes[key] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def table_lock(services: Services) -> Iterator[Callable[[], None]]:
    """Holds the events table's EXCLUSIVE lock (as an insert in flight does) until the
    function it yields is called (or the test ends)."""
    with psycopg.connect(conninfo(services.database_url)) as conn:
        conn.execute("LOCK TABLE huiyin_events IN EXCLUSIVE MODE")
        yield conn.commit
        conn.commit()


def test_commands_queued_meanwhile_commit_as_one_group_and_a_conflict_fails_alone(
    services: Services, casework: Casework, table_lock: Callable[[], None]
) -> None:
    """While a group waits for the table, four commands queue; they commit as the next
    group, one transaction. Two of them are the same aggregate's version 1: one wins, the
    other alone gets IntegrityError (409 over HTTP), and the rest commit."""
    recorder = _recorder(casework)
    url = conninfo(services.database_url)
    outcomes: dict[int, Outcome] = {}
    first = _insert_in_thread(recorder, [_raised(casework)], outcomes)
    until("the leader's group waits for the table", lambda: len(_lock_waiters(url)) == 1)
    contested = _raised(casework)
    events = [[_raised(casework)], [contested], [contested], [_raised(casework), _raised(casework)]]
    threads = [_insert_in_thread(recorder, each, outcomes) for each in events]
    until("four queued behind it", lambda: recorder.queued() == 4)
    assert all(isinstance(o, list) and not o for o in outcomes.values())  # none answered yet
    sizes_before = len(recorder.group_sizes)

    table_lock()
    for thread in (first, *threads):
        thread.join(10)

    assert list(recorder.group_sizes)[sizes_before:] == [1, 4]
    first_ids, *rest = outcomes.values()
    assert isinstance(first_ids, list)
    assert len(first_ids) == 1
    won = [o for o in (rest[1], rest[2]) if isinstance(o, list)]
    lost = [o for o in (rest[1], rest[2]) if isinstance(o, IntegrityError)]
    assert len(won) == 1
    assert len(lost) == 1
    assert isinstance(rest[0], list)
    assert len(rest[0]) == 1
    assert isinstance(rest[3], list)
    assert len(rest[3]) == 2
    # Ids in the order the commands queued, all after the first group's.
    ids = [*rest[0], *won[0], *rest[3]]
    assert ids == sorted(ids)
    assert ids[0] > first_ids[0]
    stored = casework.recorder.select_events(contested.originator_id)
    assert [e.originator_version for e in stored] == [1]


def test_a_single_command_goes_at_once_as_a_group_of_one(casework: Casework) -> None:
    recorder = _recorder(casework)
    sizes_before = len(recorder.group_sizes)
    ids = recorder.insert_events([_raised(casework)])
    assert ids
    assert list(recorder.group_sizes)[sizes_before:] == [1]


class LogReader:
    """Follows a table's ids as the view runners follow the log: reads `id > position`
    over and over and moves its position to the highest id it read."""

    def __init__(self, url: str, query: str, position: int) -> None:
        self.url, self.query, self.position = url, query, position
        self.read: list[int] = []
        self.passes = 0  # reads made so far
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._follow, daemon=True)
        self.thread.start()

    def _follow(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.is_set():
                self.catch_up(conn)
                time.sleep(0.002)

    def catch_up(self, conn: psycopg.Connection[Any]) -> None:
        rows = conn.execute(self.query, (self.position,)).fetchall()
        self.read.extend(int(row[0]) for row in rows)
        if rows:
            self.position = int(rows[-1][0])
        self.passes += 1

    def reads_again(self, times: int) -> Callable[[], bool]:
        """A condition: the reader has read `times` more times since it was asked."""
        target = self.passes + times
        return lambda: self.passes >= target

    def finish(self) -> list[int]:
        self.stop.set()
        self.thread.join(10)
        with psycopg.connect(self.url, autocommit=True) as conn:
            self.catch_up(conn)
        return self.read


def test_the_reader_of_this_test_does_see_a_skip_where_nothing_orders_commits(
    services: Services,
) -> None:
    """The detector works: on a table whose inserts take no lock, an id held open while a
    later one commits is passed over by the reader for good."""
    url = conninfo(services.database_url)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("CREATE TABLE IF NOT EXISTS group_commit_control (id bigserial PRIMARY KEY)")
    reader = LogReader(url, "SELECT id FROM group_commit_control WHERE id > %s ORDER BY id", 0)
    with psycopg.connect(url, autocommit=True) as admin:
        row = admin.execute("SELECT coalesce(max(id), 0) FROM group_commit_control").fetchone()
        reader.position = int(row[0]) if row else 0
        with psycopg.connect(url) as held:
            (lower,) = held.execute(  # type: ignore[misc]
                "INSERT INTO group_commit_control DEFAULT VALUES RETURNING id"
            ).fetchone()
            admin.execute("INSERT INTO group_commit_control DEFAULT VALUES")
            until("the reader passes the held id", lambda: reader.position > lower)
            held.commit()
    read = reader.finish()
    assert lower not in read


def test_a_runner_never_skips_an_event_while_groups_and_inserts_are_held_open(
    services: Services, casework: Casework
) -> None:
    """Transactions held open mid-insert (a single insert, a whole group) while commands
    from many threads commit in groups: a reader following `notification_id > position`,
    and the library's subscription the view runners use, each get every event, in order."""
    recorder = _recorder(casework)
    url = conninfo(services.database_url)
    head = casework.head_position()
    reader = LogReader(
        url,
        "SELECT notification_id FROM huiyin_events WHERE notification_id > %s"
        " ORDER BY notification_id",
        head,
    )
    subscription = recorder.subscribe(gt=head)
    function = SQL("SELECT * FROM {0}({1}, {2})").format(
        Identifier(GROUP_FUNCTION), SQL("%s::stored_event_uuid[]"), SQL("%s::integer[]")
    )
    single = SQL("SELECT * FROM es_insert_events_uuid(%s::stored_event_uuid[])")
    outcomes: dict[int, Outcome] = {}
    threads: list[threading.Thread] = []

    def commands(count: int) -> None:
        for _ in range(count):
            threads.append(_insert_in_thread(recorder, [_raised(casework)], outcomes))

    def composite(event: StoredEvent) -> Any:
        return recorder._composite(event)

    def insert_one(conn: psycopg.Connection[Any]) -> None:
        conn.execute(single, ([composite(_raised(casework))],))

    def insert_a_group(conn: psycopg.Connection[Any]) -> None:
        events = [composite(_raised(casework)) for _ in range(3)]
        conn.execute(function, (events, [1, 1, 1]))

    for held_open in (insert_one, insert_a_group):
        commands(5)
        with psycopg.connect(url) as held:
            held_open(held)  # ids issued, not committed
            commands(10)  # these wait for the table behind it
            until("commands wait behind it", lambda: _lock_waiters(url))
            until("the reader reads", reader.reads_again(3))  # the reader reads meanwhile
            held.commit()
        commands(5)
    for thread in threads:
        thread.join(20)

    read = reader.finish()
    with psycopg.connect(url, autocommit=True) as conn:
        stored = [
            int(row[0])
            for row in conn.execute(
                "SELECT notification_id FROM huiyin_events WHERE notification_id > %s"
                " ORDER BY notification_id",
                (head,),
            )
        ]
    assert all(isinstance(o, list) and len(o) == 1 for o in outcomes.values())
    assert len(stored) == 2 * 20 + 1 + 3  # the threads', the two held open
    assert read == stored
    followed: list[int] = []
    with subscription:
        for notification in subscription:
            followed.append(notification.id)
            if notification.id >= stored[-1]:
                break
    assert followed == stored


def test_a_group_whose_connection_is_lost_acknowledges_only_what_is_stored(
    services: Services, casework: Casework, table_lock: Callable[[], None]
) -> None:
    """The leader's session is ended while its group waits for the table: the callers get
    the error and try again (the library's retry), and every id acknowledged is stored
    for that caller's aggregate, once."""
    recorder = _recorder(casework)
    url = conninfo(services.database_url)
    outcomes: dict[int, Outcome] = {}
    events = [[_raised(casework)] for _ in range(5)]
    threads = [_insert_in_thread(recorder, events[0], outcomes)]
    until("the leader waits for the table", lambda: len(_lock_waiters(url)) == 1)
    threads += [_insert_in_thread(recorder, each, outcomes) for each in events[1:]]
    until("four queued behind it", lambda: recorder.queued() == 4)
    (leader,) = _lock_waiters(url)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (leader,))
    until("the leader gone", lambda: leader not in _lock_waiters(url))
    table_lock()
    for thread in threads:
        thread.join(30)

    with psycopg.connect(url, autocommit=True) as conn:
        for key, each in enumerate(events):
            outcome = outcomes[key]
            rows = conn.execute(
                "SELECT notification_id FROM huiyin_events WHERE originator_id = %s",
                (each[0].originator_id,),
            ).fetchall()
            if isinstance(outcome, list):
                assert [int(r[0]) for r in rows] == outcome  # acknowledged: stored, once
            else:
                assert len(rows) <= 1  # an error: stored at most once, never twice
    assert any(isinstance(o, list) for o in outcomes.values())


#: A writer process: threads storing new appeals' first events through the recorder,
#: printing each command's aggregate id and ids once `insert_events` returned them.
WRITER = """
import sys, threading
from api.bootstrap import build_services
from infrastructure.settings import Settings
from tests.unit.builders import raise_named

settings = Settings(projections=False, watcher=False, chain_follow=False,
                    background_process=False)
with build_services(settings) as services:
    casework = services.casework
    lock = threading.Lock()
    def write():
        while True:
            event = casework.mapper.to_stored_event(raise_named().collect_events()[0])
            ids = casework.recorder.insert_events([event])
            with lock:
                print(event.originator_id, *ids, flush=True)
    for _ in range(8):
        threading.Thread(target=write, daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()
"""


def test_a_writer_killed_mid_group_lost_nothing_it_acknowledged(settings: Settings) -> None:
    """kill -9 of a process committing groups from eight threads: every command it had
    answered (printed) is in the store, with the ids it was given."""
    assert settings.cipher_key is not None
    assert settings.database_url
    env = {
        **os.environ,
        "HUIYIN_DATABASE_URL": settings.database_url,
        "HUIYIN_CIPHER_KEY": settings.cipher_key.get_secret_value(),
        "HUIYIN_DATA_DIR": str(settings.data_dir),
        "HUIYIN_ENVIRONMENT": "test",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    writer = subprocess.Popen(  # noqa: S603  # this interpreter, our own script
        [sys.executable, "-c", WRITER], env=env, stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    acknowledged: list[tuple[str, int]] = []

    def note(line: str) -> None:
        words = line.split()
        if len(words) == 2 and words[1].isdigit():  # a whole line: the id and its position
            acknowledged.append((words[0], int(words[1])))

    try:
        for line in writer.stdout:  # what the start may log, then "ready"
            if line.strip() == "ready":
                break
        deadline = time.monotonic() + 60
        while len(acknowledged) < 300 and time.monotonic() < deadline:
            line = writer.stdout.readline()
            if not line:  # the writer ended by itself: it failed
                pytest.fail(f"the writer process ended early (exit {writer.wait(10)})")
            note(line)
    finally:
        writer.send_signal(signal.SIGKILL)
        rest = writer.communicate(timeout=10)[0]
    for line in rest.splitlines():
        note(line)
    assert len(acknowledged) >= 300

    with psycopg.connect(conninfo(settings.database_url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT originator_id::text, notification_id FROM huiyin_events"
            " WHERE originator_id = ANY(%s::uuid[])",
            ([a for a, _ in acknowledged],),
        ).fetchall()
    assert sorted((str(a), int(n)) for a, n in rows) == sorted(acknowledged)
