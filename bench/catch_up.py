"""Catching up: a runner started behind a backlog, against a rebuild of the same views.

Part of phase 6 of the benchmark (`make bench`), or alone:
`python -m bench.catch_up --events 20000 [--database-url URL]`.

With no runner going, a backlog of events (appeals raised, transferred and penalised, penalty
notices taken to publication: every view has its share) is written through the application
layer. Then one `ViewRunner` for every view starts, as the background worker runs them, and
is timed until every view's tracking position reaches the head. Then each view is rebuilt
over the same store (`Views.rebuild`, as `huiyin rebuild` does). A rebuild replays the whole
log, the catch-up only the backlog, so both are compared as events of the log per second:
- catch-up: backlog events ÷ seconds until every view reached the head (six views fed);
- rebuild, every view one after another: log events ÷ the sum of the six rebuilds' seconds
  (the same work, every event into every view): the divisor of the target, ≥ 20%;
- rebuild, per view, and the fastest of them: printed for scale.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from functools import partial

from bench.read_path import _timed, add_penalties_and_disclosures
from infrastructure.database import conninfo
from infrastructure.projection_runner import CATCH_UP_BATCH, ViewRunner
from infrastructure.settings import Settings
from infrastructure.view_commits import PROGRESS
from infrastructure.view_registry import VIEWS

CATCH_UP_TARGET = 0.20  # of the rate of rebuilding every view, one after another
DEFAULT_EVENTS = 20_000


@dataclass
class CatchUpOutcome:
    """A backlog's catch-up time and the rebuild times of the same store."""

    backlog: int = 0
    head: int = 0
    batch: int = CATCH_UP_BATCH
    catch_up_seconds: float = 0.0
    #: Transactions (batches) the catch-up took.
    batches: int = 0
    #: Seconds each view's rebuild took (the whole log).
    rebuilds: dict[str, float] = field(default_factory=dict)

    @property
    def catch_up_rate(self) -> float:
        """Backlog events per second, every view fed."""
        return self.backlog / self.catch_up_seconds if self.catch_up_seconds else 0.0

    @property
    def rebuild_rate(self) -> float:
        """Log events per second of rebuilding every view, one after another."""
        total = sum(self.rebuilds.values())
        return self.head / total if total else 0.0


def _until_head(runner: ViewRunner, keys: list[str], head: int, timeout: float) -> None:
    """Waits (on the views' in-process progress signal) until every view reached `head`."""
    deadline = time.monotonic() + timeout
    while not all(PROGRESS.reached(key, head) for key in keys):
        if runner.error is not None:
            raise RuntimeError(f"the runner failed: {runner.error!r}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the views did not reach {head} in {timeout:g} s")
        PROGRESS.wait(0.05)


def measure_catch_up(
    settings: Settings, *, events: int, batch: int = CATCH_UP_BATCH
) -> CatchUpOutcome:
    """Writes about `events` events with no runner going, times one runner of every view
    catching up on them, then times each view's rebuild over the same store."""
    from api.bootstrap import build_services

    quiet = settings.model_copy(
        update={"projections": False, "watcher": False, "chain_follow": False}
    )
    outcome = CatchUpOutcome(batch=batch)
    with build_services(quiet) as services:
        views = {name: services.views.get(name) for name in VIEWS}
        keys = [view._progress_key for view in views.values()]
        specs = list(VIEWS.values())
        url = conninfo(services.database_url)

        def run_until(head: int, timeout: float) -> float:
            runner = ViewRunner(specs, services.views._env, url, batch=batch)
            started = time.perf_counter()
            runner.start()
            try:
                _until_head(runner, keys, head, timeout)
                return time.perf_counter() - started
            finally:
                runner.stop()
                outcome.batches = runner.batches

        run_until(services.views.head(), 600)  # the views at the head before the backlog
        first = services.views.head()
        while services.views.head() - first < events:
            add_penalties_and_disclosures(services, 50)
        outcome.head = services.views.head()
        outcome.backlog = outcome.head - first
        outcome.catch_up_seconds = run_until(outcome.head, 1800)
        for name in VIEWS:
            _, seconds = _timed(partial(services.views.rebuild, name))
            outcome.rebuilds[name] = seconds
    return outcome


def catch_up_lines(outcome: CatchUpOutcome) -> list[str]:
    """Catch-up events/s beside rebuild events/s, and the ratio against the target."""
    rebuild = outcome.rebuild_rate
    ratio = outcome.catch_up_rate / rebuild if rebuild else 0.0
    per_view = {name: outcome.head / s for name, s in outcome.rebuilds.items() if s}
    fastest = max(per_view.values(), default=0.0)
    verdict = "PASS" if ratio >= CATCH_UP_TARGET else "FAIL"
    lines = [
        f"  backlog of {outcome.backlog:,} events (log of {outcome.head:,}) written with no "
        f"runner; one runner of all {len(VIEWS)} views, batches up to {outcome.batch}:",
        f"  catch-up: {outcome.catch_up_seconds:.2f} s = {outcome.catch_up_rate:,.0f} events/s "
        f"(every view fed), in {outcome.batches:,} transactions",
    ]
    lines += [
        f"  rebuild {name:<16} {outcome.rebuilds[name]:>7.2f} s = {rate:>9,.0f} events/s"
        for name, rate in per_view.items()
    ]
    lines += [
        f"  rebuild of every view, one after another: {sum(outcome.rebuilds.values()):.2f} s "
        f"= {rebuild:,.0f} events/s",
        f"  catch-up ÷ rebuild of every view: {ratio:.1%}  → {verdict} "
        f"(target ≥ {CATCH_UP_TARGET:.0%}); ÷ the fastest single view's rebuild: "
        f"{outcome.catch_up_rate / fastest if fastest else 0.0:.1%}; ÷ the median view's: "
        f"{outcome.catch_up_rate / statistics.median(per_view.values()) if per_view else 0.0:.1%}",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    """Runs the catch-up measurement alone, in a scratch database."""
    from bench.benchmark import BENCH_KEY
    from bench.organisation import fill
    from bench.plan import DEFAULT_SERVER
    from bench.scratch import scratch_database
    from bench.workloads import huiyin_settings

    parser = argparse.ArgumentParser(prog="python -m bench.catch_up", description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("HUIYIN_BENCH_DATABASE_URL") or DEFAULT_SERVER,
        help="a loopback PostgreSQL server; a scratch database is made on it and dropped",
    )
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS, help="backlog size")
    parser.add_argument("--batch", type=int, default=CATCH_UP_BATCH, help="runner's batch")
    args = parser.parse_args(argv)
    from api.bootstrap import build_services

    with scratch_database(args.database_url) as url:
        settings = huiyin_settings(url, BENCH_KEY, pool_size=4, db_functions=True)
        with build_services(settings) as services:
            fill(services)
        outcome = measure_catch_up(settings, events=args.events, batch=args.batch)
    print("\n".join(catch_up_lines(outcome)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
