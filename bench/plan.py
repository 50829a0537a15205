"""What a benchmark run does and how much: its `Plan`, the command line that sets it, and the
line that reports it beside every figure."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

from bench.page import PAGE
from infrastructure.settings import Settings

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_POOL_SIZE = int(Settings.model_fields["pool_size"].default)
DEFAULT_DB_FUNCTIONS = bool(Settings.model_fields["db_functions"].default)


@dataclass(frozen=True)
class Plan:
    """How much each phase does."""

    n: int
    appeals: int
    repeats: int
    warmup: int
    warmup_appeals: int
    pool_size: int
    http_db_functions: bool
    scale_appeals: int = 100_000
    query_samples: int = 1_000
    #: Penalties and penalty notices (proposed, approved, published) added before the
    #: rebuilds, so that the penalty ledger and the disclosure feed replay something.
    penalties_and_disclosures: int = 200
    #: Events written with the runners stopped before timing a runner catching up (6c).
    catch_up_events: int = 20_000
    #: Renders of each page in phase 9 (p99: the 5th slowest).
    page_samples: int = 500
    #: A smoke run (`--quick`): phase 10 (many clients) takes its short options too.
    quick: bool = False
    #: Events in phase 11's store (rebuilds at scale, `bench.rebuild_scale`).
    rebuild_events: int = 1_000_000
    #: Phase 12 (`bench.notices`, `bench.notice_latency`): open deadlines the reminder sweep
    #: decides, deliveries the sender drains, publications timed to their webhooks.
    notice_deadlines: int = 100_000
    notice_deliveries: int = 5_000
    notice_samples: int = 1_000


def bounded(low: int, high: int) -> type[int]:
    """An argparse type for an int within [low, high]."""

    class Bounded(int):
        def __new__(cls, text: str) -> Bounded:
            value = int(text)
            if not low <= value <= high:
                raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
            return super().__new__(cls, value)

    return Bounded


def parse_args(
    argv: list[str] | None, description: str | None = None
) -> tuple[str, Plan, Path | None]:
    """The command line, as a server URL, a plan and where to write the page (if at all);
    `description` is what `--help` says of the benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench.benchmark", description=description)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("HUIYIN_BENCH_DATABASE_URL") or DEFAULT_SERVER,
        help="a loopback PostgreSQL server; a scratch database is created on it and dropped "
        "(default: HUIYIN_BENCH_DATABASE_URL, else %(default)s)",
    )
    parser.add_argument("--n", type=bounded(10, 1_000_000), default=1000, help="events per run")
    parser.add_argument(
        "--appeals", type=bounded(1, 100_000), default=200, help="HTTP lifecycles per run"
    )
    parser.add_argument("--repeats", type=bounded(1, 20), default=3, help="runs per figure")
    parser.add_argument(
        "--pool-size", type=bounded(1, 100), default=DEFAULT_POOL_SIZE, help="connection pools"
    )
    parser.add_argument(
        "--http-db-functions",
        choices=("on", "off"),
        default="on" if DEFAULT_DB_FUNCTIONS else "off",
        help="the server's insert path (default: the service's default)",
    )
    parser.add_argument(
        "--scale-appeals",
        type=bounded(100, 1_000_000),
        default=100_000,
        help="appeals in the store for the metrics-latency phase",
    )
    parser.add_argument(
        "--rebuild-events",
        type=bounded(1_000, 10_000_000),
        default=1_000_000,
        help="events in the store of phase 11 (rebuilds at scale)",
    )
    parser.add_argument("--quick", action="store_true", help="small numbers, for a smoke run")
    parser.add_argument(
        "--page", type=Path, help=f"write the figures page here (a full run's default: {PAGE})"
    )
    parser.add_argument("--no-page", action="store_true", help="print the report only")
    args = parser.parse_args(argv)
    page = None if args.no_page else args.page or (None if args.quick else PAGE)
    n = 100 if args.quick else int(args.n)
    appeals = 10 if args.quick else int(args.appeals)
    plan = Plan(
        n=n,
        appeals=appeals,
        repeats=int(args.repeats),
        warmup=max(10, n // 10),
        warmup_appeals=max(2, appeals // 10),
        pool_size=int(args.pool_size),
        http_db_functions=args.http_db_functions == "on",
        scale_appeals=2000 if args.quick else int(args.scale_appeals),
        # Latency percentiles from at least 1,000 samples (p99: the 10th slowest); the
        # queries take 5–45 ms, so the eight of them take about two minutes.
        query_samples=50 if args.quick else 1_000,
        penalties_and_disclosures=20 if args.quick else 200,
        catch_up_events=1_000 if args.quick else 20_000,
        page_samples=20 if args.quick else 500,
        quick=bool(args.quick),
        rebuild_events=20_000 if args.quick else int(args.rebuild_events),
        notice_deadlines=2_000 if args.quick else 100_000,
        notice_deliveries=200 if args.quick else 5_000,
        notice_samples=30 if args.quick else 1_000,
    )
    return str(args.database_url), plan, page


def settings_line(plan: Plan) -> str:
    """The options every figure was measured with."""
    return (
        f"Settings: {plan.repeats} runs per figure (median, min–max), {plan.n} events per "
        f"in-process run after {plan.warmup} warm-up, {plan.appeals} HTTP lifecycles per run "
        f"after {plan.warmup_appeals} warm-up; pool size {plan.pool_size} (library, Casework, "
        f"server); server db functions {'on' if plan.http_db_functions else 'off'}, AES on; "
        "one client/thread, TCP loopback."
    )
