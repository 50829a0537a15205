"""Where the database sessions of a run spend their time: pg_stat_activity sampled every
10 ms, each session of the database counted by what it is doing (waiting for a lock, for
the WAL, running, idle inside a transaction while the client computes, idle).

The mean number of sessions in each state over a window says whether concurrent commands
queue on a lock (the event table's), on commits, or on the CPU of the clients' side.
"""

from __future__ import annotations

import contextlib
import threading
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
    counts: Counter[str] = field(default_factory=Counter)
    samples: int = 0
    locks: Counter[str] = field(default_factory=Counter)

    @contextlib.contextmanager
    def running(self) -> Iterator[Activity]:
        """Samples in a thread while the block runs."""
        stop = threading.Event()
        with psycopg.connect(**connection_parts(self.url), autocommit=True) as conn:  # type: ignore[arg-type]

            def poll() -> None:
                while not stop.wait(self.interval):
                    rows = conn.execute(QUERY).fetchall()
                    self.samples += 1
                    for state, wait_type, wait_event in rows:
                        found = kind(state, wait_type, wait_event)
                        self.counts[found] += 1
                        if found == "lock":
                            self.locks[str(wait_event)] += 1

            thread = threading.Thread(target=poll, name="activity-sampler", daemon=True)
            thread.start()
            try:
                yield self
            finally:
                stop.set()
                thread.join(10)

    def line(self) -> str:
        """Mean sessions per state over the window."""
        if not self.samples:
            return "    db sessions: no samples"
        means = ", ".join(f"{name} {self.counts[name] / self.samples:.1f}" for name in SHOWN)
        locks = ", ".join(
            f"{name} {count / self.samples:.1f}" for name, count in self.locks.items()
        )
        return f"    db sessions (mean over {self.samples} samples): {means}" + (
            f" (locks: {locks})" if locks else ""
        )
