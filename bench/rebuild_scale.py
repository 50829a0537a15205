"""Rebuilds at scale: every view alone and all together in parallel, over a million events.

Run from the project folder:  python -m bench.rebuild_scale [--events N] [--quick]

Also phase 11 of `make bench`. On a scratch database of its own (`bench.bulk_store` says how
the store is built), each run in spawned processes exactly as `huiyin rebuild` runs them
(`infrastructure.parallel_rebuild`):
- the decode-only ceiling: one process reads and decodes every event as a rebuild does
  (AES-GCM, JSON, event objects) and applies it to no view; run first and last, the faster
  of the two is the divisor;
- each view rebuilt alone (`--jobs 1`): events of the log accounted for per second, and the
  audit trail's and the metrics' share of the ceiling (target ≥ 50%);
- every view together, `--jobs` at once (default: one per core), against the slowest view
  alone (target ≤ 1.2×); and, when that is fewer than the views, every view at once (a
  rebuild waits on PostgreSQL half its time, so more processes than cores can overlap).
Wall-clock times are the parent's, from the first child started to the last one ended;
rates are from the children's own clocks, with their CPU seconds beside them.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from eventsourcing.cryptography import AESCipher

from infrastructure.database import conninfo
from infrastructure.keyring import Keyring
from infrastructure.keys import resolve_cipher_key
from infrastructure.parallel_rebuild import (
    Failed,
    Rebuilt,
    StoreAccess,
    default_jobs,
    rebuild_in_parallel,
)
from infrastructure.replay import replay
from infrastructure.sealing import sealed_events_env
from infrastructure.settings import Settings
from infrastructure.view_registry import VIEWS, EventLog, runner_env

TOGETHER_TARGET = 1.2  # all views together ÷ the slowest alone, at most
CEILING_TARGET = 0.50  # of the decode-only ceiling, at least
JUDGED = ("audit_trail", "metrics")  # the views that read every event
DEFAULT_EVENTS = 1_000_000
QUICK_EVENTS = 100_000


def decode_only(name: str, store: StoreAccess, progress: Callable[[int, int], None]) -> int:
    """A child's work: reads and decodes every event as a rebuild does, no view."""
    keyring = Keyring.open(store.conninfo, store.master)
    log = EventLog(runner_env({**store.env, **sealed_events_env(keyring)}))
    gc.disable()  # as `rebuild` does
    try:
        head = log.recorder.max_notification_id() or 0
        decoded = 0
        for batch in replay(log, head):
            decoded += len(batch)
            progress(batch[-1][0], head)
        return decoded
    finally:
        log.close()
        keyring.close()


@dataclass
class ScaleOutcome:
    """What the phase measured (seconds; rates are derived from the log's head)."""

    head: int
    jobs: int
    store_line: str
    ceiling: list[float] = field(default_factory=list)  # children's seconds
    ceiling_cpu: list[float] = field(default_factory=list)  # children's CPU seconds
    alone: dict[str, float] = field(default_factory=dict)  # children's seconds
    alone_cpu: dict[str, float] = field(default_factory=dict)  # children's CPU seconds
    alone_wall: dict[str, float] = field(default_factory=dict)
    replayed: dict[str, int] = field(default_factory=dict)
    together: dict[str, float] = field(default_factory=dict)  # children's seconds
    together_wall: float = 0.0
    #: Every view in a process of its own at once (when `jobs` is fewer than the views).
    all_at_once_wall: float | None = None
    peak_rss_mib: float = 0.0


def _run(
    names: Sequence[str], store: StoreAccess, jobs: int, target: object = None
) -> tuple[dict[str, Rebuilt], float]:
    """Runs the children; their outcomes and the wall-clock seconds of the whole run."""
    started = time.perf_counter()
    kwargs = {} if target is None else {"target": target}
    outcomes = rebuild_in_parallel(names, store, jobs=jobs, **kwargs)  # type: ignore[arg-type]
    wall = time.perf_counter() - started
    failed = [o for o in outcomes if isinstance(o, Failed)]
    if failed:
        raise RuntimeError("; ".join(f"{o.name}: {o.error}" for o in failed))
    return {o.name: o for o in outcomes if isinstance(o, Rebuilt)}, wall


def measure_scale(store: StoreAccess, head: int, store_line: str, *, jobs: int) -> ScaleOutcome:
    """The ceiling, each view alone, all together, the ceiling again."""
    outcome = ScaleOutcome(head=head, jobs=jobs, store_line=store_line)
    names = list(VIEWS)

    def ceiling() -> None:
        # By its module's name (not __main__'s), for the child to import.
        target = importlib.import_module("bench.rebuild_scale").decode_only
        done, _ = _run(["decode-only"], store, 1, target)
        outcome.ceiling.append(done["decode-only"].seconds)
        outcome.ceiling_cpu.append(done["decode-only"].cpu_seconds)
        print(f"  decode-only: {head / outcome.ceiling[-1]:,.0f} events/s", flush=True)

    ceiling()
    for name in sorted(names, key=lambda n: JUDGED.index(n) if n in JUDGED else len(JUDGED)):
        done, wall = _run([name], store, 1)
        outcome.alone[name], outcome.alone_wall[name] = done[name].seconds, wall
        outcome.replayed[name] = done[name].replayed
        outcome.alone_cpu[name] = done[name].cpu_seconds
        outcome.peak_rss_mib = max(outcome.peak_rss_mib, done[name].peak_rss_mib)
        print(f"  {name} alone: {wall:.1f} s", flush=True)
    done, outcome.together_wall = _run(names, store, jobs)
    outcome.together = {name: rebuilt.seconds for name, rebuilt in done.items()}
    print(f"  all together: {outcome.together_wall:.1f} s", flush=True)
    if jobs < len(names):
        _, outcome.all_at_once_wall = _run(names, store, len(names))
        print(f"  all at once: {outcome.all_at_once_wall:.1f} s", flush=True)
    ceiling()
    return outcome


def scale_lines(outcome: ScaleOutcome) -> list[str]:
    """The figures, ratios of the same run, PASS/FAIL against the targets."""
    head = outcome.head
    best = min(outcome.ceiling)
    ceiling = head / best
    runs = ", ".join(f"{head / s:,.0f}" for s in outcome.ceiling)
    lines = [
        f"  {outcome.store_line}",
        f"  decode-only ceiling (read and decode every event, no view): {ceiling:,.0f} events/s"
        f" ({best:.1f} s, CPU {min(outcome.ceiling_cpu):.1f} s; runs first and last: {runs}"
        " events/s; the faster is the divisor)",
        f"  {'view alone':<16} {'events/s':>10} {'wall s':>8} {'in child s':>10}"
        f" {'replayed':>10} {'of ceiling':>10} {'CPU s':>7} {'CPU share':>9}",
    ]
    best_cpu = min(outcome.ceiling_cpu)
    for name, seconds in outcome.alone.items():
        share = best / seconds
        verdict = ""
        if name in JUDGED:
            passed = share >= CEILING_TARGET
            verdict = f"  {'PASS' if passed else 'FAIL'} (target ≥ {CEILING_TARGET:.0%})"
        lines.append(
            f"  {name:<16} {head / seconds:>10,.0f} {outcome.alone_wall[name]:>8.1f}"
            f" {seconds:>10.1f} {outcome.replayed[name]:>10,} {share:>10.1%}"
            f" {outcome.alone_cpu[name]:>7.1f} {best_cpu / outcome.alone_cpu[name]:>9.1%}{verdict}"
        )
    slowest = max(outcome.alone_wall, key=outcome.alone_wall.__getitem__)
    ratio = outcome.together_wall / outcome.alone_wall[slowest]
    each = ", ".join(f"{name} {seconds:.1f}" for name, seconds in outcome.together.items())
    lines += [
        f"  every view together, {outcome.jobs} at a time: {outcome.together_wall:.1f} s wall"
        f" (in each child, s: {each})",
        f"  together ÷ slowest alone ({slowest}, {outcome.alone_wall[slowest]:.1f} s):"
        f" {ratio:.2f}×  {_verdict(ratio)}",
        *(
            []
            if outcome.all_at_once_wall is None
            else [
                f"  every view at once ({len(outcome.alone)} processes, --jobs"
                f" {len(outcome.alone)}): {outcome.all_at_once_wall:.1f} s wall ="
                f" {outcome.all_at_once_wall / outcome.alone_wall[slowest]:.2f}× the slowest"
                f" alone  {_verdict(outcome.all_at_once_wall / outcome.alone_wall[slowest])}"
            ]
        ),
        f"  sum of the views alone: {sum(outcome.alone_wall.values()):.1f} s wall;"
        f" {os.cpu_count()} CPUs, shared with the PostgreSQL server",
        f"  peak resident memory of one child (a view alone): {outcome.peak_rss_mib:,.0f} MiB",
        "  of ceiling: the ceiling's wall time ÷ the view's (PASS/FAIL on this); CPU share: the"
        " same in the child's CPU seconds (less moved by other load; PostgreSQL's work not in"
        " it)",
    ]
    return lines


def _verdict(ratio: float) -> str:
    return f"{'PASS' if ratio <= TOGETHER_TARGET else 'FAIL'} (target ≤ {TOGETHER_TARGET}×)"


def measure_rebuild_scale(
    server_url: str, *, events: int, jobs: int | None = None, quick: bool = False
) -> list[str]:
    """Builds a store of `events` events in a scratch database of its own and measures."""
    from api.bootstrap import build_services
    from bench.bulk_store import build_store
    from bench.organisation import fill as fill_directory
    from bench.scratch import scratch_database
    from bench.workloads import huiyin_settings

    key = AESCipher.create_key(32)
    with scratch_database(server_url) as url:
        settings: Settings = huiyin_settings(url, key, pool_size=2, db_functions=True)
        with build_services(settings) as services:
            fill_directory(services)
            facts = build_store(
                services,
                events,
                penalties=20 if quick else 200,
                slice_appeals=1_000 if quick else 5_000,
            )
            print(f"  {facts.line()}", flush=True)
            store = StoreAccess(
                env=services.views.env,
                conninfo=conninfo(services.database_url),
                master=resolve_cipher_key(settings),
            )
            head = services.views.head()
            outcome = measure_scale(store, head, facts.line(), jobs=jobs or default_jobs())
    return scale_lines(outcome)


def main(argv: list[str] | None = None) -> int:
    """Entry point: prints the figures."""
    from bench.plan import DEFAULT_SERVER

    parser = argparse.ArgumentParser(prog="python -m bench.rebuild_scale", description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("HUIYIN_BENCH_DATABASE_URL") or DEFAULT_SERVER,
        help="a loopback PostgreSQL server (a scratch database is made on it and dropped)",
    )
    parser.add_argument("--events", type=int, default=None, help="events in the store")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_EVENTS:,} events")
    parser.add_argument("--jobs", type=int, default=None, help="views at once (default: cores)")
    args = parser.parse_args(argv)
    events = args.events or (QUICK_EVENTS if args.quick else DEFAULT_EVENTS)
    print(f"== rebuilds at scale: {events:,} events, every view alone and all together")
    lines = measure_rebuild_scale(
        args.database_url, events=events, jobs=args.jobs, quick=args.quick
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
