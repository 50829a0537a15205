"""Huiyin's write path against its own baselines, all in one run on one PostgreSQL database.

Run from the project folder:  python -m bench.benchmark [--quick] [--database-url URL]

A full run also writes its report to docs/benchmarks.md (`bench.page`; see `--page`).

Phases, each warmed up and repeated (round-robin where there are several options):
1. raw single-row INSERT commits/s (psycopg, autocommit, 1 client);
2. the eventsourcing library's save() of new one-event aggregates: default insert path,
   database-function path, and both with the AES cipher;
3. Huiyin's Casework.raise_appeal through the application layer, db functions on and off;
4. HTTP commands/s and latency for whole appeal lifecycles (7 commands each), one keep-alive
   client against a `huiyin serve` process started here;
5. ratios, PASS/FAIL of HTTP ÷ library save() against 40%, the server's peak RSS, and a
   markdown table;
6–7. the read path: rebuilds, event → view lag, a runner catching up on a backlog against
   rebuilding the same views, queries at scale (`bench.read_path`, `bench.catch_up`,
   `bench.queries`);
8. personal data: erasure time (a small store, and the store of phase 7), the write-path
   cost of sealing each person's data under their own key in process and over HTTP, and
   the decode a rebuild does, each against events encrypted whole only
   (`bench.personal_data`).
9. the web pages: server render time of the board and the workbench over phase 7's store,
   beside the sign-in page and the JSON list, and the board's page weight (`bench.web_pages`).
10. many clients: 1, 4, 16 and 64 concurrent HTTP clients (lifecycles, and commands mixed
   with reads) against `huiyin serve --workers 1` and `--workers <cores>`, beside pgbench's
   INSERT commits with as many clients, every acknowledged command checked in the store,
   and the views' lag at the service's own maximum rate, in a scratch database of its own
   (`bench.concurrency`, also runnable alone).
11. rebuilds at scale: a store of a million events in a scratch database of its own; the
   decode-only ceiling, each view rebuilt alone, every view together in parallel processes
   (`bench.rebuild_scale`).
12. reminders and webhooks: reminders decided per second over 100,000 open deadlines beside
   a raw INSERT … SELECT of the same rows, deliveries per second to a local receiver beside
   raw POSTs, and the time from an event to its webhook through a running server
   (`bench.notices`, `bench.notice_latency`).

A scratch database `huiyin_bench_<random>` is created on the (loopback) server and dropped
afterwards, so nothing else on the server is touched.

This module is longer than the others (about 400 lines) because it is the one place where the
order of the phases, their headings and what each hands the next can be read top to bottom;
what each phase measures lives in its own module.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib.metadata import version

from eventsourcing.cryptography import AESCipher

from bench import concurrency, notices
from bench.api_load import (
    COMMANDS_PER_LIFECYCLE,
    Server,
    ServerFailed,
    issue_tokens,
    lifecycle_driver,
    running_server,
)
from bench.catch_up import catch_up_lines, measure_catch_up
from bench.measure import Measurement, Workload, measure_interleaved
from bench.notice_latency import latency_lines as latency_to_webhook
from bench.notice_latency import measure_latency
from bench.page import recording, write_page
from bench.personal_data import (
    PersonalDataOutcome,
    erase_in,
    erasure_at_scale,
    measure_decode,
    measure_http_cost,
    measure_write_path,
    personal_data_lines,
)
from bench.plan import Plan, parse_args, settings_line
from bench.queries import measure_queries, query_lines
from bench.read_path import lag_lines, measure_lag, measure_rebuild, rebuild_lines
from bench.rebuild_scale import measure_rebuild_scale
from bench.report import Results, latency_lines, markdown, ratio_lines
from bench.scratch import NotLoopback, check_loopback, scratch_database, server_facts
from bench.web_pages import measure_pages, page_lines
from bench.workloads import (
    LIBRARY_CASES,
    THREADS,
    huiyin_raise,
    huiyin_settings,
    library_save,
    raise_from_threads,
    raw_insert,
)

#: One cipher key for every phase: they share the scratch store, and a view runner must be
#: able to read every event in it (as in production, where all processes share one key).
BENCH_KEY = AESCipher.create_key(32)
LAG_RATE = 100.0  # commands/s: a steady load well inside the write path's capacity


def heading(text: str) -> None:
    """A phase heading."""
    print(f"\n== {text}", flush=True)


def show(measurements: list[Measurement]) -> None:
    """Prints each measurement's line."""
    for measurement in measurements:
        print(measurement.line(), flush=True)


def measure_in_process(
    url: str, plan: Plan
) -> tuple[Measurement, list[Measurement], Measurement, Measurement]:
    """Phases 1–3: raw INSERT, library save(), Huiyin's raise_appeal."""
    common = {"n": plan.n, "warmup": plan.warmup, "repeats": plan.repeats}

    heading(f"1. raw single-row INSERT, autocommit, 1 client ({plan.n} per run)")
    with raw_insert(url) as run:
        raw = measure_interleaved([("raw INSERT commits, 1 client", run)], unit="commits", **common)
    show(raw)

    heading(f"2. eventsourcing save(), new aggregate with 1 event, 1 thread, pool {plan.pool_size}")
    with contextlib.ExitStack() as stack:
        cases: list[tuple[str, Workload]] = [
            (case.label, stack.enter_context(library_save(url, case, plan.pool_size)))
            for case in LIBRARY_CASES
        ]
        library = measure_interleaved(cases, unit="events", **common)
    show(library)

    heading(f"3. Huiyin Casework.raise_appeal (AES on, pool {plan.pool_size}), 1 thread")
    key = BENCH_KEY
    with contextlib.ExitStack() as stack:
        huiyin_cases: list[tuple[str, Workload]] = [
            (
                f"Huiyin raise_appeal, db functions {'on' if flag else 'off'}",
                stack.enter_context(
                    huiyin_raise(
                        huiyin_settings(url, key, pool_size=plan.pool_size, db_functions=flag)
                    )
                ),
            )
            for flag in (True, False)
        ]
        huiyin = measure_interleaved(huiyin_cases, unit="commands", **common)
    show(huiyin)
    heading(
        f"3b. Huiyin raise_appeal from {', '.join(map(str, THREADS))} threads at once "
        f"(group commit), {plan.n} commands per run, pool {plan.pool_size}"
    )
    settings = huiyin_settings(url, key, pool_size=plan.pool_size, db_functions=True)
    print("\n".join(raise_from_threads(settings, count=plan.n, repeats=plan.repeats)), flush=True)
    return raw[0], library, huiyin[0], huiyin[1]


@dataclass
class HttpOutcome:
    """What the HTTP phase measured."""

    throughput: Measurement
    latencies: dict[str, list[float]]
    peak_rss_kib: int | None
    start_rss_kib: int | None


def server_env(url: str, plan: Plan) -> dict[str, str]:
    """The server's settings: the scratch database, a fresh key, the benchmark's options."""
    return {
        "HUIYIN_DATABASE_URL": url,
        "HUIYIN_CIPHER_KEY": BENCH_KEY,
        "HUIYIN_ENVIRONMENT": "test",
        "HUIYIN_POOL_SIZE": str(plan.pool_size),
        "HUIYIN_DB_FUNCTIONS": "true" if plan.http_db_functions else "false",
    }


def measure_http(url: str, plan: Plan) -> HttpOutcome:
    """Phase 4: whole lifecycles over HTTP, one keep-alive client, a separate server process."""
    heading(
        f"4. HTTP, full appeal lifecycle ({COMMANDS_PER_LIFECYCLE} commands), 1 client, "
        f"{plan.appeals} lifecycles per run, server: pool {plan.pool_size}, db functions "
        f"{'on' if plan.http_db_functions else 'off'}, AES on"
    )
    headers = issue_tokens(huiyin_settings(url, BENCH_KEY, pool_size=1, db_functions=True))
    throughput = Measurement("HTTP commands, 1 client", "commands")
    server: Server
    with running_server(server_env(url, plan)) as server:
        start_rss = server.memory().get("VmRSS")
        print(f"  server pid {server.process.pid} at {server.base_url}", flush=True)
        with lifecycle_driver(server, headers) as driver:
            for _ in range(plan.repeats):
                driver.run(plan.warmup_appeals, record=False)
                elapsed = driver.run(plan.appeals, record=True)
                throughput.rates.append(plan.appeals * COMMANDS_PER_LIFECYCLE / elapsed)
        peak_rss = server.memory().get("VmHWM")
    show([throughput])
    return HttpOutcome(throughput, driver.latencies, peak_rss, start_rss)


def measure_read_path(url: str, plan: Plan) -> list[str]:
    """Phase 6: rebuilds against the raw read, then event → view lag under a steady load."""
    settings = huiyin_settings(url, BENCH_KEY, pool_size=plan.pool_size, db_functions=True)
    # Rebuilds first: they also bring every view to the head, so the runners of the lag
    # phase start there instead of catching up on the earlier phases' events.
    heading(
        f"6a. rebuild every view vs the raw notification read, {plan.repeats} runs, after "
        f"adding {plan.penalties_and_disclosures} penalties and published penalty notices"
    )
    rebuild = rebuild_lines(
        measure_rebuild(
            settings,
            repeats=plan.repeats,
            penalties_and_disclosures=plan.penalties_and_disclosures,
        )
    )
    print("\n".join(rebuild), flush=True)
    commands = max(200, plan.n)
    heading(f"6b. event → view lag, {commands} raise_appeal commands at {LAG_RATE}/s")
    lag = measure_lag(settings, commands=commands, rate=LAG_RATE)
    lines = lag_lines(lag)
    print("\n".join(lines), flush=True)
    heading(
        f"6c. catching up: a backlog of {plan.catch_up_events:,} events written with the "
        "runners stopped, then one runner of every view, vs rebuilding them"
    )
    catch_up = catch_up_lines(measure_catch_up(settings, events=plan.catch_up_events))
    print("\n".join(catch_up), flush=True)
    lines += catch_up
    heading(f"7. queries at scale: {plan.scale_appeals:,} appeals, metrics latency, audit export")
    queries = query_lines(
        measure_queries(settings, appeals=plan.scale_appeals, samples=plan.query_samples)
    )
    print("\n".join(queries), flush=True)
    return lines + rebuild + queries


def measure_personal_data(server_url: str, url: str, plan: Plan) -> list[str]:
    """Phase 8: erasure times, then sealing's cost beside its baseline."""
    settings = huiyin_settings(url, BENCH_KEY, pool_size=plan.pool_size, db_functions=True)
    outcome = PersonalDataOutcome()
    small = 100 if plan.n < 1000 else 1000
    heading(f"8a. erasing one person: a store of ~{small:,} events, then phase 7's store")
    with scratch_database(server_url) as other:
        fresh = huiyin_settings(other, BENCH_KEY, pool_size=plan.pool_size, db_functions=True)
        outcome.erasures[f"{small:,} appeals raised"] = erase_in(fresh, other, appeals=small)
    outcome.erasures[f"{plan.scale_appeals:,} bulk appeals"] = erasure_at_scale(settings, url)
    heading(f"8b. raise_appeal sealed per person vs whole events only ({plan.n} per run)")
    outcome.in_process = measure_write_path(
        settings, n=plan.n, warmup=plan.warmup, repeats=plan.repeats
    )
    heading(f"8c. HTTP lifecycles sealed per person vs whole events only ({plan.appeals} per run)")
    outcome.http = measure_http_cost(
        url,
        server_env(url, plan),
        settings,
        appeals=plan.appeals,
        warmup=plan.warmup_appeals,
        repeats=plan.repeats,
    )
    heading("8d. a rebuild's decode of sealed events vs whole ones")
    outcome.decode = measure_decode(settings, appeals=max(100, plan.n), repeats=plan.repeats)
    lines = personal_data_lines(outcome)
    print("\n".join(lines), flush=True)
    return lines


def measure_web_pages(url: str, plan: Plan) -> list[str]:
    """Phase 9: the pages over phase 7's store."""
    settings = huiyin_settings(url, BENCH_KEY, pool_size=plan.pool_size, db_functions=True)
    heading(
        f"9. web pages over {plan.scale_appeals:,} appeals: server render, "
        f"{plan.page_samples} renders each, round-robin"
    )
    lines = page_lines(measure_pages(settings, samples=plan.page_samples))
    print("\n".join(lines), flush=True)
    return lines


def measure_rebuilds_at_scale(server_url: str, plan: Plan) -> list[str]:
    """Phase 11: every view alone and all together over a large store of its own."""
    heading(
        f"11. rebuilds at scale: {plan.rebuild_events:,} events, the decode-only ceiling, "
        "each view alone, every view together in parallel"
    )
    lines = measure_rebuild_scale(
        server_url, events=plan.rebuild_events, quick=plan.rebuild_events < 100_000
    )
    print("\n".join(lines), flush=True)
    return lines


def measure_notices(server_url: str, plan: Plan) -> list[str]:
    """Phase 12: the reminder sweep, the sender, and event → webhook, in databases of their own."""
    heading(
        f"12. reminders and webhooks: {plan.notice_deadlines:,} open deadlines, "
        f"{plan.notice_deliveries:,} deliveries, {plan.notice_samples:,} publications timed"
    )
    outcome = notices.measure(
        server_url,
        deadlines=plan.notice_deadlines,
        deliveries=plan.notice_deliveries,
        repeats=plan.repeats,
    )
    lines = notices.notice_lines(outcome)
    lines += latency_to_webhook(measure_latency(server_url, samples=plan.notice_samples))
    print("\n".join(lines), flush=True)
    return lines


def print_header(server_url: str, url: str, plan: Plan) -> None:
    """Versions, the database and the settings, before anything is measured."""
    facts = server_facts(url)
    print("Huiyin write-path benchmark")
    print(
        f"  Python {platform.python_version()}, eventsourcing {version('eventsourcing')}, "
        f"psycopg {version('psycopg')}, {os.cpu_count()} CPUs"
    )
    print(
        f"  PostgreSQL {facts['server_version']} on {server_url.rsplit('@', 1)[-1]}, "
        f"scratch database {url.rsplit('/', 1)[-1].split('?')[0]}; "
        f"synchronous_commit={facts['synchronous_commit']}, fsync={facts['fsync']}, "
        f"wal_sync_method={facts['wal_sync_method']}, shared_buffers={facts['shared_buffers']}"
    )
    print(f"  {settings_line(plan)}", flush=True)


def run(server_url: str, plan: Plan) -> None:
    """All phases in one scratch database, then the ratios and the table."""
    with scratch_database(server_url) as url:
        print_header(server_url, url, plan)
        raw, library, huiyin_on, huiyin_off = measure_in_process(url, plan)
        http = measure_http(url, plan)
        read_path = measure_read_path(url, plan)
        personal = measure_personal_data(server_url, url, plan)
        pages = measure_web_pages(url, plan)
    heading("10. many clients over HTTP, 1 and N server workers (bench.concurrency)")
    options = concurrency.Options.quick() if plan.quick else concurrency.Options()
    clients = concurrency.measure(server_url, BENCH_KEY, replace(options, pool_size=plan.pool_size))
    at_scale = measure_rebuilds_at_scale(server_url, plan)
    told = measure_notices(server_url, plan)
    results = Results(
        raw=raw,
        library=library,
        huiyin_on=huiyin_on,
        huiyin_off=huiyin_off,
        http=http.throughput,
        latencies=http.latencies,
        peak_rss_kib=http.peak_rss_kib,
        start_rss_kib=http.start_rss_kib,
    )
    heading("HTTP latency per command (all runs)")
    print("\n".join(latency_lines(results)))
    heading("5. ratios (medians of this run)")
    print("\n".join(ratio_lines(results)))
    heading("6. read path")
    print("\n".join(read_path))
    heading("8. personal data")
    print("\n".join(personal))
    heading("9. web pages")
    print("\n".join(pages))
    heading("10. many clients")
    print("\n".join(clients))
    heading("11. rebuilds at scale")
    print("\n".join(at_scale))
    heading("12. reminders and webhooks")
    print("\n".join(told))
    heading("markdown")
    print("\n".join(markdown(results, settings_line(plan))))


def main(argv: list[str] | None = None) -> int:
    """Entry point; 2 on a refused URL, 1 if the server misbehaves."""
    server_url, plan, page = parse_args(argv, __doc__)
    try:
        check_loopback(server_url)
        started, clock = datetime.now(UTC), time.monotonic()
        with recording() as report:
            run(server_url, plan)
        if page is not None:
            write_page(page, report.getvalue(), started=started, seconds=time.monotonic() - clock)
            print(f"\nwrote {page}")
    except NotLoopback as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ServerFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
