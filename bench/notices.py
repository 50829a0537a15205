"""Phase 12 of the benchmark: reminders and webhooks (issue 27), beside their baselines.

Run alone:  python -m bench.notices [--quick] [--database-url URL]
(also phase 12 of `make bench`, `bench.benchmark`).

12a. Reminders decided per second: `--deadlines` open deadlines (default 100,000) on the
   deadline board, every one inside a reminder window at the sweep's `now`, and two
   endpoints wanting reminders (one union-wide, one for a department). The sweep
   (`application.reminders.ReminderSweep` over `infrastructure.reminder_sweep`, as the
   background worker runs it) is timed deciding and recording all of them — notices and
   their deliveries, batch by batch — repeated on an emptied outbox. Baseline of the same run:
   one INSERT … SELECT writing as many rows of the same shape (the set-based ceiling).
   The board and the case index are filled with COPY (rows of the shape the views write):
   the phase measures the sweep, not the views.
12b. Delivery throughput: `--deliveries` pending deliveries to a local receiver (a process
   of its own that answers 200 at once, `bench.receiver`), drained by the sender with
   `webhook_senders` threads (`infrastructure.webhook_sender`, as in the background worker).
   Baseline: the same number of POSTs of a notice's size from as many threads, each on its
   own keep-alive connection, with no database (`bench.webhook_throughput`).
12c. Event → webhook (`bench.notice_latency`).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql

from api.bootstrap import Services, build_services
from api.notice_work import reminder_sweep
from bench.organisation import ADMIN, fill
from bench.read_path import DEPARTMENTS
from bench.receiver import running_receiver
from bench.scratch import check_loopback, scratch_database
from bench.webhook_throughput import measure_sender
from bench.workloads import huiyin_settings
from domain.calendar import WorkingCalendar
from domain.notices import EndpointFormat, NoticeKind
from domain.reminders import due_lead, latest_due, parse_leads
from infrastructure.database import conninfo

BENCH_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
#: The sweep's moment: a Tuesday morning in Beijing, working days on both sides.
NOW = datetime(2026, 12, 8, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LEADS = "2wd,4h"  # the setting's default
OUTBOX = ("huiyin_webhook_attempts", "huiyin_webhook_deliveries", "huiyin_notices")


@dataclass
class NoticeOutcome:
    """What phases 12a and 12b measured (rates per repeat)."""

    deadlines: int = 0
    sweep: list[float] = field(default_factory=list)  # reminders/s
    deliveries_per_sweep: int = 0
    raw_insert: list[float] = field(default_factory=list)  # rows/s
    deliveries: int = 0
    senders: int = 0
    sender: list[float] = field(default_factory=list)  # deliveries/s
    raw_posts: list[float] = field(default_factory=list)  # POSTs/s
    duplicates: int = 0


def fill_board(url: str, deadlines: int, now: datetime, until: datetime) -> None:
    """`deadlines` owed acts due in (now, until], each with its case in the case index."""
    rng = random.Random(27)
    span = (until - now).total_seconds()
    ids = [uuid4() for _ in range(deadlines)]
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY case_index (id, case_type, ref, title, kind, status, opened_at, updated_at,"
            " version, department) FROM STDIN"
        ) as copy:
            for n, case_id in enumerate(ids):
                department = DEPARTMENTS[n % len(DEPARTMENTS)]
                row = (case_id, "appeal", f"B{n:07d}", "-", "complaint", "transferred")
                copy.write_row((*row, now, now, 3, department))
        with cur.copy(
            "COPY deadline_board (case_id, act, case_type, due_at, owed) FROM STDIN"
        ) as copy:
            for case_id in ids:
                copy.write_row((case_id, "reply", "appeal", _reminded(rng, now, span), True))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE deadline_board")
        conn.execute("VACUUM ANALYZE case_index")


def _reminded(rng: random.Random, now: datetime, span: float) -> datetime:
    """A due time in (now, now + span] that a lead is due for at `now` (the sweep reads
    every owed deadline up to the latest such time, and reminds those a lead is due for)."""
    leads, calendar = parse_leads(LEADS), WorkingCalendar()
    while True:
        due = now + timedelta(seconds=rng.uniform(1, span))
        if due_lead(due, leads, now, calendar) is not None:
            return due


def empty_outbox(url: str) -> None:
    """No notice, delivery or attempt (the endpoints stay)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {', '.join(OUTBOX)}")


def register_endpoints(services: Services, receiver: str) -> UUID:
    """Four endpoints wanting reminders: the union office's system and its WeCom group (every
    case), and two departments' own; the id of the first."""
    webhooks = services.webhooks
    reminders = [NoticeKind.REMINDER]
    union = webhooks.register(
        name="工会督办系统",
        format=EndpointFormat.STANDARD,
        target=f"{receiver}/union",
        kinds=reminders,
        actor=ADMIN,
    )
    webhooks.register(
        name="工会督办群",
        format=EndpointFormat.WECOM,
        target=f"{receiver}/wecom?key=bench",
        kinds=reminders,
        actor=ADMIN,
    )
    for department in DEPARTMENTS[:2]:
        webhooks.register(
            name=department,
            format=EndpointFormat.STANDARD,
            target=f"{receiver}/{len(department)}",
            kinds=reminders,
            departments=[department],
            actor=ADMIN,
        )
    return union.endpoint.id


def measure_sweep(services: Services, url: str, outcome: NoticeOutcome, repeats: int) -> None:
    """12a: the sweep over the filled board, and the raw INSERT … SELECT, round-robin."""
    calendar = WorkingCalendar()
    sweep, store = reminder_sweep(services.settings, url, calendar, lambda: NOW)
    try:
        for _ in range(repeats):
            empty_outbox(url)
            started = time.perf_counter()
            report = sweep.sweep()
            elapsed = time.perf_counter() - started
            if report.recorded != outcome.deadlines:
                raise RuntimeError(f"the sweep recorded {report.recorded} of {outcome.deadlines}")
            outcome.sweep.append(report.recorded / elapsed)
            outcome.deliveries_per_sweep = _count(url, "huiyin_webhook_deliveries")
            raw = _raw_insert(url, outcome.deliveries_per_sweep)
            outcome.raw_insert.append(outcome.deadlines / raw)
    finally:
        store.close()


RAW_INSERT = """
INSERT INTO bench_raw_notices (id, key, kind, case_id, case_type, department, occurred_at)
SELECT gen_random_uuid(), 'reminder:' || b.case_id || ':' || b.act || ':' || b.due_at,
       'reminder', b.case_id, b.case_type, c.department, b.due_at
  FROM deadline_board b JOIN case_index c ON c.id = b.case_id WHERE b.owed
"""


RAW_DELIVERIES = """
INSERT INTO bench_raw_deliveries (id, notice_id, endpoint_id)
SELECT gen_random_uuid(), n.id, NULL FROM bench_raw_notices n, generate_series(1, 8) LIMIT %s
"""


def _raw_insert(url: str, deliveries: int) -> float:
    """Seconds two INSERT … SELECTs take to write a row per owed deadline, and as many
    delivery rows as the sweep wrote, in one transaction."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw_deliveries, bench_raw_notices")
        conn.execute("CREATE TABLE bench_raw_notices (LIKE huiyin_notices INCLUDING ALL)")
        conn.execute(
            "CREATE TABLE bench_raw_deliveries (LIKE huiyin_webhook_deliveries INCLUDING ALL)"
        )
        started = time.perf_counter()
        with conn.transaction():
            conn.execute(RAW_INSERT)
            conn.execute(RAW_DELIVERIES, (deliveries,))
        return time.perf_counter() - started


def _count(url: str, table: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()
    return int(row[0]) if row else 0


def measure(server_url: str, *, deadlines: int, deliveries: int, repeats: int) -> NoticeOutcome:
    """Phases 12a and 12b in a scratch database of their own."""
    outcome = NoticeOutcome(deadlines=deadlines, deliveries=deliveries)
    with scratch_database(server_url) as url, running_receiver() as receiver:
        # No background work in this process: the phase runs the sweep and the sender itself.
        settings = huiyin_settings(url, BENCH_KEY, pool_size=4, db_functions=True).model_copy(
            update={"notices": False}
        )
        with build_services(settings) as services:
            fill(services)
            endpoint = register_endpoints(services, receiver)
            until = latest_due(NOW, parse_leads(LEADS), WorkingCalendar())
            fill_board(conninfo(url), deadlines, NOW, until)
            measure_sweep(services, conninfo(url), outcome, repeats)
            measure_sender(services, conninfo(url), receiver, endpoint, outcome, repeats)
    return outcome


def notice_lines(outcome: NoticeOutcome) -> list[str]:
    """The figures, each beside its baseline."""
    sweep, raw = statistics.median(outcome.sweep), statistics.median(outcome.raw_insert)
    sender, posts = statistics.median(outcome.sender), statistics.median(outcome.raw_posts)
    return [
        f"  12a. reminders decided over {outcome.deadlines:,} open deadlines, 4 endpoints "
        f"({outcome.deliveries_per_sweep:,} deliveries recorded with them per sweep)",
        f"    {'the sweep':<40} {sweep:>9,.0f} reminders/s  ({_runs(outcome.sweep)})",
        f"    {'raw INSERT … SELECTs, the same rows':<40} {raw:>9,.0f} notices/s  "
        f"({_runs(outcome.raw_insert)})",
        f"    sweep ÷ raw: {sweep / raw:.1%}; one sweep of {outcome.deadlines:,} deadlines "
        f"takes {outcome.deadlines / sweep:.1f} s",
        f"  12b. {outcome.deliveries:,} deliveries to a local receiver, "
        f"{outcome.senders} sender threads",
        f"    {'the sender':<40} {sender:>9,.0f} deliveries/s  ({_runs(outcome.sender)})",
        f"    {'raw POSTs, as many threads, no database':<40} {posts:>9,.0f} POSTs/s  "
        f"({_runs(outcome.raw_posts)})",
        f"    sender ÷ raw: {sender / posts:.1%}; duplicates received: {outcome.duplicates}",
    ]


def _runs(rates: list[float]) -> str:
    return "runs " + ", ".join(f"{rate:,.0f}" for rate in rates)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m bench.notices", description=__doc__)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--deadlines", type=int, default=100_000)
    parser.add_argument("--deliveries", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    check_loopback(args.database_url)
    quick = bool(args.quick)
    outcome = measure(
        args.database_url,
        deadlines=2_000 if quick else args.deadlines,
        deliveries=200 if quick else args.deliveries,
        repeats=1 if quick else args.repeats,
    )
    print("\n".join(notice_lines(outcome)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
