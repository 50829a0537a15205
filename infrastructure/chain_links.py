"""The hash chain's links: the formula that chains each stored event after the one before.

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

`infrastructure.chain` keeps the chain (`ChainKeeper`); this module is the formula alone.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import Any, NamedTuple
from uuid import UUID

GENESIS = hashlib.sha256(b"huiyin hash chain v1").digest()


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


@dataclass(frozen=True)
class ChainHead:
    """The chain's last link: what a published disclosure carries."""

    position: int
    link: str


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


def parse_link(text: str) -> bytes:
    """A link as printed: 64 hexadecimal digits (any case, spaces and colons ignored)."""
    digits = "".join(ch for ch in text if ch not in " :\t\n").lower()
    if len(digits) != 64 or any(ch not in "0123456789abcdef" for ch in digits):
        raise ValueError("a link is 64 hexadecimal digits (a SHA-256 hash)")
    return bytes.fromhex(digits)


def stored_event(row: tuple[Any, ...]) -> StoredEvent:
    """An events-table row as a `StoredEvent`."""
    state = row[4]
    return StoredEvent(
        int(row[0]),
        row[1],
        int(row[2]),
        row[3],
        bytes(state) if state is not None else None,
    )


def link_row(row: tuple[Any, ...]) -> Link:
    """A chain-table row as a `Link`."""
    return Link(int(row[0]), bytes(row[1]), row[2], int(row[3]))
