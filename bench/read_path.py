"""The read path: event → view lag under a steady load, rebuild rate against the raw log read.

Phase 6 of the benchmark. Everything runs against the benchmark's scratch database:
- lag: Casework commands at a steady rate in this process while every view's runner follows
  (as inside `huiyin serve`); for each command, the time from its save() returning until each
  view has applied its position (the views' in-process progress signal, no polling sleeps);
- rebuild: the raw notification read (the library's select_notifications, no decoding) over
  the whole log, against `rebuild` of each view (decode, project, one transaction). Both
  are timed on equal terms: the heap collected first and the cyclic garbage collector off
  while they run, as a rebuild runs (`rebuild` turns it off). Timed with the collector on,
  the raw read ran at half its speed or less in a process holding the earlier phases' objects,
  which made every view's share look twice as good as it was; that figure is printed too. The
  earlier phases write appeals only, so penalties and disclosures are added first
  (`add_penalties_and_disclosures`): a view with nothing of its own to replay would report
  the speed of reading nothing.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from application.casework import Casework
from bench.measure import percentile
from domain.actors import Actor, Role
from infrastructure.replay import replay
from infrastructure.settings import Settings
from infrastructure.view_commits import PROGRESS
from infrastructure.view_registry import VIEWS
from infrastructure.views import PostgresView

if TYPE_CHECKING:
    from api.bootstrap import Services

CLERK = Actor("bench-clerk", Role.UNION_STAFF)
SUPERVISOR = Actor("bench-supervisor", Role.SUPERVISOR)
MEMBER = Actor("bench-committee", Role.COMMITTEE)
DEPARTMENTS = ("后勤服务中心", "安监处", "机电科", "运输队", "通风科")
LAG_TARGET = 0.020  # seconds, p99
REBUILD_TARGET = 0.50  # of the raw notification read rate


@dataclass
class LagOutcome:
    """Per view: seconds from save() returning to the view applying the event."""

    commands: int
    rate: float
    lags: dict[str, list[float]] = field(default_factory=dict)


@dataclass
class RebuildOutcome:
    """Events/s of the raw log read and of each view's rebuild, over the same log."""

    events: int
    #: The raw read with the cyclic garbage collector off, as in the rebuilds: the divisor.
    raw_read: list[float] = field(default_factory=list)
    #: The raw read with the collector on (the library as an application calls it).
    raw_read_collecting: list[float] = field(default_factory=list)
    #: Every event read and decoded as a rebuild does it, applied to no view: the ceiling
    #: of a view that reads every event.
    decoded: list[float] = field(default_factory=list)
    rebuilds: dict[str, list[float]] = field(default_factory=dict)
    #: Events each view replayed (it reads only the kinds it has handlers for).
    replayed: dict[str, int] = field(default_factory=dict)


def _steady(rate: float, count: int) -> Iterator[int]:
    """Yields `count` times, paced at `rate` per second (never bursting to catch up)."""
    interval = 1.0 / rate
    next_at = time.perf_counter()
    for index in range(count):
        pause = next_at - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        next_at = max(next_at + interval, time.perf_counter())
        yield index


def measure_lag(settings: Settings, *, commands: int, rate: float) -> LagOutcome:
    """Raises and transfers appeals at `rate` commands/s; records each view's lag."""
    from api.bootstrap import build_services
    from bench.workloads import DRAFT

    outcome = LagOutcome(commands=commands, rate=rate)
    # Runners as threads here, so the lag is read from their in-process progress signal.
    live = settings.model_copy(update={"projections": True, "background_process": False})
    with build_services(live) as services:
        casework: Casework = services.casework
        views = {name: services.views.get(name) for name in VIEWS}
        for name in VIEWS:
            if not services.views.wait_leading(name, 30):
                raise RuntimeError(f"the runner of view {name} did not start")
        outcome.lags = {name: [] for name in views}
        warm = casework.raise_appeal(DRAFT, CLERK).position
        for view in views.values():
            view.wait("Huiyin", warm, timeout=30)
        for _ in _steady(rate, commands):
            position = casework.raise_appeal(DRAFT, CLERK).position
            saved = time.perf_counter()
            _record_lags(views, position, saved, outcome.lags)
    return outcome


def _record_lags(
    views: dict[str, PostgresView], position: int, saved: float, lags: dict[str, list[float]]
) -> None:
    pending = dict(views)
    deadline = saved + 10.0
    while pending:
        for name, view in list(pending.items()):
            if PROGRESS.reached(view._progress_key, position):
                lags[name].append(time.perf_counter() - saved)
                del pending[name]
        if pending:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"views {sorted(pending)} did not reach {position} in 10 s")
            PROGRESS.wait(0.001)


def add_penalties_and_disclosures(services: Services, count: int) -> int:
    """`count` appeals penalised by their supervisor (搪塞应付, −1) and as many penalty
    notices taken through the committee's review to publication, every tenth then
    withdrawn: the events of the penalty ledger and the disclosure feed. Returns the
    number of events written."""
    from bench.workloads import DRAFT
    from domain.disclosure import SubjectType

    first = services.views.head()
    for index in range(count):
        department = DEPARTMENTS[index % len(DEPARTMENTS)]
        raised = services.casework.raise_appeal(DRAFT, CLERK)
        services.casework.transfer(
            raised.id, department=department, supervisor=SUPERVISOR.id, actor=CLERK
        )
        services.accountability.record_perfunctory_handling(
            raised.id, reason="答复未回应诉求，照搬制度条文", actor=SUPERVISOR
        )
        proposed = services.disclosures.propose(
            subject_type=SubjectType.PENALTIES_AND_CARDS,
            subject=department,
            title=f"{department}考核扣分公示",
            body=f"{department}：搪塞应付 −1 分。",
            departments=[department],
            actor=CLERK,
        )
        services.disclosures.approve(proposed.id, actor=MEMBER)
        services.disclosures.publish(proposed.id, actor=CLERK)
        if index % 10 == 9:
            services.disclosures.withdraw(proposed.id, reason="扣分已撤销", actor=MEMBER)
    return services.views.head() - first


def measure_rebuild(
    settings: Settings, *, repeats: int, penalties_and_disclosures: int = 0
) -> RebuildOutcome:
    """The raw log read rate and each view's rebuild rate, `repeats` times, interleaved,
    after adding `penalties_and_disclosures` of each to the store."""
    from api.bootstrap import build_services

    quiet = settings.model_copy(
        update={"projections": False, "watcher": False, "chain_follow": False}
    )
    with build_services(quiet) as services:
        if penalties_and_disclosures:
            add_penalties_and_disclosures(services, penalties_and_disclosures)
        recorder = services.casework.recorder
        head = recorder.max_notification_id() or 0
        outcome = RebuildOutcome(events=head)

        def read_all() -> int:
            start, read = 1, 0
            while True:
                batch = recorder.select_notifications(start, 1000, stop=head)
                if not batch:
                    return read
                read += len(batch)
                start = batch[-1].id + 1

        def decode_all() -> int:
            return sum(len(batch) for batch in replay(services.casework, head))

        for _ in range(repeats):
            read, seconds = _timed(decode_all)
            outcome.decoded.append(read / seconds)
            read, seconds = _timed(read_all, collecting=True)
            outcome.raw_read_collecting.append(read / seconds)
            read, seconds = _timed(read_all, collecting=False)
            outcome.raw_read.append(read / seconds)
            for name in VIEWS:
                replayed, seconds = _timed(partial(services.views.rebuild, name))
                outcome.replayed[name] = replayed
                # Events of the log accounted for per second (a view reads only its own kinds).
                outcome.rebuilds.setdefault(name, []).append(head / seconds)
        return outcome


def _timed(work: Callable[[], int], *, collecting: bool = False) -> tuple[int, float]:
    """What `work` returns and the seconds it took, started on a collected heap, with the
    cyclic garbage collector on or off while it runs."""
    gc.collect()
    was = gc.isenabled()
    if not collecting:
        gc.disable()
    try:
        started = time.perf_counter()
        result = work()
        return result, time.perf_counter() - started
    finally:
        if was:
            gc.enable()


def lag_lines(outcome: LagOutcome) -> list[str]:
    """p50/p99 lag per view against the 20 ms target."""
    lines = [
        f"  {outcome.commands} commands at {outcome.rate:g}/s; lag from save() returning to "
        "the view applying the event:",
        f"  {'view':<16} {'samples':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
        "  target p99 < 20 ms",
    ]
    for name, samples in outcome.lags.items():
        p99 = percentile(samples, 99)
        verdict = "PASS" if p99 < LAG_TARGET else "FAIL"
        lines.append(
            f"  {name:<16} {len(samples):>8} {percentile(samples, 50) * 1000:>8.2f} "
            f"{p99 * 1000:>8.2f} {max(samples) * 1000:>8.2f}  {verdict}"
        )
    return lines


def rebuild_lines(outcome: RebuildOutcome) -> list[str]:
    """Rebuild events/s per view and its share of the raw log read rate (target ≥ 50%)."""
    raw = statistics.median(outcome.raw_read)
    lines = [
        f"  {outcome.events:,} events in the log; raw notification read "
        f"{raw:,.0f} events/s (median of {len(outcome.raw_read)}, cyclic garbage collector "
        "off as in the rebuilds; the divisor below)",
    ]
    if outcome.raw_read_collecting:
        lines.append(
            "  raw notification read with the collector on: "
            f"{statistics.median(outcome.raw_read_collecting):,.0f} events/s (not used)"
        )
    if outcome.decoded:
        decoded = statistics.median(outcome.decoded)
        lines.append(
            f"  every event read and decoded as a rebuild does, no view: {decoded:,.0f} "
            f"events/s = {decoded / raw if raw else 0.0:.1%} of the raw read (the ceiling "
            "of a view that reads every event)"
        )
    for name, rates in outcome.rebuilds.items():
        rate = statistics.median(rates)
        share = rate / raw if raw else 0.0
        replayed = outcome.replayed.get(name, 0)
        verdict = (
            ("PASS" if share >= REBUILD_TARGET else "FAIL")
            if replayed
            else "n/a: no events of its kinds in the store"
        )
        # The rate counts the log's events (every one accounted for); a view reading only
        # its own kinds replays fewer, at this rate of its own:
        own = replayed * rate / outcome.events if outcome.events else 0.0
        lines.append(
            f"  rebuild {name:<16} {rate:>9,.0f} events/s = {share:.1%} of the raw read"
            f" ({replayed:,} of its kinds replayed, {own:,.0f}/s)  → {verdict}"
            f" (target ≥ {REBUILD_TARGET:.0%})"
        )
    return lines
