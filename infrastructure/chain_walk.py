"""Walking the chain's links and the stored events side by side, to the first mismatch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from infrastructure.chain_links import GENESIS, Link, StoredEvent, next_link
from infrastructure.chain_report import Mismatch, Tampering

PROGRESS_EVERY = 1_000

Progress = Callable[[int], None]
"""Told the position verification has reached, now and then."""


class Peekable:
    """An iterator that can look one row ahead."""

    def __init__(self, rows: Iterator[Any]) -> None:
        self._rows = rows
        self._next: Any = None
        self._has_next = False

    def peek(self) -> Any:
        """The next row, left to come (None at the end)."""
        if not self._has_next:
            self._next = next(self._rows, None)
            self._has_next = True
        return self._next

    def pop(self) -> Any:
        """The next row, taken (None at the end)."""
        row = self.peek()
        self._has_next = False
        return row


def walk(
    chain: Peekable, stored: Peekable, progress: Progress | None
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
