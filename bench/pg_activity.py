"""Where the database sessions of a run spend their time: pg_stat_activity sampled every
10 ms, each session of the database counted by what it is doing (waiting for a lock, for
the WAL, running, idle inside a transaction while the client computes, idle).

The mean number of sessions in each state over a window says whether concurrent commands
queue on a lock (the event table's), on commits, or on the CPU of the clients' side.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import psycopg

from infrastructure.database import connection_parts

QUERY = (
    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
    "AND backend_type = 'client backend'"
)
#: The order the line shows them in.
SHOWN = ("lock", "WAL", "running", "in transaction, client's turn", "other")


def kind(state: str | None, wait_type: str | None, wait_event: str | None) -> str:
    """The category of one session's row."""
    if state == "idle in transaction":
        return "in transaction, client's turn"
    if state != "active":
        return "idle"
    if wait_type == "Lock":
        return "lock"
    if wait_event and ("WAL" in wait_event or wait_type == "IO"):
        return "WAL"
    if wait_type is None:
        return "running"
    return "other"


@dataclass
class Activity:
    """Samples the sessions of the database of `url` while `running()` lasts."""

    url: str
    interval: float = 0.010
    #: (time.monotonic(), each session's category, the lock each lock waiter waits for)
    samples: list[tuple[float, list[str], list[str]]] = field(default_factory=list)

    @contextlib.contextmanager
    def running(self) -> Iterator[Activity]:
        """Samples in a thread while the block runs."""
        stop = threading.Event()
        with psycopg.connect(**connection_parts(self.url), autocommit=True) as conn:  # type: ignore[arg-type]

            def poll() -> None:
                while not stop.wait(self.interval):
                    rows = conn.execute(QUERY).fetchall()
                    kinds = [kind(*row) for row in rows]
                    locks = [str(row[2]) for row, found in zip(rows, kinds, strict=True)]
                    locks = [
                        lock for lock, found in zip(locks, kinds, strict=True) if found == "lock"
                    ]
                    self.samples.append((time.monotonic(), kinds, locks))

            thread = threading.Thread(target=poll, name="activity-sampler", daemon=True)
            thread.start()
            try:
                yield self
            finally:
                stop.set()
                thread.join(10)

    def line(self, started: float, ended: float) -> str:
        """Mean sessions per state over the samples taken from `started` to `ended`."""
        window = [(kinds, locks) for when, kinds, locks in self.samples if started <= when <= ended]
        if not window:
            return "    db sessions: no samples"
        counts = Counter(found for kinds, _ in window for found in kinds)
        waits = Counter(lock for _, locks in window for lock in locks)
        means = ", ".join(f"{name} {counts[name] / len(window):.1f}" for name in SHOWN)
        locks = ", ".join(f"{name} {n / len(window):.1f}" for name, n in waits.items())
        return f"    db sessions (mean of {len(window)} samples): {means}" + (
            f" (locks: {locks})" if locks else ""
        )
