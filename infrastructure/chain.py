"""Tamper evidence: the keeper of the SHA-256 hash chain over the stored event sequence.

Each event the eventsourcing recorder stores in `huiyin_events` gets one row in
`huiyin_chain`, at `position` = the event's `notification_id`, holding its link (the formula,
and how an auditor recomputes a link with psql, are in `infrastructure.chain_links`). The
keeper appends links for new events exactly once (also with several processes), follows the
events table to do so as they are stored, and verifies the chain (`chain_walk`), reporting
what it finds (`chain_report`).

The chain shows that nothing stored before its head changed since it was chained. Someone
who can write to the database could recompute the whole chain after altering an event, which
is why the head (`ChainKeeper.head()`) is published with each disclosure: a printed head that
no longer occurs in the chain proves the rewrite.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import sql

from infrastructure.chain_links import GENESIS, ChainHead, link_row, next_link, stored_event
from infrastructure.chain_report import VerifyReport, printed_check
from infrastructure.chain_walk import Peekable, Progress, walk
from infrastructure.pools import UNAVAILABLE, connection_pool
from infrastructure.retry_log import RetryLog

log = logging.getLogger(__name__)

EVENTS_TABLE = "huiyin_events"
CHAIN_TABLE = "huiyin_chain"
BATCH_SIZE = 1_000
FOLLOW_INTERVAL = 1.0  # at most one catch-up per interval; one every 10 intervals regardless

#: What stops a catch-up, to be tried again: an error of the database or of the connection.
FOLLOW_ERRORS: tuple[type[Exception], ...] = (psycopg.Error, *UNAVAILABLE)

SCHEMA = sql.SQL("""
CREATE TABLE IF NOT EXISTS {chain} (
    position           bigint PRIMARY KEY,
    link               bytea NOT NULL CHECK (octet_length(link) = 32),
    originator_id      uuid NOT NULL,
    originator_version bigint NOT NULL,
    chained_at         timestamptz NOT NULL DEFAULT now()
)
""")


class ChainKeeper:
    """Appends links for new events, exactly once, and verifies the chain."""

    def __init__(
        self,
        conninfo: str,
        *,
        batch_size: int = BATCH_SIZE,
        events_table: str = EVENTS_TABLE,
        chain_table: str = CHAIN_TABLE,
        wait_seconds: float = 0.5,
    ) -> None:
        self.conninfo = conninfo
        self.batch_size = batch_size
        self.channel = events_table.replace(".", "_")  # as eventsourcing's recorder NOTIFYs
        self.pool = connection_pool(conninfo, max_size=3, wait=wait_seconds)
        self._events = sql.Identifier(events_table)
        self._chain = sql.Identifier(chain_table)
        self._lock_key = f"{chain_table}.append"

    def open(self) -> None:
        """Connects and creates the chain table."""
        self.pool.open(wait=True, timeout=30)
        with self.pool.connection() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('huiyin_schema'))")
            conn.execute(SCHEMA.format(chain=self._chain))

    def close(self) -> None:
        """Closes the connections."""
        self.pool.close()

    def __enter__(self) -> ChainKeeper:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- appending -----------------------------------------------------------------------

    def catch_up(self) -> int:
        """Chains every committed event after the head; returns how many links it appended."""
        horizon = self._horizon()
        appended = 0
        while True:
            count = self._append_batch(horizon)
            appended += count
            if count < self.batch_size:
                return appended

    def _horizon(self) -> int:
        # The library's database-function insert path does not lock the events table, so a
        # lower notification id can commit after a higher one. A SHARE lock waits for every
        # insert in flight (and lets none start), so no id at or below the maximum seen here
        # can appear later: the chain never passes over an event that is still to come.
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SET LOCAL lock_timeout = '5s'")
            conn.execute(sql.SQL("LOCK TABLE {} IN SHARE MODE").format(self._events))
            row = conn.execute(
                sql.SQL("SELECT max(notification_id) FROM {}").format(self._events)
            ).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def _append_batch(self, horizon: int) -> int:
        with self.pool.connection() as conn, conn.transaction():
            # Two keepers (in two processes) take turns; each reads the head only once it
            # holds the lock, so a position is never computed twice from different heads.
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self._lock_key,))
            head = conn.execute(
                sql.SQL("SELECT position, link FROM {} ORDER BY position DESC LIMIT 1").format(
                    self._chain
                )
            ).fetchone()
            position, previous = (int(head[0]), bytes(head[1])) if head else (0, GENESIS)
            rows = conn.execute(
                sql.SQL(
                    "SELECT notification_id, originator_id, originator_version, topic, state "
                    "FROM {} WHERE notification_id > %s AND notification_id <= %s "
                    "ORDER BY notification_id LIMIT %s"
                ).format(self._events),
                (position, horizon, self.batch_size),
            ).fetchall()
            if not rows:
                return 0
            copy = sql.SQL(
                "COPY {} (position, link, originator_id, originator_version) FROM STDIN"
            ).format(self._chain)
            with conn.cursor() as cur, cur.copy(copy) as out:
                for row in rows:
                    event = stored_event(row)
                    previous = next_link(previous, event)
                    out.write_row(
                        (
                            event.notification_id,
                            previous,
                            event.originator_id,
                            event.originator_version,
                        )
                    )
        return len(rows)

    def follow(self, stop: threading.Event) -> None:
        """Catches up after events are stored (LISTEN), at most once a second, until `stop`."""
        failures = RetryLog(log, "hash chain: catching up")
        while not stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as listener:
                    listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
                    self._follow(listener, stop, failures)
            except FOLLOW_ERRORS as error:
                failures.failed(error)
                stop.wait(FOLLOW_INTERVAL)

    def _follow(
        self, listener: psycopg.Connection[Any], stop: threading.Event, failures: RetryLog
    ) -> None:
        # At most one catch-up per FOLLOW_INTERVAL: each briefly takes a SHARE lock on the
        # events table, and doing that per stored event held up writers (commands).
        last = 0.0
        pending = True
        while not stop.is_set():
            if any(True for _ in listener.notifies(timeout=0.2, stop_after=1)):
                pending = True
            now = time.monotonic()
            if (pending and now - last >= FOLLOW_INTERVAL) or now - last >= 10 * FOLLOW_INTERVAL:
                self.catch_up()
                failures.succeeded()
                last, pending = now, False

    @contextlib.contextmanager
    def following(self) -> Iterator[None]:
        """Runs `follow` in a background thread for as long as the context lasts."""
        stop = threading.Event()
        thread = threading.Thread(
            target=self.follow, args=(stop,), name="huiyin-chain", daemon=True
        )
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=10)

    # -- reading -------------------------------------------------------------------------

    def wait(self, position: int, timeout: float) -> bool:
        """Whether the chain reaches `position` within `timeout` seconds (polled, bounded)."""
        deadline = time.monotonic() + timeout
        pause = threading.Event()
        while self.head().position < position:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            pause.wait(min(0.02, remaining))
        return True

    def head(self) -> ChainHead:
        """The position and link (hex) of the chain's last link; position 0 when empty."""
        with self.pool.connection() as conn:
            return self._head(conn)

    def _head(self, conn: psycopg.Connection[Any]) -> ChainHead:
        row = conn.execute(
            sql.SQL("SELECT position, link FROM {} ORDER BY position DESC LIMIT 1").format(
                self._chain
            )
        ).fetchone()
        if row is None:
            return ChainHead(0, GENESIS.hex())
        return ChainHead(int(row[0]), bytes(row[1]).hex())

    def verify(
        self, progress: Progress | None = None, *, printed: ChainHead | None = None
    ) -> VerifyReport:
        """Recomputes every link from the events stored now and compares it with the chain;
        checks a `printed` head (position and link, as a published disclosure carried it)
        against the chain too, when given one.

        Both tables are streamed through server-side cursors in one snapshot, so memory stays
        bounded however long the chain is, and links appended meanwhile do not disturb it.
        """
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            head = self._head(conn)
            held = None if printed is None else self._link_at(conn, printed.position)
            counted = conn.execute(
                sql.SQL("SELECT count(*) FROM {} WHERE notification_id > %s").format(self._events),
                (head.position,),
            ).fetchone()
            unchained = int(counted[0]) if counted else 0
            with (
                conn.cursor(name="huiyin_chain_links") as links,
                conn.cursor(name="huiyin_chain_events") as events,
            ):
                links.itersize = events.itersize = 2_000
                links.execute(
                    sql.SQL(
                        "SELECT position, link, originator_id, originator_version "
                        "FROM {} ORDER BY position"
                    ).format(self._chain)
                )
                events.execute(
                    sql.SQL(
                        "SELECT notification_id, originator_id, originator_version, topic, "
                        "state FROM {} WHERE notification_id <= %s ORDER BY notification_id"
                    ).format(self._events),
                    (head.position,),
                )
                chain = Peekable(link_row(row) for row in links)
                stored = Peekable(stored_event(row) for row in events)
                checked, mismatch = walk(chain, stored, progress)
        if progress is not None:
            progress(head.position)
        check = None if printed is None else printed_check(printed, held, mismatch)
        return VerifyReport(checked, head, mismatch, unchained, check)

    def link_at(self, position: int) -> bytes | None:
        """The link the chain holds at `position` now (the genesis link at 0), if any."""
        with self.pool.connection() as conn:
            return self._link_at(conn, position)

    def _link_at(self, conn: psycopg.Connection[Any], position: int) -> bytes | None:
        """The link the chain holds at `position` (the genesis link at 0), if any."""
        if position == 0:
            return GENESIS
        row = conn.execute(
            sql.SQL("SELECT link FROM {} WHERE position = %s").format(self._chain), (position,)
        ).fetchone()
        return None if row is None else bytes(row[0])
