"""Tamper evidence: a SHA-256 hash chain over the stored event sequence.

Each event the eventsourcing recorder stores in `huiyin_events` gets one row in
`huiyin_chain`, at `position` = the event's `notification_id`, holding

    link_n = SHA-256(link_prev || record_n)

where `link_prev` is the link of the chain row just before it (by position), or for the
first row the genesis link

    GENESIS = SHA-256("huiyin hash chain v1")   (ASCII)
            = ecca81e32292b0390f37dfcd3ddc72046d9be2b038897d150262efd140e73d80

and `record_n` is the stored event exactly as the table holds it (state is the encrypted
bytes; the chain covers what is stored, not what it decrypts to), all integers big-endian:

    int8   notification_id
    16     originator_id (the UUID's 16 bytes)
    int8   originator_version
    int4   length of topic in UTF-8 bytes (-1 if NULL), then those bytes
    int4   length of state in bytes (-1 if NULL), then those bytes

An auditor can recompute a link with nothing but psql:

    SELECT sha256(<previous link> || int8send(notification_id) || uuid_send(originator_id)
        || int8send(originator_version)
        || int4send(coalesce(octet_length(convert_to(topic, 'UTF8')), -1))
        || coalesce(convert_to(topic, 'UTF8'), '')
        || int4send(coalesce(octet_length(state), -1)) || coalesce(state, ''))
    FROM huiyin_events WHERE notification_id = <n>;

The chain shows that nothing stored before its head changed since it was chained. Someone
who can write to the database could recompute the whole chain after altering an event, which
is why the head (`ChainKeeper.head()`) is published with each disclosure: a printed head that
no longer occurs in the chain proves the rewrite.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple
from uuid import UUID

import psycopg
from psycopg import sql

from infrastructure.pools import UNAVAILABLE, connection_pool
from infrastructure.retry_log import RetryLog

log = logging.getLogger(__name__)

GENESIS = hashlib.sha256(b"huiyin hash chain v1").digest()
EVENTS_TABLE = "huiyin_events"
CHAIN_TABLE = "huiyin_chain"
BATCH_SIZE = 1_000
FOLLOW_INTERVAL = 1.0  # at most one catch-up per interval; one every 10 intervals regardless

#: What stops a catch-up, to be tried again: an error of the database or of the connection.
FOLLOW_ERRORS: tuple[type[Exception], ...] = (psycopg.Error, *UNAVAILABLE)
PROGRESS_EVERY = 1_000

SCHEMA = sql.SQL("""
CREATE TABLE IF NOT EXISTS {chain} (
    position           bigint PRIMARY KEY,
    link               bytea NOT NULL CHECK (octet_length(link) = 32),
    originator_id      uuid NOT NULL,
    originator_version bigint NOT NULL,
    chained_at         timestamptz NOT NULL DEFAULT now()
)
""")

Progress = Callable[[int], None]
"""Told the position verification has reached, now and then."""


class StoredEvent(NamedTuple):
    """One row of the events table, as stored."""

    notification_id: int
    originator_id: UUID
    originator_version: int
    topic: str | None
    state: bytes | None


class Link(NamedTuple):
    """One row of the chain table."""

    position: int
    link: bytes
    originator_id: UUID
    originator_version: int


def _field(value: bytes | None) -> bytes:
    if value is None:
        return struct.pack(">i", -1)
    return struct.pack(">i", len(value)) + value


def record(event: StoredEvent) -> bytes:
    """The canonical encoding of a stored event (see the module docstring)."""
    topic = event.topic.encode() if event.topic is not None else None
    return (
        struct.pack(">q", event.notification_id)
        + event.originator_id.bytes
        + struct.pack(">q", event.originator_version)
        + _field(topic)
        + _field(event.state)
    )


def next_link(previous: bytes, event: StoredEvent) -> bytes:
    """The link that chains `event` after the link `previous`."""
    return hashlib.sha256(previous + record(event)).digest()


class Tampering(StrEnum):
    """How the stored events and the chain disagree."""

    CHANGED = "changed"  # the event's stored bytes differ from those that were chained
    DELETED = "deleted"  # a link names an event that is no longer stored
    INSERTED = "inserted"  # an event inside the chained range has no link
    LINK_ALTERED = "link-altered"  # the chain row's own link was overwritten


@dataclass(frozen=True)
class ChainHead:
    """The chain's last link: what a published disclosure carries."""

    position: int
    link: str


@dataclass(frozen=True)
class Mismatch:
    """The first place where the stored events no longer match the chain."""

    position: int
    kind: Tampering
    originator_id: UUID
    originator_version: int
    expected: str | None  # the link stored in the chain, hex
    found: str | None  # the link recomputed from the event stored now, hex
    detail: str


class PrintedVerdict(StrEnum):
    """What the store says of a chain head printed earlier (on a published disclosure)."""

    CONFIRMED = "confirmed"  # the chain holds it, and every event up to it is as chained
    REWRITTEN = "rewritten"  # the chain holds another link at that position
    MISSING = "missing"  # the chain holds no link at that position
    TAMPERED = "tampered"  # the chain holds it, but an event up to it changed since


#: What each verdict means, in words.
PRINTED_DETAIL = {
    PrintedVerdict.CONFIRMED: "the store holds this head, and every event up to it is stored "
    "exactly as it was when the head was printed",
    PrintedVerdict.REWRITTEN: "the store's chain holds another link at this position: the "
    "events up to it were rewritten and the chain recomputed since (or the head was copied "
    "wrongly)",
    PrintedVerdict.MISSING: "the store's chain holds no link at this position: links (and "
    "events) were removed since, or the head never came from this store",
    PrintedVerdict.TAMPERED: "the store's chain holds this head, but an event at or before it "
    "no longer matches its link (see first_mismatch)",
}


@dataclass(frozen=True)
class PrintedCheck:
    """A printed chain head checked against the store."""

    position: int
    link: str  # as printed, hex (lower case)
    stored: str | None  # the link the chain holds at that position now, hex
    verdict: PrintedVerdict

    @property
    def confirmed(self) -> bool:
        """Whether the store confirms the printed head."""
        return self.verdict is PrintedVerdict.CONFIRMED

    @property
    def detail(self) -> str:
        """The verdict in words."""
        return PRINTED_DETAIL[self.verdict]


def parse_link(text: str) -> bytes:
    """A link as printed: 64 hexadecimal digits (any case, spaces and colons ignored)."""
    digits = "".join(ch for ch in text if ch not in " :\t\n").lower()
    if len(digits) != 64 or any(ch not in "0123456789abcdef" for ch in digits):
        raise ValueError("a link is 64 hexadecimal digits (a SHA-256 hash)")
    return bytes.fromhex(digits)


def _printed_check(
    printed: ChainHead, stored: bytes | None, mismatch: Mismatch | None
) -> PrintedCheck:
    if stored is None:
        verdict = PrintedVerdict.MISSING
    elif stored.hex() != printed.link:
        verdict = PrintedVerdict.REWRITTEN
    elif mismatch is not None and mismatch.position <= printed.position:
        verdict = PrintedVerdict.TAMPERED
    else:
        verdict = PrintedVerdict.CONFIRMED
    return PrintedCheck(
        printed.position, printed.link, None if stored is None else stored.hex(), verdict
    )


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of walking the chain (and of checking a printed head, when given one)."""

    checked: int
    head: ChainHead
    first_mismatch: Mismatch | None
    unchained: int  # events after the head, not chained yet: information, not a failure
    printed: PrintedCheck | None = None

    @property
    def intact(self) -> bool:
        """Every chained event is stored exactly as it was chained."""
        return self.first_mismatch is None

    @property
    def passed(self) -> bool:
        """Intact, and the printed head (if any) confirmed: `huiyin verify` exits 0."""
        return self.intact and (self.printed is None or self.printed.confirmed)

    def lines(self) -> list[str]:
        """The report in words, for the command line."""
        return self._chain_lines() + self._printed_lines()

    def _printed_lines(self) -> list[str]:
        printed = self.printed
        if printed is None:
            return []
        return [
            f"printed head, position {printed.position}: {printed.verdict.upper()}",
            printed.detail,
            f"printed link: {printed.link}",
            f"stored link:  {printed.stored or '-'}",
        ]

    def _chain_lines(self) -> list[str]:
        head = f"head: position {self.head.position}, link {self.head.link}"
        waiting = f"{self.unchained} newer event(s) not chained yet"
        mismatch = self.first_mismatch
        if mismatch is None:
            return [f"intact: {self.checked} link(s) checked", head, waiting]
        return [
            f"TAMPERED at position {mismatch.position} ({mismatch.kind}): "
            f"event {mismatch.originator_id} version {mismatch.originator_version}",
            mismatch.detail,
            f"expected link: {mismatch.expected or '-'}",
            f"found link:    {mismatch.found or '-'}",
            f"{self.checked} link(s) checked before it",
            head,
            waiting,
        ]


class _Peekable:
    """An iterator that can look one row ahead."""

    def __init__(self, rows: Iterator[Any]) -> None:
        self._rows = rows
        self._next: Any = None
        self._has_next = False

    def peek(self) -> Any:
        if not self._has_next:
            self._next = next(self._rows, None)
            self._has_next = True
        return self._next

    def pop(self) -> Any:
        row = self.peek()
        self._has_next = False
        return row


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
                    event = _stored(row)
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
                chain = _Peekable(_link(row) for row in links)
                stored = _Peekable(_stored(row) for row in events)
                checked, mismatch = _walk(chain, stored, progress)
        if progress is not None:
            progress(head.position)
        check = None if printed is None else _printed_check(printed, held, mismatch)
        return VerifyReport(checked, head, mismatch, unchained, check)

    def _link_at(self, conn: psycopg.Connection[Any], position: int) -> bytes | None:
        """The link the chain holds at `position` (the genesis link at 0), if any."""
        if position == 0:
            return GENESIS
        row = conn.execute(
            sql.SQL("SELECT link FROM {} WHERE position = %s").format(self._chain), (position,)
        ).fetchone()
        return None if row is None else bytes(row[0])


def _walk(
    chain: _Peekable, stored: _Peekable, progress: Progress | None
) -> tuple[int, Mismatch | None]:
    """Walks links and events side by side; the number checked and the first mismatch."""
    previous = GENESIS
    checked = 0
    while (link := chain.pop()) is not None:
        event: StoredEvent | None = stored.peek()
        if event is not None and event.notification_id < link.position:
            return checked, _inserted(event)
        if event is None or event.notification_id > link.position:
            return checked, _deleted(link)
        stored.pop()
        computed = next_link(previous, event)
        if computed != link.link:
            return checked, _changed(link, event, computed, chain.peek(), stored.peek())
        previous = computed
        checked += 1
        if progress is not None and checked % PROGRESS_EVERY == 0:
            progress(link.position)
    return checked, None


def _inserted(event: StoredEvent) -> Mismatch:
    return Mismatch(
        position=event.notification_id,
        kind=Tampering.INSERTED,
        originator_id=event.originator_id,
        originator_version=event.originator_version,
        expected=None,
        found=None,
        detail="an event is stored inside the chained range but no link covers it",
    )


def _deleted(link: Link) -> Mismatch:
    return Mismatch(
        position=link.position,
        kind=Tampering.DELETED,
        originator_id=link.originator_id,
        originator_version=link.originator_version,
        expected=link.link.hex(),
        found=None,
        detail="the chain covers this event but it is no longer stored",
    )


def _changed(
    link: Link,
    event: StoredEvent,
    computed: bytes,
    following: Link | None,
    following_event: StoredEvent | None,
) -> Mismatch:
    kind = Tampering.CHANGED
    detail = "the event's stored bytes differ from those that were chained"
    if (event.originator_id, event.originator_version) != (
        link.originator_id,
        link.originator_version,
    ):
        detail = (
            f"another event ({event.originator_id} version {event.originator_version}) "
            "is stored at this position"
        )
    elif (
        following is not None
        and following_event is not None
        and following_event.notification_id == following.position
        and next_link(link.link, following_event) != following.link
        and next_link(computed, following_event) == following.link
    ):
        # The next link was made from the link recomputed here, not from the stored one:
        # the event is as chained and the chain row itself was overwritten.
        kind = Tampering.LINK_ALTERED
        detail = "the chain's stored link was overwritten; the event is as chained"
    return Mismatch(
        position=link.position,
        kind=kind,
        originator_id=link.originator_id,
        originator_version=link.originator_version,
        expected=link.link.hex(),
        found=computed.hex(),
        detail=detail,
    )


def _stored(row: tuple[Any, ...]) -> StoredEvent:
    state = row[4]
    return StoredEvent(
        int(row[0]),
        row[1],
        int(row[2]),
        row[3],
        bytes(state) if state is not None else None,
    )


def _link(row: tuple[Any, ...]) -> Link:
    return Link(int(row[0]), bytes(row[1]), row[2], int(row[3]))
