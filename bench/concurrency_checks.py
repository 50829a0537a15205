"""What the many-clients phase checks and measures beside the load: the physical commit rate
with as many clients (pgbench), every acknowledged command in the store, the views' lag
behind acknowledged positions, and the server processes' CPU and memory (from /proc).
"""

from __future__ import annotations

import bisect
import contextlib
import math
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import psycopg

from infrastructure.database import connection_parts
from infrastructure.view_registry import VIEWS

RAW_TABLE = "bench_concurrency_raw"
PGBENCH_SCRIPT = f"INSERT INTO {RAW_TABLE} (payload) VALUES (repeat('x', 200));\n"
PGBENCH_PATHS = ("/usr/lib/postgresql/15/bin/pgbench",)
TPS = re.compile(r"^tps = ([0-9.]+) \((?:without initial connection time|excluding)", re.M)
EVENTS_TABLE = "huiyin_events"
#: Connections left for everyone else when pgbench's client count is capped.
CONNECTION_HEADROOM = 10


# -- the physical figure ---------------------------------------------------------------


def parse_pgbench_tps(output: str) -> float:
    """The transactions per second pgbench printed (the figure without connection time)."""
    found = TPS.search(output)
    if found is None:
        raise ValueError(f"no tps line in pgbench's output: {output[-300:]!r}")
    return float(found.group(1))


def pgbench_path() -> str | None:
    """pgbench on PATH, else where Debian's PostgreSQL 15 puts it, else None."""
    found = shutil.which("pgbench")
    return found or next((path for path in PGBENCH_PATHS if Path(path).exists()), None)


def free_connections(url: str) -> int:
    """How many more connections the server takes now, less a margin for everyone else."""
    with psycopg.connect(**connection_parts(url), autocommit=True) as conn:  # type: ignore[arg-type]
        row = conn.execute(
            "SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity"
        ).fetchone()
    return max(1, int(row[0]) - CONNECTION_HEADROOM) if row else 1


@dataclass
class RawCommits:
    """Single-row INSERT commits/s with `clients` connections (maybe capped), and by what."""

    clients: int
    rate: float
    tool: str


def raw_commits(url: str, clients: int, seconds: float) -> RawCommits:
    """pgbench's single-row INSERT commits/s with `clients` connections (fewer if the server
    has not that many free); psycopg threads if there is no pgbench."""
    parts = connection_parts(url)
    with psycopg.connect(**parts, autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {RAW_TABLE} (id bigserial PRIMARY KEY, payload text)"
        )
    clients = min(clients, free_connections(url))
    pgbench = pgbench_path()
    if pgbench is None:
        return RawCommits(clients, _psycopg_commits(parts, clients, seconds), "psycopg threads")
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as script:
        script.write(PGBENCH_SCRIPT)
        script.flush()
        threads = min(clients, os.cpu_count() or 1)
        argv = [pgbench, "-n", "-c", str(clients), "-j", str(threads), "-T", str(round(seconds))]
        argv += ["-f", script.name, "-h", parts["host"], "-p", parts["port"], "-U", parts["user"]]
        env = {**os.environ, "PGPASSWORD": parts["password"]}  # never in argv
        done = subprocess.run(  # noqa: S603  # pgbench, our own arguments
            [*argv, parts["dbname"]], env=env, capture_output=True, text=True, check=False
        )
    if done.returncode != 0:  # the figure is missing, the run goes on: say why
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return RawCommits(clients, math.nan, f"pgbench failed: {last[:120]}")
    return RawCommits(clients, parse_pgbench_tps(done.stdout), "pgbench")


def _psycopg_commits(parts: dict[str, str], clients: int, seconds: float) -> float:
    counts = [0] * clients
    until = time.monotonic() + seconds

    def insert(index: int) -> None:
        with psycopg.connect(**parts, autocommit=True) as conn:  # type: ignore[arg-type]
            while time.monotonic() < until:
                conn.execute(f"INSERT INTO {RAW_TABLE} (payload) VALUES (repeat('x', 200))")
                counts[index] += 1

    threads = [threading.Thread(target=insert, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


# -- every acknowledged command stored --------------------------------------------------


def missing_acks(
    acked: Iterable[tuple[str, int]], stored: Iterable[tuple[str, int]]
) -> list[tuple[str, int]]:
    """The acknowledged (aggregate id, version) pairs the store does not have, sorted."""
    have = {(str(aggregate), int(version)) for aggregate, version in stored}
    return sorted({(str(a), int(v)) for a, v in acked} - have)


def stored_versions(url: str, ids: Iterable[str]) -> list[tuple[str, int]]:
    """(aggregate id, version) of every stored event of the aggregates `ids`."""
    uuids = [UUID(value) for value in set(ids)]
    with psycopg.connect(**connection_parts(url), autocommit=True) as conn:  # type: ignore[arg-type]
        rows = conn.execute(
            f"SELECT originator_id, originator_version FROM {EVENTS_TABLE} "
            "WHERE originator_id = ANY(%s)",
            (uuids,),
        ).fetchall()
    return [(str(row[0]), int(row[1])) for row in rows]


def stored_line(acked: Sequence[tuple[str, int]], missing: Sequence[tuple[str, int]]) -> str:
    """The check's printed verdict."""
    if not missing:
        return f"all {len(acked):,} acknowledged commands stored"
    shown = ", ".join(f"{aggregate} v{version}" for aggregate, version in missing[:5])
    return f"MISSING {len(missing)} of {len(acked):,} acknowledged commands: {shown}"


# -- the views' lag behind acknowledged positions ------------------------------------------


@dataclass
class ViewPoller:
    """Polls the lowest position all views have reached, every `interval` seconds, in a
    thread; `samples` are (time.monotonic(), position), positions never decreasing."""

    url: str
    interval: float = 0.005
    samples: list[tuple[float, int]] = field(default_factory=list)

    @contextlib.contextmanager
    def running(self) -> Iterator[ViewPoller]:
        """Polls while the block runs (and stops after)."""
        stop = threading.Event()
        least = " , ".join(
            f"(SELECT coalesce(max(notification_id), 0) FROM {name}_tracking)" for name in VIEWS
        )
        query = f"SELECT least({least})"  # our own view names
        with psycopg.connect(**connection_parts(self.url), autocommit=True) as conn:  # type: ignore[arg-type]

            def sample() -> None:
                row = conn.execute(query).fetchone()
                reached = max(self.reached(), int(row[0]) if row else 0)
                self.samples.append((time.monotonic(), reached))

            def poll() -> None:
                while not stop.wait(self.interval):
                    sample()

            sample()  # one before the block starts: `reached()` is true from the first

            thread = threading.Thread(target=poll, name="view-poller", daemon=True)
            thread.start()
            try:
                yield self
            finally:
                stop.set()
                thread.join(10)

    def reached(self) -> int:
        """The last position every view had reached."""
        return self.samples[-1][1] if self.samples else 0


def view_lags(
    acks: Iterable[tuple[int, float]], samples: Sequence[tuple[float, int]]
) -> tuple[list[float], int]:
    """For each acknowledged (position, time acknowledged): seconds until the first sample
    at which every view had passed the position (0 if one had before the answer arrived);
    and how many positions no sample reached. `samples` must be in time order, their
    positions never decreasing."""
    times = [when for when, _ in samples]
    positions = [position for _, position in samples]
    lags: list[float] = []
    unreached = 0
    for position, acked in acks:
        index = bisect.bisect_left(positions, position)  # the first sample past it
        if index == len(positions):
            unreached += 1
            continue
        lags.append(max(0.0, times[index] - acked))
    return lags, unreached


# -- the server's processes --------------------------------------------------------------


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (Linux /proc; just `pid` elsewhere)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            parents.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += parents.get(current, [])
    return tree


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU seconds the processes have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def peak_rss_kib(pids: Iterable[int]) -> int:
    """The sum of each process's peak resident memory (VmHWM), KiB."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
    return total


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    with contextlib.suppress(OSError, ValueError):
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        ticks = os.sysconf("SC_CLK_TCK")
        idle = values[3] + (values[4] if len(values) > 4 else 0)
        return (sum(values) - idle) / ticks, sum(values) / ticks
    return 0.0, 0.0
