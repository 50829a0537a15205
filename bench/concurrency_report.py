"""The many-clients phase's report: each cell's line, the table beside the raw commits, the
ratios 16 clients ÷ 1 client and the verdicts against issue 26's targets (PASS/FAIL)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from bench.concurrency_checks import RawCommits
from bench.load_clients import ClientResult
from bench.measure import percentile, ratio
from bench.report import mib, ms

SPEEDUP_TARGET = 3.0  # commands/s with 16 clients ÷ with 1
P99_TARGET = 0.050  # seconds, with 16 clients
LAG_TARGET = 1.0  # seconds, p99
LAG_CLIENTS = 16
CORES = os.cpu_count() or 1


@dataclass
class Cell:
    """One window: a workload, a number of clients, a number of server workers."""

    workers: int
    workload: str
    clients: int
    result: ClientResult
    server_cpu: float = 0.0  # share of the machine's cores, 0–1
    machine_cpu: float = 0.0
    stored: str = ""
    activity: str = ""  # the database sessions' states (`bench.pg_activity`)

    @property
    def seconds(self) -> float:
        return max(self.result.ended - self.result.started, 1e-9)

    @property
    def commands(self) -> float:
        return len(self.result.command_latencies) / self.seconds

    @property
    def reads(self) -> float:
        return len(self.result.read_latencies) / self.seconds

    def p(self, pct: float, reads: bool = False) -> float:
        samples = self.result.read_latencies if reads else self.result.command_latencies
        return percentile(samples, pct) if samples else float("nan")

    def line(self) -> str:
        client_cpu = self.result.cpu_seconds / (self.seconds * CORES)
        reads = (
            f", reads {self.reads:,.0f}/s (p50 {ms(self.p(50, True))}, p99 {ms(self.p(99, True))})"
            if self.workload == "mixed"
            else ""
        )
        return (
            f"  {self.workload:<9} {self.clients:>3} clients: {self.commands:>6,.0f} commands/s, "
            f"p50 {ms(self.p(50))} ms, p99 {ms(self.p(99))} ms, {self.result.errors} errors{reads}"
            f"; cpu: server {self.server_cpu:.0%}, clients {client_cpu:.0%}, machine "
            f"{self.machine_cpu:.0%}; {self.stored}"
            + (f"\n{self.activity}" if self.activity else "")
            + (f"\n    first errors: {self.result.error_samples[:3]}" if self.result.errors else "")
        )


@dataclass
class WorkersOutcome:
    """Everything measured with one number of server workers."""

    workers: int
    cells: list[Cell] = field(default_factory=list)
    raw: dict[int, RawCommits] = field(default_factory=dict)
    lags: list[float] = field(default_factory=list)
    unreached: int = 0
    lag_commands: float = 0.0
    peak_rss_kib: int = 0
    #: Events the slowest view was behind after the cells, and the seconds it took to catch up.
    catch_up: tuple[int, float] = (0, 0.0)

    def cell(self, workload: str, clients: int) -> Cell | None:
        return next(
            (c for c in self.cells if c.workload == workload and c.clients == clients), None
        )


def lag_line(outcome: WorkersOutcome) -> str:
    """The view lag's figures and verdict."""
    lags = outcome.lags
    if not lags:
        return f"  view lag: no samples ({outcome.unreached} positions never reached)"
    p99 = percentile(lags, 99)
    verdict = "PASS" if p99 < LAG_TARGET and not outcome.unreached else "FAIL"
    return (
        f"  view lag, {LAG_CLIENTS} clients at {outcome.lag_commands:,.0f} commands/s, "
        f"{len(lags):,} commands: p50 {ms(percentile(lags, 50))} ms, p99 {ms(p99)} ms, "
        f"max {ms(max(lags))} ms, {outcome.unreached} not reached → {verdict} "
        f"(target p99 < {LAG_TARGET:g} s)"
    )


def summary(outcomes: list[WorkersOutcome]) -> list[str]:
    """The table of every cell beside the raw figure, the ratios and the verdicts."""
    lines = [
        "| workers | clients | lifecycle commands/s | p50 / p99 ms | errors | mixed commands/s"
        " | reads/s | p99 ms | errors | raw INSERT commits/s (clients) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for outcome in outcomes:
        for clients, raw in outcome.raw.items():
            life, mixed = outcome.cell("lifecycle", clients), outcome.cell("mixed", clients)
            row = [str(outcome.workers), str(clients)]
            if life:
                p50, p99 = ms(life.p(50)), ms(life.p(99))
                row += [f"{life.commands:,.0f}", f"{p50} / {p99}", str(life.result.errors)]
            else:
                row += ["–"] * 3
            if mixed:
                row += [f"{mixed.commands:,.0f}", f"{mixed.reads:,.0f}", ms(mixed.p(99))]
                row.append(str(mixed.result.errors))
            else:
                row += ["–"] * 4
            row.append(f"{raw.rate:,.0f} ({raw.clients})")
            lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    for outcome in outcomes:
        lines += verdict_lines(outcome)
    return lines


def verdict_lines(outcome: WorkersOutcome) -> list[str]:
    """16 clients ÷ 1 client for Huiyin and for the raw commits; PASS/FAIL; memory."""
    one, many = outcome.cell("lifecycle", 1), outcome.cell("lifecycle", 16)
    raw_one, raw_many = outcome.raw.get(1), outcome.raw.get(16)
    head = f"  workers {outcome.workers}:"
    if not (one and many and raw_one and raw_many):
        return [f"{head} no 1- and 16-client cells to compare"]
    speedup = ratio(many.commands, one.commands)
    mixed_one, mixed_many = outcome.cell("mixed", 1), outcome.cell("mixed", 16)
    mixed = ratio(mixed_many.commands, mixed_one.commands) if mixed_one and mixed_many else 0.0
    passed = speedup >= SPEEDUP_TARGET and many.p(99) < P99_TARGET
    return [
        f"{head} 16 ÷ 1 clients: lifecycle {speedup:.2f}×, mixed {mixed:.2f}×, raw INSERT "
        f"{ratio(raw_many.rate, raw_one.rate):.2f}×; p99 with 16 clients {ms(many.p(99))} ms"
        f" → {'PASS' if passed else 'FAIL'} (target ≥ {SPEEDUP_TARGET:g}×, p99 < "
        f"{P99_TARGET * 1000:g} ms); lifecycle 16 clients ÷ raw INSERT 16 clients "
        f"{ratio(many.commands, raw_many.rate):.1%}; server peak RSS (sum of its processes) "
        f"{mib(outcome.peak_rss_kib)}",
        catch_up_line(outcome),
        lag_line(outcome),
    ]


def catch_up_line(outcome: WorkersOutcome) -> str:
    """How far the cells left the views behind, and how long they took to catch up."""
    behind, seconds = outcome.catch_up
    return (
        f"  after the cells the slowest view was {behind:,} events behind; caught up in "
        f"{seconds:.1f} s" + (f" ({behind / seconds:,.0f} events/s)" if behind and seconds else "")
    )
