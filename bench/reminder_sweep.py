"""The reminder sweep over many deadlines: reminders decided and recorded per second.

`python -m bench.reminder_sweep --deadlines 100000 --database-url postgresql://...`

In a scratch database (dropped after) holding only what the sweep reads and writes — the
deadline board and case index tables as the views make them (the columns read), and the
outbox's tables — `--deadlines` reply deadlines owed, all inside their `2wd` window, each in
one of 50 departments, with 10 endpoints subscribed to reminders (5 for every department, 5
for one each): one sweep records every reminder and its deliveries, a second finds them
recorded.
"""

from __future__ import annotations

import argparse
import os
import secrets
import time
from datetime import datetime
from uuid import uuid4

import psycopg
from psycopg import sql

from application.reminders import ReminderSweep
from domain.calendar import CHINA_TZ, WorkingCalendar
from domain.reminders import parse_leads
from infrastructure.database import conninfo
from infrastructure.reminder_sweep import PostgresReminderStore
from infrastructure.webhook_tables import create_tables, seal

#: Thursday 10:00: a reply due at the end of Friday is inside its `2wd` window, not `4h`.
NOW = datetime(2026, 11, 19, 10, tzinfo=CHINA_TZ)
DUE = datetime(2026, 11, 20, 23, 59, 59, tzinfo=CHINA_TZ)


def fill(url: str, deadlines: int) -> None:
    """The tables the sweep reads, with `deadlines` owed deadlines and 10 endpoints."""
    with psycopg.connect(conninfo(url), autocommit=True) as conn, conn.cursor() as curs:
        create_tables(conn)
        curs.execute(
            "CREATE TABLE deadline_board (case_id uuid, act text, case_type text,"
            " due_at timestamptz, owed boolean, missed_due timestamptz,"
            " PRIMARY KEY (case_id, act))"
        )
        curs.execute("CREATE INDEX ON deadline_board (due_at) WHERE owed")
        curs.execute(
            "CREATE TABLE case_index (id uuid PRIMARY KEY, department text, tier text, ref text)"
        )
        cases = [(uuid4(), f"D{n % 50}") for n in range(deadlines)]
        with curs.copy(
            "COPY deadline_board (case_id, act, case_type, due_at, owed) FROM STDIN"
        ) as copy:
            for case_id, _ in cases:
                copy.write_row((case_id, "reply", "appeal", DUE, True))
        with curs.copy("COPY case_index (id, department, tier, ref) FROM STDIN") as copy:
            for case_id, department in cases:
                copy.write_row((case_id, department, "workers", "GH-1"))
        key = secrets.token_bytes(32)
        for n in range(10):
            endpoint = uuid4()
            curs.execute(
                "INSERT INTO huiyin_webhook_endpoints (id, name, format, target_sealed,"
                " target_shown, kinds, departments, audience, created_at, created_by,"
                " changed_at, changed_by) VALUES (%s, 'bench', 'standard', %s, 'x',"
                " '{reminder}', %s, 'union_staff', now(), 'bench', now(), 'bench')",
                (endpoint, seal(key, endpoint, "x"), [f"D{n}"] if n % 2 else []),
            )
        curs.execute("ANALYZE")


def main() -> None:
    """Fills a scratch database, sweeps twice and prints the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deadlines", type=int, default=20_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("HUIYIN_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1/"),
    )
    args = parser.parse_args()
    server = args.database_url.split("?")[0].rsplit("/", 1)[0]
    name = f"huiyin_bench_reminders_{secrets.token_hex(4)}"
    with psycopg.connect(conninfo(f"{server}/postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = f"{server}/{name}"
    try:
        fill(url, args.deadlines)
        store = PostgresReminderStore(conninfo(url), union_office="union")
        sweep = ReminderSweep(store, parse_leads("2wd,4h"), WorkingCalendar(), lambda: NOW)
        start = time.perf_counter()
        first = sweep.sweep()
        took = time.perf_counter() - start
        start = time.perf_counter()
        again = sweep.sweep()
        again_took = time.perf_counter() - start
        store.close()
        with psycopg.connect(conninfo(url)) as conn:
            row = conn.execute("SELECT count(*) FROM huiyin_webhook_deliveries").fetchone()
        print(
            f"{args.deadlines} deadlines: {first.recorded} reminders ({row[0] if row else 0}"
            f" deliveries) in {took:.1f} s, {first.recorded / took:.0f}/s; a second sweep"
            f" recorded {again.recorded} in {again_took:.1f} s"
        )
    finally:
        with psycopg.connect(conninfo(f"{server}/postgres"), autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


if __name__ == "__main__":
    main()
