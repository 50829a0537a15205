"""What is timed in-process: raw INSERTs, the library's save(), Huiyin's raise_appeal."""

from __future__ import annotations

import contextlib
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.cryptography import AESCipher
from eventsourcing.domain import Aggregate
from pydantic import SecretStr

from api.bootstrap import build_services
from application.casework import AppealDraft, Casework
from bench.measure import Workload
from bench.organisation import fill as fill_directory
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.terms import Channel, Kind
from infrastructure.database import connection_parts
from infrastructure.settings import Environment, Settings

# -- 1. raw single-row INSERT commits ---------------------------------------------------

RAW_TABLE = "bench_raw_insert"
RAW_PAYLOAD = b"x" * 200  # about the size of a small stored event


@contextlib.contextmanager
def raw_insert(url: str) -> Iterator[Workload]:
    """Single-row INSERTs into a scratch table, each its own commit (autocommit), 1 client."""
    with psycopg.connect(**connection_parts(url), autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {RAW_TABLE} "
            "(id bigserial PRIMARY KEY, payload bytea NOT NULL)"
        )
        statement = f"INSERT INTO {RAW_TABLE} (payload) VALUES (%s)"

        def run(count: int) -> float:
            started = time.perf_counter()
            for _ in range(count):
                conn.execute(statement, (RAW_PAYLOAD,))
            return time.perf_counter() - started

        yield run


# -- 2. the library's save() for new one-event aggregates --------------------------------


class Ticket(Aggregate):
    """A trivial aggregate: created with one field, so one event."""

    def __init__(self, subject: str) -> None:
        self.subject = subject


class BenchApplication(Application[UUID]):
    """A plain eventsourcing application; each subclass gets its own events table."""


class LibraryDefault(BenchApplication):
    """Default insert path, no cipher."""


class LibraryFunctions(BenchApplication):
    """Database-function insert path, no cipher."""


class LibraryCipher(BenchApplication):
    """Default insert path, AES cipher."""


class LibraryCipherFunctions(BenchApplication):
    """Database-function insert path, AES cipher (Huiyin's default configuration)."""


@dataclass(frozen=True)
class LibraryCase:
    """One configuration of the plain library application."""

    label: str
    app_class: type[BenchApplication]
    db_functions: bool
    cipher: bool


LIBRARY_CASES = (
    LibraryCase("library save(), default path", LibraryDefault, False, False),
    LibraryCase("library save(), db functions", LibraryFunctions, True, False),
    LibraryCase("library save(), default path + AES", LibraryCipher, False, True),
    LibraryCase("library save(), db functions + AES", LibraryCipherFunctions, True, True),
)


def library_env(url: str, case: LibraryCase, pool_size: int) -> dict[str, str]:
    """The library's own settings for `case`; nothing else is configured."""
    parts = connection_parts(url)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_HOST": parts["host"],
        "POSTGRES_PORT": parts["port"],
        "POSTGRES_USER": parts["user"],
        "POSTGRES_PASSWORD": parts["password"],
        "POSTGRES_DBNAME": parts["dbname"],
        "POSTGRES_POOL_SIZE": str(pool_size),
        "POSTGRES_ENABLE_DB_FUNCTIONS": "y" if case.db_functions else "n",
    }
    if case.cipher:
        env["CIPHER_TOPIC"] = "eventsourcing.cryptography:AESCipher"
        env["CIPHER_KEY"] = AESCipher.create_key(32)
    return env


@contextlib.contextmanager
def library_save(url: str, case: LibraryCase, pool_size: int) -> Iterator[Workload]:
    """save() of new Ticket aggregates, one at a time; only the save() calls are timed."""
    app = case.app_class(library_env(url, case, pool_size))
    try:

        def run(count: int) -> float:
            tickets = [Ticket(subject="benchmark") for _ in range(count)]
            started = time.perf_counter()
            for ticket in tickets:
                app.save(ticket)
            return time.perf_counter() - started

        yield run
    finally:
        app.close()


# -- 3. Huiyin's Casework.raise_appeal ---------------------------------------------------

CLERK = Actor("bench-clerk", Role.UNION_STAFF)
DRAFT = AppealDraft(
    channel=Channel.GRID_LIAISON,
    kind=Kind.COMPLAINT,
    category="canteen",
    title="夜班食堂供餐时间太短",
    text="夜班下井前食堂只开放20分钟，来不及吃饭。",
    department="后勤服务中心",
    appellant=Appellant(name="王建国", employee_no="E10234", contact="13800001234"),
)


def huiyin_settings(url: str, cipher_key: str, *, pool_size: int, db_functions: bool) -> Settings:
    """Settings as the service would have them, pointing at the scratch database."""
    return Settings(
        environment=Environment.TEST,
        database_url=url,
        cipher_key=SecretStr(cipher_key),
        pool_size=pool_size,
        db_functions=db_functions,
        # Phase 3 measures the write path alone; phase 6 turns the runners on.
        projections=False,
        watcher=False,
        chain_follow=False,
    )


@contextlib.contextmanager
def huiyin_raise(settings: Settings) -> Iterator[Workload]:
    """Casework.raise_appeal through the application layer, as build_services wires it."""
    with build_services(settings) as services:
        # The first Huiyin services of the run (after the library's own phases, whose
        # insert function Huiyin's replaces): the directory its workloads name.
        fill_directory(services)
        casework = services.casework

        def run(count: int) -> float:
            started = time.perf_counter()
            for _ in range(count):
                casework.raise_appeal(DRAFT, CLERK)
            return time.perf_counter() - started

        yield run


# -- 3b. the same from several threads at once (group commit) ----------------------------

#: The numbers of threads phase 3b raises appeals from.
THREADS = (1, 4, 16)


def raise_from_threads(
    settings: Settings, *, count: int, repeats: int, threads: tuple[int, ...] = THREADS
) -> list[str]:
    """`raise_appeal` from 1, 4 and 16 threads at once, `count` commands per run in all,
    round-robin: commands/s, p50/p99 latency, and how many commands each commit carried
    (the recorder's group sizes). Lines to print."""
    with build_services(settings) as services:
        casework = services.casework
        recorder: Any = casework.recorder
        rates: dict[int, list[float]] = {t: [] for t in threads}
        latencies: dict[int, list[float]] = {t: [] for t in threads}
        groups: dict[int, list[int]] = {t: [] for t in threads}
        for _ in range(repeats):
            for width in threads:
                before = len(recorder.group_sizes)
                elapsed = _raise_at_once(casework, width, max(1, count // width), latencies[width])
                rates[width].append(max(1, count // width) * width / elapsed)
                groups[width] += list(recorder.group_sizes)[before:]
    lines = []
    for width in threads:
        ordered = sorted(latencies[width])
        sizes = groups[width]
        lines.append(
            f"  raise_appeal, {width:>2} thread{'s' if width > 1 else ' '}"
            f"{statistics.median(rates[width]):>9,.0f} commands/s"
            f" (min–max {min(rates[width]):,.0f}–{max(rates[width]):,.0f});"
            f" p50 {ordered[len(ordered) // 2] * 1000:.2f} ms,"
            f" p99 {ordered[int(len(ordered) * 0.99)] * 1000:.2f} ms;"
            f" commands per commit {statistics.fmean(sizes) if sizes else 0:.1f}"
        )
    one, most = statistics.median(rates[threads[0]]), statistics.median(rates[threads[-1]])
    lines.append(f"  {threads[-1]} threads ÷ 1 thread: {most / one:.2f}×")
    return lines


def _raise_at_once(casework: Casework, width: int, each: int, latencies: list[float]) -> float:
    """`width` threads raising `each` appeals; the seconds until the last was saved."""

    def work() -> None:
        for _ in range(each):
            started = time.perf_counter()
            casework.raise_appeal(DRAFT, CLERK)
            latencies.append(time.perf_counter() - started)

    workers = [threading.Thread(target=work) for _ in range(width)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - started
