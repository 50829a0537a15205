"""Many clients: 1, 4, 16 and 64 concurrent HTTP clients against `huiyin serve` with one
HTTP worker process and with one per core, beside the physical commit rate of the same run.

Run from the project folder:  python -m bench.concurrency [--quick] [--database-url URL]
(also phase 10 of `make bench`, `bench.benchmark`).

For each number of server workers, a real `huiyin serve --workers W` on a scratch database
(the background work in its one child, as in production), and for each workload and number
of clients, a window of `--seconds` in which every client loops (`bench.load_clients`):
- lifecycle: whole appeal lifecycles, 7 commands each;
- mixed: each command followed by a read (the appeal, a page of the list, the figures).
Printed per cell: commands/s (reads/s), p50/p99 latency, errors, the CPU share of the server's
processes, of the client processes and of the whole machine; then a check that every
acknowledged command is in the store. After the server stops: pgbench's single-row INSERT
commits/s with the same number of clients (capped at the connections the server has free),
and the ratio 16 clients ÷ 1 client of each. Targets (issue 26, printed PASS/FAIL, asserted
nowhere): commands/s with 16 clients ≥ 3× those with 1, p99 < 50 ms with 16 clients.

View lag: 16 clients run lifecycles for `--lag-seconds` (the service's own maximum rate)
while a thread polls the lowest position every view has reached, every 5 ms; for each
acknowledged command, the time from its answer until every view had passed its position
(p50/p99/max; target p99 < 1 s; resolution: the polling interval plus a query).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass

from eventsourcing.cryptography import AESCipher

from bench.api_load import Headers, Server, issue_tokens, running_server
from bench.concurrency_checks import (
    ViewPoller,
    cpu_seconds,
    machine_busy,
    missing_acks,
    peak_rss_kib,
    process_tree,
    raw_commits,
    stored_line,
    stored_versions,
    view_lags,
)
from bench.concurrency_report import (
    CORES,
    LAG_CLIENTS,
    Cell,
    WorkersOutcome,
    catch_up_line,
    lag_line,
    summary,
)
from bench.load_clients import WORKLOADS, drive
from bench.measure import ratio
from bench.organisation import fill
from bench.pg_activity import Activity
from bench.plan import DEFAULT_POOL_SIZE, DEFAULT_SERVER
from bench.scratch import NotLoopback, check_loopback, scratch_database
from bench.workloads import huiyin_settings

CLIENTS = (1, 4, 16, 64)
#: Bounds the wait for the views to reach a position (before and after the lag's load).
DRAIN_SECONDS = 60.0


@dataclass(frozen=True)
class Options:
    """How much the phase does."""

    clients: tuple[int, ...] = CLIENTS
    workers: tuple[int, ...] = (1, CORES)
    seconds: float = 10.0
    raw_seconds: float = 5.0
    lag_seconds: float = 20.0
    pool_size: int = DEFAULT_POOL_SIZE

    @classmethod
    def quick(cls) -> Options:
        """A smoke run, a minute or two: 1 and 16 clients (the ratio's), short windows."""
        return cls(clients=(1, 16), seconds=2.0, raw_seconds=2.0, lag_seconds=5.0)


@dataclass(frozen=True)
class Load:
    """What every client of a cell is given."""

    headers: dict[str, Headers]
    seconds: float


def server_env(url: str, key: str, options: Options) -> dict[str, str]:
    """The server's settings: the scratch database, the key, the service's defaults."""
    return {
        "HUIYIN_DATABASE_URL": url,
        "HUIYIN_CIPHER_KEY": key,
        "HUIYIN_ENVIRONMENT": "test",
        "HUIYIN_POOL_SIZE": str(options.pool_size),
    }


def run_cell(
    server: Server, url: str, load: Load, workers: int, workload: str, clients: int
) -> Cell:
    """One window of load, its CPU shares, then the acknowledged commands checked."""
    tree = process_tree(server.process.pid)
    before, (busy, total) = cpu_seconds(tree), machine_busy()
    with Activity(url).running() as activity:
        result = drive(server.base_url, load.headers, workload, clients, load.seconds)
    busy_after, total_after = machine_busy()
    sessions = activity.line(result.started, result.ended)
    cell = Cell(workers, workload, clients, result, activity=sessions)
    cell.server_cpu = (cpu_seconds(tree) - before) / (cell.seconds * CORES)
    cell.machine_cpu = ratio(busy_after - busy, total_after - total)
    acked = [(aggregate, version) for aggregate, version, _, _ in result.acks]
    stored = stored_versions(url, {aggregate for aggregate, _ in acked}) if acked else []
    cell.stored = stored_line(acked, missing_acks(acked, stored))
    return cell


def wait_for_views(poller: ViewPoller, position: int) -> tuple[int, float]:
    """Waits (bounded) until every view has passed `position`; returns how far behind the
    slowest view was at first, and the seconds it took."""
    started, behind = time.monotonic(), max(0, position - poller.reached())
    while poller.reached() < position and time.monotonic() - started < DRAIN_SECONDS:
        time.sleep(0.05)
    return behind, time.monotonic() - started


def measure_workers(url: str, key: str, workers: int, options: Options) -> WorkersOutcome:
    """Every cell with `workers` server processes, the view lag, then the raw commits."""
    outcome = WorkersOutcome(workers)
    headers = issue_tokens(huiyin_settings(url, key, pool_size=1, db_functions=True))
    with running_server(server_env(url, key, options), workers=workers) as server:
        load = Load(headers, options.seconds)
        pid = server.process.pid
        drive(server.base_url, headers, "lifecycle", 1, min(2.0, options.seconds))  # warm-up
        for workload in WORKLOADS:
            for clients in options.clients:
                cell = run_cell(server, url, load, workers, workload, clients)
                outcome.cells.append(cell)
                print(cell.line(), flush=True)
        with ViewPoller(url).running() as poller:
            # The cells may have left the views behind: the lag is timed from caught up.
            head = max((a[2] for c in outcome.cells for a in c.result.acks), default=0)
            outcome.catch_up = wait_for_views(poller, head)
            result = drive(server.base_url, headers, "lifecycle", LAG_CLIENTS, options.lag_seconds)
            wait_for_views(poller, max((a[2] for a in result.acks), default=0))
        outcome.lags, outcome.unreached = view_lags(
            [(position, acked) for _, _, position, acked in result.acks], poller.samples
        )
        outcome.lag_commands = len(result.acks) / max(result.ended - result.started, 1e-9)
        outcome.peak_rss_kib = peak_rss_kib(process_tree(pid))
    print(catch_up_line(outcome), flush=True)
    print(lag_line(outcome), flush=True)
    for clients in options.clients:
        outcome.raw[clients] = raw_commits(url, clients, options.raw_seconds)
        raw = outcome.raw[clients]
        print(
            f"  raw single-row INSERT, {raw.clients} clients ({raw.tool}): "
            f"{raw.rate:,.0f} commits/s",
            flush=True,
        )
    return outcome


def measure(server_url: str, key: str, options: Options) -> list[str]:
    """The whole phase on a scratch database of its own; returns the summary lines."""
    print(f"  {options}, {CORES} CPUs", flush=True)
    with scratch_database(server_url) as url:
        from api.bootstrap import build_services
        from api.cli import quiet

        with build_services(quiet(huiyin_settings(url, key, pool_size=1, db_functions=True))) as s:
            fill(s)
        outcomes = []
        for workers in options.workers:
            print(f"\n  -- huiyin serve --workers {workers}", flush=True)
            outcomes.append(measure_workers(url, key, workers, options))
    return summary(outcomes)


def parse_args(argv: list[str] | None) -> tuple[str, Options]:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.concurrency", description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("HUIYIN_BENCH_DATABASE_URL") or DEFAULT_SERVER,
        help="a loopback PostgreSQL server; a scratch database is made and dropped",
    )
    parser.add_argument("--clients", help="e.g. 1,4,16,64 (default; --quick: 1,16)")
    parser.add_argument("--workers", default=f"1,{CORES}", help="server worker processes")
    parser.add_argument("--seconds", type=float, default=10.0, help="each cell's window")
    parser.add_argument("--raw-seconds", type=float, default=5.0, help="each pgbench run")
    parser.add_argument("--lag-seconds", type=float, default=20.0, help="the lag's load")
    parser.add_argument("--pool-size", type=int, default=DEFAULT_POOL_SIZE, help="server pools")
    parser.add_argument("--quick", action="store_true", help="1 and 16 clients, 2 s cells")
    args = parser.parse_args(argv)
    base = Options.quick() if args.quick else Options()
    options = Options(
        clients=tuple(int(c) for c in args.clients.split(",")) if args.clients else base.clients,
        workers=tuple(dict.fromkeys(int(w) for w in args.workers.split(","))),
        seconds=base.seconds if args.quick else args.seconds,
        raw_seconds=base.raw_seconds if args.quick else args.raw_seconds,
        lag_seconds=base.lag_seconds if args.quick else args.lag_seconds,
        pool_size=args.pool_size,
    )
    return str(args.database_url), options


def main(argv: list[str] | None = None) -> int:
    """Entry point; 2 on a refused URL."""
    server_url, options = parse_args(argv)
    try:
        check_loopback(server_url)
    except NotLoopback as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("\n".join(measure(server_url, AESCipher.create_key(32), options)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
